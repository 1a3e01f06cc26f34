/**
 * Plain data shared by the drill's parts: what was read from the manifest, what the runtime
 * observed, and the report handed to the command line.
 */

/** An action the kubelet can run (lifecycle handler or probe). Field names follow the Kubernetes API. */
export interface ExecAction {
  readonly command: string[];
}

export interface HttpGetAction {
  readonly host?: string;
  readonly port: number | string;
  readonly path?: string;
  readonly scheme?: 'HTTP' | 'HTTPS';
  readonly httpHeaders?: { name: string; value: string }[];
}

export interface TcpSocketAction {
  readonly host?: string;
  readonly port: number | string;
}

/** A lifecycle handler (`lifecycle.preStop`). `sleep` only exists from Kubernetes 1.29. */
export interface LifecycleHandler {
  readonly exec?: ExecAction;
  readonly httpGet?: HttpGetAction;
  readonly tcpSocket?: TcpSocketAction;
  readonly sleep?: { seconds: number };
}

export interface Probe {
  readonly exec?: ExecAction;
  readonly httpGet?: HttpGetAction;
  readonly tcpSocket?: TcpSocketAction;
  readonly grpc?: { port: number; service?: string };
  readonly timeoutSeconds?: number;
}

export interface ContainerPort {
  readonly name?: string;
  readonly containerPort: number;
}

/** Everything the drill needs about one container, taken from a manifest (or built by hand in tests). */
export interface DrillTarget {
  /** Where the target came from, for messages: "app.k8s.yaml: Deployment/web, container app". */
  readonly source: string;
  readonly kind: string;
  readonly name: string;
  readonly container: string;
  readonly image?: string;
  /** Container `command` (replaces the image ENTRYPOINT); undefined when the manifest leaves it out. */
  readonly command?: string[];
  /** Container `args` (replaces the image CMD). */
  readonly args?: string[];
  readonly env: Record<string, string>;
  readonly workingDir?: string;
  readonly ports: ContainerPort[];
  readonly preStop?: LifecycleHandler;
  /** terminationGracePeriodSeconds as written; undefined means the API default of 30. */
  readonly terminationGracePeriodSeconds?: number;
  /** The probe used to decide the container is ready: readinessProbe, else startupProbe. */
  readonly readiness?: { readonly field: 'readinessProbe' | 'startupProbe'; readonly probe: Probe };
  /** Pod `shareProcessNamespace`: the pause container is PID 1 and the app is not. */
  readonly shareProcessNamespace: boolean;
  /** Things the reader skipped or assumed (env from secrets, unresolvable references ...). */
  readonly notes: string[];
}

/** How the kernel will treat SIGTERM for a process, read from /proc/PID/status. */
export type SigtermDisposition = 'caught' | 'ignored' | 'blocked' | 'default' | 'unknown';

/** One process as seen in /proc at a given moment. */
export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly pgid: number;
  readonly sid: number;
  /** Kernel name of the process (15 characters at most). */
  readonly comm: string;
  /** Single-letter state: R, S, D, Z, T ... */
  readonly state: string;
  /** Start time in clock ticks after boot; with the pid it names one process even after pid reuse. */
  readonly startTime: number;
  readonly argv: string[];
  /** Basename of /proc/PID/exe when readable. */
  readonly exe?: string;
  /**
   * How the process treats the stop signal: SIGTERM, or the signal given with --stop-signal (the
   * image's STOPSIGNAL).
   */
  readonly sigterm: SigtermDisposition;
  /** PID inside the innermost PID namespace (1 for a namespace's init). */
  readonly nsPid?: number;
  /**
   * What it was doing when it was last seen, in words ("waiting for I/O or a timer (epoll)",
   * "running on a CPU"), with the stop signal still pending when it was. Set for processes the
   * report names as killed.
   */
  readonly activity?: string;
}

export type RuntimeKind = 'local' | 'container';

/**
 * The container's network as the drill set it up. `pod`: a network namespace of its own with a
 * non-loopback address, which probes and httpGet hooks are sent to, as the kubelet sends them to
 * the pod IP. `host`: this machine's network; probes go to 127.0.0.1, so an app that listens on
 * loopback only cannot be told from one that a pod's probes reach.
 */
export interface NetworkDescription {
  readonly mode: 'pod' | 'host';
  /** The address probes and hooks were sent to. */
  readonly address: string;
  /** One line for the report. */
  readonly summary: string;
  /** Why the pod-address check did not run (mode `host`). */
  readonly skipped?: string;
  /** Mode `pod`, local runtime: the network namespace and the veth end on this machine's side. */
  readonly namespace?: string;
  readonly hostInterface?: string;
}

export interface RuntimeDescription {
  readonly kind: RuntimeKind;
  /** `pid1` = PID 1 of a fresh PID namespace (as in a container); `plain` = an ordinary child process. */
  readonly mode: 'pid1' | 'plain' | 'engine';
  /** One line for the report: what actually ran the process. */
  readonly summary: string;
  readonly engine?: string;
  readonly network?: NetworkDescription;
}

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: string | null;
  /** When the exit was seen, on the performance.now() clock. */
  readonly atMs: number;
}

/**
 * `container-exited`: the main process ended while the hook ran (a hook that stops the app);
 * `outlived-grace`: still running when the grace period ran out.
 */
export type PreStopOutcome = 'none' | 'succeeded' | 'failed' | 'outlived-grace' | 'container-exited' | 'skipped';

export interface PreStopResult {
  readonly outcome: PreStopOutcome;
  /** What the hook was, in one line ("exec sleep 5", "httpGet http://127.0.0.1:8080/drain"). */
  readonly action?: string;
  /** From the start of the hook until the drill saw it end (or gave up waiting), as the kubelet measures it. */
  readonly seconds: number;
  /**
   * Of `seconds`: what the drill spent before the hook's command ran (spawn, nsenter), measured for
   * this hook from the kernel's start times; undefined when it could not be measured.
   */
  readonly startSeconds?: number;
  readonly exitCode?: number | null;
  readonly httpStatus?: number;
  readonly error?: string;
}

export type ExitPhase = 'before-stop' | 'during-prestop' | 'after-sigterm' | 'after-sigkill' | 'not-observed';

export interface StartupResult {
  /**
   * `probe` = the readiness probe passed; `settle` = no usable probe, waited a fixed time;
   * `probe-timeout` = gave up waiting; `exited` = the process ended while starting.
   */
  readonly how: 'probe' | 'settle' | 'probe-timeout' | 'exited' | 'unreachable';
  readonly seconds: number;
  readonly detail: string;
  /**
   * With `unreachable`: the probe's port has listeners, but none on an address the kubelet can
   * reach (loopback only, or another address than the pod's).
   */
  readonly unreachable?: { readonly probe: string; readonly port: number; readonly listeners: string[]; readonly podAddress: string };
}

/** What was left behind once the main process had exited. */
export interface Leftovers {
  /**
   * Processes of the workload still running when the main process exited: left running (not PID 1),
   * or, PID 1 mode, caught at the moment PID 1 exited, after which the kernel SIGKILLed them.
   */
  readonly orphans: ProcessInfo[];
  /** What happened to the orphans: `left-running` (not PID 1) or `killed-with-pid1`. */
  readonly fate?: 'left-running' | 'killed-with-pid1';
  /** Zombies whose parent belongs to the workload, seen at exit. */
  readonly zombies: ProcessInfo[];
  /** Zombies that stayed unreaped for a while during the run (parent in the workload). */
  readonly zombiesWhileRunning: ProcessInfo[];
  /** Whether leftovers could be observed at all (not when PID 1 took the namespace down with it). */
  readonly observable: boolean;
  readonly note?: string;
}

/** The process tree at the moment SIGTERM was sent. */
export interface SigtermSnapshot {
  readonly main?: ProcessInfo;
  /** Every descendant of the main process, parents before children. */
  readonly descendants: ProcessInfo[];
  /** Whether the main process is PID 1 of its PID namespace. */
  readonly mainIsPid1: boolean;
}

/** Facts the verdict is computed from; every field was observed, none is judged. */
/**
 * How exact the drill's timings are, and the kubelet's arithmetic on them. Margins are how far a
 * measured time may be from what a kubelet would measure for the same container: the drill's own
 * costs on that path (spawn, nsenter, relaying signals), measured in this run, plus how late its
 * own clock ran, and never less than MIN_MARGIN_SECONDS (a kubelet's exec through the container
 * runtime has costs of its own that the drill cannot know).
 */
export interface TimingFacts {
  /** Worst lateness of the drill's own event loop during the stop sequence. */
  readonly loopLagSeconds: number;
  /** Margin of the preStop time (when a hook ran). */
  readonly hookMarginSeconds?: number;
  /** Margin of the time from the stop signal to the exit. */
  readonly exitMarginSeconds: number;
  /** Whole seconds of preStop the kubelet takes off the grace period (Go truncates: int64(seconds)). */
  readonly deductedSeconds: number;
  /** The grace left was under 2 s and the kubelet's minimum of 2 s applied (the "one-time 2 s extension"). */
  readonly extended: boolean;
  /**
   * PID 1 mode: seconds from the stop signal until PID 1 called exit, as the kernel reported it to
   * the drill's exit watch (no delay from the drill noticing).
   */
  readonly exitCallSeconds?: number;
  /** PID 1 mode: worst time the exit watch held a signal to PID 1 before passing it on (ptrace relay). */
  readonly signalRelaySeconds?: number;
}

export interface DrillFacts {
  readonly runtime: RuntimeDescription;
  readonly gracePeriodSeconds: number;
  /** The signal that starts the shutdown: SIGTERM, or the image's STOPSIGNAL given with --stop-signal. */
  readonly stopSignal: string;
  readonly startup: StartupResult;
  readonly preStop: PreStopResult;
  readonly sigterm?: SigtermSnapshot & { readonly sentAtSeconds: number };
  /** Seconds between SIGTERM and SIGKILL the kubelet would allow (after the preStop deduction, at least 2). */
  readonly termWindowSeconds: number;
  readonly exit: {
    readonly code: number | null;
    readonly signal: string | null;
    readonly phase: ExitPhase;
    readonly secondsAfterSigterm?: number;
  };
  readonly sigkillSent: boolean;
  readonly leftovers: Leftovers;
  readonly timing: TimingFacts;
  /** Whether the process is PID 1 in the real pod (not with shareProcessNamespace: true). */
  readonly pid1InCluster: boolean;
  /** Last lines the process wrote (stdout and stderr interleaved). */
  readonly outputTail: string[];
}

export type VerdictStatus = 'pass' | 'fail';

export interface Verdict {
  readonly status: VerdictStatus;
  /** Why, in one or two sentences naming processes. */
  readonly reason: string;
  /** What to change, when something should change. */
  readonly fix?: string;
  readonly warnings: string[];
}

export interface DrillReport {
  readonly target: {
    readonly source: string;
    readonly kind: string;
    readonly name: string;
    readonly container: string;
    readonly image?: string;
  };
  readonly command: string[];
  readonly facts: DrillFacts;
  readonly verdict: Verdict;
  readonly notes: string[];
}
