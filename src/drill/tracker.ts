/**
 * Follows every process a drilled command creates. The root is started in a session of its own;
 * a sampler records its descendants and session members (with start times, so a reused pid is
 * never mistaken for ours), notes zombies that stay unreaped, and at the end finds and kills
 * whatever is left.
 */
import { descendantsOf, processKey, readAllStats, readProcess, StatFields } from './proc';
import { nowMs, sleep } from './runtime';
import { ProcessInfo, SigtermSnapshot } from './types';

interface ZombieSighting {
  readonly stat: StatFields;
  readonly firstMs: number;
  lastMs: number;
}

export class ProcessTracker {
  private readonly tracked = new Map<string, StatFields>();
  private readonly zombies = new Map<string, ZombieSighting>();
  private timer: NodeJS.Timeout | undefined;

  /**
   * @param rootPid the process the drill spawned (session leader)
   * @param stopSignal the signal whose disposition snapshots report (15, SIGTERM, by default)
   */
  constructor(
    private readonly rootPid: number,
    private readonly intervalMs = 100,
    private readonly stopSignal = 15,
  ) {}

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Processes that belong to the drill in a snapshot: descendants of the root and its session. */
  private members(stats: Map<number, StatFields>): StatFields[] {
    const pids = new Set(descendantsOf(stats, [this.rootPid]));
    if (stats.has(this.rootPid)) pids.add(this.rootPid);
    for (const s of stats.values()) {
      if (s.sid === this.rootPid || s.pgid === this.rootPid) pids.add(s.pid);
    }
    for (const s of stats.values()) {
      if (this.tracked.has(processKey(s))) pids.add(s.pid);
    }
    pids.delete(process.pid);
    pids.delete(1);
    return [...pids].map((p) => stats.get(p) as StatFields);
  }

  sample(): void {
    const stats = readAllStats();
    const members = this.members(stats);
    const memberPids = new Set(members.map((m) => m.pid));
    const t = nowMs();
    for (const s of members) {
      this.tracked.set(processKey(s), s);
      if (s.state === 'Z' && memberPids.has(s.ppid)) {
        const key = processKey(s);
        const seen = this.zombies.get(key);
        if (seen) seen.lastMs = t;
        else this.zombies.set(key, { stat: s, firstMs: t, lastMs: t });
      }
    }
  }

  /** The tree under `mainPid` now, with signal dispositions. */
  snapshot(mainPid: number | undefined): SigtermSnapshot {
    this.sample();
    if (mainPid === undefined) return { descendants: [], mainIsPid1: false };
    const main = readProcess(mainPid, this.stopSignal);
    const stats = readAllStats();
    const descendants = descendantsOf(stats, [mainPid])
      .map((p) => readProcess(p, this.stopSignal))
      .filter((p): p is ProcessInfo => p !== undefined);
    return { main, descendants, mainIsPid1: main?.nsPid === 1 };
  }

  /** Zombies with a parent in the workload that stayed unreaped for at least `minMs`. */
  lingeringZombies(minMs = 500): ProcessInfo[] {
    return [...this.zombies.values()]
      .filter((z) => z.lastMs - z.firstMs >= minMs)
      .map((z) => ({ ...z.stat, argv: [], sigterm: 'unknown' as const }));
  }

  /** Processes of the workload still present now (the main process has exited). */
  survivors(): { orphans: ProcessInfo[]; zombies: ProcessInfo[] } {
    const stats = readAllStats();
    const members = this.members(stats).filter((s) => s.pid !== this.rootPid);
    const alive = members.filter((s) => s.state !== 'Z');
    const alivePids = new Set(alive.map((s) => s.pid));
    const info = (s: StatFields): ProcessInfo => readProcess(s.pid, this.stopSignal) ?? { ...s, argv: [], sigterm: 'unknown' };
    return {
      orphans: alive.map(info),
      // a zombie only counts when a process of the workload is failing to reap it
      zombies: members.filter((s) => s.state === 'Z' && alivePids.has(s.ppid)).map(info),
    };
  }

  /** SIGKILLs every process that belongs to the drill, repeating until none is left (or 3 s pass). */
  async killAll(): Promise<void> {
    this.stop();
    const deadline = nowMs() + 3000;
    for (;;) {
      const stats = readAllStats();
      const live = this.members(stats).filter((s) => s.state !== 'Z');
      if (live.length === 0) return;
      if (live.some((s) => s.pgid === this.rootPid)) {
        try {
          process.kill(-this.rootPid, 'SIGKILL');
        } catch {
          /* group already empty */
        }
      }
      for (const s of live) {
        try {
          process.kill(s.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      if (nowMs() > deadline) return;
      await sleep(30);
    }
  }
}
