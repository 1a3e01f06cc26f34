import { Duration } from 'cdk8s';
import {
  HealthCheck, HelperInjection, ImageTools, InitProcess, LifecycleHook,
  ResilientDeployment, ResilientDeploymentProps,
} from '../../src';
import { HELPERS_MOUNT_PATH } from '../../src/concerns/image-tools';
import { expectValidKubernetes } from '../support/k8s-validate';
import { podSpecOf } from '../support/properties';
import { KubeObject, newChart, only, synth, rejectionOf } from '../support/synth';

const HELPER_IMAGE = HelperInjection.fromImage({ image: 'registry.example.com/platform/helpers:1.0.0', busybox: '/bin/busybox', tini: '/usr/bin/tini-static', dumbInit: '/usr/bin/dumb-init' });

const distroless: ResilientDeploymentProps = {
  container: {
    image: 'registry.example.com/api:1.0.0',
    command: ['java', '-jar', '/app.jar'],
    portNumber: 8080,
    imageTools: ImageTools.none(),
  },
};

function deploy(props: Partial<ResilientDeploymentProps>): KubeObject[] {
  const chart = newChart();
  new ResilientDeployment(chart, 'api', { ...distroless, ...props });
  const objects = synth(chart);
  expectValidKubernetes(objects);
  return objects;
}

function errorOf(props: Partial<ResilientDeploymentProps>): string {
  return rejectionOf(() => deploy(props));
}

/** Every absolute path under the helpers mount that a command uses. */
function helperPaths(argv: string[] | undefined): string[] {
  return (argv ?? []).flatMap((a) => a.match(new RegExp(`${HELPERS_MOUNT_PATH}/[a-z-]+`, 'g')) ?? []);
}

describe('images without a shell, sleep or init', () => {
  test('injected busybox and tini: snapshot', () => {
    const objects = deploy({ helpers: HELPER_IMAGE, init: InitProcess.tini(), shutdown: { preStop: LifecycleHook.jvm(), appShutdown: Duration.seconds(30) } });
    expect(objects).toMatchSnapshot();
  });

  test('helpers are copied by a hardened init container and mounted read-only where they are used', () => {
    const pod = podSpecOf(only(deploy({ helpers: HELPER_IMAGE, init: InitProcess.dumbInit() }), 'Deployment'));
    const [copier] = pod.initContainers;
    expect(copier.name).toBe('resilient-helpers');
    expect(copier.image).toBe('registry.example.com/platform/helpers:1.0.0');
    // Only what is used is copied: busybox for the drain pause's sleep, dumb-init for the init.
    expect(copier.command).toEqual(['sh', '-c', 'cp /bin/busybox /cdk8s-resilient/busybox && cp /usr/bin/dumb-init /cdk8s-resilient/dumb-init']);
    expect(copier.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
    expect(copier.resources).toEqual({ requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '32Mi' } });
    expect(copier.volumeMounts).toEqual([{ name: 'resilient-helpers', mountPath: HELPERS_MOUNT_PATH }]);
    expect(pod.volumes).toContainEqual({ name: 'resilient-helpers', emptyDir: { sizeLimit: '32Mi' } });
    const main = pod.containers[0];
    expect(main.volumeMounts).toContainEqual({ name: 'resilient-helpers', mountPath: HELPERS_MOUNT_PATH, readOnly: true });
    // The app container keeps its read-only root file system and non-root context.
    expect(main.securityContext).toMatchObject({ readOnlyRootFilesystem: true, runAsNonRoot: true, allowPrivilegeEscalation: false });
  });

  test('paths used by preStop and command are files the init container copies', () => {
    const pod = podSpecOf(only(deploy({ helpers: HELPER_IMAGE, init: InitProcess.tini(), shutdown: { preStop: LifecycleHook.nginx() } }), 'Deployment'));
    const copied = new Set(pod.initContainers[0].command[2].split(' && ').map((cp: string) => cp.split(' ')[2]));
    const main = pod.containers[0];
    const used = [...helperPaths(main.command), ...helperPaths(main.lifecycle.preStop.exec.command)];
    expect(used.length).toBeGreaterThan(0);
    for (const path of used) expect(copied.has(path)).toBe(true);
    expect(main.command.slice(0, 3)).toEqual(['/cdk8s-resilient/tini', '-g', '--']);
    expect(main.lifecycle.preStop.exec.command.slice(0, 3)).toEqual(['/cdk8s-resilient/busybox', 'sh', '-c']);
  });

  test('the drain pause uses the injected sleep by absolute path and the grace period still covers it', () => {
    const pod = podSpecOf(only(deploy({ helpers: HelperInjection.busybox(), shutdown: { preStop: LifecycleHook.drainPause({ drainPause: Duration.seconds(7) }) } }), 'Deployment'));
    expect(pod.containers[0].lifecycle.preStop.exec.command).toEqual(['/cdk8s-resilient/busybox', 'sleep', '7']);
    expect(pod.terminationGracePeriodSeconds).toBe(7 + 20 + 5);
    expect(pod.initContainers[0].image).toBe('busybox:1.36.1-musl');
    expect(pod.shareProcessNamespace).toBe(true);
  });

  test('HTTP preStop needs no binary and no injection; its time counts in the grace period', () => {
    const pod = podSpecOf(only(deploy({ shutdown: { preStop: LifecycleHook.httpGet('/drain', { port: 8080, expectedDuration: Duration.seconds(12) }) } }), 'Deployment'));
    expect(pod.initContainers).toBeUndefined();
    expect(pod.containers[0].lifecycle.preStop).toEqual({ httpGet: { path: '/drain', port: 8080 } });
    expect(pod.terminationGracePeriodSeconds).toBe(12 + 20 + 5);
  });

  test('helpers configured but not needed are not injected', () => {
    const pod = podSpecOf(only(deploy({ container: { ...distroless.container, imageTools: ImageTools.shell() }, helpers: HELPER_IMAGE }), 'Deployment'));
    expect(pod.initContainers).toBeUndefined();
    expect(pod.containers[0].lifecycle.preStop.exec.command).toEqual(['sleep', '5']);
  });

  test('an image that declares its own dumb-init uses it where it is', () => {
    const pod = podSpecOf(only(deploy({ init: InitProcess.dumbInit(), container: { ...distroless.container, imageTools: ImageTools.shell({ dumbInit: '/sbin/dumb-init' }) } }), 'Deployment'));
    expect(pod.containers[0].command.slice(0, 2)).toEqual(['/sbin/dumb-init', '--']);
  });

  test('the default image declaration is a shell image with the init you named', () => {
    const chart = newChart();
    new ResilientDeployment(chart, 'api', { init: InitProcess.tini('/sbin/tini'), container: { image: 'example/api:1.0.0', command: ['/app'], portNumber: 8080 } });
    const pod = podSpecOf(only(synth(chart), 'Deployment'));
    expect(pod.containers[0].command).toEqual(['/sbin/tini', '-g', '--', '/app']);
    expect(pod.initContainers).toBeUndefined();
  });

  test('a sidecar declares its own image tools', () => {
    const pod = podSpecOf(only(deploy({
      helpers: HelperInjection.busybox(),
      shutdown: { preStop: LifecycleHook.httpGet('/drain', { port: 8080 }) },
      sidecars: [{ name: 'proxy', image: 'envoyproxy/envoy-distroless:v1.28.0', imageTools: ImageTools.none(), preStop: LifecycleHook.drainPause({ drainPause: Duration.seconds(10) }) }],
    }), 'Deployment'));
    expect(pod.containers[1].lifecycle.preStop.exec.command).toEqual(['/cdk8s-resilient/busybox', 'sleep', '10']);
    expect(pod.containers[1].volumeMounts).toEqual([{ name: 'resilient-helpers', mountPath: HELPERS_MOUNT_PATH, readOnly: true }]);
    expect(pod.containers[0].volumeMounts).toBeUndefined();
  });
});

describe('refused: what the declared image cannot run', () => {
  test.each([
    ['drain pause on a distroless image without helpers', {},
      '[test/api] container.preStop: "drain-pause" needs `sleep`, which the declared image (none) does not have. Fix: declare it in imageTools if the image has it, or inject it with helpers: HelperInjection.busybox(), or use LifecycleHook.httpGet(...) against an endpoint of the app, which needs no binary'],
    ['JVM preset on a distroless image without helpers', { init: InitProcess.none(), shutdown: { preStop: LifecycleHook.jvm() } },
      '[test/api] container.preStop: "jvm" needs `sh`, which the declared image (none) does not have'],
    ['dumb-init that is neither in the image nor injected', { init: InitProcess.dumbInit(), helpers: HelperInjection.busybox() },
      "[test/api] init: \"dumb-init\" needs `dumb-init`, which the declared image (none) does not have. Fix: declare it in imageTools if the image has it, or inject it with helpers: HelperInjection.fromImage({ image, dumbInit: '/path' }), or use InitProcess.sharedProcessNamespace(), which needs no binary"],
    ['tini that is neither in the image nor injected', { init: InitProcess.tini(), helpers: HelperInjection.busybox() },
      "[test/api] init: \"tini\" needs `tini`, which the declared image (none) does not have. Fix: declare it in imageTools if the image has it, or inject it with helpers: HelperInjection.fromImage({ image, tini: '/path' })"],
    ['JVM preset under a shared process namespace', { helpers: HelperInjection.busybox(), shutdown: { preStop: LifecycleHook.jvm() } },
      "[test/api] container.preStop: \"jvm\" signals PID 1 (the JVM, or the init in front of it), but with a shared process namespace PID 1 is the pod's pause process. Fix: use InitProcess.dumbInit(), InitProcess.tini() or InitProcess.none() with this preset"],
    ['postStart that needs a shell', { helpers: undefined, shutdown: { preStop: LifecycleHook.none() }, container: { ...distroless.container, postStart: LifecycleHook.drainPause() } },
      '[test/api] container.postStart: "drain-pause" needs `sleep`, which the declared image (none) does not have'],
  ] as Array<[string, Partial<ResilientDeploymentProps>, string]>)('%s', (_name, props, message) => {
    expect(errorOf(props)).toContain(message);
  });

  test('a helper image that provides nothing, or has no image, is refused by the construct that uses it', () => {
    const nothing = HelperInjection.fromImage({ image: 'x:1' });
    expect(errorOf({ helpers: nothing })).toContain('[test/api] helpers: "x:1" names no helper binary to copy. Fix: give the path of busybox, dumbInit or tini inside the image');
    expect(errorOf({ helpers: HelperInjection.fromImage({ image: '', busybox: '/bin/busybox' }) })).toContain('[test/api] helpers.image: "" is empty or contains white space');
  });

  test('probes still work without binaries: HTTP', () => {
    const pod = podSpecOf(only(deploy({ helpers: HelperInjection.busybox(), container: { ...distroless.container, probes: { readiness: HealthCheck.httpGet('/ready') } } }), 'Deployment'));
    expect(pod.containers[0].readinessProbe.httpGet).toEqual({ path: '/ready', port: 8080 });
  });
});
