/**
 * Renders a drill report as a readable block of text. Pure. Measured times are printed to the
 * hundredth of a second: the kubelet truncates the preStop time to whole seconds, so a hook of
 * 2.96 s must not read as "3.0 s" next to a deduction of 2 s.
 */
import { describeProcess, initForwarding, shellQuote } from './signals';
import { DrillFacts, DrillReport, ProcessInfo } from './types';
import { describeExit, describeKilled } from './verdict';

const secs = (n: number) => `${n.toFixed(2)} s`;

/** The grace period and what the kubelet makes of it, in one line. */
function graceLine(f: DrillFacts): string {
  const p = f.preStop;
  const sig = f.stopSignal;
  const t = f.timing;
  const ran = p.outcome !== 'none' && p.outcome !== 'skipped' && f.gracePeriodSeconds > 0;
  if (!ran) return `${f.gracePeriodSeconds} s${f.gracePeriodSeconds < 2 ? ' (the kubelet allows at least 2 s)' : ''}; ${sig} to SIGKILL window ${f.termWindowSeconds} s`;
  const deducted = t?.deductedSeconds ?? Math.trunc(p.seconds);
  const arithmetic = `preStop took ${secs(p.seconds)}, the kubelet takes whole seconds (truncated) off: ${f.gracePeriodSeconds} - ${deducted}`;
  return t?.extended
    ? `${f.gracePeriodSeconds} s; ${arithmetic} leaves under 2 s, so the kubelet's one-time 2 s minimum applies; ${sig} to SIGKILL window ${f.termWindowSeconds} s`
    : `${f.gracePeriodSeconds} s; ${arithmetic} = ${f.termWindowSeconds} s; ${sig} to SIGKILL window ${f.termWindowSeconds} s`;
}

/** How exact the times are: the margins and what they are made of. */
function timingLine(f: DrillFacts): string | undefined {
  const t = f.timing;
  if (!t) return undefined;
  const parts: string[] = [];
  if (t.hookMarginSeconds !== undefined) parts.push(`±${secs(t.hookMarginSeconds)} on the preStop time`);
  parts.push(`±${secs(t.exitMarginSeconds)} on the shutdown time`);
  const made: string[] = [];
  if (f.preStop.startSeconds !== undefined) made.push(`starting the hook took ${secs(f.preStop.startSeconds)} (spawn${f.runtime.mode === 'pid1' ? ' + nsenter' : ''})`);
  if (t.signalRelaySeconds !== undefined) made.push(`${f.stopSignal} reached PID 1 through the exit watch after ${secs(t.signalRelaySeconds)}`);
  made.push(`the drill's clock ran up to ${secs(t.loopLagSeconds)} late`);
  return `margin ${parts.join(', ')} (${made.join('; ')}; at least 0.20 s, for the costs of a kubelet's own exec)`;
}

function processLine(p: ProcessInfo, pid1: boolean, sig: string): string {
  const forwarding = initForwarding(p);
  if (forwarding) {
    return `${describeProcess(p)}${pid1 ? ', PID 1' : ''}, an init that forwards ${sig} to ${forwarding === 'group' ? "its child's process group" : 'its child only'}`;
  }
  const handling: Record<string, string> = {
    caught: `handles ${sig}`,
    ignored: `ignores ${sig}`,
    blocked: `blocks ${sig}`,
    default: `no ${sig} handler`,
    unknown: `${sig} handling unknown`,
  };
  return `${describeProcess(p)}${pid1 ? ', PID 1' : ''}, ${handling[p.sigterm]}`;
}

export function formatReport(report: DrillReport): string {
  const f = report.facts;
  const rows: [string, string][] = [];
  const row = (label: string, value: string) => rows.push([label, value]);

  row('runtime', f.runtime.summary);
  const net = f.runtime.network;
  if (net) row('network', net.mode === 'pod' ? net.summary : `this machine's: pod address not checked (${net.skipped ?? 'host network'})`);
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
  if (p.startSeconds !== undefined && p.outcome !== 'none' && p.outcome !== 'skipped') {
    hook += ` (${secs(p.startSeconds)} of it the drill starting the hook)`;
  }
  row('preStop', hook);
  row('grace', graceLine(f));

  if (f.sigterm) {
    const main = f.sigterm.main;
    const kids = f.sigterm.descendants.filter((d) => d.state !== 'Z');
    let line = `sent ${secs(f.sigterm.sentAtSeconds)} after the stop began, to ${main ? processLine(main, f.sigterm.mainIsPid1, f.stopSignal) : 'the main process (not visible in /proc)'}`;
    if (kids.length) line += `; beside it: ${kids.map((k) => processLine(k, false, f.stopSignal)).join('; ')}`;
    row(f.stopSignal, line);
  } else {
    row(f.stopSignal, f.exit.phase === 'before-stop' ? 'not sent (the process had already ended)' : 'not sent (the process ended during preStop)');
  }

  const when =
    f.exit.phase === 'before-stop'
      ? 'before the stop sequence'
      : f.exit.phase === 'during-prestop'
        ? 'during preStop'
        : f.exit.secondsAfterSigterm !== undefined
          ? `${secs(f.exit.secondsAfterSigterm)} after ${f.stopSignal}`
          : 'not observed';
  const called = f.timing?.exitCallSeconds !== undefined ? ` (PID 1 called exit ${secs(f.timing.exitCallSeconds)} after it)` : '';
  row('exit', `${describeExit(f)}, ${when}${called}`);
  row('SIGKILL', f.sigkillSent ? `needed (after ${f.termWindowSeconds} s)` : 'not needed');
  const timing = timingLine(f);
  if (timing) row('timing', timing);

  const l = f.leftovers;
  const left: string[] = [];
  if (l.orphans.length && l.fate === 'killed-with-pid1') {
    left.push(`still running when PID 1 exited, then SIGKILLed by the kernel: ${l.orphans.map(describeKilled).join('; ')}`);
  } else if (l.orphans.length) {
    left.push(`still running when the main process exited: ${l.orphans.map(describeProcess).join(', ')}`);
    left.push(l.note ? `${l.note}; the drill killed the rest` : 'killed by the drill');
  }
  if (l.zombies.length) left.push(`zombies: ${l.zombies.map((z) => `${z.comm} (pid ${z.pid})`).join(', ')}`);
  if (l.zombiesWhileRunning.length) left.push(`unreaped zombies while running: ${l.zombiesWhileRunning.length}`);
  if (!left.length) left.push(l.observable ? (l.note ? `none: ${l.note}` : 'none') : `none observable: ${l.note ?? ''}`.trim());
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
