/**
 * The report for people (a table: one row per workload, one column per scenario, then the reasons
 * behind every fail, acceptance and skip) and for pipelines (JSON). Pure.
 */
import { ScenarioId, ScenarioResult, SimulationReport } from './types';

const COLUMNS: ReadonlyArray<{ title: string; scenarios: ScenarioId[] }> = [
  { title: 'START', scenarios: ['start'] },
  { title: 'ROLLING UPDATE', scenarios: ['rolling-update'] },
  { title: 'NODE DRAIN', scenarios: ['node-drain'] },
  { title: 'ZONE OUTAGE', scenarios: ['zone-outage'] },
  { title: 'STATEFULSET', scenarios: ['stateful-set'] },
  { title: 'JOB', scenarios: ['job-eviction', 'cron-job'] },
];

const n = (v: unknown) => (v === null || v === undefined ? '?' : String(v));

/** The few numbers a table cell shows for a result. */
export function cellNumbers(r: ScenarioResult): string {
  const m = r.numbers;
  switch (r.scenario) {
    case 'start': return `${n(m.ready)}/${n(m.desired)}`;
    case 'rolling-update': return `${n(m.lowestReady)}/${n(m.desired)} +${n(m.surge)}`;
    case 'node-drain': return `${n(m.lowestReady)}/${n(m.desired)}${m.blockedDrains ? ' blocked' : ''}`;
    case 'zone-outage': return `${n(m.readyRightAfter)}>${n(m.readyAfterRescheduling)}/${n(m.desired)}`;
    case 'stateful-set': return `${n(m.claimsKept)}/${n(m.claims)} pvc`;
    case 'job-eviction': return `counted ${n(m.failuresCounted)}/${n(m.backoffLimit)}`;
    case 'cron-job': return `${m.completed ? 'done' : 'not done'} ${n(m.seconds)}s`;
    default: return '';
  }
}

const WORD: Record<ScenarioResult['verdict'], string> = { pass: 'pass', fail: 'FAIL', accepted: 'accepted', skipped: 'skipped' };

function cell(r: ScenarioResult | undefined): string {
  if (!r) return '-';
  return r.verdict === 'skipped' ? 'skipped' : `${WORD[r.verdict]} ${cellNumbers(r)}`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd());
}

export function formatText(report: SimulationReport): string {
  const out: string[] = [];
  const c = report.cluster;
  out.push(`cdk8s-resilient simulate: Kubernetes ${c.kubernetesVersion}, ${c.nodes} ${c.simulatedNodes ? 'simulated ' : ''}nodes (context ${c.context}), ${report.seconds} s`);
  for (const input of report.inputs) {
    const results = report.results.filter((r) => r.input === input.path);
    const workloads = [...new Set(results.map((r) => r.workload))];
    out.push('', `${input.path} (namespace ${input.namespace}, deleted afterwards)`);
    const rows = [['WORKLOAD', ...COLUMNS.map((col) => col.title)]];
    for (const w of workloads) {
      rows.push([w, ...COLUMNS.map((col) => cell(results.find((r) => r.workload === w && col.scenarios.includes(r.scenario))))]);
    }
    out.push(...table(rows));
    out.push('', ...table(results.filter((r) => r.verdict !== 'skipped').map((r) => [`  ${r.workload}`, r.scenario, r.summary])));
  }
  out.push('', 'cells: lowest ready/replicas (+ most pods beyond replicas); zone outage: ready right after>after rescheduling/replicas; claims kept; Job failures counted/backoffLimit');
  const explained = report.results.filter((r) => r.verdict !== 'pass');
  if (explained.length > 0) {
    out.push('');
    for (const r of explained) {
      for (const reason of r.reasons) out.push(`${WORD[r.verdict].padEnd(8)} ${r.input} ${r.workload} ${r.scenario}: ${reason}`);
    }
  }
  for (const note of report.notes) out.push(`note: ${note}`);
  const count = (v: ScenarioResult['verdict']) => report.results.filter((r) => r.verdict === v).length;
  out.push('', `${report.passed ? 'PASSED' : 'FAILED'}: ${count('pass')} passed, ${count('fail')} failed, ${count('accepted')} accepted, ${count('skipped')} skipped`);
  return `${out.join('\n')}\n`;
}

export function formatJson(report: SimulationReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
