/**
 * Starts the cluster for the tests under test/cluster/ (jest runs this only when at least one of
 * them is selected). A cluster already running (`npm run cluster -- up`, or .ci/run starting one
 * for several jest runs) is reused and left running; one started here is stopped by the teardown.
 *
 * Outside CI, a machine that cannot run the cluster (no Go; or the build or start failed, e.g.
 * offline) skips these tests with one line saying why, and the other tests still run. Under
 * CI=true that is a failure.
 */
import { clusterPrerequisite, markSkipped } from '../support/cluster';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const controlPlane = require('../../scripts/cluster/control-plane');

function skip(reason: string, mustRun: boolean): void {
  if (mustRun) throw new Error(`cluster tests cannot run under CI: ${reason}`);
  markSkipped(reason);
  process.stdout.write(`\ncluster tests skipped: ${reason}\n`);
}

export default async function globalSetup(): Promise<void> {
  const prerequisite = clusterPrerequisite();
  if (!prerequisite.run) return skip(prerequisite.reason, prerequisite.mustRun);
  try {
    const started = await controlPlane.up({ log: (m: string) => process.stdout.write(`\n${m}`) });
    process.stdout.write('\n');
    (globalThis as any).__clusterStartedBySetup = !started.reused;
  } catch (e) {
    if (prerequisite.mustRun) throw e;
    const firstLine = String((e as Error).message).split('\n')[0];
    return skip(`the cluster did not start: ${firstLine} (details: npm run cluster -- up)`, prerequisite.mustRun);
  }
}
