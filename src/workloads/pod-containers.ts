/**
 * The containers of a Resilient* pod: checks of what the props pass through to Kubernetes, the
 * entrypoint of sidecars, the init binary, injected helpers, and writable mounts that hooks need
 * under a read-only root file system.
 */
import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import { requireSetting } from '../concerns/errors';
import { HELPERS_MOUNT_PATH, HELPERS_VOLUME_NAME, HelperInjection, HelperTool, requireTool, Toolbox } from '../concerns/image-tools';
import { analyzeSignalDelivery, InitProcess } from '../concerns/init-process';
import { isDnsLabel, isEnvVarName, isPortName, isPortNumber, isQualifiedName } from '../concerns/kubernetes-values';
import { isValidLabelValue } from '../concerns/labels';
import { DeclaredPort } from '../concerns/probes';
import { LifecycleHook } from '../concerns/shutdown';

/**
 * Images are pinned (the image-tag-mutable rule refuses `latest` and untagged images), so a node
 * that has the image never needs the registry to restart or reschedule a pod: a registry outage
 * then cannot stop recovery. cdk8s-plus's own default is Always.
 */
export const DEFAULT_IMAGE_PULL_POLICY = kplus.ImagePullPolicy.IF_NOT_PRESENT;

/**
 * What a container's props pass straight to Kubernetes, checked where the props name it: the
 * name, the image, ports and environment variable names. (The final pod spec is checked again at
 * synth, which also covers what is added through the escape hatch.)
 */
export function checkContainerProps(c: kplus.ContainerProps, field: string): void {
  if (c.name !== undefined) {
    requireSetting(typeof c.name === 'string' && isDnsLabel(c.name), `${field}.name`, c.name,
      'is not a valid container name (at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit)', 'use a name such as "app" or "log-shipper"');
  }
  requireSetting(typeof c.image === 'string' && c.image.trim().length > 0, `${field}.image`, c.image, 'is empty', 'give the image reference, e.g. "registry.example.com/team/app:1.4.2"');
  requireSetting(!/\s/.test(c.image), `${field}.image`, c.image, 'contains white space', 'remove the spaces from the image reference');
  const ports = [...(c.ports ?? []), ...(c.portNumber !== undefined ? [{ number: c.portNumber }] : [])];
  const names = new Set<string>();
  const numbers = new Set<string>();
  ports.forEach((p, i) => {
    const at = c.ports && i < c.ports.length ? `${field}.ports[${i}]` : `${field}.portNumber`;
    requireSetting(isPortNumber(p.number), c.ports && i < c.ports.length ? `${at}.number` : at, p.number, 'is not a port number (a whole number from 1 to 65535)', 'use the port the app listens on, e.g. 8080');
    const port = p as kplus.ContainerPort;
    const key = `${p.number}/${port.protocol ?? 'TCP'}`;
    requireSetting(!numbers.has(key), c.ports && i < c.ports.length ? `${at}.number` : at, p.number,
      `is declared twice (protocol ${port.protocol ?? 'TCP'})`, 'declare each port once');
    numbers.add(key);
    if (port.hostPort !== undefined && port.hostPort !== 0) requireSetting(isPortNumber(port.hostPort), `${at}.hostPort`, port.hostPort, 'is not a port number (a whole number from 1 to 65535)', 'use a port from 1 to 65535, or leave hostPort unset');
    if (port.name !== undefined) {
      requireSetting(typeof port.name === 'string' && isPortName(port.name), `${at}.name`, port.name,
        'is not a valid port name (1-15 lower-case letters, digits and "-", with at least one letter, no "--" and no "-" at either end)',
        `use e.g. "${String(port.name).toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 15) || 'http'}"`);
      requireSetting(!names.has(port.name), `${at}.name`, port.name, 'is used by another port of this container', 'give each port its own name');
      names.add(port.name);
    }
  });
  for (const name of Object.keys(c.envVariables ?? {})) {
    requireSetting(isEnvVarName(name), `${field}.envVariables`, name,
      'is not a valid environment variable name (letters, digits, "_", "-" and ".", not starting with a digit)', `use e.g. "${name.replace(/[^-._a-zA-Z0-9]+/g, '_').replace(/^(\d)/, '_$1') || 'MY_VAR'}"`);
  }
}

/**
 * An emptyDir at each directory a hook needs writable (nginx's PID file directory), when the
 * container's root file system is read-only (cdk8s-plus's default) and no volume is mounted at or
 * above it already.
 */
export function mountWritablePaths(scope: IConstruct, container: kplus.Container, readOnlyRoot: boolean, hook: LifecycleHook | undefined): void {
  if (!hook || !readOnlyRoot) return;
  for (const dir of hook.writablePaths) {
    const covered = container.mounts.some((m) => dir === m.path || dir.startsWith(m.path.endsWith('/') ? m.path : `${m.path}/`));
    if (covered) continue;
    const name = `writable${dir.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`.replace(/-+$/, '').slice(0, 63);
    container.mount(dir, kplus.Volume.fromEmptyDir(scope as Construct, `Writable${container.name}${dir}`, name, { sizeLimit: Size.mebibytes(64) }));
  }
}

export function sidecarEntrypoint(c: { command?: string[]; args?: string[] }, field: string) {
  const argv = [...(c.command ?? []), ...(c.args ?? [])];
  const delivery = analyzeSignalDelivery(argv, InitProcess.none());
  requireSetting(delivery.reachesApp, `${field}.command`, argv, delivery.reason, delivery.fix ?? '');
  return { command: c.command, args: c.args };
}

export function checkHookPort(hook: LifecycleHook, declared: DeclaredPort[], field: string): void {
  const port = hook.handler?.httpGet?.port;
  requireSetting(declared.some((p) => p.number === port || p.name === port), `${field}.port`, port,
    `is not a port the container declares (declared: ${declared.map((p) => p.number).join(', ') || 'none'})`, 'point the hook at a declared port');
}

/** The init with its binary where the container will find it (the image's own, or injected). */
export function resolveInit(init: InitProcess, tools: Toolbox): InitProcess {
  if (init.kind !== 'dumb-init' && init.kind !== 'tini') return init;
  requireTool(tools, init.kind, 'init', init.kind, 'use InitProcess.sharedProcessNamespace(), which needs no binary');
  const path = tools.initPath(init.kind)!;
  return init.kind === 'dumb-init' ? InitProcess.dumbInit(path) : InitProcess.tini(path);
}

/**
 * The init container that copies static helpers into an emptyDir, and the read-only mount of
 * that volume in every container that uses them. The copy runs as a non-root user with the same
 * hardening as the app (added by the caller's init container patches).
 */
export function injectHelpers(scope: IConstruct, workload: kplus.AbstractPod, containers: kplus.Container[], toolboxes: Toolbox[], helpers: HelperInjection, used: HelperTool[]): void {
  const volume = kplus.Volume.fromEmptyDir(scope as Construct, 'ResilientHelpers', HELPERS_VOLUME_NAME, { sizeLimit: Size.mebibytes(32) });
  workload.addInitContainer({
    name: HELPERS_VOLUME_NAME,
    image: helpers.props.image,
    command: helpers.copyCommand(used),
    imagePullPolicy: DEFAULT_IMAGE_PULL_POLICY,
    securityContext: { user: 65532, group: 65532, ensureNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false },
    resources: {
      cpu: { request: kplus.Cpu.millis(10), limit: kplus.Cpu.millis(100) },
      memory: { request: Size.mebibytes(16), limit: Size.mebibytes(32) },
    },
    volumeMounts: [{ volume, path: HELPERS_MOUNT_PATH }],
  });
  containers.forEach((container, index) => {
    if (toolboxes[index].injected.size > 0) container.mount(HELPERS_MOUNT_PATH, volume, { readOnly: true });
  });
}

/** Pod labels and annotations given in podMetadata: the API server's formats for keys and values. */
export function checkPodMetadata(meta: { labels?: Record<string, string>; annotations?: Record<string, string> } | undefined): void {
  for (const [key, value] of Object.entries(meta?.labels ?? {})) {
    requireSetting(isQualifiedName(key), 'podMetadata.labels', key, 'is not a valid label key (an optional DNS prefix and "/", then up to 63 letters, digits, "-", "_" or ".")', 'use a key such as "team" or "example.com/team"');
    requireSetting(typeof value === 'string' && isValidLabelValue(value), `podMetadata.labels["${key}"]`, value,
      'is not a valid label value (at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit)', 'use a value such as "payments"');
  }
  for (const [key, value] of Object.entries(meta?.annotations ?? {})) {
    requireSetting(isQualifiedName(key.toLowerCase()), 'podMetadata.annotations', key, 'is not a valid annotation key (an optional DNS prefix and "/", then up to 63 letters, digits, "-", "_" or ".")', 'use a key such as "example.com/owner"');
    requireSetting(typeof value === 'string', `podMetadata.annotations["${key}"]`, value, 'is not a string', 'give the value as a string');
  }
}
