/**
 * The exit watch's helper, a Python 3 program run as `python3 -I -c SOURCE PID SIGNAL` (kept here
 * as text so it ships inside the compiled package). It needs only the standard library: ptrace
 * through ctypes.
 *
 * Why ptrace: when PID 1 of a PID namespace exits, the kernel SIGKILLs every other process of the
 * namespace, and their exit statuses are collected inside the kernel, so nothing outside can tell
 * afterwards which of them were still at work. A tracer with PTRACE_O_TRACEEXIT stops PID 1 at the
 * start of its exit, before the kernel kills the others: at that moment the helper reads /proc for
 * every descendant of PID 1, prints it, and lets PID 1 go on.
 *
 * What tracing changes for the app: each signal sent to PID 1 stops it until the helper passes the
 * signal on (the delay is measured and reported as the signal relay); nothing else. If the helper
 * dies, the kernel detaches it and PID 1 runs on untraced. It exits when its standard input closes.
 *
 * Output, one JSON object per line, `t` = CLOCK_MONOTONIC in ns (the clock of Node's hrtime):
 *   {"event":"ready","threads":N}              every thread of PID 1 is traced
 *   {"event":"signal","sig":15,"t":..}        the stop signal reached PID 1 and was passed on at t
 *   {"event":"exit","t":..,"code":..,"processes":[{pid,stat,status,cmdline,exe,wchan}...]}
 *                                              PID 1 began its exit (the whole thread group); the
 *                                              processes are its descendants at that moment
 *   {"event":"gone"}                           PID 1 is gone
 *   {"event":"error","message":".."}           cannot trace; the helper then exits 3
 */
export const EXIT_WATCH_SOURCE = String.raw`
import ctypes, json, os, signal, sys, threading, time

pid = int(sys.argv[1])
stop_signal = int(sys.argv[2])
libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
libc.ptrace.restype = ctypes.c_long
PTRACE_CONT, PTRACE_GETEVENTMSG, PTRACE_SEIZE, PTRACE_LISTEN = 7, 0x4201, 0x4206, 0x4208
OPTIONS = 0x40 | 0x08  # PTRACE_O_TRACEEXIT | PTRACE_O_TRACECLONE
EVENT_EXIT, EVENT_STOP = 6, 128
WALL = 0x40000000
STOPS = (signal.SIGSTOP, signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU)
lock = threading.Lock()

def emit(obj):
    obj.setdefault('t', time.monotonic_ns())
    with lock:
        sys.stdout.write(json.dumps(obj) + '\n')
        sys.stdout.flush()

def ptrace(request, tid, data=0):
    if libc.ptrace(request, tid, None, ctypes.c_void_p(data)) == -1:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))

def quietly(request, tid, data=0):
    try:
        ptrace(request, tid, data)
    except OSError:
        pass  # the thread is gone or already running

def text(path, binary=False):
    try:
        with open(path, 'rb' if binary else 'r') as f:
            return f.read()
    except OSError:
        return None

def ppid_of(stat):
    return int(stat[stat.rindex(')') + 2:].split(' ')[1])

def descendants():
    children = {}
    for name in os.listdir('/proc'):
        if not name.isdigit():
            continue
        stat = text('/proc/%s/stat' % name)
        if stat:
            children.setdefault(ppid_of(stat), []).append(int(name))
    out, queue = [], [pid]
    while queue:
        for child in sorted(children.get(queue.pop(0), [])):
            out.append(child)
            queue.append(child)
    return out

def describe(p):
    stat = text('/proc/%d/stat' % p)
    if stat is None:
        return None
    cmdline = text('/proc/%d/cmdline' % p, True) or b''
    try:
        exe = os.path.basename(os.readlink('/proc/%d/exe' % p))
    except OSError:
        exe = None
    return {'pid': p, 'stat': stat, 'status': text('/proc/%d/status' % p) or '',
            'cmdline': cmdline.decode('utf-8', 'replace'), 'exe': exe,
            'wchan': (text('/proc/%d/wchan' % p) or '').strip()}

exiting = set()  # threads let go from their exit stop: they can only go on exiting

def leaving(tid):
    # let go from its exit stop, gone, a zombie, exiting (PF_EXITING), or killed by a group exit
    # (SIGKILL queued)
    if tid in exiting:
        return True
    stat = text('/proc/%d/task/%d/stat' % (pid, tid))
    status = text('/proc/%d/task/%d/status' % (pid, tid))
    if stat is None or status is None:
        return True
    fields = stat[stat.rindex(')') + 2:].split(' ')
    if fields[0] in 'ZX' or int(fields[6]) & 0x4:
        return True
    pending = dict(line.split(':\t', 1) for line in status.splitlines() if ':\t' in line)
    return any(int(pending.get(k, '0'), 16) & (1 << 8) for k in ('SigPnd', 'ShdPnd'))

def group_exit(tid):
    # This thread's exit ends the thread group when every other thread is leaving too. Threads
    # still held in their own exit stop count as alive, so the last one held is the moment before
    # the kernel kills the rest of the namespace.
    try:
        others = [int(t) for t in os.listdir('/proc/%d/task' % pid) if int(t) != tid]
    except OSError:
        return True
    return all(leaving(t) for t in others)

def seize_all():
    traced = set()
    while True:
        try:
            tids = [int(t) for t in os.listdir('/proc/%d/task' % pid)]
        except OSError as e:
            raise OSError(e.errno, 'PID %d is gone' % pid)
        new = [t for t in tids if t not in traced]
        if not new:
            return traced
        for t in new:
            try:
                ptrace(PTRACE_SEIZE, t, OPTIONS)
            except OSError as e:
                if e.errno != 3:  # ESRCH: the thread ended meanwhile
                    raise
            traced.add(t)

def watch_stdin():
    sys.stdin.read()
    os._exit(0)  # the kernel detaches every tracee

def main():
    threading.Thread(target=watch_stdin, daemon=True).start()
    try:
        traced = seize_all()
    except OSError as e:
        emit({'event': 'error', 'message': 'ptrace PTRACE_SEIZE of PID %d: %s' % (pid, e.strerror)})
        sys.exit(3)
    emit({'event': 'ready', 'threads': len(traced)})
    while True:
        try:
            tid, status = os.waitpid(-1, WALL)
        except ChildProcessError:
            break
        if os.WIFEXITED(status) or os.WIFSIGNALED(status):
            if tid == pid:
                break
            continue
        if not os.WIFSTOPPED(status):
            continue
        sig, event = os.WSTOPSIG(status), (status >> 16) & 0xff
        if event == EVENT_EXIT:
            exiting.add(tid)
            if group_exit(tid):
                t = time.monotonic_ns()
                code = ctypes.c_ulong()
                libc.ptrace(PTRACE_GETEVENTMSG, tid, None, ctypes.c_void_p(ctypes.addressof(code)))
                found = [d for d in (describe(p) for p in descendants()) if d]
                emit({'event': 'exit', 't': t, 'code': code.value, 'processes': found})
            quietly(PTRACE_CONT, tid)
        elif event == EVENT_STOP:
            quietly(PTRACE_LISTEN if sig in STOPS else PTRACE_CONT, tid)
        elif event:
            quietly(PTRACE_CONT, tid)
        else:
            quietly(PTRACE_CONT, tid, sig)
            if sig == stop_signal:
                emit({'event': 'signal', 'sig': sig})
    emit({'event': 'gone'})

main()
`;
