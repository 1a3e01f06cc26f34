/** Rules for what only StatefulSets and Jobs have: identity, storage, deadlines and retries. */
import { BATCH_KINDS, FieldPath, selectorMatches } from './model';
import { Rule } from './rule';

const STATEFUL = 'StatefulSets';
const BATCH = 'Jobs and CronJobs';

export const statefulSetHeadlessServiceMissing: Rule = {
  id: 'statefulset-headless-service-missing',
  severity: 'error',
  group: STATEFUL,
  title: 'A StatefulSet has no governing headless Service',
  reason: 'spec.serviceName must name a headless Service (clusterIP: None) that selects the StatefulSet\'s pods; it gives each pod its stable DNS name (pod-0.service), which peers use to find each other. Without it, or with a normal ClusterIP Service, replication and cluster membership break.',
  fix: 'Create a Service with clusterIP: None selecting the pods, in the same namespace, and set spec.serviceName to its name.',
  kinds: ['StatefulSet'],
  crossObject: true,
  check: ({ object, workload: w, model }) => {
    const serviceName = object.spec?.serviceName;
    const path: FieldPath = ['spec', 'serviceName'];
    if (typeof serviceName !== 'string' || serviceName === '') {
      return [{ path, message: 'spec.serviceName is unset, so the pods get no stable DNS names' }];
    }
    const service = model.namespaces.get(w!.namespace)?.servicesByName.get(serviceName);
    if (!service) {
      return [{ path, message: `spec.serviceName names Service "${serviceName}", which is not among the audited objects of namespace ${w!.namespace}` }];
    }
    if (service.spec?.clusterIP !== 'None') {
      return [{ path, message: `Service "${serviceName}" is not headless (clusterIP is ${service.spec?.clusterIP ? JSON.stringify(service.spec.clusterIP) : 'unset'}), so it publishes no per-pod DNS records`, fix: `set clusterIP: None on Service "${serviceName}" (a separate ClusterIP Service can serve clients)` }];
    }
    const selector = service.spec?.selector;
    if (!selector || !selectorMatches({ matchLabels: selector }, w!.podLabels)) {
      return [{ path, message: `headless Service "${serviceName}" does not select this StatefulSet's pods`, fix: `make the selector of Service "${serviceName}" match the pod template labels` }];
    }
    return [];
  },
};

export const statefulSetClaimsDeletedOnScaleDown: Rule = {
  id: 'statefulset-pvc-deleted-on-scale-down',
  severity: 'error',
  group: STATEFUL,
  title: 'A StatefulSet deletes its PersistentVolumeClaims on scale-down',
  reason: 'persistentVolumeClaimRetentionPolicy.whenScaled: Delete removes the data of every replica that a scale-in removes. A mistaken or automated scale-in (or a bad apply) then destroys data that scaling back out cannot bring back.',
  fix: 'Use whenScaled: Retain (the default) and delete claims deliberately once their data is no longer needed.',
  kinds: ['StatefulSet'],
  check: ({ object }) => (object.spec?.persistentVolumeClaimRetentionPolicy?.whenScaled === 'Delete'
    ? [{ path: ['spec', 'persistentVolumeClaimRetentionPolicy', 'whenScaled'], message: 'whenScaled: Delete removes the claims (and data) of replicas removed by a scale-in' }]
    : []),
};

function jobSpecPath(kind: string): FieldPath {
  return kind === 'CronJob' ? ['spec', 'jobTemplate', 'spec'] : ['spec'];
}

export const jobDeadlineMissing: Rule = {
  id: 'job-deadline-missing',
  severity: 'warning',
  group: BATCH,
  title: 'A Job has no activeDeadlineSeconds',
  reason: 'A Job that hangs (a stuck connection, a lock never released) runs forever: it holds its resources, and a CronJob with concurrencyPolicy Forbid never starts another run.',
  fix: 'Set activeDeadlineSeconds to a generous upper bound of the run time.',
  kinds: BATCH_KINDS,
  check: ({ object }) => {
    const path = jobSpecPath(String(object.kind));
    const spec = path.reduce<any>((o, k) => o?.[k], object);
    return typeof spec?.activeDeadlineSeconds === 'number' ? [] : [{ path: [...path, 'activeDeadlineSeconds'], message: 'no activeDeadlineSeconds, so a hung run is never stopped' }];
  },
};

export const jobBackoffLimitMissing: Rule = {
  id: 'job-backoff-limit-missing',
  severity: 'warning',
  group: BATCH,
  title: 'A Job leaves backoffLimit to the default',
  reason: 'Without an explicit backoffLimit a failing Job is retried 6 times with growing delays, which may be far too many for a non-idempotent task or too few for a flaky dependency; the choice should be made, not inherited.',
  fix: 'Set backoffLimit to the number of retries the task tolerates (and consider podFailurePolicy to stop retrying on non-retriable exit codes).',
  kinds: BATCH_KINDS,
  check: ({ object }) => {
    const path = jobSpecPath(String(object.kind));
    const spec = path.reduce<any>((o, k) => o?.[k], object);
    return typeof spec?.backoffLimit === 'number' ? [] : [{ path: [...path, 'backoffLimit'], message: 'backoffLimit is unset, so Kubernetes retries a failing run 6 times' }];
  },
};

export const KIND_RULES: Rule[] = [statefulSetHeadlessServiceMissing, statefulSetClaimsDeletedOnScaleDown, jobDeadlineMissing, jobBackoffLimitMissing];
