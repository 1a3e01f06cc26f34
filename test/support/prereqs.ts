/**
 * Tests that run system binaries ask for them by name (entries of scripts/prereqs.js, which
 * `npm test` runs first to install what is missing). When one is still missing:
 * - normally the tests that need it are skipped, and the file prints one line naming the package;
 * - under CI=true each of those tests fails with that line instead: CI never passes by skipping.
 *
 *   const pid1 = needs('pid-namespace');
 *   pid1.test('runs as PID 1', ...);          // test, test.skip or a failing test
 *   pid1.concurrent('...', ...);              // the same for test.concurrent
 *   needs('tini', 'bash').describe('...', () => { ... });
 */
import * as path from 'path';
import { howToInstall, missing } from '../../scripts/prereqs';

const ROOT = path.resolve(__dirname, '..', '..');

export interface Needs {
  /** Every prerequisite is there. */
  readonly ok: boolean;
  /** One line per missing prerequisite: name, what is missing, how to install it. */
  readonly missing: readonly string[];
  readonly describe: (name: string, fn: () => void) => void;
  readonly test: (name: string, fn: jest.ProvidesCallback, timeout?: number) => void;
  readonly concurrent: (name: string, fn: () => Promise<unknown>, timeout?: number) => void;
}

/** Lines already printed by this test file (jest loads this module once per file). */
const printed = new Set<string>();

function underCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

export function needs(...names: string[]): Needs {
  const absent = missing(names);
  if (!absent.length) {
    return { ok: true, missing: [], describe, test, concurrent: test.concurrent };
  }
  const lines = absent.map((m) => `needs ${m.prerequisite.name} (${m.problem}): ${howToInstall(m.prerequisite)}`);
  const file = path.relative(ROOT, expect.getState().testPath ?? 'this test file');

  if (underCi()) {
    const reason = `CI=true and a prerequisite is missing, so this test fails instead of skipping: ${lines.join('; ')}`;
    const fail = (name: string) => test(name, () => {
      throw new Error(reason);
    });
    return {
      ok: false,
      missing: lines,
      describe: (name) => describe(name, () => fail('its prerequisites')),
      test: fail,
      concurrent: fail,
    };
  }

  for (const line of lines) {
    if (printed.has(line)) continue;
    printed.add(line);
    process.stderr.write(`skipped in ${file}: ${line}\n`);
  }
  return { ok: false, missing: lines, describe: describe.skip, test: test.skip, concurrent: test.concurrent.skip };
}
