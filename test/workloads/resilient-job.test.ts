import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { HealthCheck, InitProcess, LifecycleHook, ResilientJob, ResilientJobProps } from '../../src';
import { expectValidKubernetes } from '../support/k8s-validate';
import { matches, podLabelsOf, podSpecOf, preStopSeconds } from '../support/properties';
import { KubeObject, newChart, only, synth, rejectionOf } from '../support/synth';

function job(props: Partial<ResilientJobProps> = {}, id = 'migrate'): { objects: KubeObject[]; construct: ResilientJob } {
  const chart = newChart();
  const construct = new ResilientJob(chart, id, {
    container: { image: 'example/migrate:1.0.0', command: ['/migrate'] },
    ...props,
  });
  const objects = synth(chart);
  expectValidKubernetes(objects);
  return { objects, construct };
}

function errorOf(props: Partial<ResilientJobProps>): string {
  return rejectionOf(() => job(props));
}

describe('ResilientJob output', () => {
  test('defaults: the minimal call', () => {
    const { objects } = job();
    expect(objects).toMatchSnapshot();
    expect(objects.map((o) => o.kind)).toEqual(['Job']);
  });

  test('indexed-style parallel work with exit codes that fail the Job, tini and a liveness probe', () => {
    const { objects } = job({
      name: 'reindex',
      component: 'batch',
      partOf: 'shop',
      completions: 8,
      parallelism: 4,
      backoffLimit: 6,
      activeDeadline: Duration.hours(3),
      ttlAfterFinished: Duration.hours(6),
      failJobOnExitCodes: [64, 65],
      init: InitProcess.tini(),
      priorityClassName: 'batch-low',
      container: {
        image: 'example/indexer:4.2.0',
        command: ['python', '-m', 'indexer'],
        args: ['--shard-from-env'],
        probes: {
          readiness: HealthCheck.exec(['cat', '/tmp/ready']),
          liveness: HealthCheck.exec(['/bin/indexer-alive'], { period: Duration.seconds(30), failureThreshold: 4 }),
        },
      },
      shutdown: { appShutdown: Duration.seconds(90) },
    }, 'reindex');
    expect(objects).toMatchSnapshot();
  });

  test('restartPolicy OnFailure: no pod failure policy at all', () => {
    const { objects, construct } = job({ restartPolicy: kplus.RestartPolicy.ON_FAILURE });
    expect(objects).toMatchSnapshot();
    const spec = only(objects, 'Job').spec;
    expect(spec.podFailurePolicy).toBeUndefined();
    expect(spec.template.spec.restartPolicy).toBe('OnFailure');
    expect(construct.podFailurePolicy).toBeUndefined();
  });
});

describe('ResilientJob properties', () => {
  test('backoffLimit, activeDeadlineSeconds and ttlSecondsAfterFinished are always set', () => {
    const spec = only(job().objects, 'Job').spec;
    expect(spec.backoffLimit).toBe(3);
    expect(spec.activeDeadlineSeconds).toBe(3600);
    expect(spec.ttlSecondsAfterFinished).toBe(86400);
    expect(spec.completions).toBe(1);
    expect(spec.parallelism).toBe(1);
    expect(spec.template.spec.restartPolicy).toBe('Never');
  });

  test('a disruption (drain, preemption) is ignored, not counted against backoffLimit', () => {
    const rules = only(job().objects, 'Job').spec.podFailurePolicy.rules;
    expect(rules).toEqual([{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }]);
  });

  test('listed exit codes of the main container fail the Job at once; the disruption rule comes first', () => {
    const { objects, construct } = job({ failJobOnExitCodes: [2, 1], container: { name: 'flyway', image: 'example/migrate:1.0.0', command: ['/migrate'] } });
    const rules = only(objects, 'Job').spec.podFailurePolicy.rules;
    expect(rules.map((r: any) => r.action)).toEqual(['Ignore', 'FailJob']);
    expect(rules[1].onExitCodes).toEqual({ containerName: 'flyway', operator: 'In', values: [1, 2] });
    expect(construct.podFailurePolicy).toEqual(only(objects, 'Job').spec.podFailurePolicy);
  });

  test('graceful shutdown: no preStop by default, grace covers app shutdown + margin and is explained', () => {
    const { objects, construct } = job();
    const j = only(objects, 'Job');
    const pod = podSpecOf(j);
    expect(pod.containers[0].lifecycle).toBeUndefined();
    expect(pod.terminationGracePeriodSeconds).toBe(35);
    expect(construct.terminationGracePeriodSeconds).toBe(35);
    expect(j.spec.template.metadata.annotations['resilient.cdk8s.io/shutdown-budget']).toBe('grace 35s = preStop 0s + app shutdown 30s + margin 5s');
  });

  test('grace covers an explicit preStop plus the app shutdown', () => {
    const pod = podSpecOf(only(job({
      shutdown: { preStop: LifecycleHook.command(['/migrate', '--checkpoint'], Duration.seconds(10)), appShutdown: Duration.seconds(20) },
    }).objects, 'Job'));
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(preStopSeconds(pod.containers[0]) + 10 + 20);
    expect(pod.terminationGracePeriodSeconds).toBe(35);
    expect(pod.containers[0].lifecycle.preStop.exec.command).toEqual(['/migrate', '--checkpoint']);
  });

  test('no default probes, no spreading, no PodDisruptionBudget', () => {
    const { objects } = job();
    const pod = podSpecOf(only(objects, 'Job'));
    expect(pod.containers[0].readinessProbe).toBeUndefined();
    expect(pod.containers[0].livenessProbe).toBeUndefined();
    expect(pod.topologySpreadConstraints).toBeUndefined();
    expect(pod.affinity).toBeUndefined();
    expect(objects.some((o) => o.kind === 'PodDisruptionBudget')).toBe(false);
  });

  test('no selector: Kubernetes generates the Job\'s own, so cdk8s-plus\'s address label cannot break it', () => {
    const spec = only(job().objects, 'Job').spec;
    expect(spec.selector).toBeUndefined();
    expect(spec.manualSelector).toBeUndefined();
  });

  test('recommended labels on the Job and its pods', () => {
    const { objects, construct } = job({ component: 'migration', partOf: 'shop' });
    const j = only(objects, 'Job');
    const expected = {
      'app.kubernetes.io/name': 'migrate', 'app.kubernetes.io/instance': j.metadata.name, 'app.kubernetes.io/version': '1.0.0',
      'app.kubernetes.io/component': 'migration', 'app.kubernetes.io/part-of': 'shop', 'app.kubernetes.io/managed-by': 'cdk8s',
    };
    expect(j.metadata.labels).toEqual(expected);
    expect(matches(expected, podLabelsOf(j))).toBe(true);
    expect(construct.labels).toEqual(expected);
  });

  test('shared pod logic applies: resources, hardening, shared process namespace', () => {
    const pod = podSpecOf(only(job().objects, 'Job'));
    expect(pod.containers[0].resources).toEqual({ requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1000m', memory: '256Mi' } });
    expect(pod.containers[0].securityContext).toMatchObject({ capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' }, readOnlyRootFilesystem: true });
    expect(pod.shareProcessNamespace).toBe(true);
  });

  test('the name defaults to the construct\'s own, an explicit one wins', () => {
    expect(only(job().objects, 'Job').metadata.name).toBe('test-migrate');
    expect(only(job({ name: 'migrate-1-4-2' }).objects, 'Job').metadata.name).toBe('migrate-1-4-2');
  });

  test('escape hatches', () => {
    const { construct } = job();
    expect(construct.job).toBeInstanceOf(kplus.Job);
    expect(construct.job.backoffLimit).toBe(3);
    expect(construct.job.activeDeadline!.toSeconds()).toBe(3600);
    expect(construct.apiObject.kind).toBe('Job');
    expect(construct.settings.ttlSecondsAfterFinished).toBe(86400);
  });
});

describe('ResilientJob rejects unsafe input', () => {
  const cases: Array<[string, Partial<ResilientJobProps>, string]> = [
    ['a zero activeDeadline', { activeDeadline: Duration.seconds(0) },
      '[test/migrate] activeDeadline: "0 seconds" is zero: Kubernetes requires a positive activeDeadlineSeconds. Fix: use a positive duration, e.g. Duration.minutes(10)'],
    ['a negative backoffLimit', { backoffLimit: -1 },
      '[test/migrate] backoffLimit: -1 must be at least 0. Fix: use e.g. 3, or 0 to never retry'],
    ['zero completions', { completions: 0 },
      '[test/migrate] completions: 0 must be at least 1. Fix: use 1 for a single run, or the number of successful pods the work needs'],
    ['zero parallelism', { parallelism: 0 },
      '[test/migrate] parallelism: 0 must be at least 1 (0 starts no pod, so the Job would never finish). Fix: use 1 or more'],
    ['a fractional ttl', { ttlAfterFinished: Duration.millis(1500) },
      '[test/migrate] ttlAfterFinished: "1.5s" is not a whole number of seconds (Kubernetes counts these in seconds). Fix: use Duration.seconds(2)'],
    ['exit code 0', { failJobOnExitCodes: [0] },
      '[test/migrate] failJobOnExitCodes: 0 is success, which cannot fail a Job (Kubernetes rejects 0 in an "In" rule). Fix: list the non-zero exit codes your program uses for errors that retrying cannot fix'],
    ['an exit code above 255', { failJobOnExitCodes: [300] },
      '[test/migrate] failJobOnExitCodes: 300 is not an exit code (whole numbers from 1 to 255)'],
    ['exit codes with restartPolicy OnFailure', { restartPolicy: kplus.RestartPolicy.ON_FAILURE, failJobOnExitCodes: [2] },
      '[test/migrate] failJobOnExitCodes: [2] needs a pod failure policy, which Kubernetes allows only with restartPolicy "Never". Fix: use restartPolicy RestartPolicy.NEVER (the default), or remove failJobOnExitCodes'],
    ['ignoreDisruptions with restartPolicy OnFailure', { restartPolicy: kplus.RestartPolicy.ON_FAILURE, ignoreDisruptions: true },
      '[test/migrate] ignoreDisruptions: true needs a pod failure policy, which Kubernetes allows only with restartPolicy "Never". Fix: use restartPolicy RestartPolicy.NEVER (the default), or remove ignoreDisruptions'],
    ['restartPolicy Always', { restartPolicy: 'Always' as any },
      '[test/migrate] restartPolicy: "Always" is not allowed for Jobs (Kubernetes accepts only Never or OnFailure). Fix: use RestartPolicy.NEVER (the default) or RestartPolicy.ON_FAILURE'],
    ['a grace period shorter than preStop + shutdown', { shutdown: { appShutdown: Duration.seconds(60), terminationGracePeriod: Duration.seconds(30) } },
      '[test/migrate] shutdown.terminationGracePeriod: "30s" is shorter than preStop (0s) + appShutdown (60s) = 60s, so the kubelet would SIGKILL the app mid-shutdown'],
    ['sh -c without exec', { container: { image: 'example/migrate:1.0.0', command: ['sh', '-c', 'sleep 1; /migrate'] } },
      '[test/migrate] container.command: ["sh","-c","sleep 1; /migrate"] runs the app behind `sh -c` without exec: SIGTERM kills the shell'],
    ['dumb-init without a command', { init: InitProcess.dumbInit(), container: { image: 'example/migrate:1.0.0' } },
      "[test/migrate] container.command: (unset) is needed to wrap the entrypoint with dumb-init"],
    ['an invalid version label', { version: 'v1 beta' },
      '[test/migrate] version: "v1 beta" is not a valid label value for app.kubernetes.io/version'],
  ];
  test.each(cases)('%s', (_, props, message) => {
    expect(errorOf(props)).toContain(message);
  });
});
