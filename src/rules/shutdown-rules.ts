/** Rules about stopping a pod without dropping requests or killing work half-done. */
import { APP_SHUTDOWN_ANNOTATION } from './annotations';
import { containersOf, declaredPorts, listNames, LONG_RUNNING_KINDS, Workload, WORKLOAD_KINDS } from './model';
import { podShutdown, signalOf } from './shutdown-model';
import { Rule } from './rule';
import { SHUTDOWN_SAFETY_MARGIN_SECONDS } from '../concerns/shutdown-defaults';
import { Violation } from './types';

const GROUP = 'Shutdown';

export const gracePeriodTooShort: Rule = {
  id: 'grace-period-too-short',
  severity: 'error',
  group: GROUP,
  title: 'The grace period is shorter than the preStop hook plus the app\'s shutdown time',
  reason: 'The grace period is one clock for preStop and for the app\'s own shutdown after SIGTERM. When it runs out the kubelet sends SIGKILL: open requests are cut, transactions roll back, queues redeliver. The preStop time is estimated from the hook (`sleep N` in an exec hook; an httpGet hook is assumed to take 5 s); the shutdown time comes from the `resilient.cdk8s.io/app-shutdown-seconds` annotation, the library\'s `resilient.cdk8s.io/shutdown-budget` annotation, `assumptions.appShutdownSeconds` in the configuration file, or an assumed 20 s. A finding that holds only with an assumed figure says so and is a warning; with stated figures it is an error.',
  fix: 'Set terminationGracePeriodSeconds to at least preStop + shutdown + a few seconds of margin, or shorten the hook. If the app stops faster than assumed, state its shutdown time in the `resilient.cdk8s.io/app-shutdown-seconds` pod annotation.',
  kinds: WORKLOAD_KINDS,
  check: ({ workload: w, assumptions }) => {
    const s = podShutdown(w!, assumptions);
    // The worst container by the figures the manifest states, and by all figures (with assumptions).
    let worst: { need: number; stated: number; text: string; assumed: string[] } | undefined;
    for (const c of s.containers) {
      const pre = c.preStop?.seconds ?? 0;
      const need = pre + s.appShutdownSeconds;
      if (need <= s.graceSeconds || (worst && worst.need >= need)) continue;
      const assumed: string[] = [];
      if (c.preStop?.assumed) assumed.push(`a preStop of ${pre}s (${c.preStop.basis})`);
      if (s.appShutdownAssumed) assumed.push(`an app shutdown of ${s.appShutdownSeconds}s, the library's default`);
      const stated = (c.preStop?.assumed ? 0 : pre) + (s.appShutdownAssumed ? 0 : s.appShutdownSeconds);
      const preText = c.preStop
        ? (pre === Infinity ? `container "${c.name}"'s preStop never ends (${c.preStop.basis})` : `container "${c.name}"'s preStop ${pre}s (${c.preStop.basis}) + app shutdown ${s.appShutdownSeconds}s (${s.appShutdownBasis}) = ${need}s`)
        : `container "${c.name}"'s app shutdown ${s.appShutdownSeconds}s (${s.appShutdownBasis})`;
      worst = { need, stated, text: preText, assumed };
    }
    if (!worst) return [];
    const graceText = s.graceExplicit ? `terminationGracePeriodSeconds ${s.graceSeconds}s` : `the default grace period of ${s.graceSeconds}s (terminationGracePeriodSeconds is unset)`;
    const margin = SHUTDOWN_SAFETY_MARGIN_SECONDS;
    const fixes = [worst.need === Infinity
      ? 'make the preStop hook end (a bounded sleep, or a loop with a timeout)'
      : `set terminationGracePeriodSeconds to at least ${worst.need + margin} (${worst.need}s + ${margin}s margin) or shorten the preStop hook`];
    if (s.appShutdownAssumed) fixes.push(`if the app stops faster than ${s.appShutdownSeconds}s, state its real time with the pod annotation ${APP_SHUTDOWN_ANNOTATION}: "<seconds>" (or assumptions.appShutdownSeconds in the configuration file)`);
    // Only what the manifest states can make this an error; the rest is an estimate.
    const restsOnAssumption = worst.stated <= s.graceSeconds && worst.assumed.length > 0;
    return [{
      path: [...w!.podSpecPath, 'terminationGracePeriodSeconds'],
      message: `${graceText} is shorter than ${worst.text}, so the kubelet would SIGKILL the app before it has finished shutting down`,
      fix: fixes.join('; '),
      ...(restsOnAssumption ? { assumption: worst.assumed.join(' and ') } : {}),
    }];
  },
};

export const preStopMissing: Rule = {
  id: 'prestop-missing',
  severity: 'warning',
  group: GROUP,
  title: 'A container that receives traffic through a Service has no preStop hook',
  reason: 'On deletion the pod is removed from the Service endpoints at the same moment the kubelet starts stopping it, but kube-proxy, ingress controllers and load balancers learn of it seconds later. Without a pause in preStop the app gets SIGTERM while traffic still arrives, and those requests fail on every rollout, drain and scale-in.',
  fix: 'Add a short preStop pause, e.g. `lifecycle.preStop.exec.command: ["sleep", "5"]` (needs `sleep` in the image) or an HTTP preStop endpoint, and count it in terminationGracePeriodSeconds.',
  kinds: LONG_RUNNING_KINDS,
  crossObject: true,
  check: ({ workload: w }) => {
    if (!w || w.services.length === 0) return [];
    const missing = servingContainers(w).filter((c) => !c.container.lifecycle?.preStop);
    if (missing.length === 0) return [];
    const serviceNames = listNames(w.services, (s) => String(s.metadata?.name));
    return missing
      .map((c): Violation => ({
        path: [...c.path, 'lifecycle', 'preStop'],
        message: `container "${c.name}" has no preStop hook although Service ${serviceNames} sends it traffic: it gets SIGTERM while clients are still being routed to it`,
      }));
  },
};

export const shellWithoutExec: Rule = {
  id: 'shell-without-exec',
  severity: 'error',
  group: GROUP,
  title: 'The entrypoint is `sh -c` / `bash -c` without `exec`',
  reason: 'SIGTERM goes to the container\'s main process. dash (Debian\'s /bin/sh) stays the parent of the app and does not forward it (as PID 1 it ignores SIGTERM altogether), so the app is SIGKILLed when the grace period ends. An init does not rescue the form: dumb-init and tini -g signal the whole process group, but the shell dies at once, the init exits with its only child and the app is killed mid-shutdown; plain tini signals only the shell. bash replaces itself with the last command of a lone command or an && chain, which is safe. Measured by the shutdown drill (docs/shutdown-drill.md).',
  fix: 'Start the last command of the script with `exec` (`... && exec my-app`), or drop the shell and run the app directly.',
  kinds: WORKLOAD_KINDS,
  check: ({ workload: w }) => {
    const shareProcessNamespace = w!.podSpec.shareProcessNamespace === true;
    const out: Violation[] = [];
    for (const c of containersOf(w!)) {
      const signal = signalOf(c.container, shareProcessNamespace);
      if (!signal || signal.reachesApp) continue;
      const initNote = signal.init && !signal.process.includes('whole process group') ? ` (${signal.init} signals only its child, the shell)` : '';
      out.push({ path: [...c.path, 'command'], message: `container "${c.name}" ${signal.reason}${initNote}` });
    }
    return out;
  },
};

/**
 * Containers whose declared ports a Service of the workload targets; the first container when no
 * Service port can be traced to one (undeclared ports).
 */
export function servingContainers(w: Workload) {
  const all = containersOf(w);
  const targets = new Set<string | number>();
  for (const service of w.services) {
    for (const port of Array.isArray(service.spec?.ports) ? service.spec.ports : []) {
      targets.add(port?.targetPort ?? port?.port);
    }
  }
  const serving = all.filter((c) => declaredPorts(c.container).some((p) => targets.has(p.number) || (p.name !== undefined && targets.has(p.name))));
  return serving.length > 0 ? serving : all.slice(0, 1);
}

export const SHUTDOWN_RULES: Rule[] = [gracePeriodTooShort, preStopMissing, shellWithoutExec];
