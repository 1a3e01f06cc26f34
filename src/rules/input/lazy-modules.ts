/**
 * Libraries the audit needs only on uncommon paths (YAML the fast reader declines, a
 * configuration file, worker threads), loaded on first use: `audit` starts sooner, and a small
 * audit pays only for what it uses.
 */

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const jsYaml = (): typeof import('js-yaml') => require('js-yaml');

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const workerThreads = (): typeof import('worker_threads') => require('worker_threads');
