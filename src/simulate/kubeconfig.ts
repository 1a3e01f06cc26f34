/**
 * Reads the cluster address and credentials `simulate` uses from a kubeconfig file, the way
 * kubectl does: --kubeconfig, else $KUBECONFIG (first file), else ~/.kube/config; the current
 * context unless one is named. Supports what local and CI clusters use: bearer tokens, client
 * certificates (inline data or files) and the cluster's CA (inline or a file).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';

/** Where and as whom to reach the API server. */
export interface ClusterAccess {
  /** The kubeconfig context used: the name `--allow-real-cluster` must repeat. */
  readonly contextName: string;
  readonly server: string;
  readonly ca?: string;
  readonly token?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly insecureSkipTlsVerify: boolean;
  /** The file it came from (for messages). */
  readonly file: string;
}

/** A kubeconfig that cannot be used: the message names the file and what is wrong. */
export class KubeconfigError extends Error {}

/** The kubeconfig file kubectl would read. */
export function defaultKubeconfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = (env.KUBECONFIG ?? '').split(path.delimiter).find((p) => p.length > 0);
  return fromEnv ?? path.join(os.homedir(), '.kube', 'config');
}

function readData(entry: Record<string, any>, dataKey: string, fileKey: string, base: string): string | undefined {
  if (typeof entry[dataKey] === 'string') return Buffer.from(entry[dataKey], 'base64').toString('utf8');
  if (typeof entry[fileKey] === 'string') return fs.readFileSync(path.resolve(base, entry[fileKey]), 'utf8');
  return undefined;
}

/** Loads `file` and resolves `context` (default: current-context). Throws KubeconfigError. */
export function loadClusterAccess(file: string, context?: string): ClusterAccess {
  let config: any;
  try {
    config = YAML.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new KubeconfigError(`kubeconfig ${file}: ${(e as Error).message}`);
  }
  if (!config || typeof config !== 'object') throw new KubeconfigError(`kubeconfig ${file}: not a kubeconfig (empty or not a mapping)`);
  const contextName = context ?? config['current-context'];
  if (!contextName) throw new KubeconfigError(`kubeconfig ${file}: no current-context and no --context given`);
  const byName = (list: any, name: string) => (Array.isArray(list) ? list.find((e) => e?.name === name) : undefined);
  const ctx = byName(config.contexts, contextName)?.context;
  if (!ctx) throw new KubeconfigError(`kubeconfig ${file}: no context named "${contextName}"`);
  const cluster = byName(config.clusters, ctx.cluster)?.cluster;
  if (!cluster?.server) throw new KubeconfigError(`kubeconfig ${file}: context "${contextName}" names cluster "${ctx.cluster}", which has no server`);
  const user = byName(config.users, ctx.user)?.user ?? {};
  if (user.exec || user['auth-provider']) {
    throw new KubeconfigError(`kubeconfig ${file}: user "${ctx.user}" authenticates through an exec plugin or auth provider, which simulate does not run; use a token or client certificate`);
  }
  const base = path.dirname(path.resolve(file));
  try {
    return {
      contextName,
      server: String(cluster.server),
      ca: readData(cluster, 'certificate-authority-data', 'certificate-authority', base),
      token: typeof user.token === 'string' ? user.token : typeof user.tokenFile === 'string' ? fs.readFileSync(path.resolve(base, user.tokenFile), 'utf8').trim() : undefined,
      cert: readData(user, 'client-certificate-data', 'client-certificate', base),
      key: readData(user, 'client-key-data', 'client-key', base),
      insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
      file,
    };
  } catch (e) {
    throw new KubeconfigError(`kubeconfig ${file}: ${(e as Error).message}`);
  }
}
