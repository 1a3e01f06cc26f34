/**
 * The pod template every Resilient* workload shares: containers with resources, probes, lifecycle
 * hooks, init process and hardening; the grace period; spreading. Each setting is computed by a
 * pure function in concerns/ and written into the cdk8s-plus object as JSON patches, so the
 * cdk8s-plus workload stays available to users as the escape hatch.
 */
import { ApiObjectMetadata, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { SHUTDOWN_BUDGET_ANNOTATION } from '../concerns/annotations';
import { requireSetting, withConstructPath } from '../concerns/errors';
import { HELPERS_VOLUME_NAME, HelperInjection, HelperTool, ImageTools, resolveToolbox } from '../concerns/image-tools';
import { DEFAULT_INIT, InitProcess, planEntrypoint } from '../concerns/init-process';
import { checkPriorityClassName, checkTopologyKey } from '../concerns/kubernetes-values';
import { planPlacement, PlacementProps, PlacementPlan } from '../concerns/placement';
import { DeclaredPort, planProbes, ProbePlan, ProbesProps } from '../concerns/probes';
import { planResources } from '../concerns/resources';
import { containerHardening, podHardening } from '../concerns/security';
import { LifecycleHook, planShutdown, ShutdownPlan, ShutdownProps } from '../concerns/shutdown';
import { SettingsResolver } from '../profiles/profile';
import { addLibraryValidation } from '../rules/synth-pass';
import { checkContainerProps, checkHookPort, checkPodMetadata, DEFAULT_IMAGE_PULL_POLICY, injectHelpers, mountWritablePaths, resolveInit, sidecarEntrypoint } from './pod-containers';
import { applyPodSettings, ContainerSettings, podSettingsValidation } from './pod-settings';
// cdk8s-plus's own mapping from props to JSON, so its default probe compares as it is written.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { toJson_Probe: toJsonProbe } = require('cdk8s-plus-27/lib/imports/k8s');

/**
 * A container as in cdk8s-plus-27, plus probes and hooks expressed by this library.
 *
 * cdk8s-plus's own `readiness`, `liveness`, `startup` and `lifecycle` are honoured: each replaces
 * the library's default for that probe or hook. Setting one of them and this library's
 * equivalent (`probes.readiness`, `probes.startupTimeout`, `preStop` / `shutdown.preStop`,
 * `postStart`) fails synth with a message naming both.
 */
export interface ResilientContainerProps extends kplus.ContainerProps {
  /**
   * Readiness, liveness and startup probes.
   * @default for the main container of a Deployment, StatefulSet or DaemonSet: TCP probes on its
   * first port (see ProbesProps); for sidecars and Job containers: none
   */
  readonly probes?: ProbesProps;
  /**
   * A sidecar's own preStop hook. The main container's preStop is `shutdown.preStop`.
   * @default none
   */
  readonly preStop?: LifecycleHook;
  /**
   * Runs right after the container starts, at the same time as its entrypoint. If it fails, the
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
  /**
   * The main container: it gets the shutdown hook, the init process and (except in Jobs and
   * CronJobs) default probes.
   */
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
  /**
   * preStop hook, app shutdown time and the grace period derived from them.
   * @default a drain pause (none for Jobs and CronJobs) and the workload kind's shutdown time
   */
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
  /**
   * The pod's service account, as in cdk8s-plus (`serviceAccountName`).
   * @default the namespace's default account
   */
  readonly serviceAccount?: kplus.IServiceAccount;
  /**
   * Mount the service account's API token into the pod.
   * @default false (cdk8s-plus's default): only pods that call the API server need it
   */
  readonly automountServiceAccountToken?: boolean;
  /**
   * A secret with registry credentials, written as the pod's `imagePullSecrets` (cdk8s-plus's name).
   * @default none: the images are assumed to be pullable without credentials
   */
  readonly dockerRegistryAuth?: kplus.ISecret;
  /**
   * Volumes of the pod, for the ones mounted by other means than the containers' `volumeMounts`
   * (volumes mounted there are added anyway).
   * @default none
   */
  readonly volumes?: kplus.Volume[];
  /**
   * Labels and annotations of the pods. The library adds its recommended labels and the
   * shutdown-budget annotation; giving one of those another value is an error.
   * @default none beyond the library's
   */
  readonly podMetadata?: ApiObjectMetadata;
  /**
   * The pod's security context, as in cdk8s-plus: user, group, fsGroup, sysctls, runAsNonRoot.
   * The library adds the RuntimeDefault seccomp profile.
   * @default cdk8s-plus's: runAsNonRoot
   */
  readonly securityContext?: kplus.PodSecurityContextProps;
}

/** A workload kind's shutdown defaults, as the pod plumbing takes them. */
export interface PodShutdownDefaults {
  /**
   * Without it, the default hook is a drain pause whose length comes from the profile (or the
   * library default).
   */
  readonly preStop?: LifecycleHook;
  readonly appShutdown: Duration;
}

export interface PodResilienceOptions {
  /** The workload kind's shutdown defaults. */
  readonly shutdownDefaults: PodShutdownDefaults;
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

export { SHUTDOWN_BUDGET_ANNOTATION, DEFAULT_IMAGE_PULL_POLICY };

/** The pod settings of the props that cdk8s-plus takes as they are, under its own names. */
export function cdk8sPlusPodProps(props: ResilientPodProps): Pick<kplus.DeploymentProps,
'serviceAccount' | 'automountServiceAccountToken' | 'dockerRegistryAuth' | 'volumes' | 'podMetadata' | 'securityContext'> {
  return {
    serviceAccount: props.serviceAccount,
    automountServiceAccountToken: props.automountServiceAccountToken,
    dockerRegistryAuth: props.dockerRegistryAuth,
    volumes: props.volumes,
    podMetadata: props.podMetadata,
    securityContext: props.securityContext,
  };
}

/** Adds the containers to `workload` and merges in every resilience setting. */
export function applyPodResilience(scope: IConstruct, workload: kplus.Workload, props: ResilientPodProps, options: PodResilienceOptions): PodPlan {
  return withConstructPath(scope, () => {
    const settings = SettingsResolver.of(scope);
    const init = settings.pick('init', props.init) ?? DEFAULT_INIT;
    const helpers = settings.pick('helpers', props.helpers);
    helpers?.check('helpers');
    // Recorded for the main container; sidecars use their own props over the profiles' values.
    settings.pick('imageTools', props.container.imageTools, 'container.imageTools');
    settings.pick('resources', props.container.resources, 'container.resources');
    const profileImageTools = settings.fromProfiles('imageTools');
    const profileResources = settings.fromProfiles('resources');
    const all = [props.container, ...(props.sidecars ?? [])];
    const fields = all.map((_, index) => (index === 0 ? 'container' : `sidecars[${index - 1}]`));
    all.forEach((c, index) => checkContainerProps(c, fields[index]));
    (props.initContainers ?? []).forEach((c, index) => checkContainerProps(c, `initContainers[${index}]`));
    checkPodMetadata(props.podMetadata);
    requireSetting(!(props.container.preStop && props.shutdown?.preStop), 'container.preStop', props.container.preStop?.kind,
      'is set together with shutdown.preStop', 'set the main container\'s hook in shutdown.preStop only');

    // Hooks: problems found when they were made are raised here, named as the props name them;
    // presets without a drain pause of their own take the profile's.
    const profilePause = settings.fromProfiles('drainPause');
    const chosen = props.shutdown?.preStop ?? props.container.preStop;
    const chosenField = props.shutdown?.preStop ? 'shutdown.preStop' : 'container.preStop';
    let mainPreStop: LifecycleHook | undefined;
    if (chosen) {
      chosen.check(chosenField);
      if (chosen.takesProfileDrainPause) mainPreStop = chosen.withDefaultDrainPause(settings.pick('drainPause', undefined));
      else mainPreStop = chosen;
      mainPreStop.check(chosenField);
      if (!chosen.takesProfileDrainPause && ['drain-pause', 'nginx', 'jvm'].includes(chosen.kind)) settings.note('drainPause', `${chosen.seconds}s`, `props (${chosenField})`);
    } else if (!options.shutdownDefaults.preStop) {
      mainPreStop = LifecycleHook.drainPause({ drainPause: settings.pick('drainPause', undefined) });
      mainPreStop.check('drainPause');
    }
    const hooks = all.map((c, index) => {
      const preStop = index === 0 ? mainPreStop : c.preStop?.withDefaultDrainPause(profilePause);
      if (index > 0) preStop?.check(`${fields[index]}.preStop`);
      c.postStart?.check(`${fields[index]}.postStart`);
      return { preStop, postStart: c.postStart?.withDefaultDrainPause(profilePause) };
    });
    const sidecarHooks = hooks.slice(1).flatMap((h) => (h.preStop ? [h.preStop] : []));
    const shutdown = planShutdown(Object.assign({}, props.shutdown, { preStop: mainPreStop }),
      { appShutdown: options.shutdownDefaults.appShutdown, preStop: options.shutdownDefaults.preStop ?? LifecycleHook.none() }, sidecarHooks);
    settings.note('terminationGracePeriod', shutdown.explanation, props.shutdown?.terminationGracePeriod ? 'props' : 'derived');
    // The budget, explained on every pod: what an on-call engineer reads in `kubectl describe pod`.
    const ownBudget = props.podMetadata?.annotations?.[SHUTDOWN_BUDGET_ANNOTATION];
    requireSetting(ownBudget === undefined || ownBudget === shutdown.explanation, `podMetadata.annotations["${SHUTDOWN_BUDGET_ANNOTATION}"]`, ownBudget,
      `is written by the library ("${shutdown.explanation}")`, 'remove it from podMetadata; the library explains the grace period there');
    workload.podMetadata.addAnnotation(SHUTDOWN_BUDGET_ANNOTATION, shutdown.explanation);

    const names = new Map<string, string>();
    const claimName = (name: string, field: string) => {
      requireSetting(!names.has(name), `${field}.name`, name, `is also the name of ${names.get(name)}, and the names of a pod's containers and init containers must differ`, 'give each container its own name');
      names.set(name, field);
    };
    const toolboxes = all.map((c, index) => resolveToolbox(c.imageTools ?? profileImageTools, helpers,
      index === 0 && init.binaryPath ? { tool: init.kind as 'dumb-init' | 'tini', path: init.binaryPath } : undefined));
    const effectiveInit = resolveInit(init, toolboxes[0]);
    const containers = all.map((c, index) => {
      const field = fields[index];
      const name = c.name ?? (index === 0 ? 'main' : `sidecar-${index}`);
      claimName(name, field);
      const entry = index === 0 ? planEntrypoint(effectiveInit, c.command, c.args, field) : sidecarEntrypoint(c, field);
      const { probes: _p, preStop: _s, postStart: _ps, imageTools: _t, ...plain } = c;
      const container = workload.addContainer(Object.assign(plain, {
        name,
        command: entry.command,
        args: entry.args,
        imagePullPolicy: c.imagePullPolicy ?? DEFAULT_IMAGE_PULL_POLICY,
        resources: planResources(c.resources, field, profileResources),
      }));
      mountWritablePaths(scope, container, c.securityContext?.readOnlyRootFilesystem !== false, hooks[index].preStop);
      return container;
    });
    const initContainers = (props.initContainers ?? []).map((initContainer, index) => {
      const field = `initContainers[${index}]`;
      claimName(initContainer.name ?? `init-${index}`, field);
      return workload.addInitContainer(Object.assign({}, initContainer, {
        imagePullPolicy: initContainer.imagePullPolicy ?? DEFAULT_IMAGE_PULL_POLICY,
        resources: planResources(initContainer.resources, field, profileResources),
      }));
    });

    const containerSettings: ContainerSettings[] = [];
    const probes = containers.map((container, index) => {
      const c = all[index];
      const field = fields[index];
      const declared: DeclaredPort[] = container.ports.map((p) => ({ number: p.number, name: p.name }));
      const wantsProbes = c.probes !== undefined || (index === 0 && options.probesByDefault !== false);
      const plan = wantsProbes ? planProbes(c.probes ?? {}, declared, field) : undefined;
      const { preStop, postStart } = hooks[index];
      if (preStop?.kind === 'http-get') checkHookPort(preStop, declared, `${field}.preStop`);
      if (postStart?.kind === 'http-get') checkHookPort(postStart, declared, `${field}.postStart`);
      const initKind = index === 0 || init.kind === 'shared-process-namespace' ? init.kind : 'none';
      const explicitProbes = new Set<'readiness' | 'liveness' | 'startup'>();
      if (c.probes?.readiness) explicitProbes.add('readiness');
      if (c.probes?.liveness) explicitProbes.add('liveness');
      if (c.probes?.startup || c.probes?.startupTimeout) explicitProbes.add('startup');
      // A cdk8s-plus preStop of the user's replaces the library's default one, which is then not
      // rendered at all (its tools are not needed); the grace period still counts its pause. A
      // preStop the user gave this library too is rendered, and the merge reports the conflict.
      const preStopExplicit = index > 0 || chosen !== undefined;
      const replacedDefault = c.lifecycle?.preStop !== undefined && !preStopExplicit;
      containerSettings.push({
        name: container.name,
        field,
        probes: plan,
        explicitProbes,
        cdk8sPlusDefaults: c.startup === undefined ? cdk8sPlusDefaultProbes(container) : new Map(),
        preStop: replacedDefault ? undefined : preStop?.renderFor({ tools: toolboxes[index], initKind, field: `${field}.preStop` }),
        preStopExplicit,
        postStart: postStart?.renderFor({ tools: toolboxes[index], initKind, field: `${field}.postStart` }),
        capabilitiesAdd: c.securityContext?.capabilities?.add?.map((cap) => String(cap).replace(/^CAP_/, '')),
      });
      return plan;
    });
    const injectedTools = [...new Set(toolboxes.flatMap((box) => [...box.injected]))];
    if (injectedTools.length > 0) injectHelpers(scope, workload, containers, toolboxes, helpers!, injectedTools);

    const priorityClassName = settings.pick('priorityClassName', props.priorityClassName);
    if (priorityClassName !== undefined) checkPriorityClassName(priorityClassName, 'priorityClassName');
    let placement: PlacementPlan | undefined;
    if (options.spread !== false) {
      const zoneTopologyKey = settings.pick('zoneTopologyKey', props.placement?.zoneTopologyKey, 'placement.zoneTopologyKey');
      const nodeTopologyKey = settings.pick('nodeTopologyKey', props.placement?.nodeTopologyKey, 'placement.nodeTopologyKey');
      checkTopologyKey(zoneTopologyKey, 'placement.zoneTopologyKey');
      checkTopologyKey(nodeTopologyKey, 'placement.nodeTopologyKey');
      placement = planPlacement(options.selector, {
        spread: settings.pick('spread', props.placement?.spread, 'placement.spread'),
        zoneTopologyKey,
        nodeTopologyKey,
      }, options.revisionLabelKey);
    }
    const podSettings = {
      podSpecPath: options.podSpecPath ?? '/spec/template/spec',
      containers: containerSettings,
      initContainerFields: [...(props.initContainers ?? []).map((_, index) => `initContainers[${index}]`), ...(injectedTools.length > 0 ? ['helpers'] : [])],
      terminationGracePeriodSeconds: shutdown.terminationGracePeriodSeconds,
      shareProcessNamespace: init.kind === 'shared-process-namespace',
      priorityClassName: priorityClassName ? { value: priorityClassName, fromProps: props.priorityClassName !== undefined } : undefined,
      placement,
      containerHardening: containerHardening(),
      podSeccompProfile: podHardening().seccompProfile as Record<string, unknown>,
      defaultsKept: {
        fsGroupChangePolicy: props.securityContext?.fsGroupChangePolicy !== undefined,
        // The library's containers whose props leave `privileged` to cdk8s-plus's default (false).
        unsetPrivilegedOf: new Set([
          ...containers.filter((_, index) => all[index].securityContext?.privileged === undefined).map((c) => c.name),
          ...initContainers.filter((_, index) => (props.initContainers ?? [])[index].securityContext?.privileged === undefined).map((c) => c.name),
          ...(injectedTools.length > 0 ? [HELPERS_VOLUME_NAME] : []),
        ]),
      },
    };
    applyPodSettings(workload, podSettings);
    // At synth, after every escape-hatch call and JSON patch: conflicts with the library's settings
    // and what the API server would reject in the final pod spec.
    addLibraryValidation(scope, podSettingsValidation(workload));
    return { shutdown, probes, placement, init: effectiveInit, mainContainer: containers[0], injectedTools };
  });
}

/**
 * The probes cdk8s-plus gave `container` on its own, rendered as they appear in the final JSON.
 * It keeps them in a private field; if a later cdk8s-plus moves it, none is found and the library
 * treats whatever probe is present as the user's (kept, or a conflict): never a silent overwrite.
 */
function cdk8sPlusDefaultProbes(container: kplus.Container): Map<'startup', Record<string, unknown>> {
  const startup = (container as any)._startup;
  if (startup === undefined || typeof startup._toKube !== 'function') return new Map();
  return new Map([['startup', toJsonProbe(startup._toKube(container))]]);
}
