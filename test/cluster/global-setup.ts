/**
 * Starts the cluster for the tests under test/cluster/ (jest runs this only when at least one of
 * them is selected). A cluster already running (`npm run cluster -- up`, or .ci/run starting one
 * for several jest runs) is reused and left running; one started here is stopped by the teardown.
 */
import { clusterPrerequisite, markSkipped } from '../support/cluster';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const controlPlane = require('../../scripts/cluster/control-plane');

export default async function globalSetup(): Promise<void> {
  const prerequisite = clusterPrerequisite();
  if (!prerequisite.run) {
    if (prerequisite.mustRun) throw new Error(`cluster tests cannot run under CI: ${prerequisite.reason}`);
    markSkipped(prerequisite.reason);
    process.stdout.write(`\ncluster tests skipped: ${prerequisite.reason}\n`);
    return;
  }
  const started = await controlPlane.up({ log: (m: string) => process.stdout.write(`\n${m}`) });
  process.stdout.write('\n');
  (globalThis as any).__clusterStartedBySetup = !started.reused;
}
