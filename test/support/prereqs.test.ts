/**
 * The prerequisite table (scripts/prereqs.js) and what a test file does when an entry is missing:
 * skip with one line naming the package, or under CI=true fail. The second part runs a fixture
 * file in a jest of its own, pretending tini is missing.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { howToInstall, isStaticElf, missing, prerequisite, PREREQUISITES } from '../../scripts/prereqs';

const ROOT = path.resolve(__dirname, '..', '..');

describe('the table', () => {
  test('every entry says what it is for, who needs it and how to get it', () => {
    expect(PREREQUISITES.map((p) => p.name)).toEqual(expect.arrayContaining(['dumb-init', 'tini', 'busybox-static', 'bash', 'pid-namespace']));
    for (const p of PREREQUISITES) {
      expect(p.purpose.length).toBeGreaterThan(10);
      expect(p.neededBy.length).toBeGreaterThan(0);
      for (const file of p.neededBy) expect(fs.existsSync(path.join(ROOT, file))).toBe(true);
      expect(p.install.apt ?? p.install.command ?? p.install.hint).toBeDefined();
    }
    expect(howToInstall(prerequisite('busybox-static'))).toBe('apt-get install busybox-static; or: npm run prereqs');
  });

  test('an unknown name is an error, so a typo cannot skip tests silently', () => {
    expect(() => prerequisite('tiny')).toThrow("scripts/prereqs.js has no prerequisite named 'tiny' (known: dumb-init, tini,");
    expect(() => missing(['tiny'])).toThrow(/no prerequisite named 'tiny'/);
  });

  test('PREREQS_PRETEND_MISSING reports a present entry as missing', () => {
    const before = process.env.PREREQS_PRETEND_MISSING;
    process.env.PREREQS_PRETEND_MISSING = 'bash';
    try {
      expect(missing(['bash'])).toEqual([{ prerequisite: prerequisite('bash'), problem: 'pretended missing by PREREQS_PRETEND_MISSING' }]);
    } finally {
      if (before === undefined) delete process.env.PREREQS_PRETEND_MISSING;
      else process.env.PREREQS_PRETEND_MISSING = before;
    }
  });
});

describe('static executables', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prereqs-elf-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A little-endian ELF64 header with the given program header types. */
  function elf64(types: number[]): string {
    const phoff = 64;
    const buf = Buffer.alloc(phoff + 56 * types.length);
    buf.writeUInt32BE(0x7f454c46, 0);
    buf[4] = 2; // 64-bit
    buf[5] = 1; // little-endian
    buf.writeBigUInt64LE(BigInt(phoff), 0x20);
    buf.writeUInt16LE(56, 0x36);
    buf.writeUInt16LE(types.length, 0x38);
    types.forEach((t, i) => buf.writeUInt32LE(t, phoff + 56 * i));
    const file = path.join(dir, `elf-${types.join('-') || 'none'}`);
    fs.writeFileSync(file, buf);
    return file;
  }

  test('an executable that names a dynamic loader (PT_INTERP) is not static', () => {
    expect(isStaticElf(elf64([6, 3, 1, 1, 2]))).toBe(false);
    expect(isStaticElf(elf64([1, 1, 4]))).toBe(true);
    expect(isStaticElf(process.execPath)).toBe(false); // node links libc dynamically
  });

  test('anything else is not an executable', () => {
    const text = path.join(dir, 'text');
    fs.writeFileSync(text, 'just text, long enough to have 64 bytes of header space in it ......');
    expect(isStaticElf(text)).toBeUndefined();
    expect(isStaticElf(path.join(dir, 'absent'))).toBeUndefined();
  });
});

describe('a test file whose prerequisite is missing', () => {
  function runFixture(ci: boolean) {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'prereqs-jest-')), 'results.json');
    const env: NodeJS.ProcessEnv = { ...process.env, PREREQS_PRETEND_MISSING: 'tini' };
    delete env.CI;
    if (ci) env.CI = 'true';
    const r = spawnSync(
      process.execPath,
      [require.resolve('jest/bin/jest'), '--ci', '--json', `--outputFile=${out}`, '--testMatch', '**/test/support/fixtures/needs.fixture.ts'],
      { cwd: ROOT, env, encoding: 'utf8' },
    );
    const json = JSON.parse(fs.readFileSync(out, 'utf8'));
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
    const tests = json.testResults.flatMap((f: any) => f.assertionResults.map((a: any) => [a.fullName, a.status, a.failureMessages.join('\n')]));
    return { status: r.status, stderr: r.stderr, tests };
  }

  test('is skipped, with one line that names the package', () => {
    const r = runFixture(false);
    expect(r.status).toBe(0);
    expect(r.tests.map(([name, status]: string[]) => [name, status])).toEqual([
      ['a test that runs tini', 'pending'],
      ['tests that run tini one', 'pending'],
      ['tests that run tini two', 'pending'],
      ['a test that runs bash', 'passed'],
    ]);
    const lines = r.stderr.split('\n').filter((l: string) => l.startsWith('skipped in '));
    expect(lines).toEqual([
      'skipped in test/support/fixtures/needs.fixture.ts: needs tini (pretended missing by PREREQS_PRETEND_MISSING): apt-get install tini; or: npm run prereqs',
    ]);
  }, 120000);

  test('under CI=true fails instead, saying what is missing', () => {
    const r = runFixture(true);
    expect(r.status).toBe(1);
    expect(r.tests.map(([name, status]: string[]) => [name, status])).toEqual([
      ['a test that runs tini', 'failed'],
      ['tests that run tini its prerequisites', 'failed'],
      ['a test that runs bash', 'passed'],
    ]);
    for (const [, status, message] of r.tests) {
      if (status === 'failed') expect(message).toMatch('CI=true and a prerequisite is missing, so this test fails instead of skipping: needs tini (pretended missing');
    }
    expect(r.stderr).not.toMatch(/^skipped in /m);
  }, 120000);
});
