/** What each `cdk8s-resilient <command>` module exports as `command`. */
export interface Command {
  readonly summary: string;
  run(argv: string[]): Promise<number>;
}
