'use strict';
/**
 * What the simulated nodes do, as kwok Stage objects (kwok.x-k8s.io/v1alpha1).
 *
 * kwok runs no containers: each Stage matches objects by a selector and writes the status a
 * kubelet would have written. A stage can wait first (`delay`), which is where realistic timing
 * goes: readiness after a startup delay, deletion after the grace period, a node that stops
 * reporting. Each behaviour is one function below returning one Stage, and `stagesFor(options)`
 * picks the set, so later timing models add a function and an option instead of editing a
 * template in place.
 *
 * The status templates are Go text/templates evaluated by kwok; besides the usual pipeline
 * syntax they use kwok's functions `Now`, `Quote`, `NodeIPWith` and `PodIPWith` (the node's
 * InternalIP and a free address of the node's podCIDR, both set when the node is registered).
 */

const API_VERSION = 'kwok.x-k8s.io/v1alpha1';

/** A Stage for `kind` (core group) with jq-style match expressions. */
function stage(name, kind, matchExpressions, next, delay) {
  const spec = { resourceRef: { apiGroup: 'v1', kind }, selector: { matchExpressions }, next };
  if (delay) spec.delay = delay;
  return { apiVersion: API_VERSION, kind: 'Stage', metadata: { name }, spec };
}

const notDeleted = { key: '.metadata.deletionTimestamp', operator: 'DoesNotExist' };

/** The node's own conditions as a healthy kubelet reports them. */
function healthyNodeConditions() {
  const conditions = [
    ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status (simulated by kwok)'],
    ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
    ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
    ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
    ['NetworkUnavailable', 'False', 'RouteCreated', 'simulated network is up'],
  ];
  return conditions
    .map(([type, status, reason, message]) => [
      `- type: ${type}`,
      `  status: "${status}"`,
      `  reason: ${reason}`,
      `  message: "${message}"`,
      '  lastHeartbeatTime: {{ $now | Quote }}',
      '  lastTransitionTime: {{ $since | Quote }}',
    ].join('\n'))
    .join('\n');
}

/**
 * A node that is not yet Ready becomes Ready: conditions and version info. Labels, addresses and
 * capacity stay as the node was registered with them (the status template is merged).
 */
function nodeBecomesReady({ kubeletVersion }) {
  return stage('node-becomes-ready', 'Node', [
    { key: '.status.conditions.[] | select( .type == "Ready" ) | .status', operator: 'NotIn', values: ['True'] },
  ], {
    statusTemplate: [
      '{{ $now := Now }}',
      '{{ $since := or .metadata.creationTimestamp $now }}',
      'phase: Running',
      'conditions:',
      healthyNodeConditions(),
      'nodeInfo:',
      '  architecture: amd64',
      '  operatingSystem: linux',
      `  kubeletVersion: ${kubeletVersion}`,
      `  kubeProxyVersion: ${kubeletVersion}`,
      '  containerRuntimeVersion: kwok',
      '  kernelVersion: kwok',
      '  osImage: simulated',
      '  machineID: ""',
      '  systemUUID: ""',
      '  bootID: ""',
    ].join('\n'),
  });
}

/**
 * A Ready node refreshes its conditions now and then. Node liveness itself comes from the node
 * Lease that kwok renews (--node-lease-duration-seconds); this keeps lastHeartbeatTime plausible
 * for readers of `kubectl describe node`.
 */
function nodeHeartbeat() {
  return stage('node-heartbeat', 'Node', [
    { key: '.status.phase', operator: 'In', values: ['Running'] },
    { key: '.status.conditions.[] | select( .type == "Ready" ) | .status', operator: 'In', values: ['True'] },
  ], {
    statusTemplate: [
      '{{ $now := Now }}',
      '{{ $since := or .metadata.creationTimestamp $now }}',
      'conditions:',
      healthyNodeConditions(),
    ].join('\n'),
  }, { durationMilliseconds: 60000, jitterDurationMilliseconds: 90000 });
}

/** Container statuses of a running pod: every container started and ready, init containers done. */
function runningContainerStatuses() {
  return [
    'containerStatuses:',
    '{{ range .spec.containers }}',
    '- name: {{ .name | Quote }}',
    '  image: {{ .image | Quote }}',
    '  ready: true',
    '  started: true',
    '  restartCount: 0',
    '  state:',
    '    running:',
    '      startedAt: {{ $now | Quote }}',
    '{{ end }}',
    'initContainerStatuses:',
    '{{ range .spec.initContainers }}',
    '- name: {{ .name | Quote }}',
    '  image: {{ .image | Quote }}',
    '  ready: true',
    '  restartCount: 0',
    '  state:',
    '    terminated:',
    '      exitCode: 0',
    '      reason: Completed',
    '      startedAt: {{ $now | Quote }}',
    '      finishedAt: {{ $now | Quote }}',
    '{{ end }}',
  ].join('\n');
}

/**
 * A scheduled pod starts and is Ready at once (readiness gates included). A later timing model
 * adds a `delay` here (readiness after the startup probe's budget).
 */
function podBecomesReady() {
  return stage('pod-becomes-ready', 'Pod', [
    notDeleted,
    { key: '.spec.nodeName', operator: 'Exists' },
    { key: '.status.phase', operator: 'In', values: ['Pending'] },
  ], {
    statusTemplate: [
      '{{ $now := Now }}',
      '{{ $hostIP := NodeIPWith .spec.nodeName }}',
      // Each call hands out a new address: ask once.
      '{{ $podIP := PodIPWith .spec.nodeName ( or .spec.hostNetwork false ) .metadata.uid .metadata.name .metadata.namespace }}',
      'phase: Running',
      'startTime: {{ $now | Quote }}',
      'hostIP: {{ $hostIP | Quote }}',
      'hostIPs:',
      '- ip: {{ $hostIP | Quote }}',
      'podIP: {{ $podIP | Quote }}',
      'podIPs:',
      '- ip: {{ $podIP | Quote }}',
      'conditions:',
      '- type: PodScheduled',
      '  status: "True"',
      '  lastTransitionTime: {{ $now | Quote }}',
      '- type: Initialized',
      '  status: "True"',
      '  lastTransitionTime: {{ $now | Quote }}',
      '- type: ContainersReady',
      '  status: "True"',
      '  lastTransitionTime: {{ $now | Quote }}',
      '- type: Ready',
      '  status: "True"',
      '  lastTransitionTime: {{ $now | Quote }}',
      '{{ range .spec.readinessGates }}',
      '- type: {{ .conditionType | Quote }}',
      '  status: "True"',
      '  lastTransitionTime: {{ $now | Quote }}',
      '{{ end }}',
      runningContainerStatuses(),
    ].join('\n'),
  });
}

/** A running pod that a Job owns exits 0, so the real Job controller counts it as succeeded. */
function jobPodSucceeds() {
  return stage('job-pod-succeeds', 'Pod', [
    notDeleted,
    { key: '.status.phase', operator: 'In', values: ['Running'] },
    { key: '.metadata.ownerReferences.[].kind', operator: 'In', values: ['Job'] },
  ], {
    statusTemplate: [
      '{{ $now := Now }}',
      'phase: Succeeded',
      'conditions:',
      '- type: Ready',
      '  status: "False"',
      '  reason: PodCompleted',
      '  lastTransitionTime: {{ $now | Quote }}',
      '- type: ContainersReady',
      '  status: "False"',
      '  reason: PodCompleted',
      '  lastTransitionTime: {{ $now | Quote }}',
      'containerStatuses:',
      '{{ range .spec.containers }}',
      '- name: {{ .name | Quote }}',
      '  image: {{ .image | Quote }}',
      '  ready: false',
      '  started: false',
      '  restartCount: 0',
      '  state:',
      '    terminated:',
      '      exitCode: 0',
      '      reason: Completed',
      '      startedAt: {{ $now | Quote }}',
      '      finishedAt: {{ $now | Quote }}',
      '{{ end }}',
    ].join('\n'),
  });
}

/**
 * A pod marked for deletion goes away at once (what a kubelet does when every container has
 * exited). A later timing model delays this by the pod's grace period.
 */
function podIsRemoved() {
  return stage('pod-is-removed', 'Pod', [
    { key: '.metadata.deletionTimestamp', operator: 'Exists' },
  ], { delete: true });
}

/**
 * A claim without a volume gets one: the stage creates a PersistentVolume already reserved for
 * the claim (claimRef), and the real PersistentVolume controller binds the two. This stands in
 * for a storage provisioner, for every storage class name the manifests ask for.
 */
function claimGetsVolume() {
  const volume = [
    'apiVersion: v1',
    'kind: PersistentVolume',
    'metadata:',
    '  name: {{ printf "simulated-%s" .metadata.uid | Quote }}',
    '  labels:',
    '    cdk8s-resilient.test/simulated-volume: "true"',
    'spec:',
    '  accessModes:',
    '  {{ range .spec.accessModes }}',
    '  - {{ . | Quote }}',
    '  {{ end }}',
    '  capacity:',
    '    storage: {{ .spec.resources.requests.storage | Quote }}',
    '  storageClassName: {{ or .spec.storageClassName "" | Quote }}',
    '  volumeMode: {{ or .spec.volumeMode "Filesystem" | Quote }}',
    // Retain: nothing would delete a simulated volume's data, and nothing needs to.
    '  persistentVolumeReclaimPolicy: Retain',
    '  hostPath:',
    '    path: {{ printf "/simulated-volumes/%s" .metadata.uid | Quote }}',
    '  claimRef:',
    '    apiVersion: v1',
    '    kind: PersistentVolumeClaim',
    '    namespace: {{ .metadata.namespace | Quote }}',
    '    name: {{ .metadata.name | Quote }}',
    '    uid: {{ .metadata.uid | Quote }}',
  ].join('\n');
  return {
    apiVersion: API_VERSION,
    kind: 'Stage',
    metadata: { name: 'claim-gets-volume' },
    spec: {
      resourceRef: { apiGroup: 'v1', kind: 'PersistentVolumeClaim' },
      selector: { matchExpressions: [notDeleted, { key: '.spec.volumeName', operator: 'DoesNotExist' }] },
      steps: [{ apply: { template: volume } }],
    },
  };
}

/**
 * The stage set for a cluster. Options (all optional):
 * - kubeletVersion: what nodes report as their kubelet version (default "v0.0.0-kwok").
 */
function stagesFor(options = {}) {
  const kubeletVersion = options.kubeletVersion || 'v0.0.0-kwok';
  return [
    nodeBecomesReady({ kubeletVersion }),
    nodeHeartbeat(),
    podBecomesReady(),
    jobPodSucceeds(),
    podIsRemoved(),
    claimGetsVolume(),
  ];
}

module.exports = { stagesFor };
