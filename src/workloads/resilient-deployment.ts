/**
 * ResilientDeployment: a stateless service with every setting it needs to stay available through
 * node drains, rolling updates, zone loss, slow starts and crashes. A composition only: each
 * decision is made by a module in concerns/.
 */
import { ApiObject, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { requireOptionsObject, withConstructPath } from '../concerns/errors';
import { DisruptionBudgetProps, planDisruptionBudget } from '../concerns/disruption-budget';
import { planRollout, RolloutPlan, RolloutProps } from '../concerns/rollout';
import { AutoscalingProps, planScaling, ScalingPlan } from '../concerns/scaling';
import { DEFAULT_APP_SHUTDOWN } from '../concerns/shutdown';
import { createDisruptionBudget } from './disruption-budget';
import { SettingsResolver, wantsDisruptionBudget } from '../profiles/profile';
import { addFinalTransform } from './final-patch';
import { IdentityProps, labelAll, objectName, resolveIdentity } from './identity';
import { applyPodResilience, PodPlan, ResilientPodProps, cdk8sPlusPodProps } from './pod';
import { createService, ServiceOptions } from './service';
import { requireUniqueObjects } from './unique-objects';
import { attachResilienceRules } from '../rules/synth';

/** A ResilientDeployment: its pod, identity, replicas, rollout, budget and Service. */
export interface ResilientDeploymentProps extends ResilientPodProps, IdentityProps {
  /**
   * Fixed replica count. Leave unset with `autoscaling`.
   * @default 2
   */
  readonly replicas?: number;
  /** Adds a HorizontalPodAutoscaler, which then owns spec.replicas. @default none */
  readonly autoscaling?: AutoscalingProps;
  /** Rolling update settings. @default maxSurge 25%, maxUnavailable 0, minReady 10 s */
  readonly rollout?: RolloutProps;
  /**
   * PodDisruptionBudget, created whenever the workload runs at least 2 pods. `enabled: false`
   * skips it.
   * @default maxUnavailable 1 (none in a profile with disruptionBudgets: false)
   */
  readonly disruptionBudget?: DisruptionBudgetProps;
  /**
   * A Service for the main container's ports. `enabled: false` skips it.
   * @default a ClusterIP Service when the main container declares ports
   */
  readonly service?: ServiceOptions;
}

/**
 * A stateless service that stays available through node drains, rolling updates, zone loss, slow
 * starts and crashes: a cdk8s-plus Deployment with probes, graceful shutdown, spreading, a
 * PodDisruptionBudget, a Service and (optionally) a HorizontalPodAutoscaler.
 */
export class ResilientDeployment extends Construct {
  /** The cdk8s-plus Deployment: reach for it for anything this construct does not cover. */
  public readonly deployment: kplus.Deployment;
  /** The Deployment's ApiObject, for JSON patches. */
  public readonly apiObject: ApiObject;
  /** The Service in front of the main container, when there is one. */
  public readonly service?: kplus.Service;
  /** The PodDisruptionBudget, when there is one. */
  public readonly podDisruptionBudget?: k8s.KubePodDisruptionBudget;
  /** The HorizontalPodAutoscaler, with `autoscaling`. */
  public readonly autoscaler?: k8s.KubeHorizontalPodAutoscalerV2;
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
   * Replicas and autoscaling as decided.
   * @jsii ignore
   */
  public readonly scaling: ScalingPlan;
  /**
   * The rolling update as decided.
   * @jsii ignore
   */
  public readonly rollout: RolloutPlan;
  /** Seconds the kubelet waits between delete and SIGKILL. */
  public readonly terminationGracePeriodSeconds: number;

  constructor(scope: Construct, id: string, props: ResilientDeploymentProps) {
    super(scope, id);
    const settings = SettingsResolver.of(this);
    withConstructPath(this, () => {
      requireOptionsObject(props.disruptionBudget, 'disruptionBudget', 'use { enabled: false } to skip the PodDisruptionBudget, or e.g. { maxUnavailable: 1 }');
      requireOptionsObject(props.service, 'service', 'use { enabled: false } to skip the Service, or e.g. { ports: [8080] }');
    });
    // With an HPA the replica count is its business: no default from the profile.
    const replicas = props.autoscaling ? props.replicas : settings.pick('replicas', props.replicas);
    const minimum = settings.pick('minReplicas', undefined);
    this.scaling = withConstructPath(this, () => planScaling(replicas, props.autoscaling, minimum));
    this.rollout = withConstructPath(this, () => planRollout(props.rollout ?? {}, this.scaling.minReplicas));

    this.deployment = new kplus.Deployment(this, 'Deployment', Object.assign(cdk8sPlusPodProps(props), {
      // Named after this construct (not its inner 'Deployment' child) so Service DNS names read well.
      metadata: { name: objectName(this, 'Deployment', props.name) },
      select: false,
      replicas: this.scaling.replicas ?? this.scaling.minReplicas,
      strategy: kplus.DeploymentStrategy.rollingUpdate({
        maxSurge: percentOrAbsolute(this.rollout.maxSurge),
        maxUnavailable: percentOrAbsolute(this.rollout.maxUnavailable),
      }),
    }));
    this.apiObject = ApiObject.of(this.deployment);
    const name = this.deployment.name;
    const ids = withConstructPath(this, () => resolveIdentity(id, name, props.container.image, props));
    this.labels = ids.labels;
    this.selectorLabels = ids.selector;
    labelAll(this, ids.labels, this.deployment.metadata, this.deployment.podMetadata);
    this.deployment.select(kplus.LabelSelector.of({ labels: ids.selector }));

    this.pod = applyPodResilience(this, this.deployment, props, {
      shutdownDefaults: { appShutdown: DEFAULT_APP_SHUTDOWN },
      selector: ids.selector,
      revisionLabelKey: 'pod-template-hash',
    });
    this.terminationGracePeriodSeconds = this.pod.shutdown.terminationGracePeriodSeconds;

    // Set on the final JSON in one step (what JSON patches `add` and `remove` would do, without
    // parsing and cloning patches on every rendering).
    const rollout = this.rollout;
    const hpaOwnsReplicas = this.scaling.replicas === undefined;
    addFinalTransform(this.apiObject, (json) => {
      let spec = json.spec;
      if (hpaOwnsReplicas) {
        // A copy without the key rather than `delete`, which leaves the object in V8's slow dictionary form.
        const { replicas: _ownedByTheAutoscaler, ...rest } = spec;
        json.spec = spec = rest;
      }
      spec.minReadySeconds = rollout.minReadySeconds;
      spec.progressDeadlineSeconds = rollout.progressDeadlineSeconds;
      spec.revisionHistoryLimit = rollout.revisionHistoryLimit;
      return json;
    });

    if (props.service?.enabled !== false && (props.service !== undefined || this.pod.mainContainer.ports.length > 0)) {
      this.service = withConstructPath(this, () => createService(this, name, ids.selector, this.pod.mainContainer, ids.labels, props.service ?? {}));
    }
    if (wantsDisruptionBudget(settings, props.disruptionBudget)) {
      const spec = withConstructPath(this, () => planDisruptionBudget(ids.selector, this.scaling.minReplicas, props.disruptionBudget ?? {}));
      if (spec) {
        this.podDisruptionBudget = createDisruptionBudget(this, name, ids.labels, spec);
      }
    }
    if (this.scaling.autoscaler) {
      this.autoscaler = new k8s.KubeHorizontalPodAutoscalerV2(this, 'Autoscaler', {
        metadata: { name, labels: ids.labels },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
          minReplicas: this.scaling.autoscaler.minReplicas,
          maxReplicas: this.scaling.autoscaler.maxReplicas,
          metrics: this.scaling.autoscaler.metrics as unknown as k8s.MetricSpecV2[],
        },
      });
    }
    requireUniqueObjects(this);
    attachResilienceRules(this);
  }

  /** The chart this workload belongs to. */
  public get chart(): Chart {
    return Chart.of(this);
  }
}

export function percentOrAbsolute(value: number | string): kplus.PercentOrAbsolute {
  return typeof value === 'number' ? kplus.PercentOrAbsolute.absolute(value) : kplus.PercentOrAbsolute.percent(parseInt(value, 10));
}

