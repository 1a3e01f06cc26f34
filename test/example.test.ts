import { Testing } from 'cdk8s';
import { ShopChart } from '../src/main';
import { expectValidKubernetes } from './support/k8s-validate';
import { expectResilientInvariants, podSpecOf } from './support/properties';
import { KubeObject, only } from './support/synth';

/** The app shutdown each example workload was given in src/main.ts. */
const APP_SHUTDOWN_SECONDS: Record<string, number> = { web: 15, api: 30, db: 10, 'log-agent': 10 };

function shop(): KubeObject[] {
  return Testing.synth(new ShopChart(Testing.app(), 'shop')) as KubeObject[];
}

describe('example shop app', () => {
  const objects = shop();

  test('output is pinned', () => {
    expect(objects).toMatchSnapshot();
  });

  test('every object is valid Kubernetes 1.27', () => {
    expectValidKubernetes(objects);
  });

  test('resilience invariants hold for every workload', () => {
    expectResilientInvariants(objects, (w) => {
      const seconds = APP_SHUTDOWN_SECONDS[w.metadata.name];
      if (seconds === undefined) throw new Error(`add ${w.metadata.name}'s app shutdown to APP_SHUTDOWN_SECONDS`);
      return seconds;
    });
  });

  test('web: nginx preStop that drains, then quits and waits for the master', () => {
    const web = podSpecOf(only(objects, 'Deployment', 'web'));
    expect(web.containers[0].lifecycle.preStop.exec.command).toEqual([
      '/bin/sh', '-c', 'sleep 5; /usr/sbin/nginx -s quit; while kill -0 "$(cat /tmp/nginx.pid 2>/dev/null)" 2>/dev/null; do sleep 1; done',
    ]);
    expect(web.terminationGracePeriodSeconds).toBe(25);
    expect(only(objects, 'Service', 'web').spec.ports).toEqual([{ port: 8080, targetPort: 8080 }]);
  });

  test('api: distroless image with injected busybox and dumb-init, JVM preStop, autoscaled', () => {
    const api = only(objects, 'Deployment', 'api');
    const pod = podSpecOf(api);
    expect(pod.containers[0].command.slice(0, 3)).toEqual(['/cdk8s-resilient/dumb-init', '--', 'java']);
    expect(pod.containers[0].lifecycle.preStop.exec.command).toEqual([
      '/cdk8s-resilient/busybox', 'sh', '-c',
      '/cdk8s-resilient/busybox sleep 5; kill -TERM 1 && while kill -0 1 2>/dev/null; do /cdk8s-resilient/busybox sleep 1; done',
    ]);
    expect(pod.initContainers.map((c: any) => [c.name, c.command[2]])).toEqual([
      ['resilient-helpers', 'cp /bin/busybox /cdk8s-resilient/busybox && cp /usr/bin/dumb-init /cdk8s-resilient/dumb-init'],
    ]);
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'resilient-helpers', mountPath: '/cdk8s-resilient', readOnly: true });
    expect(pod.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
    expect(pod.terminationGracePeriodSeconds).toBe(40);
    expect(api.spec.replicas).toBeUndefined();
    expect(only(objects, 'HorizontalPodAutoscaler', 'api').spec).toMatchObject({ minReplicas: 2, maxReplicas: 6 });
  });

  test('db: retained 10Gi claim mounted in postgres, headless Service selecting its pods, fast shutdown', () => {
    const db = only(objects, 'StatefulSet', 'db');
    const headless = only(objects, 'Service', 'db-headless');
    expect(db.spec.serviceName).toBe('db-headless');
    expect(headless.spec.clusterIP).toBe('None');
    expect(headless.spec.selector).toEqual(db.spec.selector.matchLabels);
    expect(db.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    expect(db.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('10Gi');
    const pod = podSpecOf(db);
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'data', mountPath: '/var/lib/postgresql/data' });
    expect(pod.securityContext).toMatchObject({ fsGroup: 999, fsGroupChangePolicy: 'OnRootMismatch' });
    expect(pod.terminationGracePeriodSeconds).toBe(60);
  });
});
