/**
 * The streaming engine keeps only compact views of objects for the rules that look across
 * objects. Property: on any mix of objects (bench/audit-mix.js, seeded by fast-check), the
 * findings are the same as with whole objects kept. The seed is printed.
 */
import * as fs from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import { auditObjects, RULES } from '../../src/rules';
import { KubeObject } from '../../src/rules/types';
import { appWith, goodApp, goodStatefulApp, hpa, job, pdb, service } from './fixtures';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { mix } = require('../../bench/audit-mix');

function summary(objects: KubeObject[], compactViews: boolean): string[] {
  const result = auditObjects(objects, { compactViews });
  return [...result.findings, ...result.suppressed].map((f) => `${f.inputIndex} ${f.ruleId} ${f.severity} ${f.path} ${f.message} ${f.fix}`);
}

test('cross-object rules give the same findings on compact views as on whole objects (property)', () => {
  const seed = Date.now() % 2 ** 31;
  process.stdout.write(`streaming property seed ${seed}\n`);
  fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 30 }), fc.integer({ min: 20, max: 300 }), (mixSeed, count) => {
    const objects = [...mix(count, mixSeed)] as KubeObject[];
    expect(summary(objects, true)).toEqual(summary(objects, false));
  }), { seed, numRuns: 25 });
});

test('the same on hand-made cases of every cross-object rule', () => {
  const cases: KubeObject[][] = [
    goodApp(), goodStatefulApp(), [...appWith((d) => { delete d.spec.replicas; }), hpa()],
    appWith((d) => { d.spec.replicas = 1; delete d.spec.template.spec.containers[0].readinessProbe; delete d.spec.template.spec.containers[0].lifecycle; }),
    appWith((d) => { d.spec.template.spec.affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'topology.kubernetes.io/zone', labelSelector: { matchLabels: d.spec.selector.matchLabels } }] } }; }),
    [...goodApp(), pdb('other', { matchLabels: { app: 'gone' } }), service('old', { app: 'gone' }), job()],
  ];
  const crossRules = RULES.filter((r) => r.crossObject).map((r) => r.id);
  const seen = new Set<string>();
  for (const objects of cases) {
    const compact = auditObjects(objects).findings;
    for (const f of compact) seen.add(f.ruleId);
    expect(summary(objects, true)).toEqual(summary(objects, false));
  }
  expect(crossRules.filter((id) => seen.has(id)).length).toBeGreaterThan(5);
});

test('no source file spreads a large array into a call or recurses over the input', () => {
  // `f(...list)` and `Math.max(...list)` overflow the stack for large inputs.
  const src = path.resolve(__dirname, '..', '..', 'src', 'rules');
  const offenders: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) {
        fs.readFileSync(full, 'utf8').split('\n').forEach((line, i) => {
          if (/\.push\(\.\.\.|Math\.(max|min)\(\.\.\./.test(line)) offenders.push(`${path.relative(src, full)}:${i + 1}: ${line.trim()}`);
        });
      }
    }
  };
  walk(src);
  expect(offenders).toEqual([]);
});
