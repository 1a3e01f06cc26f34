/**
 * What a process was doing at a moment, in words, from what /proc shows then: its state, the
 * kernel function it sleeps in (/proc/PID/wchan) and whether the stop signal was still pending.
 * Pure: the texts are read elsewhere.
 */

const STATES: Record<string, string> = {
  R: 'running on a CPU',
  D: 'in an uninterruptible wait (usually disk I/O)',
  T: 'stopped by a signal',
  t: 'stopped by a debugger',
  Z: 'already exited, not yet reaped (zombie)',
  X: 'exiting',
  I: 'idle',
};

/** Kernel wait functions, by prefix, and what a process sleeping there is waiting for. */
const WAITS: [RegExp, string][] = [
  [/^(do_epoll_wait|ep_poll)/, 'waiting for I/O or a timer (epoll)'],
  [/^(do_sys_poll|do_select|core_sys_select|do_poll)/, 'waiting for I/O (poll/select)'],
  [/^(hrtimer_nanosleep|do_nanosleep|clock_nanosleep|nanosleep)/, 'sleeping (nanosleep)'],
  [/^(do_wait|kernel_wait4|wait_consider_task)/, 'waiting for a child process to exit'],
  [/^(pipe_read|pipe_wait|pipe_write)/, 'reading or writing a pipe'],
  [/^(futex|do_futex)/, 'waiting on a lock or condition (futex)'],
  [/^(inet_csk_accept|sk_wait_data|tcp_recvmsg|unix_stream|wait_woken|sock_)/, 'waiting on a socket'],
  [/^(sigsuspend|sys_pause|do_sigtimedwait|sigtimedwait)/, 'waiting for a signal'],
  [/^(n_tty_read|wait_for_completion|read_events)/, 'waiting for input'],
];

export interface ActivityInput {
  /** Single-letter state from /proc/PID/stat. */
  readonly state: string;
  /** Contents of /proc/PID/wchan ("0" or empty when not sleeping or not readable). */
  readonly wchan?: string;
  /** Whether the stop signal was pending (sent, not yet acted on). */
  readonly stopSignalPending?: boolean;
  readonly stopSignal?: string;
}

/** "sleeping (nanosleep)", "running on a CPU", "waiting in pipe_read", with a pending signal noted. */
export function describeActivity(a: ActivityInput): string {
  const wchan = (a.wchan ?? '').trim();
  let text: string;
  if (a.state === 'S' || (a.state === 'D' && wchan && wchan !== '0')) {
    const known = wchan && wchan !== '0' ? WAITS.find(([re]) => re.test(wchan)) : undefined;
    text = known ? known[1] : wchan && wchan !== '0' ? `sleeping in the kernel (${wchan})` : 'sleeping';
  } else {
    text = STATES[a.state] ?? `in state ${a.state}`;
  }
  if (a.stopSignalPending) text += `, with ${a.stopSignal ?? 'the stop signal'} still pending (not yet handled)`;
  return text;
}
