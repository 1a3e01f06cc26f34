import { bashRunsLastCommandInPlace, lastCommandExecs, scriptSleeps, shellCommands } from '../../src/concerns/shell-script';
import { analyzeSignalDelivery, InitProcess } from '../../src/concerns/init-process';
import { auditObjects } from '../../src/rules/engine';
import { ResilientDeployment } from '../../src';
import { newChart, only, synth } from '../support/synth';

describe('shellCommands', () => {
  test('quotes, escapes and comments do not end a command', () => {
    expect(shellCommands('exec nginx -g "daemon off;"')).toEqual([{ words: ['exec', 'nginx', '-g', 'daemon off;'], operators: [] }]);
    expect(shellCommands("exec java -Dfoo='a;b' -jar /app.jar")[0].words).toEqual(['exec', 'java', '-Dfoo=a;b', '-jar', '/app.jar']);
    expect(shellCommands('exec app # a; b')).toEqual([{ words: ['exec', 'app'], operators: [] }]);
    expect(shellCommands('exec app \\; x')).toEqual([{ words: ['exec', 'app', ';', 'x'], operators: [] }]);
  });

  test('a newline ends a command; an escaped one does not; a comment ends at its line', () => {
    expect(shellCommands('cd /app\nexec prog').map((c) => c.words)).toEqual([['cd', '/app'], ['exec', 'prog']]);
    expect(shellCommands('exec prog \\\n  --flag').map((c) => c.words)).toEqual([['exec', 'prog', '--flag']]);
    expect(shellCommands("prog # it's the app\necho done").map((c) => c.words)).toEqual([['prog'], ['echo', 'done']]);
    expect(shellCommands('echo "a\nb"; exec x').map((c) => c.words)).toEqual([['echo', 'a\nb'], ['exec', 'x']]);
  });

  test('operators: separators split, redirections and subshells are kept with the command', () => {
    expect(shellCommands('a && b || c; d & e | f')).toEqual([
      { words: ['a'], operators: [], next: '&&' },
      { words: ['b'], operators: [], next: '||' },
      { words: ['c'], operators: [], next: ';' },
      { words: ['d'], operators: [], next: '&' },
      { words: ['e'], operators: [], next: '|' },
      { words: ['f'], operators: [] },
    ]);
    expect(shellCommands('exec app 2>&1')[0]).toEqual({ words: ['exec', 'app', '2', '1'], operators: ['>&'] });
    expect(shellCommands('exec app --since=$(date +%s) "$@"')[0].words).toEqual(['exec', 'app', '--since=$(date +%s)', '$@']);
  });
});

describe('lastCommandExecs', () => {
  test.each([
    'exec nginx -g "daemon off;"',
    'exec java -Dfoo="a;b" -jar /app.jar',
    'exec app # a; b',
    'cd /app && exec prog',
    'cd /app\nexec prog\n',
    'sleep 1; exec prog --flag="x && y"',
    'X=1 exec prog',
    'exec "$APP" "$@"',
  ])('%j execs the app', (script) => {
    expect(lastCommandExecs(script)).toBe(true);
  });

  test.each([
    'prog',
    'prog; echo done',
    'exec prog &',
    'exec prog | tee /tmp/log',
    'prog | exec tee /tmp/log',
    '(exec prog)',
    'exec > /tmp/log; prog',
    'exec prog; echo "never reached, but still the last command"',
    'echo "exec prog"',
    '# exec prog',
    '',
  ])('%j does not', (script) => {
    expect(lastCommandExecs(script)).toBe(false);
  });
});

describe('bashRunsLastCommandInPlace', () => {
  test.each(['prog', 'cd /tmp && prog', 'prog --flag "a;b"', 'prog # a; b'])('%j: a lone command or an && chain', (script) => {
    expect(bashRunsLastCommandInPlace(script)).toBe(true);
  });
  test.each(['prog; echo done', 'a || prog', 'prog > /tmp/log', 'prog | cat', '(prog)', 'a\nprog', 'prog `x`', 'prog $(x)'])('%j: not', (script) => {
    expect(bashRunsLastCommandInPlace(script)).toBe(false);
  });
});

describe('the construct check and the shell-without-exec rule read scripts the same way', () => {
  const REFUSED_BEFORE = [
    `exec nginx -g "daemon off;"`,
    `exec java -Dfoo="a;b" -jar /app/app.jar`,
    `exec app # a; b`,
  ];

  test.each(REFUSED_BEFORE)('sh -c %j: SIGTERM reaches the app', (script) => {
    expect(analyzeSignalDelivery(['sh', '-c', script], InitProcess.sharedProcessNamespace()).reachesApp).toBe(true);
  });

  test.each(REFUSED_BEFORE)('sh -c %j synthesizes, and audit finds no shell-without-exec in it', (script) => {
    const chart = newChart();
    new ResilientDeployment(chart, 'web', {
      container: { image: 'nginx:1.25.3', command: ['sh', '-c', script], ports: [{ number: 8080 }] },
    });
    const objects = synth(chart);
    expect(only(objects, 'Deployment').spec.template.spec.containers[0].command).toEqual(['sh', '-c', script]);
    const findings = auditObjects(objects as any).findings.filter((f) => f.ruleId === 'shell-without-exec');
    expect(findings).toEqual([]);
  });

  test('a script that really does not exec is still refused by both', () => {
    const chart = newChart();
    expect(() => new ResilientDeployment(chart, 'web', {
      container: { image: 'nginx:1.25.3', command: ['sh', '-c', 'nginx -g "daemon off;"; echo "exec later"'], ports: [{ number: 8080 }] },
    })).toThrow(/\[test\/web\] container\.command: .* without exec/);
    const manifest = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
      spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'main', image: 'nginx:1.25.3', command: ['sh', '-c', 'nginx -g "daemon off;"; echo "exec later"'] }] } } },
    };
    expect(auditObjects([manifest as any]).findings.map((f) => f.ruleId)).toContain('shell-without-exec');
  });
});

describe('scriptSleeps, remembered by script text', () => {
  test('asking again gives the same sleeps, and no caller can change the remembered answer', () => {
    const script = 'echo draining; sleep 7; while kill -0 1; do sleep 1; done';
    const first = scriptSleeps(script);
    expect(first).toEqual([
      { args: ['7'], inLoop: false, background: false },
      { args: ['1'], inLoop: true, background: false },
    ]);
    // The same text built anew (as another document's parse would give it).
    const again = scriptSleeps(['echo draining;', 'sleep 7;', 'while kill -0 1; do sleep 1; done'].join(' '));
    expect(again).toBe(first);
    expect(() => (first as Array<unknown>).push({})).toThrow();
    expect(() => { (first[0].args as string[])[0] = '700'; }).toThrow();
    expect(scriptSleeps(script)[0].args).toEqual(['7']);
  });
});
