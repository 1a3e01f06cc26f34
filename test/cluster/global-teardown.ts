/** Stops the cluster if the global setup started it (a reused one keeps running). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const controlPlane = require('../../scripts/cluster/control-plane');

export default async function globalTeardown(): Promise<void> {
  if ((globalThis as any).__clusterStartedBySetup) await controlPlane.down({ log: (m: string) => process.stdout.write(`${m}\n`) });
}
