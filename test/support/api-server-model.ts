/**
 * A model of the API server's semantic validation (Kubernetes 1.27: apimachinery and
 * pkg/apis/{core,apps,batch,policy,autoscaling}/validation) for the kinds this library writes:
 * what a JSON schema cannot say. Names, label keys and values, ports, quantities, int32 ranges,
 * selectors, rollout and Job constraints, duplicate objects.
 *
 * Written from the Kubernetes rules, independently of src/: a test that used the library's own
 * checks could not catch a bug in them. It is a model; the real API server (dry-run) is the judge
 * where a cluster is available.
 */
type Json = Record<string, any>;

const INT32_MAX = 2 ** 31 - 1;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?\d+)?$/;

const label = (s: unknown) => typeof s === 'string' && s.length <= 63 && DNS_LABEL.test(s);
const subdomain = (s: unknown) => typeof s === 'string' && s.length <= 253 && DNS_SUBDOMAIN.test(s);
const qualified = (s: unknown) => {
  if (typeof s !== 'string') return false;
  const parts = s.split('/');
  if (parts.length > 2 || (parts.length === 2 && !subdomain(parts[0]))) return false;
  const name = parts[parts.length - 1];
  return name.length >= 1 && name.length <= 63 && NAME_PART.test(name);
};
const labelValue = (s: unknown) => typeof s === 'string' && s.length <= 63 && LABEL_VALUE.test(s);
const portNumber = (n: unknown) => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 65535;
const portName = (s: unknown) => typeof s === 'string' && s.length <= 15 && IANA_SVC_NAME.test(s) && /[a-z]/.test(s) && !s.includes('--');
const int32 = (n: unknown, min = 0) => Number.isInteger(n) && (n as number) >= min && (n as number) <= INT32_MAX;

function quantity(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string' || !QUANTITY.test(v)) return undefined;
  const m = /([KMGTPE]i|[numkMGTPE])$/.exec(v);
  const factor: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, Pi: 1024 ** 5, Ei: 1024 ** 6 };
  return m ? Number(v.slice(0, -m[1].length)) * factor[m[1]] : Number(v);
}

/** Every problem the model finds, as "Kind/name: path: problem". */
export function apiServerProblems(objects: readonly Json[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const o of objects) {
    const where = `${o.kind}/${o.metadata?.name}`;
    const bad = (path: string, problem: string) => out.push(`${where}: ${path}: ${problem}`);
    const key = JSON.stringify([o.apiVersion?.split('/').slice(0, -1).join('/'), o.kind, o.metadata?.namespace ?? '', o.metadata?.name]);
    if (seen.has(key)) bad('metadata.name', 'another object of this kind has this name in this namespace');
    seen.add(key);
    checkMetadata(o, bad);
    const pod = podTemplate(o);
    if (pod) {
      checkPodSpec(pod.spec ?? {}, `${pod.path}.spec`, o, bad);
      checkMeta(pod.metadata ?? {}, `${pod.path}.metadata`, bad);
    }
    switch (o.kind) {
      case 'Deployment': checkDeployment(o, bad); break;
      case 'StatefulSet': checkStatefulSet(o, bad); break;
      case 'DaemonSet': checkDaemonSet(o, bad); break;
      case 'Job': checkJobSpec(o.spec, 'spec', bad); break;
      case 'CronJob': checkCronJob(o, bad); break;
      case 'Service': checkService(o, bad); break;
      case 'PodDisruptionBudget': checkPdb(o, bad); break;
      case 'HorizontalPodAutoscaler': checkHpa(o, bad); break;
    }
  }
  return out;
}

type Bad = (path: string, problem: string) => void;

function checkMetadata(o: Json, bad: Bad): void {
  const name = o.metadata?.name;
  const max = o.kind === 'StatefulSet' || o.kind === 'CronJob' ? 52 : o.kind === 'Service' ? 63 : 253;
  const ok = o.kind === 'Service' ? typeof name === 'string' && name.length <= 63 && DNS_1035.test(name)
    : o.kind === 'StatefulSet' ? label(name) : subdomain(name);
  if (!ok || String(name).length > max) bad('metadata.name', `"${name}" is not a valid ${o.kind} name`);
  if (o.metadata?.namespace !== undefined && !label(o.metadata.namespace)) bad('metadata.namespace', 'invalid');
  checkMeta(o.metadata ?? {}, 'metadata', bad);
}

function checkMeta(meta: Json, path: string, bad: Bad): void {
  for (const [k, v] of Object.entries(meta.labels ?? {})) {
    if (!qualified(k)) bad(`${path}.labels`, `key "${k}" invalid`);
    if (!labelValue(v)) bad(`${path}.labels.${k}`, `value "${v}" invalid`);
  }
  for (const [k, v] of Object.entries(meta.annotations ?? {})) {
    if (!qualified(k.toLowerCase())) bad(`${path}.annotations`, `key "${k}" invalid`);
    if (typeof v !== 'string') bad(`${path}.annotations.${k}`, 'not a string');
  }
}

function podTemplate(o: Json): { spec: Json; metadata: Json; path: string } | undefined {
  if (['Deployment', 'StatefulSet', 'DaemonSet', 'Job'].includes(o.kind)) return { ...o.spec?.template, path: 'spec.template' };
  if (o.kind === 'CronJob') return { ...o.spec?.jobTemplate?.spec?.template, path: 'spec.jobTemplate.spec.template' };
  return undefined;
}

function checkPodSpec(spec: Json, path: string, o: Json, bad: Bad): void {
  const containers: Json[] = spec.containers ?? [];
  if (containers.length === 0) bad(`${path}.containers`, 'required');
  const volumeNames = new Set<string>();
  for (const [i, v] of (spec.volumes ?? []).entries()) {
    if (!label(v.name)) bad(`${path}.volumes[${i}].name`, 'invalid');
    if (volumeNames.has(v.name)) bad(`${path}.volumes[${i}].name`, 'duplicate');
    volumeNames.add(v.name);
  }
  for (const t of o.spec?.volumeClaimTemplates ?? []) volumeNames.add(t.metadata?.name);
  const names = new Set<string>();
  for (const list of ['initContainers', 'containers']) {
    // Kubernetes compares host ports across the (concurrent) containers, and only within each init container.
    const podHostPorts = new Set<string>();
    for (const [i, c] of (spec[list] ?? []).entries()) {
      const at = `${path}.${list}[${i}]`;
      const hostPorts = list === 'containers' ? podHostPorts : new Set<string>();
      if (!label(c.name)) bad(`${at}.name`, `"${c.name}" invalid`);
      if (names.has(c.name)) bad(`${at}.name`, `duplicate "${c.name}"`);
      names.add(c.name);
      if (typeof c.image !== 'string' || c.image.trim() === '' || c.image !== c.image.trim()) bad(`${at}.image`, 'required, without surrounding white space');
      const portNames = new Set<string>();
      for (const [j, p] of (c.ports ?? []).entries()) {
        if (!portNumber(p.containerPort)) bad(`${at}.ports[${j}].containerPort`, `${p.containerPort} invalid`);
        if (p.hostPort !== undefined && p.hostPort !== 0 && !portNumber(p.hostPort)) bad(`${at}.ports[${j}].hostPort`, `${p.hostPort} invalid`);
        const hostKey = `${p.protocol ?? 'TCP'}/${p.hostIP ?? ''}/${p.hostPort}`;
        if (p.hostPort && hostPorts.has(hostKey)) bad(`${at}.ports[${j}].hostPort`, `duplicate ${hostKey}`);
        if (p.hostPort) hostPorts.add(hostKey);
        if (p.name !== undefined) {
          if (!portName(p.name)) bad(`${at}.ports[${j}].name`, `"${p.name}" invalid`);
          if (portNames.has(p.name)) bad(`${at}.ports[${j}].name`, 'duplicate');
          portNames.add(p.name);
        }
      }
      for (const [j, e] of (c.env ?? []).entries()) if (!ENV_NAME.test(String(e.name))) bad(`${at}.env[${j}].name`, `"${e.name}" invalid`);
      for (const [where, handler] of [['readinessProbe', c.readinessProbe], ['livenessProbe', c.livenessProbe], ['startupProbe', c.startupProbe], ['lifecycle.postStart', c.lifecycle?.postStart], ['lifecycle.preStop', c.lifecycle?.preStop]]) {
        for (const kind of ['httpGet', 'tcpSocket']) if (handler?.[kind] && (handler[kind].port === undefined || handler[kind].port === '')) bad(`${at}.${where}.${kind}.port`, 'required');
      }
      const requests: Json = c.resources?.requests ?? {};
      const limits: Json = c.resources?.limits ?? {};
      for (const [kind, values] of [['requests', requests], ['limits', limits]] as const) {
        for (const [k, v] of Object.entries(values)) {
          const q = quantity(v);
          if (q === undefined || q < 0) bad(`${at}.resources.${kind}.${k}`, `${v} invalid or negative`);
        }
      }
      for (const [k, v] of Object.entries(requests)) {
        if (limits[k] !== undefined && (quantity(v) ?? 0) > (quantity(limits[k]) ?? Infinity)) bad(`${at}.resources.requests.${k}`, 'above the limit');
      }
      const mountPaths = new Set<string>();
      for (const [j, m] of (c.volumeMounts ?? []).entries()) {
        if (!volumeNames.has(m.name)) bad(`${at}.volumeMounts[${j}].name`, 'not found');
        if (mountPaths.has(m.mountPath)) bad(`${at}.volumeMounts[${j}].mountPath`, 'must be unique');
        mountPaths.add(m.mountPath);
      }
      for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
        const p = c[probe];
        if (!p) continue;
        for (const f of ['periodSeconds', 'timeoutSeconds', 'failureThreshold', 'successThreshold']) {
          if (p[f] !== undefined && !int32(p[f], 1)) bad(`${at}.${probe}.${f}`, `${p[f]} invalid`);
        }
        if (probe !== 'readinessProbe' && p.successThreshold !== undefined && p.successThreshold !== 1) bad(`${at}.${probe}.successThreshold`, 'must be 1');
        const port = p.httpGet?.port ?? p.tcpSocket?.port ?? p.grpc?.port;
        if (port !== undefined && !(portNumber(port) || portName(port))) bad(`${at}.${probe}`, `port ${port} invalid`);
      }
    }
  }
  if (spec.terminationGracePeriodSeconds !== undefined && !(Number.isInteger(spec.terminationGracePeriodSeconds) && spec.terminationGracePeriodSeconds >= 0)) {
    bad(`${path}.terminationGracePeriodSeconds`, 'invalid');
  }
  if (spec.priorityClassName !== undefined && !subdomain(spec.priorityClassName)) bad(`${path}.priorityClassName`, 'invalid');
  if (spec.serviceAccountName !== undefined && !subdomain(spec.serviceAccountName)) bad(`${path}.serviceAccountName`, 'invalid');
  const pairs = new Set<string>();
  for (const [i, t] of (spec.topologySpreadConstraints ?? []).entries()) {
    if (!qualified(t.topologyKey)) bad(`${path}.topologySpreadConstraints[${i}].topologyKey`, `"${t.topologyKey}" invalid`);
    if (!int32(t.maxSkew, 1)) bad(`${path}.topologySpreadConstraints[${i}].maxSkew`, 'invalid');
    const pair = `${t.topologyKey}|${t.whenUnsatisfiable}`;
    if (pairs.has(pair)) bad(`${path}.topologySpreadConstraints[${i}]`, 'duplicate topologyKey and whenUnsatisfiable');
    pairs.add(pair);
  }
  for (const kind of ['podAffinity', 'podAntiAffinity']) {
    const a = spec.affinity?.[kind] ?? {};
    for (const t of a.requiredDuringSchedulingIgnoredDuringExecution ?? []) if (!qualified(t.topologyKey)) bad(`${path}.affinity.${kind}`, `topologyKey "${t.topologyKey}" invalid`);
    for (const t of a.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
      if (!qualified(t.podAffinityTerm?.topologyKey)) bad(`${path}.affinity.${kind}`, `topologyKey "${t.podAffinityTerm?.topologyKey}" invalid`);
      if (!(Number.isInteger(t.weight) && t.weight >= 1 && t.weight <= 100)) bad(`${path}.affinity.${kind}`, 'weight must be 1-100');
    }
  }
}

function selectorMatches(o: Json, bad: Bad): void {
  const selector = o.spec?.selector?.matchLabels ?? {};
  const labels = o.spec?.template?.metadata?.labels ?? {};
  if (Object.keys(selector).length === 0) bad('spec.selector', 'required');
  for (const [k, v] of Object.entries(selector)) if (labels[k] !== v) bad('spec.template.metadata.labels', `do not match the selector ${k}`);
}

function intOrPercent(v: unknown, replicas: number): number | undefined {
  if (Number.isInteger(v) && (v as number) >= 0) return v as number;
  const m = typeof v === 'string' ? /^(\d+)%$/.exec(v) : null;
  return m ? Math.ceil((Number(m[1]) * replicas) / 100) : undefined;
}

function checkDeployment(o: Json, bad: Bad): void {
  selectorMatches(o, bad);
  const s = o.spec ?? {};
  for (const f of ['replicas', 'revisionHistoryLimit', 'minReadySeconds', 'progressDeadlineSeconds']) if (s[f] !== undefined && !int32(s[f])) bad(`spec.${f}`, 'invalid');
  if (s.progressDeadlineSeconds !== undefined && s.progressDeadlineSeconds <= (s.minReadySeconds ?? 0)) bad('spec.progressDeadlineSeconds', 'must be greater than minReadySeconds');
  const ru = s.strategy?.rollingUpdate;
  if (ru) {
    const surge = intOrPercent(ru.maxSurge ?? '25%', 100);
    const unavailable = intOrPercent(ru.maxUnavailable ?? '25%', 100);
    if (surge === undefined || unavailable === undefined) bad('spec.strategy.rollingUpdate', 'invalid value');
    else if (surge === 0 && unavailable === 0) bad('spec.strategy.rollingUpdate.maxUnavailable', 'may not be 0 when maxSurge is 0');
    if (typeof ru.maxUnavailable === 'string' && Number.parseInt(ru.maxUnavailable, 10) > 100) bad('spec.strategy.rollingUpdate.maxUnavailable', 'above 100%');
  }
}

function checkStatefulSet(o: Json, bad: Bad): void {
  selectorMatches(o, bad);
  const s = o.spec ?? {};
  for (const f of ['replicas', 'revisionHistoryLimit', 'minReadySeconds']) if (s[f] !== undefined && !int32(s[f])) bad(`spec.${f}`, 'invalid');
  if (s.updateStrategy?.rollingUpdate?.partition !== undefined && !int32(s.updateStrategy.rollingUpdate.partition)) bad('spec.updateStrategy.rollingUpdate.partition', 'invalid');
  const claims = new Set<string>();
  for (const [i, t] of (s.volumeClaimTemplates ?? []).entries()) {
    if (!label(t.metadata?.name)) bad(`spec.volumeClaimTemplates[${i}].metadata.name`, 'invalid');
    if (claims.has(t.metadata?.name)) bad(`spec.volumeClaimTemplates[${i}].metadata.name`, 'duplicate');
    claims.add(t.metadata?.name);
    const size = quantity(t.spec?.resources?.requests?.storage);
    if (!(size !== undefined && size > 0)) bad(`spec.volumeClaimTemplates[${i}].spec.resources.requests.storage`, 'must be positive');
  }
}

function checkDaemonSet(o: Json, bad: Bad): void {
  selectorMatches(o, bad);
  const ru = o.spec?.updateStrategy?.rollingUpdate;
  if (ru) {
    const surge = intOrPercent(ru.maxSurge ?? 0, 100);
    const unavailable = intOrPercent(ru.maxUnavailable ?? 1, 100);
    if (surge === undefined || unavailable === undefined) bad('spec.updateStrategy.rollingUpdate', 'invalid value');
    else if (surge !== 0 && unavailable !== 0) bad('spec.updateStrategy.rollingUpdate.maxSurge', 'may not be set when maxUnavailable is non-zero');
    else if (surge === 0 && unavailable === 0) bad('spec.updateStrategy.rollingUpdate.maxUnavailable', 'cannot be 0 when maxSurge is 0');
  }
  for (const f of ['revisionHistoryLimit', 'minReadySeconds']) if (o.spec?.[f] !== undefined && !int32(o.spec[f])) bad(`spec.${f}`, 'invalid');
}

function checkJobSpec(s: Json, path: string, bad: Bad): void {
  for (const f of ['parallelism', 'completions', 'backoffLimit', 'ttlSecondsAfterFinished']) if (s?.[f] !== undefined && !int32(s[f])) bad(`${path}.${f}`, `${s[f]} invalid`);
  if (s?.activeDeadlineSeconds !== undefined && !(Number.isInteger(s.activeDeadlineSeconds) && s.activeDeadlineSeconds > 0)) bad(`${path}.activeDeadlineSeconds`, 'must be positive');
  const restart = s?.template?.spec?.restartPolicy;
  if (!['Never', 'OnFailure'].includes(restart)) bad(`${path}.template.spec.restartPolicy`, `"${restart}" not allowed`);
  if (s?.podFailurePolicy && restart !== 'Never') bad(`${path}.podFailurePolicy`, 'only with restartPolicy Never');
}

function checkCronJob(o: Json, bad: Bad): void {
  const s = o.spec ?? {};
  if (typeof s.schedule !== 'string' || s.schedule.trim() === '') bad('spec.schedule', 'required');
  for (const f of ['successfulJobsHistoryLimit', 'failedJobsHistoryLimit']) if (s[f] !== undefined && !int32(s[f])) bad(`spec.${f}`, 'invalid');
  if (s.startingDeadlineSeconds !== undefined && !(Number.isInteger(s.startingDeadlineSeconds) && s.startingDeadlineSeconds >= 0)) bad('spec.startingDeadlineSeconds', 'invalid');
  checkJobSpec(s.jobTemplate?.spec, 'spec.jobTemplate.spec', bad);
}

function checkService(o: Json, bad: Bad): void {
  const ports: Json[] = o.spec?.ports ?? [];
  const names = new Set<string>();
  for (const [i, p] of ports.entries()) {
    if (!portNumber(p.port)) bad(`spec.ports[${i}].port`, `${p.port} invalid`);
    if (ports.length > 1 && p.name === undefined) bad(`spec.ports[${i}].name`, 'required when there are several ports');
    if (p.name !== undefined && (!portName(p.name) || names.has(p.name))) bad(`spec.ports[${i}].name`, `"${p.name}" invalid or duplicate`);
    names.add(p.name);
    if (p.targetPort !== undefined && !(portNumber(p.targetPort) || portName(p.targetPort))) bad(`spec.ports[${i}].targetPort`, 'invalid');
  }
  for (const [k, v] of Object.entries(o.spec?.selector ?? {})) if (!qualified(k) || !labelValue(v)) bad('spec.selector', `${k}=${v} invalid`);
}

function checkPdb(o: Json, bad: Bad): void {
  const s = o.spec ?? {};
  if (s.minAvailable !== undefined && s.maxUnavailable !== undefined) bad('spec', 'minAvailable and maxUnavailable cannot both be set');
  for (const f of ['minAvailable', 'maxUnavailable']) if (s[f] !== undefined && intOrPercent(s[f], 100) === undefined) bad(`spec.${f}`, 'invalid');
}

function checkHpa(o: Json, bad: Bad): void {
  const s = o.spec ?? {};
  if (s.minReplicas !== undefined && !int32(s.minReplicas, 1)) bad('spec.minReplicas', 'invalid');
  if (!int32(s.maxReplicas, 1) || s.maxReplicas < (s.minReplicas ?? 1)) bad('spec.maxReplicas', 'invalid');
  if (!subdomain(s.scaleTargetRef?.name)) bad('spec.scaleTargetRef.name', 'invalid');
}
