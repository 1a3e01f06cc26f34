/**
 * Entry point of `npx cdk8s-resilient <command>`. Each command is its own module exporting
 * `run(argv)`; it is loaded on demand so that `audit` never pays for `drill` and vice versa.
 */
import type { Command } from './command';

export type { Command } from './command';

const COMMANDS: Record<string, { summary: string; load: () => Command }> = {
  audit: {
    summary: 'check any Kubernetes manifest against the resilience rules',
    load: () => require('./audit').command as Command,
  },
  drill: {
    summary: "play the kubelet's stop sequence against a workload's container",
    load: () => require('./drill').command as Command,
  },
};

function usage(): string {
  const lines = ['usage: cdk8s-resilient <command> [options]', '', 'commands:'];
  for (const [name, c] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(8)} ${c.summary}`);
  lines.push('', "run 'cdk8s-resilient <command> --help' for a command's options");
  return lines.join('\n') + '\n';
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    process.stderr.write(`cdk8s-resilient: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  return entry.load().run(rest);
}
