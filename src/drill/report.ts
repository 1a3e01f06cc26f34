/** Renders a drill report as a readable block of text. Pure. */
import { describeProcess, initForwarding, shellQuote } from './signals';
import { DrillReport, ProcessInfo } from './types';
import { describeExit } from './verdict';

const secs = (n: number) => `${n.toFixed(1)} s`;

function processLine(p: ProcessInfo, pid1: boolean): string {
  const forwarding = initForwarding(p);
  if (forwarding) {
    return `${describeProcess(p)}${pid1 ? ', PID 1' : ''}, an init that forwards SIGTERM to ${forwarding === 'group' ? "its child's process group" : 'its child only'}`;
  }
  const handling: Record<string, string> = {
    caught: 'handles SIGTERM',
    ignored: 'ignores SIGTERM',
    blocked: 'blocks SIGTERM',
    default: 'no SIGTERM handler',
    unknown: 'SIGTERM handling unknown',
  };
  return `${describeProcess(p)}${pid1 ? ', PID 1' : ''}, ${handling[p.sigterm]}`;
}

export function formatReport(report: DrillReport): string {
  const f = report.facts;
  const rows: [string, string][] = [];
  const row = (label: string, value: string) => rows.push([label, value]);

  row('runtime', f.runtime.summary);
  row('command', report.command.length ? shellQuote(report.command) : '(image entrypoint)');
  row('started', `${f.startup.detail} (${secs(f.startup.seconds)})`);

  const p = f.preStop;
  let hook: string;
  switch (p.outcome) {
    case 'none':
      hook = 'none';
      break;
    case 'skipped':
      hook = `${p.action ? p.action + ': ' : ''}not run (${p.error})`;
      break;
    case 'outlived-grace':
      hook = `${p.action}: still running when the grace period ran out (${secs(p.seconds)})`;
      break;
    case 'container-exited':
      hook = `${p.action}: the main process exited while it ran (${secs(p.seconds)})`;
      break;
    default: {
      const status = p.httpStatus !== undefined ? `HTTP ${p.httpStatus}` : p.exitCode !== undefined ? `exit ${p.exitCode}` : '';
      hook = `${p.action}: ${p.outcome}${status ? ` (${status})` : ''} in ${secs(p.seconds)}${p.error ? ` - ${p.error}` : ''}`;
    }
  }
  row('preStop', hook);
  const deducted = p.outcome !== 'none' && p.outcome !== 'skipped' ? `, ${Math.floor(p.seconds)} s of it used by preStop` : '';
  row('grace', `${f.gracePeriodSeconds} s${deducted}; SIGTERM to SIGKILL window ${f.termWindowSeconds} s`);

  if (f.sigterm) {
    const main = f.sigterm.main;
    const kids = f.sigterm.descendants.filter((d) => d.state !== 'Z');
    let line = `sent ${secs(f.sigterm.sentAtSeconds)} after the stop began, to ${main ? processLine(main, f.sigterm.mainIsPid1) : 'the main process (not visible in /proc)'}`;
    if (kids.length) line += `; beside it: ${kids.map((k) => processLine(k, false)).join('; ')}`;
    row('SIGTERM', line);
  } else {
    row('SIGTERM', f.exit.phase === 'before-stop' ? 'not sent (the process had already ended)' : 'not sent (the process ended during preStop)');
  }

  const when =
    f.exit.phase === 'before-stop'
      ? 'before the stop sequence'
      : f.exit.phase === 'during-prestop'
        ? 'during preStop'
        : f.exit.secondsAfterSigterm !== undefined
          ? `${secs(f.exit.secondsAfterSigterm)} after SIGTERM`
          : 'not observed';
  row('exit', `${describeExit(f)}, ${when}`);
  row('SIGKILL', f.sigkillSent ? `needed (after ${f.termWindowSeconds} s)` : 'not needed');

  const l = f.leftovers;
  const left: string[] = [];
  if (l.orphans.length) {
    left.push(`still running when the main process exited: ${l.orphans.map(describeProcess).join(', ')}`);
    left.push(l.note ? `${l.note}; the drill killed the rest` : 'killed by the drill');
  }
  if (l.zombies.length) left.push(`zombies: ${l.zombies.map((z) => `${z.comm} (pid ${z.pid})`).join(', ')}`);
  if (l.zombiesWhileRunning.length) left.push(`unreaped zombies while running: ${l.zombiesWhileRunning.length}`);
  if (!left.length) left.push(l.observable ? 'none' : `none observable: ${l.note ?? ''}`.trim());
  row('left behind', left.join('; '));

  const v = report.verdict;
  row('verdict', v.status.toUpperCase());
  row('reason', v.reason);
  if (v.fix) row('fix', v.fix);
  for (const w of v.warnings) row('warning', w);
  for (const n of report.notes) row('note', n);
  if (f.exit.phase === 'before-stop' || v.status === 'fail') {
    for (const line of f.outputTail.slice(-10)) row('output', line);
  }

  const width = Math.max(...rows.map(([k]) => k.length));
  const title = `Shutdown drill: ${report.target.source}`;
  return [title, ...rows.map(([k, val]) => `  ${k.padEnd(width)}  ${val}`)].join('\n') + '\n';
}
