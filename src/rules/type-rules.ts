/**
 * Fields of the wrong type. The other rules read replica counts, ports, probes and selectors;
 * when such a field holds a value of the wrong type (`replicas: "two"`, `port: [80]`) they skip
 * it rather than misread it, and this rule says what is wrong. Placeholders left by a template
 * step (`${PORT}`, `$(PORT)`, `{{ .port }}`) are named as such.
 */
import { containersOf, FieldPath, isObject, isPortName, isPortNumber, REPLICATED_KINDS } from './model';
import { Rule } from './rule';
import { KubeObject, Violation } from './types';

const PLACEHOLDER = /\$\{[^}]*\}|\$\([^)]*\)|\{\{[\s\S]*?\}\}/;

type Expect = 'count' | 'positive' | 'port' | 'portOrName' | 'intOrPercent' | 'string' | 'object' | 'list';

const EXPECTED: Record<Expect, string> = {
  count: 'a whole number of 0 or more',
  positive: 'a whole number of 1 or more',
  port: 'a port number (1-65535)',
  portOrName: 'a port number (1-65535) or a port name (lowercase letters, digits and -, at most 15)',
  intOrPercent: 'a whole number or a percentage such as "25%"',
  string: 'a string',
  object: 'a mapping',
  list: 'a list',
};

function fits(value: unknown, expect: Expect): boolean {
  switch (expect) {
    case 'count': return typeof value === 'number' && Number.isInteger(value) && value >= 0;
    case 'positive': return typeof value === 'number' && Number.isInteger(value) && value >= 1;
    case 'port': return isPortNumber(value);
    case 'portOrName': return isPortNumber(value) || (typeof value === 'string' && isPortName(value));
    case 'intOrPercent': return (typeof value === 'number' && Number.isInteger(value) && value >= 0) || (typeof value === 'string' && /^\d+%$/.test(value));
    case 'string': return typeof value === 'string';
    case 'object': return isObject(value);
    case 'list': return Array.isArray(value);
  }
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

class Checker {
  public readonly out: Violation[] = [];

  /** Checks one field when it is present. */
  public field(object: unknown, path: FieldPath, expect: Expect): void {
    let value: any = object;
    for (const key of path) {
      if (value === null || typeof value !== 'object') return;
      value = value[key];
    }
    this.value(value, path, expect);
  }

  public value(value: unknown, path: FieldPath, expect: Expect): void {
    if (value === undefined || value === null || fits(value, expect)) return;
    const name = String(path[path.length - 1]);
    if (typeof value === 'string' && PLACEHOLDER.test(value)) {
      this.out.push({
        path,
        message: `${name} is the placeholder ${show(value)}, which is filled in later: the checks that need it were skipped`,
        fix: 'audit the manifest after the placeholders are substituted (e.g. envsubst < file | cdk8s-resilient audit -)',
        assumption: 'the placeholder is replaced by a valid value before the manifest is applied',
      });
      return;
    }
    let hint = '';
    if (typeof value === 'string' && /^\d+$/.test(value) && (expect === 'port' || expect === 'portOrName' || expect === 'count' || expect === 'positive')) {
      hint = expect === 'portOrName' ? ' (a quoted number is read as a port name, and a name needs a letter)' : ' (a quoted number is a string)';
    }
    this.out.push({
      path,
      message: `${name} is ${show(value)} (${Array.isArray(value) ? 'a list' : value === null ? 'null' : typeof value}), not ${EXPECTED[expect]}${hint}; Kubernetes rejects it and the rules that read it skipped it`,
      fix: `write ${EXPECTED[expect]}`,
    });
  }

  /** Label or annotation values, which Kubernetes requires to be strings (`version: 1.0` is a number). */
  public stringMap(object: unknown, path: FieldPath): void {
    let value: any = object;
    for (const key of path) {
      if (value === null || typeof value !== 'object') return;
      value = value[key];
    }
    if (value === undefined || value === null) return;
    if (!isObject(value)) { this.value(value, path, 'object'); return; }
    for (const key of Object.keys(value)) {
      const v = value[key];
      if (typeof v !== 'string') {
        this.out.push({ path: [...path, key], message: `${String(path[path.length - 1])} "${key}" is ${show(v)} (${typeof v}), not a string; Kubernetes rejects it`, fix: `quote the value: ${key}: "${v}"` });
      }
    }
  }
}

/**
 * Whether a value passes (absent, or of the expected type). The callers test it before building a
 * field path, so that a path array is made only for a value to report: the synth-time audit runs
 * this rule on every workload of every chart.
 */
function passes(value: unknown, expect: Expect): boolean {
  return value === undefined || value === null || fits(value, expect);
}

/** Whether a probe or hook has an action with a port (httpGet, tcpSocket, grpc). */
function hasPortedAction(handler: unknown): handler is Record<string, any> {
  return isObject(handler) && (isObject(handler.httpGet) || isObject(handler.tcpSocket) || isObject(handler.grpc));
}

function handlerPorts(check: Checker, handler: Record<string, any>, path: FieldPath): void {
  for (const type of ['httpGet', 'tcpSocket', 'grpc']) {
    const action = handler[type];
    if (!isObject(action)) continue;
    const expect = type === 'grpc' ? 'port' : 'portOrName';
    if (!passes(action.port, expect)) check.value(action.port, [...path, type, 'port'], expect);
  }
}

const PROBE_COUNTS = ['periodSeconds', 'timeoutSeconds', 'failureThreshold', 'successThreshold'];

function checkProbe(check: Checker, probe: any, path: () => FieldPath): void {
  for (const field of PROBE_COUNTS) if (!passes(probe[field], 'positive')) check.value(probe[field], [...path(), field], 'positive');
  if (!passes(probe.initialDelaySeconds, 'count')) check.value(probe.initialDelaySeconds, [...path(), 'initialDelaySeconds'], 'count');
  if (hasPortedAction(probe)) handlerPorts(check, probe, path());
}

function checkWorkload(object: KubeObject, check: Checker, podSpecPath: FieldPath, containers: ReturnType<typeof containersOf>): void {
  if (REPLICATED_KINDS.includes(String(object.kind))) check.field(object, ['spec', 'replicas'], 'count');
  check.field(object, [...podSpecPath, 'terminationGracePeriodSeconds'], 'count');
  check.field(object, [...podSpecPath, 'containers'], 'list');
  for (const c of containers) {
    const container = c.container;
    if (!passes(container.image, 'string')) check.value(container.image, [...c.path, 'image'], 'string');
    if (!passes(container.ports, 'list')) check.value(container.ports, [...c.path, 'ports'], 'list');
    if (Array.isArray(container.ports)) {
      container.ports.forEach((p: unknown, i: number) => {
        if (!isObject(p)) { check.value(p, [...c.path, 'ports', i], 'object'); return; }
        if (!passes(p.containerPort, 'port')) check.value(p.containerPort, [...c.path, 'ports', i, 'containerPort'], 'port');
        if (p.containerPort === undefined) check.out.push({ path: [...c.path, 'ports', i], message: `port ${i} of container "${c.name}" has no containerPort`, fix: 'write containerPort: <number>' });
        if (!passes(p.name, 'string')) check.value(p.name, [...c.path, 'ports', i, 'name'], 'string');
      });
    }
    for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
      const value = container[probe];
      if (value === undefined || value === null) continue;
      if (!isObject(value)) { check.value(value, [...c.path, probe], 'object'); continue; }
      checkProbe(check, value, () => [...c.path, probe]);
    }
    if (isObject(container.lifecycle)) {
      for (const hook of ['preStop', 'postStart']) {
        const handler = container.lifecycle[hook];
        if (hasPortedAction(handler)) handlerPorts(check, handler, [...c.path, 'lifecycle', hook]);
      }
    }
  }
}

export const fieldTypeInvalid: Rule = {
  id: 'field-type-invalid',
  severity: 'error',
  group: 'Field types',
  title: 'A field the rules read holds a value of the wrong type',
  reason: 'Kubernetes rejects such a manifest (or, for a quoted port number, reads it as a port name that cannot exist), and no rule can judge the field: `replicas: "two"` is neither one replica nor two. Placeholders such as `${PORT}` are reported as a warning: they are filled in by a later step, and the audit of the filled-in manifest is the one that counts.',
  fix: 'Write the value with the type Kubernetes expects: numbers unquoted, ports as numbers or names, label values quoted.',
  kinds: ['*'],
  check: ({ object, workload }) => {
    const check = new Checker();
    check.field(object, ['metadata', 'name'], 'string');
    check.stringMap(object, ['metadata', 'labels']);
    check.stringMap(object, ['metadata', 'annotations']);
    if (workload) {
      const templatePath = workload.podSpecPath.slice(0, -1);
      check.stringMap(object, [...templatePath, 'metadata', 'labels']);
      check.stringMap(object, [...templatePath, 'metadata', 'annotations']);
      checkWorkload(object, check, workload.podSpecPath, containersOf(workload, true));
    } else if (object.kind === 'Service') {
      check.stringMap(object, ['spec', 'selector']);
      const ports = object.spec?.ports;
      if (Array.isArray(ports)) {
        ports.forEach((p: unknown, i: number) => {
          if (!isObject(p)) return;
          check.value(p.port, ['spec', 'ports', i, 'port'], 'port');
          check.value(p.targetPort, ['spec', 'ports', i, 'targetPort'], 'portOrName');
        });
      }
    } else if (object.kind === 'PodDisruptionBudget') {
      check.field(object, ['spec', 'maxUnavailable'], 'intOrPercent');
      check.field(object, ['spec', 'minAvailable'], 'intOrPercent');
      check.field(object, ['spec', 'selector'], 'object');
    } else if (object.kind === 'HorizontalPodAutoscaler') {
      check.field(object, ['spec', 'minReplicas'], 'positive');
      check.field(object, ['spec', 'maxReplicas'], 'positive');
    }
    return check.out;
  },
};

export const TYPE_RULES: Rule[] = [fieldTypeInvalid];
