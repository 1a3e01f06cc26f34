/**
 * The pod template every Resilient* workload shares: containers with resources, probes, lifecycle
 * hooks, init process and hardening; the grace period; spreading. Each setting is computed by a
 * pure function in concerns/ and written into the cdk8s-plus object as JSON patches, so the
 * cdk8s-plus workload stays available to users as the escape hatch.
 */
import { ApiObject, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import { SHUTDOWN_BUDGET_ANNOTATION } from '../concerns/annotations';
import { requireSetting, withConstructPath } from '../concerns/errors';
import { SettingsResolver } from '../profiles/profile';
import { addFinalJsonPatch } from './final-patch';
import { HELPERS_MOUNT_PATH, HELPERS_VOLUME_NAME, HelperInjection, HelperTool, ImageTools, requireTool, resolveToolbox, Toolbox } from '../concerns/image-tools';
import { DEFAULT_INIT, InitProcess, planEntrypoint, analyzeSignalDelivery } from '../concerns/init-process';
import { planPlacement, PlacementProps, PlacementPlan } from '../concerns/placement';
import { DeclaredPort, planProbes, ProbePlan, ProbesProps } from '../concerns/probes';
import { planResources } from '../concerns/resources';
import { containerHardening, podHardening } from '../concerns/security';
import { LifecycleHook, planShutdown, ShutdownDefaults, ShutdownPlan, ShutdownProps } from '../concerns/shutdown';

/** A container as in cdk8s-plus-27, with probes and hooks expressed by this library. */
export interface ResilientContainerProps extends Omit<kplus.ContainerProps, 'readiness' | 'liveness' | 'startup' | 'lifecycle'> {
  /**
   * Readiness, liveness and startup probes.
   * @default for the main container: TCP probes on its first port (see ProbesProps);
   * for sidecars: none
   */
  readonly probes?: ProbesProps;
  /**
   * A sidecar's own preStop hook. The main container's preStop is `shutdown.preStop`.
   * @default none
   */
  readonly preStop?: LifecycleHook;
  /**
   * Runs right after the container starts, at the same time as its entrypoint; if it fails the
   * container is killed, so keep it short and reliable.
   * @default none
   */
  readonly postStart?: LifecycleHook;
  /**
   * What the image offers to hooks and init wrappers. A hook or init that needs a tool the image
   * lacks is an error unless the pod injects it (`helpers`).
   * @default ImageTools.shell(): `sh`, `sleep` and `cat`, plus the dumb-init / tini you chose
   */
  readonly imageTools?: ImageTools;
}

/** What every Resilient* workload's pod accepts. */
export interface ResilientPodProps {
  /** The main container: it gets the shutdown hook, the init process and default probes. */
  readonly container: ResilientContainerProps;
  /** Further containers in the pod. @default none */
  readonly sidecars?: ResilientContainerProps[];
  /** Init containers, as in cdk8s-plus-27 (resources and hardening are added). @default none */
  readonly initContainers?: kplus.ContainerProps[];
  /**
   * Who is PID 1 in the main container.
   * @default InitProcess.sharedProcessNamespace(): needs no binary in the image
   */
  readonly init?: InitProcess;
  /** preStop hook, app shutdown time and the grace period derived from them. */
  readonly shutdown?: ShutdownProps;
  /** Spreading over nodes and zones. @default preferred spreading, never blocks scheduling */
  readonly placement?: PlacementProps;
  /** @default - the cluster's default priority */
  readonly priorityClassName?: string;
  /**
   * Static helpers (sleep, a shell, dumb-init or tini) copied by an init container into a shared
   * read-only volume, for images that lack them. Only added when a hook or init needs one.
   * @default none
   */
  readonly helpers?: HelperInjection;
}

export interface PodResilienceOptions {
  /**
   * The workload kind's shutdown defaults. Without `preStop`, the default hook is a drain pause
   * whose length comes from the profile (or the library default).
   */
  readonly shutdownDefaults: Omit<ShutdownDefaults, 'preStop'> & { readonly preStop?: LifecycleHook };
  /** Labels that select this workload's pods (spreading counts only these). */
  readonly selector: Record<string, string>;
  /** Label that differs between rollout revisions, for topology spread's matchLabelKeys. */
  readonly revisionLabelKey?: string;
  /** JSON pointer of the pod spec inside the workload. @default '/spec/template/spec' */
  readonly podSpecPath?: string;
  /** Default probes for the main container. @default true */
  readonly probesByDefault?: boolean;
  /** Spread pods over nodes and zones. @default true */
  readonly spread?: boolean;
}

/** What was decided for the pod, exposed on the constructs and used by the tests. */
export interface PodPlan {
  readonly shutdown: ShutdownPlan;
  readonly probes: ReadonlyArray<ProbePlan | undefined>;
  readonly placement?: PlacementPlan;
  readonly init: InitProcess;
  readonly mainContainer: kplus.Container;
  /** Helper tools injected into the pod (empty when none were needed). */
  readonly injectedTools: HelperTool[];
}

export { SHUTDOWN_BUDGET_ANNOTATION };

/**
 * Images are pinned (the image-tag-mutable rule refuses `latest` and untagged images), so a node
 * that has the image never needs the registry to restart or reschedule a pod: a registry outage
 * then cannot stop recovery. cdk8s-plus's own default is Always.
 */
export const DEFAULT_IMAGE_PULL_POLICY = kplus.ImagePullPolicy.IF_NOT_PRESENT;

/** Adds the containers to `workload` and patches in every resilience setting. */
export function applyPodResilience(scope: IConstruct, workload: kplus.Workload, props: ResilientPodProps, options: PodResilienceOptions): PodPlan {
  return withConstructPath(scope, () => {
    const settings = SettingsResolver.of(scope);
    const init = settings.pick('init', props.init) ?? DEFAULT_INIT;
    const helpers = settings.pick('helpers', props.helpers);
    // Recorded for the main container; sidecars use their own props over the profiles' values.
    settings.pick('imageTools', props.container.imageTools, 'container.imageTools');
    settings.pick('resources', props.container.resources, 'container.resources');
    const profileImageTools = settings.fromProfiles('imageTools');
    const profileResources = settings.fromProfiles('resources');
    const all = [props.container, ...(props.sidecars ?? [])];
    requireSetting(!(props.container.preStop && props.shutdown?.preStop), 'container.preStop', props.container.preStop?.kind,
      'is set together with shutdown.preStop', 'set the main container\'s hook in shutdown.preStop only');
    const sidecarHooks = (props.sidecars ?? []).flatMap((c) => (c.preStop ? [c.preStop] : []));
    const explicitPreStop = props.shutdown?.preStop ?? props.container.preStop;
    const defaultPreStop = options.shutdownDefaults.preStop
      ?? (explicitPreStop ? undefined : LifecycleHook.drainPause({ drainPause: settings.pick('drainPause', undefined) }));
    const shutdown = planShutdown({ ...props.shutdown, preStop: explicitPreStop },
      { appShutdown: options.shutdownDefaults.appShutdown, preStop: defaultPreStop ?? LifecycleHook.none() }, sidecarHooks);
    settings.note('terminationGracePeriod', shutdown.explanation, props.shutdown?.terminationGracePeriod ? 'props' : 'derived');
    // The budget, explained on every pod: what an on-call engineer reads in `kubectl describe pod`.
    workload.podMetadata.addAnnotation(SHUTDOWN_BUDGET_ANNOTATION, shutdown.explanation);

    const names = new Set<string>();
    const toolboxes = all.map((c, index) => resolveToolbox(c.imageTools ?? profileImageTools, helpers,
      index === 0 && init.binaryPath ? { tool: init.kind as 'dumb-init' | 'tini', path: init.binaryPath } : undefined));
    const effectiveInit = resolveInit(init, toolboxes[0]);
    const containers = all.map((c, index) => {
      const field = index === 0 ? 'container' : `sidecars[${index - 1}]`;
      const name = c.name ?? (index === 0 ? 'main' : `sidecar-${index}`);
      requireSetting(!names.has(name), `${field}.name`, name, 'is used by another container of this pod', 'give each container its own name');
      names.add(name);
      const entry = index === 0
        ? planEntrypoint(effectiveInit, c.command, c.args, field)
        : sidecarEntrypoint(c, field);
      const { probes: _p, preStop: _s, postStart: _ps, ...plain } = c;
      return workload.addContainer({
        ...plain,
        name,
        command: entry.command,
        args: entry.args,
        imagePullPolicy: c.imagePullPolicy ?? DEFAULT_IMAGE_PULL_POLICY,
        resources: planResources(c.resources, field, profileResources),
      });
    });
    for (const [index, initContainer] of (props.initContainers ?? []).entries()) {
      workload.addInitContainer({
        ...initContainer,
        imagePullPolicy: initContainer.imagePullPolicy ?? DEFAULT_IMAGE_PULL_POLICY,
        resources: planResources(initContainer.resources, `initContainers[${index}]`, profileResources),
      });
    }

    const podSpec = options.podSpecPath ?? '/spec/template/spec';
    const patches: JsonPatch[] = [];
    const probes = containers.map((container, index) => {
      const c = all[index];
      const field = index === 0 ? 'container' : `sidecars[${index - 1}]`;
      const path = `${podSpec}/containers/${index}`;
      const declared: DeclaredPort[] = container.ports.map((p) => ({ number: p.number, name: p.name }));
      const wantsProbes = c.probes !== undefined || (index === 0 && options.probesByDefault !== false);
      let plan: ProbePlan | undefined;
      if (wantsProbes) {
        plan = planProbes(c.probes ?? {}, declared, field);
        patches.push(JsonPatch.add(`${path}/readinessProbe`, plan.readinessProbe));
        patches.push(JsonPatch.add(`${path}/livenessProbe`, plan.livenessProbe));
        patches.push(JsonPatch.add(`${path}/startupProbe`, plan.startupProbe));
      }
      const preStop = index === 0 ? shutdown.preStop : c.preStop;
      if (preStop?.kind === 'http-get') checkHookPort(preStop, declared, `${field}.preStop`);
      if (c.postStart?.kind === 'http-get') checkHookPort(c.postStart, declared, `${field}.postStart`);
      const initKind = index === 0 || init.kind === 'shared-process-namespace' ? init.kind : 'none';
      const preStopHandler = preStop?.renderFor({ tools: toolboxes[index], initKind, field: `${field}.preStop` });
      const postStartHandler = c.postStart?.renderFor({ tools: toolboxes[index], initKind, field: `${field}.postStart` });
      const lifecycle = {
        ...(postStartHandler ? { postStart: postStartHandler } : {}),
        ...(preStopHandler ? { preStop: preStopHandler } : {}),
      };
      if (Object.keys(lifecycle).length > 0) patches.push(JsonPatch.add(`${path}/lifecycle`, lifecycle));
      const hardening = containerHardening();
      // cdk8s-plus writes capabilities as CAP_X; Kubernetes (and the restricted Pod Security
      // Standard, which allows adding only NET_BIND_SERVICE) names them without the prefix.
      const userAdds = c.securityContext?.capabilities?.add?.map((cap) => String(cap).replace(/^CAP_/, ''));
      patches.push(JsonPatch.add(`${path}/securityContext/capabilities`, { ...(hardening.capabilities as object), ...(userAdds ? { add: userAdds } : {}) }));
      patches.push(JsonPatch.add(`${path}/securityContext/seccompProfile`, hardening.seccompProfile));
      return plan;
    });
    const injectedTools = [...new Set(toolboxes.flatMap((box) => [...box.injected]))];
    const initContainerCount = (props.initContainers ?? []).length + (injectedTools.length > 0 ? 1 : 0);
    if (injectedTools.length > 0) injectHelpers(scope, workload, containers, toolboxes, helpers!, injectedTools);
    Array.from({ length: initContainerCount }).forEach((_, index) => {
      const hardening = containerHardening();
      patches.push(JsonPatch.add(`${podSpec}/initContainers/${index}/securityContext/capabilities`, hardening.capabilities));
      patches.push(JsonPatch.add(`${podSpec}/initContainers/${index}/securityContext/seccompProfile`, hardening.seccompProfile));
    });

    patches.push(JsonPatch.add(`${podSpec}/terminationGracePeriodSeconds`, shutdown.terminationGracePeriodSeconds));
    patches.push(JsonPatch.add(`${podSpec}/securityContext/seccompProfile`, podHardening().seccompProfile));
    if (init.kind === 'shared-process-namespace') patches.push(JsonPatch.add(`${podSpec}/shareProcessNamespace`, true));
    const priorityClassName = settings.pick('priorityClassName', props.priorityClassName);
    if (priorityClassName) patches.push(JsonPatch.add(`${podSpec}/priorityClassName`, priorityClassName));
    let placement: PlacementPlan | undefined;
    if (options.spread !== false) {
      placement = planPlacement(options.selector, {
        spread: settings.pick('spread', props.placement?.spread, 'placement.spread'),
        zoneTopologyKey: settings.pick('zoneTopologyKey', props.placement?.zoneTopologyKey, 'placement.zoneTopologyKey'),
        nodeTopologyKey: settings.pick('nodeTopologyKey', props.placement?.nodeTopologyKey, 'placement.nodeTopologyKey'),
      }, options.revisionLabelKey);
      patches.push(JsonPatch.add(`${podSpec}/topologySpreadConstraints`, placement.topologySpreadConstraints));
      patches.push(JsonPatch.add(`${podSpec}/affinity`, placement.affinity));
    }
    addFinalJsonPatch(ApiObject.of(workload), ...patches);
    return { shutdown, probes, placement, init: effectiveInit, mainContainer: containers[0], injectedTools };
  });
}

function sidecarEntrypoint(c: ResilientContainerProps, field: string) {
  const argv = [...(c.command ?? []), ...(c.args ?? [])];
  const delivery = analyzeSignalDelivery(argv, InitProcess.none());
  requireSetting(delivery.reachesApp, `${field}.command`, argv, delivery.reason, delivery.fix ?? '');
  return { command: c.command, args: c.args };
}

function checkHookPort(hook: LifecycleHook, declared: DeclaredPort[], field: string): void {
  const port = hook.handler?.httpGet?.port;
  requireSetting(declared.some((p) => p.number === port || p.name === port), `${field}.port`, port,
    `is not a port the container declares (declared: ${declared.map((p) => p.number).join(', ') || 'none'})`, 'point the hook at a declared port');
}

/** The init with its binary where the container will find it (the image's own, or injected). */
function resolveInit(init: InitProcess, tools: Toolbox): InitProcess {
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
function injectHelpers(scope: IConstruct, workload: kplus.AbstractPod, containers: kplus.Container[], toolboxes: Toolbox[], helpers: HelperInjection, used: HelperTool[]): void {
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
