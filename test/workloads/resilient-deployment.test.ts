import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { HealthCheck, InitProcess, LifecycleHook, ResilientDeployment, ResilientDeploymentProps, Rules, SpreadMode } from '../../src';
import { expectValidKubernetes } from '../support/k8s-validate';
import { expectResilientInvariants, podSpecOf } from '../support/properties';
import { all, KubeObject, newChart, only, synth, rejectionOf } from '../support/synth';

function deploy(props: Partial<ResilientDeploymentProps> = {}, id = 'web'): { objects: KubeObject[]; construct: ResilientDeployment } {
  const chart = newChart();
  const construct = new ResilientDeployment(chart, id, {
    container: { image: 'example/web:1.0.0', portNumber: 8080 },
    ...props,
  });
  const objects = synth(chart);
  expectValidKubernetes(objects);
  return { objects, construct };
}

function errorOf(props: Partial<ResilientDeploymentProps>): string {
  return rejectionOf(() => deploy(props));
}

const appShutdown = (seconds: number) => () => seconds;

describe('ResilientDeployment output', () => {
  test('defaults: the minimal call', () => {
    const { objects } = deploy();
    expect(objects).toMatchSnapshot();
    expect(objects.map((o) => o.kind).sort()).toEqual(['Deployment', 'PodDisruptionBudget', 'Service']);
    expectResilientInvariants(objects, appShutdown(20));
  });

  test('autoscaled JVM service under dumb-init with HTTP probes', () => {
    const { objects } = deploy({
      autoscaling: { minReplicas: 3, maxReplicas: 10, targetCpuUtilizationPercent: 60 },
      init: InitProcess.dumbInit(),
      container: {
        image: 'example/api:2.3.1',
        command: ['java', '-jar', '/app.jar'],
        ports: [{ number: 8080, name: 'http' }, { number: 9090, name: 'metrics' }],
        probes: {
          readiness: HealthCheck.httpGet('/ready', { port: 'http' }),
          liveness: HealthCheck.httpGet('/live', { port: 'http' }),
          startupTimeout: Duration.seconds(180),
        },
      },
      shutdown: { preStop: LifecycleHook.jvm(), appShutdown: Duration.seconds(45) },
    }, 'api');
    expect(objects).toMatchSnapshot();
    expectResilientInvariants(objects, appShutdown(45));
  });

  test('tini, gRPC probes, required spreading, sidecar and priority class', () => {
    const { objects } = deploy({
      replicas: 4,
      init: InitProcess.tini('/sbin/tini'),
      priorityClassName: 'business-critical',
      placement: { spread: SpreadMode.REQUIRED },
      container: {
        image: 'example/grpc:0.9.0',
        command: ['/server'],
        portNumber: 50051,
        probes: { readiness: HealthCheck.grpc({ service: 'ready' }), liveness: HealthCheck.grpc() },
      },
      sidecars: [{
        name: 'proxy',
        image: 'envoyproxy/envoy:v1.28.0',
        portNumber: 9901,
        preStop: LifecycleHook.httpGet('/drain_listeners?graceful', { port: 9901, expectedDuration: Duration.seconds(10) }),
      }],
      disruptionBudget: { minAvailable: '50%' },
    }, 'grpc');
    expect(objects).toMatchSnapshot();
    expectResilientInvariants(objects, appShutdown(20));
  });

  test('a worker without ports: exec probes, no Service, no preStop, explicit grace period', () => {
    const { objects } = deploy({
      container: {
        image: 'example/worker:3.0.0',
        command: ['/worker'],
        probes: {
          readiness: HealthCheck.exec(['/worker', 'ready']),
          liveness: HealthCheck.exec(['/worker', 'alive'], { period: Duration.seconds(20), failureThreshold: 3 }),
        },
      },
      shutdown: { preStop: LifecycleHook.none(), appShutdown: Duration.seconds(60), terminationGracePeriod: Duration.seconds(90) },
    }, 'worker');
    expect(objects).toMatchSnapshot();
    expect(objects.map((o) => o.kind).sort()).toEqual(['Deployment', 'PodDisruptionBudget']);
    const pod = podSpecOf(only(objects, 'Deployment'));
    expect(pod.containers[0].lifecycle).toBeUndefined();
    expect(pod.terminationGracePeriodSeconds).toBe(90);
  });
});

describe('ResilientDeployment properties', () => {
  test('grace period = preStop + app shutdown + 5 s margin, and is explained on the pod', () => {
    const { objects, construct } = deploy({ shutdown: { preStop: LifecycleHook.drainPause({ drainPause: Duration.seconds(8) }), appShutdown: Duration.seconds(32) } });
    const d = only(objects, 'Deployment');
    expect(podSpecOf(d).terminationGracePeriodSeconds).toBe(45);
    expect(construct.terminationGracePeriodSeconds).toBe(45);
    expect(d.spec.template.metadata.annotations['resilient.cdk8s.io/shutdown-budget']).toBe('grace 45s = preStop 8s + app shutdown 32s + margin 5s');
    expect(podSpecOf(d).containers[0].lifecycle.preStop.exec.command).toEqual(['sleep', '8']);
  });

  test('the grace period covers the longest preStop of any container', () => {
    const { objects } = deploy({
      sidecars: [{ name: 'proxy', image: 'example/proxy:1.0.0', preStop: LifecycleHook.command(['/drain'], Duration.seconds(15)) }],
    });
    expect(podSpecOf(only(objects, 'Deployment')).terminationGracePeriodSeconds).toBe(15 + 20 + 5);
  });

  test('rollout never lowers capacity and keeps history', () => {
    const { objects } = deploy();
    const spec = only(objects, 'Deployment').spec;
    expect(spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } });
    expect(spec.minReadySeconds).toBe(10);
    expect(spec.progressDeadlineSeconds).toBe(600);
    expect(spec.revisionHistoryLimit).toBe(5);
    expect(spec.replicas).toBe(2);
  });

  test('autoscaled: spec.replicas is left to the HPA and the PDB fits its minimum', () => {
    const { objects } = deploy({ autoscaling: { maxReplicas: 5 } });
    const d = only(objects, 'Deployment');
    expect('replicas' in d.spec).toBe(false);
    const hpa = only(objects, 'HorizontalPodAutoscaler');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name });
    expect(hpa.spec.minReplicas).toBe(2);
    expect(hpa.spec.maxReplicas).toBe(5);
    expect(only(objects, 'PodDisruptionBudget').spec.maxUnavailable).toBe(1);
  });

  test('selectors use only name and instance, and every object carries the recommended labels', () => {
    const { objects } = deploy({ appName: 'storefront', component: 'frontend', partOf: 'shop' });
    const d = only(objects, 'Deployment');
    expect(d.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'storefront', 'app.kubernetes.io/instance': d.metadata.name });
    for (const o of objects) {
      expect(o.metadata.labels).toMatchObject({
        'app.kubernetes.io/name': 'storefront',
        'app.kubernetes.io/instance': d.metadata.name,
        'app.kubernetes.io/version': '1.0.0',
        'app.kubernetes.io/component': 'frontend',
        'app.kubernetes.io/part-of': 'shop',
        'app.kubernetes.io/managed-by': 'cdk8s',
      });
    }
    expect(d.spec.template.metadata.labels).toMatchObject(d.metadata.labels!);
    expect(only(objects, 'Service').spec.selector).toEqual(d.spec.selector.matchLabels);
  });

  test('a new image version does not change the selector', () => {
    const a = only(deploy({ container: { image: 'example/web:1.0.0', portNumber: 8080 } }).objects, 'Deployment');
    const b = only(deploy({ container: { image: 'example/web:2.0.0', portNumber: 8080 } }).objects, 'Deployment');
    expect(b.spec.selector).toEqual(a.spec.selector);
    expect(b.metadata.labels!['app.kubernetes.io/version']).toBe('2.0.0');
  });

  test('default probes: readiness and liveness differ, liveness is the more tolerant, startup guards slow starts', () => {
    const main = podSpecOf(only(deploy().objects, 'Deployment')).containers[0];
    expect(main.readinessProbe).toEqual({ tcpSocket: { port: 8080 }, periodSeconds: 5, timeoutSeconds: 1, failureThreshold: 3, successThreshold: 1 });
    expect(main.livenessProbe).toEqual({ tcpSocket: { port: 8080 }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 6, successThreshold: 1 });
    // Startup reuses the liveness check, with its time to answer.
    expect(main.startupProbe).toEqual({ tcpSocket: { port: 8080 }, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 12, successThreshold: 1 });
  });

  test('spreading is preferred by default and never required anti-affinity', () => {
    const pod = podSpecOf(only(deploy().objects, 'Deployment'));
    expect(pod.topologySpreadConstraints.map((c: any) => [c.topologyKey, c.whenUnsatisfiable, c.maxSkew])).toEqual([
      ['topology.kubernetes.io/zone', 'ScheduleAnyway', 1],
      ['kubernetes.io/hostname', 'ScheduleAnyway', 1],
    ]);
    expect(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toBeUndefined();
    expect(pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey).toBe('kubernetes.io/hostname');
  });

  test('required spreading uses DoNotSchedule topology spread, not required anti-affinity', () => {
    const pod = podSpecOf(only(deploy({ placement: { spread: SpreadMode.REQUIRED } }).objects, 'Deployment'));
    expect(pod.topologySpreadConstraints.every((c: any) => c.whenUnsatisfiable === 'DoNotSchedule')).toBe(true);
    expect(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toBeUndefined();
  });

  test('hardening: cdk8s-plus defaults kept (privileged: false left to the API default), capabilities dropped, RuntimeDefault seccomp', () => {
    const pod = podSpecOf(only(deploy({ container: { image: 'example/web:1.0.0', portNumber: 8080, securityContext: { capabilities: { add: [kplus.Capability.NET_BIND_SERVICE] } } } }).objects, 'Deployment'));
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.containers[0].securityContext).toEqual({
      allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true,
      capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] }, seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  test('init processes: dumb-init and tini wrap the command, the default shares the process namespace', () => {
    const cmd = (init?: InitProcess) => podSpecOf(only(deploy({ init, container: { image: 'example/web:1.0.0', portNumber: 8080, command: ['/app'] } }).objects, 'Deployment'));
    expect(cmd(InitProcess.dumbInit()).containers[0].command).toEqual(['/usr/bin/dumb-init', '--', '/app']);
    expect(cmd(InitProcess.tini()).containers[0].command).toEqual(['/usr/bin/tini', '-g', '--', '/app']);
    expect(cmd().shareProcessNamespace).toBe(true);
    expect(cmd().containers[0].command).toEqual(['/app']);
    expect(cmd(InitProcess.none()).shareProcessNamespace).toBeUndefined();
  });

  test('pinned images are pulled only when missing, so a registry outage cannot stop restarts; an explicit policy wins', () => {
    const pod = podSpecOf(only(deploy({
      sidecars: [{ name: 'proxy', image: 'example/proxy:1.0.0', imagePullPolicy: kplus.ImagePullPolicy.ALWAYS }],
      initContainers: [{ name: 'setup', image: 'example/setup:1.0.0' }],
    }).objects, 'Deployment'));
    expect(pod.containers.map((c: any) => c.imagePullPolicy)).toEqual(['IfNotPresent', 'Always']);
    expect(pod.initContainers.map((c: any) => c.imagePullPolicy)).toEqual(['IfNotPresent']);
  });

  test('resources: defaults fill what the user left out', () => {
    const main = podSpecOf(only(deploy({ container: { image: 'example/web:1.0.0', portNumber: 8080, resources: { memory: { request: Size.mebibytes(512) } } } }).objects, 'Deployment')).containers[0];
    expect(main.resources).toEqual({ requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1000m', memory: '512Mi' } });
  });

  test('postStart hooks are rendered next to preStop', () => {
    const main = podSpecOf(only(deploy({ container: { image: 'example/web:1.0.0', portNumber: 8080, postStart: LifecycleHook.command(['/warm-cache'], Duration.seconds(0)) } }).objects, 'Deployment')).containers[0];
    expect(main.lifecycle).toEqual({ postStart: { exec: { command: ['/warm-cache'] } }, preStop: { exec: { command: ['sleep', '5'] } } });
  });

  test('escape hatches expose every created piece', () => {
    const { construct } = deploy({ autoscaling: { maxReplicas: 4 } });
    expect(construct.deployment).toBeInstanceOf(kplus.Deployment);
    expect(construct.service).toBeInstanceOf(kplus.Service);
    expect(construct.podDisruptionBudget).toBeDefined();
    expect(construct.autoscaler).toBeDefined();
    expect(construct.apiObject.kind).toBe('Deployment');
  });

  test('service: { enabled: false } and disruptionBudget: { enabled: false } leave those objects out (the missing PDB needs a stated reason)', () => {
    const chart = newChart();
    const d = new ResilientDeployment(chart, 'web', { container: { image: 'example/web:1.0.0', portNumber: 8080 }, service: { enabled: false }, disruptionBudget: { enabled: false } });
    expect(() => synth(chart)).toThrow('pdb-missing');
    Rules.of(d).suppress('pdb-missing', 'budget managed by the platform team for the whole namespace');
    const objects = synth(chart);
    expect(objects.map((o) => o.kind)).toEqual(['Deployment']);
    expect(objects[0].metadata.annotations!['resilient.cdk8s.io/suppress.pdb-missing']).toBe('budget managed by the platform team for the whole namespace');
  });

  test('an explicit name is used for every object', () => {
    const { objects } = deploy({ name: 'storefront', autoscaling: { maxReplicas: 3 } });
    expect(new Set(objects.map((o) => o.metadata.name))).toEqual(new Set(['storefront']));
    expect(all(objects, 'Deployment')).toHaveLength(1);
  });
});

describe('ResilientDeployment rejects unsafe input', () => {
  const cases: Array<[string, Partial<ResilientDeploymentProps>, string]> = [
    ['grace period shorter than preStop + shutdown',
      { shutdown: { appShutdown: Duration.seconds(30), terminationGracePeriod: Duration.seconds(20) } },
      '[test/web] shutdown.terminationGracePeriod: "20s" is shorter than preStop (5s) + appShutdown (30s) = 35s, so the kubelet would SIGKILL the app mid-shutdown. Fix: leave terminationGracePeriod unset to derive 40s, set it to at least 35s, or shorten preStop/appShutdown'],
    ['sh -c without exec and without an init',
      { init: InitProcess.sharedProcessNamespace(), container: { image: 'example/web:1.0.0', portNumber: 8080, command: ['sh', '-c', 'cd /app && ./server'] } },
      '[test/web] container.command: ["sh","-c","cd /app && ./server"] runs the app behind `sh -c` without exec: SIGTERM kills the shell and leaves the app orphaned until the grace period ends and it is SIGKILLed. Fix: start the last command with exec (e.g. "... && exec my-app"); an init in front of the shell does not fix this form'],
    ['sh -c without exec under dumb-init',
      { init: InitProcess.dumbInit('/usr/bin/dumb-init'), container: { image: 'example/web:1.0.0', portNumber: 8080, command: ['sh', '-c', './server'] } },
      '[test/web] container.command: ["sh","-c","./server"] runs the app behind `sh -c` without exec: dumb-init signals the whole process group, but the shell dies at once, dumb-init exits with it and the app is killed part-way through its shutdown. Fix: start the last command with exec'],
    ['a sidecar behind bash -c with several commands',
      { sidecars: [{ name: 'agent', image: 'example/agent:1.0.0', command: ['/bin/bash', '-c', 'setup; agent'] }] },
      '[test/web] sidecars[0].command: ["/bin/bash","-c","setup; agent"] runs the app behind `bash -c` without exec: SIGTERM stops at the shell and the app is SIGKILLed when the grace period ends'],
    ['dumb-init without a command',
      { init: InitProcess.dumbInit() },
      "[test/web] container.command: (unset) is needed to wrap the entrypoint with dumb-init: the image's own entrypoint is not known at synth time. Fix: set command to the image's entrypoint"],
    ['one replica',
      { replicas: 1 },
      '[test/web] replicas: 1 is below 2: one node drain or one crash would leave no pod serving. Fix: use 2 or more replicas'],
    ['replicas together with autoscaling',
      { replicas: 3, autoscaling: { maxReplicas: 5 } },
      '[test/web] replicas: 3 is set together with autoscaling; the HPA owns the replica count and each apply would reset it. Fix: remove replicas and use autoscaling.minReplicas'],
    ['HPA minimum below 2',
      { autoscaling: { minReplicas: 1, maxReplicas: 5 } },
      '[test/web] autoscaling.minReplicas: 1 is below 2: scaling in to one pod means a single drain or crash takes the service down. Fix: use 2 or more'],
    ['HPA maximum not above minimum',
      { autoscaling: { minReplicas: 3, maxReplicas: 3 } },
      '[test/web] autoscaling.maxReplicas: 3 must be above minReplicas (3), or the HPA can never scale. Fix: use at least 4'],
    ['PDB minAvailable equal to replicas',
      { replicas: 3, disruptionBudget: { minAvailable: 3 } },
      '[test/web] disruptionBudget.minAvailable: 3 keeps 3 of 3 pods, so no pod could ever be evicted and every node drain would hang. Fix: use at most 2, or maxUnavailable: 1'],
    ['PDB minAvailable 100%',
      { disruptionBudget: { minAvailable: '100%' } },
      '[test/web] disruptionBudget.minAvailable: "100%" keeps 2 of 2 pods'],
    ['PDB maxUnavailable 0',
      { disruptionBudget: { maxUnavailable: 0 } },
      '[test/web] disruptionBudget.maxUnavailable: 0 allows no pod to be evicted, so every node drain would hang. Fix: use 1 or more'],
    ['PDB with both fields',
      { disruptionBudget: { maxUnavailable: 1, minAvailable: 1 } },
      '[test/web] disruptionBudget: {"maxUnavailable":1,"minAvailable":1} sets both maxUnavailable and minAvailable (Kubernetes allows one). Fix: keep only one of them'],
    ['rollout without surge',
      { rollout: { maxSurge: 0 } },
      '[test/web] rollout.maxSurge: 0 adds no pod during a rollout, so old pods are stopped before new ones are ready (2 replicas). Fix: use maxSurge 1 or "25%"'],
    ['progress deadline not above minReady',
      { rollout: { minReady: Duration.seconds(30), progressDeadline: Duration.seconds(30) } },
      '[test/web] rollout.progressDeadline: "30s" must be longer than minReady (30s), or Kubernetes rejects the Deployment. Fix: use more than 30s'],
    ['liveness identical to readiness',
      { container: { image: 'example/web:1.0.0', portNumber: 8080, probes: { readiness: HealthCheck.httpGet('/health'), liveness: HealthCheck.httpGet('/health', { period: Duration.seconds(5), timeout: Duration.seconds(1), failureThreshold: 3 }) } } },
      '[test/web] container.probes.liveness: {"httpGet":{"path":"/health","port":8080},"periodSeconds":5,"timeoutSeconds":1,"failureThreshold":3,"successThreshold":1} is identical to the readiness probe'],
    ['liveness less tolerant than readiness',
      { container: { image: 'example/web:1.0.0', portNumber: 8080, probes: { readiness: HealthCheck.httpGet('/ready', { failureThreshold: 10 }), liveness: HealthCheck.tcp({ period: Duration.seconds(5), failureThreshold: 2 }) } } },
      '[test/web] container.probes.liveness: "10s of failures" restarts the container sooner than readiness (50s) takes it out of traffic. Fix: raise the liveness failureThreshold or period'],
    ['probe on an undeclared port',
      { container: { image: 'example/web:1.0.0', portNumber: 8080, probes: { readiness: HealthCheck.httpGet('/ready', { port: 9000 }) } } },
      '[test/web] container.probes.readiness.port: 9000 is not a port the container declares (declared: 8080). Fix: declare the port on the container, or probe a declared one'],
    ['probe on an undeclared port name',
      { container: { image: 'example/web:1.0.0', ports: [{ number: 8080, name: 'http' }], probes: { liveness: HealthCheck.tcp({ port: 'admin' }) } } },
      '[test/web] container.probes.liveness.port: "admin" is not a port the container declares (declared: 8080/http)'],
    ['probe timeout longer than period',
      { container: { image: 'example/web:1.0.0', portNumber: 8080, probes: { readiness: HealthCheck.tcp({ period: Duration.seconds(2), timeout: Duration.seconds(5) }) } } },
      '[test/web] container.probes.readiness.timeout: "5s" is longer than the period (2s), so checks would overlap. Fix: use a timeout of at most 2s or a longer period'],
    ['liveness successThreshold above 1',
      { container: { image: 'example/web:1.0.0', portNumber: 8080, probes: { liveness: HealthCheck.tcp({ successThreshold: 2 }) } } },
      '[test/web] container.probes.liveness.successThreshold: 2 must be 1 (Kubernetes rejects anything else for liveness)'],
    ['no port and no probes',
      { container: { image: 'example/worker:1.0.0', command: ['/worker'] } },
      '[test/web] container.probes: (unset) cannot get default probes because the container declares no port. Fix: declare the port the app listens on, or give probes.readiness and probes.liveness'],
    ['gRPC probe on a named port',
      { container: { image: 'example/web:1.0.0', ports: [{ number: 50051, name: 'grpc' }], probes: { readiness: HealthCheck.grpc({ port: 'grpc' as unknown as number }) } } },
      '[test/web] container.probes.readiness.port: "grpc" must be a port number for gRPC probes'],
    ['fractional durations',
      { shutdown: { appShutdown: Duration.millis(1500) } },
      '[test/web] shutdown.appShutdown: "1.5s" is not a whole number of seconds (Kubernetes counts these in seconds). Fix: use Duration.seconds(2)'],
    ['HTTP preStop on an undeclared port',
      { shutdown: { preStop: LifecycleHook.httpGet('/drain', { port: 9999 }) } },
      '[test/web] container.preStop.port: 9999 is not a port the container declares (declared: 8080). Fix: point the hook at a declared port'],
    ['resources: request above limit',
      { container: { image: 'example/web:1.0.0', portNumber: 8080, resources: { cpu: { request: kplus.Cpu.millis(2000), limit: kplus.Cpu.millis(500) } } } },
      '[test/web] container.resources.cpu.request: "2000m" is above the limit (500m). Fix: raise the limit or lower the request'],
    ['invalid label value',
      { partOf: 'my shop!' },
      '[test/web] partOf: "my shop!" is not a valid label value for app.kubernetes.io/part-of'],
    ['service port not declared',
      { service: { ports: [80] } },
      '[test/web] service.ports: 80 is not a port the main container declares (declared: 8080). Fix: declare it on the container or remove it from service.ports'],
    ['two containers with one name',
      { sidecars: [{ name: 'main', image: 'example/agent:1.0.0' }] },
      '[test/web] sidecars[0].name: "main" is also the name of container, and the names of a pod\'s containers and init containers must differ. Fix: give each container its own name'],
    ['preStop given twice',
      { container: { image: 'example/web:1.0.0', portNumber: 8080, preStop: LifecycleHook.nginx() }, shutdown: { preStop: LifecycleHook.jvm() } },
      '[test/web] container.preStop: "nginx" is set together with shutdown.preStop'],
  ];
  test.each(cases)('%s', (_name, props, message) => {
    expect(errorOf(props)).toContain(message);
  });

  test('accepted shell forms: exec, and bash with a lone command or && chain', () => {
    expect(() => deploy({ container: { image: 'example/web:1.0.0', portNumber: 8080, command: ['sh', '-c', 'cd /app && exec ./server'] } })).not.toThrow();
    expect(() => deploy({ init: InitProcess.none(), container: { image: 'example/web:1.0.0', portNumber: 8080, command: ['bash', '-c', './server --port $PORT'] } })).not.toThrow();
    expect(() => deploy({ init: InitProcess.dumbInit(), container: { image: 'example/web:1.0.0', portNumber: 8080, command: ['bash', '-c', 'cd /app && ./server'] } })).not.toThrow();
  });
});
