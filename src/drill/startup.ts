/**
 * Startup: waits until the container is ready, the way the kubelet's readiness probe would decide
 * it, before the stop sequence begins. A probe that cannot run here ends the drill at once with the
 * reason (waiting for it would only burn --ready-timeout). With a pod network, a probe refused at
 * the pod's address while the app listens on loopback only is a finding, not a wait: the kubelet
 * would never see that container ready.
 */
import { resolvePort } from './manifest';
import { ActionResult, describeProbe, probeUsable, runProbe } from './probe';
import { reachability } from './netns';
import { DrillSetupError, nowMs, race, RunningWorkload } from './runtime';
import { DrillTarget, Probe, StartupResult } from './types';

const ms3 = (n: number) => Math.round(n * 1000) / 1000;

export interface StartupOptions {
  /** Without a usable probe: how long to let the process start before stopping it. */
  readonly settleSeconds: number;
  /** With a probe: how long to wait for it to pass before stopping anyway. */
  readonly readyTimeoutSeconds: number;
}

/** Whether a refused probe is explained by where the app listens: only where the kubelet cannot reach. */
async function unreachable(w: RunningWorkload, probe: Probe, target: DrillTarget, host: string, result: ActionResult): Promise<StartupResult['unreachable']> {
  const action = probe.httpGet ?? probe.tcpSocket;
  if (!action || action.host || result.errorCode !== 'ECONNREFUSED' || !w.listeners) return undefined;
  const port = resolvePort(action.port, target.ports);
  if (port === undefined) return undefined;
  const reach = reachability(await w.listeners(), port, host);
  return reach.state === 'unreachable' ? { probe: target.readiness?.field ?? 'probe', port, listeners: reach.on, podAddress: host } : undefined;
}

export async function startupProbe(w: RunningWorkload, target: DrillTarget, opts: StartupOptions, t0: number): Promise<StartupResult> {
  const seconds = () => ms3((nowMs() - t0) / 1000);
  const probe = target.readiness?.probe;
  const exitedEarly = (): StartupResult | undefined =>
    w.exitStatus() ? { how: 'exited', seconds: seconds(), detail: 'the process ended while starting' } : undefined;
  const host = await w.networkHost();
  if (!probe || !probeUsable(probe)) {
    await race(w, undefined, opts.settleSeconds * 1000);
    const early = exitedEarly();
    if (early) return early;
    const why = probe ? `${target.readiness?.field} (${describeProbe(probe, target.ports, host)}) cannot be run by the drill` : 'no readiness or startup probe';
    return { how: 'settle', seconds: seconds(), detail: `${why}; running for ${opts.settleSeconds} s` };
  }
  const label = `${target.readiness?.field} ${describeProbe(probe, target.ports, host)}`;
  const deadline = nowMs() + opts.readyTimeoutSeconds * 1000;
  let last = '';
  while (nowMs() < deadline && !w.exitStatus()) {
    const r = await race(w, runProbe(probe, w, target.ports), deadline - nowMs());
    if (r.kind !== 'value') break;
    if (r.value.ok) return { how: 'probe', seconds: seconds(), detail: `${label} passed` };
    if (r.value.cannotRun) {
      throw new DrillSetupError(
        `${target.source}: ${label} cannot run here: ${r.value.cannotRun}. The drill stops instead of waiting ` +
          `${opts.readyTimeoutSeconds} s for a probe that cannot pass; fix the probe, or drill in the image with --runtime container`,
      );
    }
    last = r.value.detail;
    const wrongAddress = await unreachable(w, probe, target, host, r.value);
    if (wrongAddress) {
      return {
        how: 'unreachable',
        seconds: seconds(),
        detail:
          `${label} was refused: the app listens on ${wrongAddress.listeners.join(', ')} only, and the kubelet probes the pod's ` +
          `address (${host} here)`,
        unreachable: wrongAddress,
      };
    }
    await race(w, undefined, 100);
  }
  const early = exitedEarly();
  if (early) return early;
  return {
    how: 'probe-timeout',
    seconds: seconds(),
    detail: `${label} did not pass within ${opts.readyTimeoutSeconds} s${last ? ` (last: ${last})` : ''}; stopping anyway`,
  };
}
