/**
 * field-type-invalid on generated containers: each field the rule reads gets a value of a random
 * type (or none), and the fields reported must be exactly those an independent statement of the
 * expected types says are wrong. The rule builds a field's path only for a value it reports (the
 * synth-time audit runs it on every workload), so every field is checked here by its path.
 */
import fc from 'fast-check';
import { auditObjects } from '../../src/rules/engine';
import { formatPath } from '../../src/rules/model';
import { deployment } from './fixtures';

type Expect = 'positive' | 'count' | 'port' | 'portOrName' | 'string' | 'list';

/** What each field must hold, written out on its own (not the rule's code). */
function wrong(value: unknown, expect: Expect): boolean {
  if (value === undefined || value === null) return false;
  const whole = typeof value === 'number' && Number.isInteger(value);
  const port = whole && (value as number) >= 1 && (value as number) <= 65535;
  switch (expect) {
    case 'positive': return !(whole && (value as number) >= 1);
    case 'count': return !(whole && (value as number) >= 0);
    case 'port': return !port;
    case 'portOrName': return !(port || (typeof value === 'string' && /^(?=.*[a-z])[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(value) && value.length <= 15 && !value.includes('--')));
    case 'string': return typeof value !== 'string';
    case 'list': return !Array.isArray(value);
  }
}

const anyValue = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.integer({ min: -3, max: 70000 }),
  fc.double({ min: -5, max: 5, noNaN: true }),
  fc.constantFrom('http', '8080', 'two', 'Web', 'a--b', 'metrics-port-long-name', ''),
  fc.boolean(),
  fc.constant([80]),
  fc.constant({ port: 1 }),
);

const PROBE_FIELDS: Array<[string, Expect]> = [
  ['periodSeconds', 'positive'], ['timeoutSeconds', 'positive'], ['failureThreshold', 'positive'], ['successThreshold', 'positive'], ['initialDelaySeconds', 'count'],
];

test('field-type-invalid reports exactly the fields of the wrong type (generated containers)', () => {
  const seed = Date.now() % 2 ** 31;
  process.stdout.write(`type-rules property seed ${seed}\n`);
  const probe = fc.record({
    handler: fc.constantFrom('httpGet', 'tcpSocket', 'grpc'),
    port: anyValue,
    fields: fc.tuple(...PROBE_FIELDS.map(() => anyValue)),
  });
  const hook = fc.option(fc.record({ handler: fc.constantFrom('httpGet', 'tcpSocket'), port: anyValue }), { nil: undefined });
  fc.assert(fc.property(
    fc.record({
      image: anyValue,
      portsAsList: fc.boolean(),
      containerPort: anyValue,
      portName: anyValue,
      readiness: fc.option(probe, { nil: undefined }),
      liveness: fc.option(probe, { nil: undefined }),
      preStop: hook,
      postStart: hook,
    }),
    (c) => {
      const container: Record<string, any> = { name: 'main', image: c.image };
      const expected: string[] = [];
      const base = 'spec.template.spec.containers[0]';
      if (wrong(c.image, 'string')) expected.push(`${base}.image`);
      const port: Record<string, unknown> = { containerPort: c.containerPort, name: c.portName };
      if (c.portsAsList) {
        container.ports = [port];
        if (wrong(c.containerPort, 'port')) expected.push(`${base}.ports[0].containerPort`);
        if (c.containerPort === undefined) expected.push(`${base}.ports[0]`);
        if (wrong(c.portName, 'string')) expected.push(`${base}.ports[0].name`);
      } else {
        container.ports = port;
        expected.push(`${base}.ports`);
      }
      for (const [key, p] of [['readinessProbe', c.readiness], ['livenessProbe', c.liveness]] as const) {
        if (!p) continue;
        const written: Record<string, unknown> = { [p.handler]: { port: p.port } };
        PROBE_FIELDS.forEach(([field, expect], i) => {
          written[field] = p.fields[i];
          if (wrong(p.fields[i], expect)) expected.push(`${base}.${key}.${field}`);
        });
        if (wrong(p.port, p.handler === 'grpc' ? 'port' : 'portOrName')) expected.push(`${base}.${key}.${p.handler}.port`);
        container[key] = written;
      }
      for (const [key, h] of [['preStop', c.preStop], ['postStart', c.postStart]] as const) {
        if (!h) continue;
        container.lifecycle = { ...container.lifecycle, [key]: { [h.handler]: { port: h.port } } };
        if (wrong(h.port, 'portOrName')) expected.push(`${base}.lifecycle.${key}.${h.handler}.port`);
      }
      const object = deployment('web');
      object.spec.template.spec.containers = [container];
      const reported = auditObjects([object]).findings.filter((f) => f.ruleId === 'field-type-invalid').map((f) => formatPath(f.pathSegments));
      expect(new Set(reported)).toEqual(new Set(expected));
    },
  ), { seed, numRuns: Number(process.env.PROPERTY_RUNS ?? 300) });
});
