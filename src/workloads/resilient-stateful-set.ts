/**
 * ResilientStatefulSet: stable network identity and per-replica storage that is never lost by
 * default. Shares the pod template, shutdown, init process, probes, placement, disruption budget,
 * labels and security with ResilientDeployment; adds claims, retention and the governing Service.
 */
import { ApiObject, Chart, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { requireOptionsObject, requireSetting, requireWholeNumber, withConstructPath } from '../concerns/errors';
import { DisruptionBudgetProps, planDisruptionBudget } from '../concerns/disruption-budget';
import { planScaling, ScalingPlan } from '../concerns/scaling';
import { wholeSeconds } from '../concerns/shutdown';
import { releaseIndependentLabels } from '../concerns/labels';
import { ClaimRetentionProps, planStorage, StoragePlan, VolumeClaimProps } from '../concerns/storage';
import { createDisruptionBudget } from './disruption-budget';
import { SettingsResolver, wantsDisruptionBudget } from '../profiles/profile';
import { dropServiceDefaults } from './api-defaults';
import { addFinalJsonPatch } from './final-patch';
import { IdentityProps, labelAll, objectName, resolveIdentity } from './identity';
import { applyPodResilience, PodPlan, ResilientPodProps, cdk8sPlusPodProps } from './pod';
import { createService, requireServicePortNames, serviceName, servicePort, ServiceOptions } from './service';
import { requireUniqueObjects } from './unique-objects';
import { attachResilienceRules, Rules } from '../rules/synth';

/** Stateful apps flush data and hand off replication on shutdown: a longer default budget. */
export const DEFAULT_STATEFUL_APP_SHUTDOWN = Duration.seconds(60);
/** Group that owns mounted volumes unless the user picks one. */
export const DEFAULT_FS_GROUP = 1000;

/** How a StatefulSet replaces its pods on a release. */
export interface StatefulRolloutProps {
  /** Only pods with an ordinal >= partition are updated: a canary for stateful apps. @default 0 */
  readonly partition?: number;
  /** How long an updated pod must stay Ready before the next one is updated. @default 10 seconds */
  readonly minReady?: Duration;
  /**
   * ORDERED_READY starts and stops one pod at a time, in order. PARALLEL starts and stops them
   * together.
   * @default PodManagementPolicy.ORDERED_READY
   */
  readonly podManagementPolicy?: kplus.PodManagementPolicy;
  /** Old revisions kept for rollbacks. @default 5 */
  readonly revisionHistoryLimit?: number;
}

/** The governing headless Service of a StatefulSet. */
export interface HeadlessServiceOptions {
  /**
   * Publish DNS records for pods before they are Ready, so peers can find each other while the
   * cluster forms (e.g. for quorum-based systems).
   * @default false
   */
  readonly publishNotReadyAddresses?: boolean;
  /** @default '<name>-headless' */
  readonly name?: string;
}

/** A ResilientStatefulSet: its pod, identity, replicas, storage, Services and budget. */
export interface ResilientStatefulSetProps extends ResilientPodProps, IdentityProps {
  /**
   * Replicas. One is allowed here (a single-instance database is a legitimate stateful
   * workload), but the resilience rules flag it unless it is justified with a suppression.
   * @default 2
   */
  readonly replicas?: number;
  /** Per-replica PersistentVolumeClaims. @default none */
  readonly volumeClaims?: VolumeClaimProps[];
  /**
   * What happens to the claims on delete and scale-down (persistentVolumeClaimRetentionPolicy,
   * beta and on by default in 1.27 behind the StatefulSetAutoDeletePVC feature gate).
   * @default Retain on both: data is never deleted unless you opt in
   */
  readonly claimRetention?: ClaimRetentionProps;
  /** The governing headless Service (clusterIP None) wired to spec.serviceName. @default named '<name>-headless' */
  readonly headlessService?: HeadlessServiceOptions;
  /** A ClusterIP Service for clients, alongside the headless one. @default none */
  readonly clientService?: ServiceOptions;
  /** @default OrderedReady, RollingUpdate with partition 0, minReady 10 s */
  readonly rollout?: StatefulRolloutProps;
  /**
   * PodDisruptionBudget, made even for one replica. `enabled: false` skips it.
   * @default maxUnavailable 1 (none in a profile with disruptionBudgets: false)
   */
  readonly disruptionBudget?: DisruptionBudgetProps;
  /**
   * Group ID that owns mounted volumes (fsGroup), with fsGroupChangePolicy OnRootMismatch so a
   * restart with a large volume does not re-chown every file.
   * @default 1000
   */
  readonly fsGroup?: number;
}

/**
 * A stateful workload with stable network identity and per-replica storage that is never lost by
 * default: a cdk8s-plus StatefulSet with its governing headless Service, volume claims, probes,
 * graceful shutdown, spreading and a PodDisruptionBudget.
 */
export class ResilientStatefulSet extends Construct {
  /** The cdk8s-plus StatefulSet: reach for it for anything this construct does not cover. */
  public readonly statefulSet: kplus.StatefulSet;
  /** The StatefulSet's ApiObject, for JSON patches. */
  public readonly apiObject: ApiObject;
  /** The governing headless Service. */
  public readonly headlessService: kplus.Service;
  /** The Service for clients, with `clientService`. */
  public readonly clientService?: kplus.Service;
  /** The PodDisruptionBudget, when there is one. */
  public readonly podDisruptionBudget?: k8s.KubePodDisruptionBudget;
  /** Labels that select this workload's pods, stable across releases. */
  public readonly selectorLabels: Record<string, string>;
  /** The recommended labels on every object of this workload. */
  public readonly labels: Record<string, string>;
  /**
   * What was decided for the pod.
   * @jsii ignore
   */
  public readonly pod: PodPlan;
  /**
   * Claims, mounts and retention as decided.
   * @jsii ignore
   */
  public readonly storage: StoragePlan;
  /**
   * Replicas as decided.
   * @jsii ignore
   */
  public readonly scaling: ScalingPlan;
  /** Seconds the kubelet waits between delete and SIGKILL. */
  public readonly terminationGracePeriodSeconds: number;

  constructor(scope: Construct, id: string, props: ResilientStatefulSetProps) {
    super(scope, id);
    const settings = SettingsResolver.of(this);
    withConstructPath(this, () => {
      requireOptionsObject(props.disruptionBudget, 'disruptionBudget', 'use { enabled: false } to skip the PodDisruptionBudget, or e.g. { maxUnavailable: 1 }');
      requireOptionsObject(props.clientService, 'clientService', 'leave it unset (or { enabled: false }) for no client Service, or give e.g. { name: "db" }');
    });
    // One replica is a legitimate stateful workload (the rules still ask for a reason).
    this.scaling = withConstructPath(this, () => planScaling(settings.pick('replicas', props.replicas), undefined, 1));
    const rollout = withConstructPath(this, () => planStatefulRollout(props.rollout ?? {}, this.scaling.minReplicas));
    const name = objectName(this, 'StatefulSet', props.name);
    const ids = withConstructPath(this, () => resolveIdentity(id, name, props.container.image, props));
    this.labels = ids.labels;
    this.selectorLabels = ids.selector;

    this.headlessService = new kplus.Service(this, 'HeadlessService', {
      metadata: { name: serviceName(this, props.headlessService?.name, `${name}-headless`, 'headlessService'), labels: ids.labels },
      clusterIP: 'None',
    });
    for (const [key, value] of Object.entries(ids.selector)) this.headlessService.selectLabel(key, value);
    dropServiceDefaults(this.headlessService);

    withConstructPath(this, () => requireSetting(props.fsGroup === undefined || props.securityContext?.fsGroup === undefined || props.fsGroup === props.securityContext.fsGroup,
      'fsGroup', props.fsGroup, `conflicts with securityContext.fsGroup (${props.securityContext?.fsGroup})`, 'set the group in one of the two places'));
    const fsGroup = props.fsGroup ?? props.securityContext?.fsGroup ?? DEFAULT_FS_GROUP;
    withConstructPath(this, () => requireWholeNumber(fsGroup, props.fsGroup !== undefined ? 'fsGroup' : 'securityContext.fsGroup', 0, 'use a group ID such as 1000', undefined, Number.MAX_SAFE_INTEGER));
    this.statefulSet = new kplus.StatefulSet(this, 'StatefulSet', Object.assign(cdk8sPlusPodProps(props), {
      metadata: { name },
      select: false,
      service: this.headlessService,
      replicas: this.scaling.replicas,
      podManagementPolicy: rollout.podManagementPolicy === 'Parallel' ? kplus.PodManagementPolicy.PARALLEL : kplus.PodManagementPolicy.ORDERED_READY,
      strategy: kplus.StatefulSetUpdateStrategy.rollingUpdate({ partition: rollout.partition }),
      minReady: Duration.seconds(rollout.minReadySeconds),
      securityContext: { fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH, ...props.securityContext, fsGroup },
    }));
    this.apiObject = ApiObject.of(this.statefulSet);
    labelAll(this, ids.labels, this.statefulSet.metadata, this.statefulSet.podMetadata);
    this.statefulSet.select(kplus.LabelSelector.of({ labels: ids.selector }));

    this.pod = applyPodResilience(this, this.statefulSet, props, {
      shutdownDefaults: { appShutdown: DEFAULT_STATEFUL_APP_SHUTDOWN },
      selector: ids.selector,
    });
    this.terminationGracePeriodSeconds = this.pod.shutdown.terminationGracePeriodSeconds;
    // The headless Service publishes the main container's ports (SRV records for peers).
    withConstructPath(this, () => requireSetting(this.pod.mainContainer.ports.length > 0, 'container.ports', undefined,
      'are needed for the governing headless Service', 'declare the port the app listens on'));
    const headlessPorts = this.pod.mainContainer.ports.map(servicePort);
    withConstructPath(this, () => requireServicePortNames(headlessPorts, 'headlessService'));
    for (const { port, index: _index, ...options } of headlessPorts) this.headlessService.bind(port, options);

    const containerNames = this.statefulSet.containers.map((c) => c.name!);
    this.storage = withConstructPath(this, () => planStorage(props.volumeClaims ?? [], containerNames, props.claimRetention));
    const patches: JsonPatch[] = [
      JsonPatch.add('/spec/revisionHistoryLimit', rollout.revisionHistoryLimit),
      JsonPatch.add('/spec/persistentVolumeClaimRetentionPolicy', this.storage.persistentVolumeClaimRetentionPolicy),
    ];
    // cdk8s-plus also makes the governing Service select its own address label; keep only the
    // stable selector labels, like every other Service of this library.
    addFinalJsonPatch(ApiObject.of(this.headlessService), JsonPatch.replace('/spec/selector', { ...ids.selector }),
      ...(props.headlessService?.publishNotReadyAddresses ? [JsonPatch.add('/spec/publishNotReadyAddresses', true)] : []));
    if (this.storage.volumeClaimTemplates.length > 0) {
      // volumeClaimTemplates are immutable: no per-release label (app.kubernetes.io/version) there.
      patches.push(JsonPatch.add('/spec/volumeClaimTemplates', this.storage.volumeClaimTemplates.map((t) => ({
        ...t, metadata: Object.assign({}, t.metadata, { labels: releaseIndependentLabels(ids.labels) }),
      }))));
    }
    this.statefulSet.containers.forEach((container, index) => {
      const claimMounts = this.storage.mounts[container.name!] ?? [];
      if (claimMounts.length === 0) return;
      const existing = container.mounts.map((m) => m.path);
      withConstructPath(this, () => {
        for (const m of claimMounts) {
          requireSetting(!existing.includes(m.mountPath), `volumeClaims.${m.name}.mountPath`, m.mountPath,
            `is already used by a volume mount of container ${container.name}`, 'mount the claim at another path');
        }
      });
      const path = `/spec/template/spec/containers/${index}/volumeMounts`;
      if (container.mounts.length === 0) patches.push(JsonPatch.add(path, claimMounts));
      else for (const m of claimMounts) patches.push(JsonPatch.add(`${path}/-`, m));
    });
    addFinalJsonPatch(this.apiObject, ...patches);

    if (props.clientService && props.clientService.enabled !== false) {
      this.clientService = withConstructPath(this, () => createService(this, name, ids.selector, this.pod.mainContainer, ids.labels, props.clientService!, 'clientService'));
    }
    if (wantsDisruptionBudget(settings, props.disruptionBudget)) {
      // Made even for one replica: maxUnavailable 1 never blocks a drain and states the intent.
      const spec = withConstructPath(this, () => planDisruptionBudget(ids.selector, this.scaling.minReplicas, props.disruptionBudget ?? {}, true))!;
      this.podDisruptionBudget = createDisruptionBudget(this, name, ids.labels, spec);
    }
    if (this.storage.persistentVolumeClaimRetentionPolicy.whenScaled === 'Delete') {
      // The user opted in explicitly, with a reason: the rule that guards this records it.
      Rules.of(this).suppress('statefulset-pvc-deleted-on-scale-down', props.claimRetention!.reason!);
    }
    requireUniqueObjects(this);
    attachResilienceRules(this);
  }

  /** The chart this workload belongs to. */
  public get chart(): Chart {
    return Chart.of(this);
  }
}

export interface StatefulRolloutPlan {
  readonly partition: number;
  readonly minReadySeconds: number;
  readonly podManagementPolicy: string;
  readonly revisionHistoryLimit: number;
}

export function planStatefulRollout(props: StatefulRolloutProps, replicas: number): StatefulRolloutPlan {
  const partition = props.partition ?? 0;
  requireWholeNumber(partition, 'rollout.partition', 0, 'use 0 to update every pod');
  requireSetting(partition <= replicas, 'rollout.partition', partition,
    `is above the replica count (${replicas}), so no pod would ever be updated`, `use at most ${replicas}`);
  const revisionHistoryLimit = props.revisionHistoryLimit ?? 5;
  requireWholeNumber(revisionHistoryLimit, 'rollout.revisionHistoryLimit', 1, 'use 1 or more');
  return {
    partition,
    minReadySeconds: wholeSeconds(props.minReady ?? Duration.seconds(10), 'rollout.minReady'),
    podManagementPolicy: props.podManagementPolicy ?? kplus.PodManagementPolicy.ORDERED_READY,
    revisionHistoryLimit,
  };
}
