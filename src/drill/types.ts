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
  readonly sigterm: SigtermDisposition;
  /** PID inside the innermost PID namespace (1 for a namespace's init). */
  readonly nsPid?: number;
}

export type RuntimeKind = 'local' | 'container';

export interface RuntimeDescription {
  readonly kind: RuntimeKind;
  /** `pid1` = PID 1 of a fresh PID namespace (as in a container); `plain` = an ordinary child process. */
  readonly mode: 'pid1' | 'plain' | 'engine';
  /** One line for the report: what actually ran the process. */
  readonly summary: string;
  readonly engine?: string;
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
  readonly seconds: number;
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
  readonly how: 'probe' | 'settle' | 'probe-timeout' | 'exited';
  readonly seconds: number;
  readonly detail: string;
}

/** What was left behind once the main process had exited. */
export interface Leftovers {
  /** Processes of the workload still running after the main process exited. */
  readonly orphans: ProcessInfo[];
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
export interface DrillFacts {
  readonly runtime: RuntimeDescription;
  readonly gracePeriodSeconds: number;
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
