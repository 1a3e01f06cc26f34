/**
 * `audit --explain`: the stop sequence of each workload's pods, second by second, from the same
 * figures the grace-period rule uses (see shutdown-model.ts for how they are estimated).
 */
import { describeRef, refOf, Workload } from './model';
import { PodShutdown, podShutdown, PRESTOP_OVERRUN_EXTENSION_SECONDS } from './shutdown-model';
import { ObjectRef, SourceRef } from './types';

export interface TimelineEvent {
  readonly atSeconds: number;
  readonly event: string;
}

export interface ContainerTimeline {
  readonly container: string;
  readonly events: TimelineEvent[];
  /** Problems the sequence reveals (preStop outliving the grace period, SIGTERM not reaching the app). */
  readonly notes: string[];
}

export interface WorkloadTimeline {
  readonly object: ObjectRef;
  readonly source?: { readonly file: string; readonly line: number };
  readonly graceSeconds: number;
  readonly graceBasis: string;
  readonly appShutdownSeconds: number;
  readonly appShutdownBasis: string;
  readonly containers: ContainerTimeline[];
}

/** The timeline of a workload whose links (Services) are known. */
export function workloadTimeline(w: Workload, source?: SourceRef): WorkloadTimeline {
  return timelineOf(refOf(w.object), source, podShutdown(w), w.services.length > 0);
}

/** The timeline from a pod's shutdown figures; `behindService` when a Service sends it traffic. */
export function timelineOf(object: ObjectRef, source: SourceRef | undefined, s: PodShutdown, behindService: boolean): WorkloadTimeline {
  const grace = s.graceSeconds;
  const containers = s.containers.map((c): ContainerTimeline => {
    const events: TimelineEvent[] = [];
    const notes: string[] = [];
    const start = behindService ? 'pod Terminating, removed from Service endpoints' : 'pod Terminating';
    let sigterm: number;
    let sigkill = grace;
    if (c.preStop) {
      events.push({ atSeconds: 0, event: `${start}; preStop starts (${c.preStop.summary})` });
      if (c.preStop.seconds <= grace) {
        sigterm = c.preStop.seconds;
        events.push({ atSeconds: sigterm, event: `preStop ends (${c.preStop.basis})` });
        events.push({ atSeconds: sigterm, event: `SIGTERM to ${mainProcess(c.signal?.process)}` });
      } else {
        sigterm = grace;
        sigkill = grace + PRESTOP_OVERRUN_EXTENSION_SECONDS;
        const length = c.preStop.seconds === Infinity ? 'never ends' : `would take ${c.preStop.seconds}s`;
        events.push({ atSeconds: grace, event: `grace period over while preStop still runs (it ${length}); the kubelet allows ${PRESTOP_OVERRUN_EXTENSION_SECONDS}s more and sends SIGTERM to ${mainProcess(c.signal?.process)}` });
        notes.push(`preStop outlives the grace period of ${grace}s: the app gets only ${PRESTOP_OVERRUN_EXTENSION_SECONDS}s between SIGTERM and SIGKILL`);
      }
    } else {
      sigterm = 0;
      events.push({ atSeconds: 0, event: `${start}; no preStop, SIGTERM to ${mainProcess(c.signal?.process)} at once` });
      if (behindService) notes.push('no preStop pause: SIGTERM arrives while load balancers may still route requests here');
    }
    if (c.signal && !c.signal.reachesApp) {
      notes.push(`SIGTERM does not reach the app (${c.signal.reason}); it runs until SIGKILL at ${sigkill}s`);
    } else {
      const done = sigterm + s.appShutdownSeconds;
      events.push(done <= sigkill
        ? { atSeconds: done, event: `app expected to have exited (${s.appShutdownSeconds}s after SIGTERM)` }
        : { atSeconds: sigkill, event: `app still shutting down: it needs ${s.appShutdownSeconds}s after SIGTERM, until ${done}s` });
      if (done > sigkill) notes.push(`the app needs until ${done}s but is killed at ${sigkill}s`);
    }
    events.push({ atSeconds: sigkill, event: 'SIGKILL to anything still running' });
    events.sort((a, b) => a.atSeconds - b.atSeconds);
    return { container: c.name, events, notes };
  });
  return {
    object,
    ...(source ? { source: { file: source.file, line: source.line } } : {}),
    graceSeconds: grace,
    graceBasis: s.graceExplicit ? 'terminationGracePeriodSeconds' : 'Kubernetes default, terminationGracePeriodSeconds unset',
    appShutdownSeconds: s.appShutdownSeconds,
    appShutdownBasis: s.appShutdownBasis,
    containers,
  };
}

export function formatTimeline(t: WorkloadTimeline): string {
  const lines = [`${describeRef(t.object)}${t.source ? `  (${t.source.file}:${t.source.line})` : ''}`];
  lines.push(`  grace period ${t.graceSeconds}s (${t.graceBasis}); app shutdown ${t.appShutdownSeconds}s (${t.appShutdownBasis})`);
  for (const c of t.containers) {
    lines.push(`  container ${c.container}`);
    const width = c.events.reduce((max, e) => Math.max(max, `${e.atSeconds}s`.length), 0);
    for (const e of c.events) lines.push(`    ${`${e.atSeconds}s`.padStart(width)}  ${e.event}`);
    for (const n of c.notes) lines.push(`    ! ${n}`);
  }
  return lines.join('\n');
}

function mainProcess(name: string | undefined): string {
  return name ? `the main process (${name})` : "the main process (the image's entrypoint)";
}
