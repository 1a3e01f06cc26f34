import { analyzeSignalDelivery, detectInit, findShellWrapper, INIT_ENVIRONMENT, InitProcess, planEntrypoint } from '../../src/concerns/init-process';

describe('findShellWrapper', () => {
  test.each([
    [['sh', '-c', 'x'], { shell: 'sh', script: 'x' }],
    [['/bin/bash', '-ec', 'x y'], { shell: 'bash', script: 'x y' }],
    [['/usr/bin/java', '-jar', 'a.jar'], undefined],
    [['sh', 'script.sh'], undefined],
    [['sh', '-c'], undefined],
  ])('%j', (argv, expected) => {
    expect(findShellWrapper(argv)).toEqual(expected);
  });
});

describe('analyzeSignalDelivery', () => {
  const none = InitProcess.none();
  test.each([
    ['plain binary', ['/app/server'], none, true],
    ['sh -c lone command (dash keeps the shell as parent)', ['sh', '-c', 'server'], none, false],
    ['sh -c exec', ['sh', '-c', 'exec server'], none, true],
    ['sh -c list ending in exec', ['sh', '-c', 'cd /app && exec server --flag'], none, true],
    ['sh -c list without exec', ['sh', '-c', 'cd /app && server'], none, false],
    ['sh -c backgrounded exec', ['sh', '-c', 'exec server &'], none, false],
    ['exec not last', ['sh', '-c', 'exec server; echo done'], none, false],
    ['bash -c lone command (bash execs it)', ['bash', '-c', 'server --port $PORT'], none, true],
    ['bash -c list with ;', ['bash', '-c', 'setup; server'], none, false],
    ['bash -c && chain (bash 5.2 execs the last command)', ['bash', '-c', 'cd /tmp && server'], none, true],
    ['bash -c command followed by another', ['bash', '-c', 'server; echo done'], none, false],
    ['bash -c pipeline', ['bash', '-c', 'server | tee log'], none, false],
    ['shared process namespace does not make a shell forward', ['sh', '-c', 'server'], InitProcess.sharedProcessNamespace(), false],
    ['dumb-init does not rescue sh -c (the shell dies, dumb-init exits, the app is cut short)', ['sh', '-c', 'cd /app && server'], InitProcess.dumbInit(), false],
    ['tini -g does not rescue sh -c either', ['sh', '-c', 'server'], InitProcess.tini(), false],
    ['exec under dumb-init is fine', ['sh', '-c', 'cd /app && exec server'], InitProcess.dumbInit(), true],
  ])('%s', (_name, argv, init, reaches) => {
    expect(analyzeSignalDelivery(argv as string[], init as InitProcess).reachesApp).toBe(reaches);
  });
});

describe('planEntrypoint', () => {
  test('prefixes the init and keeps args', () => {
    expect(planEntrypoint(InitProcess.dumbInit('/bin/dumb-init'), ['app'], ['--x'], 'container')).toEqual({ command: ['/bin/dumb-init', '--', 'app'], args: ['--x'], shareProcessNamespace: false });
  });
  test('shared process namespace leaves the command alone', () => {
    expect(planEntrypoint(InitProcess.sharedProcessNamespace(), undefined, undefined, 'container')).toEqual({ command: undefined, args: undefined, shareProcessNamespace: true });
  });
  test('tini without a command is refused', () => {
    expect(() => planEntrypoint(InitProcess.tini(), undefined, ['--x'], 'container')).toThrow("container.command: (unset) is needed to wrap the entrypoint with tini");
  });
});

describe('INIT_ENVIRONMENT', () => {
  // The audit passes detectInit only these variables of a container: a variable it starts to read
  // must be listed there, or the audit would not see it.
  test.each([
    [['dumb-init', 'app'], { DUMB_INIT_SETSID: '0' }],
    [['tini', '--', 'app'], { TINI_KILL_PROCESS_GROUP: '1' }],
  ])('%j with %j reads the same from the listed variables as from the whole environment', (argv, set) => {
    const whole: Record<string, string> = { PATH: '/bin', HOME: '/root', TINI_SUBREAPER: '1', DUMB_INIT_DEBUG: '1', ...set };
    const listed = Object.fromEntries(Object.entries(whole).filter(([name]) => INIT_ENVIRONMENT.includes(name)));
    expect(detectInit(argv, { env: listed })).toEqual(detectInit(argv, { env: whole }));
    // And the variable matters: without it the answer differs.
    expect(detectInit(argv, { env: {} })).not.toEqual(detectInit(argv, { env: whole }));
  });
});
