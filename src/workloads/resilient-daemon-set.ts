/**
 * ResilientDaemonSet: a node agent (log shipper, metrics exporter, storage or network plugin) on
 * every node it should reach, replaced a few nodes at a time with health checks gating each step,
 * and stopped gracefully. A composition only: the decisions live in concerns/node-agent.
 *
 * No spreading (there is exactly one pod per node) and no PodDisruptionBudget: a node agent is
 * only as available as its node, and drains leave DaemonSet pods alone (see
 * docs/batch-and-node-workloads.md).
 */
import { ApiObject, Chart, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { withConstructPath } from '../concerns/errors';
import { DaemonSetRolloutPlan, DaemonSetRolloutProps, planDaemonSetRollout, planTolerations, TolerationSpec, Tolerations } from '../concerns/node-agent';
import { DEFAULT_APP_SHUTDOWN } from '../concerns/shutdown';
import { addFinalJsonPatch } from './final-patch';
import { IdentityProps, labelAll, objectName, resolveIdentity } from './identity';
import { applyPodResilience, PodPlan, ResilientPodProps, cdk8sPlusPodProps } from './pod';
import { requireUniqueObjects } from './unique-objects';
import { attachResilienceRules } from '../rules/synth';

/** A ResilientDaemonSet: its pod, identity, rollout and tolerations. */
export interface ResilientDaemonSetProps extends ResilientPodProps, IdentityProps {
  /**
   * Rolling update settings.
   * @default maxUnavailable 1, maxSurge 0, minReady 10 s, 5 old revisions kept
   */
  readonly rollout?: DaemonSetRolloutProps;
  /**
   * Node taints the agent tolerates, e.g. `[Tolerations.everywhere()]` for an agent every node
   * needs, or `[Tolerations.controlPlane()]` to add control-plane nodes.
   * @default none: nodes without taints only (plus the node-condition taints Kubernetes always
   * lets DaemonSet pods tolerate)
   */
  readonly tolerations?: Tolerations[];
}

/**
 * A node agent (log shipper, metrics exporter, storage or network plugin) on every node it should
 * reach, replaced a few nodes at a time with health checks gating each step, and stopped
 * gracefully: a cdk8s-plus DaemonSet.
 */
export class ResilientDaemonSet extends Construct {
  /** The cdk8s-plus DaemonSet: reach for it for anything this construct does not cover. */
  public readonly daemonSet: kplus.DaemonSet;
  /** The DaemonSet's ApiObject, for JSON patches. */
  public readonly apiObject: ApiObject;
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
   * The rolling update as decided.
   * @jsii ignore
   */
  public readonly rollout: DaemonSetRolloutPlan;
  /**
   * The tolerations as written.
   * @jsii ignore
   */
  public readonly tolerations: TolerationSpec[];
  /** Seconds the kubelet waits between delete and SIGKILL. */
  public readonly terminationGracePeriodSeconds: number;

  constructor(scope: Construct, id: string, props: ResilientDaemonSetProps) {
    super(scope, id);
    const bindsHostPorts = [props.container, ...(props.sidecars ?? [])].some((c) => [...(c.ports ?? [])].some((p) => p.hostPort !== undefined));
    this.rollout = withConstructPath(this, () => planDaemonSetRollout(props.rollout ?? {}, bindsHostPorts));
    this.tolerations = withConstructPath(this, () => planTolerations(props.tolerations ?? []));

    this.daemonSet = new kplus.DaemonSet(this, 'DaemonSet', Object.assign(cdk8sPlusPodProps(props), {
      metadata: { name: objectName(this, 'DaemonSet', props.name) },
      select: false,
      minReadySeconds: this.rollout.minReadySeconds,
    }));
    this.apiObject = ApiObject.of(this.daemonSet);
    const name = this.daemonSet.name;
    const ids = withConstructPath(this, () => resolveIdentity(id, name, props.container.image, props));
    this.labels = ids.labels;
    this.selectorLabels = ids.selector;
    labelAll(this, ids.labels, this.daemonSet.metadata, this.daemonSet.podMetadata);
    this.daemonSet.select(kplus.LabelSelector.of({ labels: ids.selector }));
    if (this.tolerations.length > 0) this.daemonSet.scheduling.tolerate(kplus.Node.tainted(...this.tolerations.map(toTaintQuery)));

    this.pod = applyPodResilience(this, this.daemonSet, props, {
      shutdownDefaults: { appShutdown: DEFAULT_APP_SHUTDOWN },
      selector: ids.selector,
      spread: false,
    });
    this.terminationGracePeriodSeconds = this.pod.shutdown.terminationGracePeriodSeconds;

    addFinalJsonPatch(this.apiObject,
      JsonPatch.add('/spec/updateStrategy', {
        type: 'RollingUpdate',
        rollingUpdate: { maxUnavailable: this.rollout.maxUnavailable, maxSurge: this.rollout.maxSurge },
      }),
      JsonPatch.add('/spec/revisionHistoryLimit', this.rollout.revisionHistoryLimit),
    );
    requireUniqueObjects(this);
    attachResilienceRules(this);
  }

  /** The chart this workload belongs to. */
  public get chart(): Chart {
    return Chart.of(this);
  }
}

/** The same toleration in cdk8s-plus terms, so it lands where `daemonSet.scheduling.tolerate()` puts its own. */
function toTaintQuery(t: TolerationSpec): kplus.NodeTaintQuery {
  if (t.key === undefined) return kplus.NodeTaintQuery.any();
  const options = {
    effect: t.effect as kplus.TaintEffect | undefined,
    evictAfter: t.tolerationSeconds !== undefined ? Duration.seconds(t.tolerationSeconds) : undefined,
  };
  return t.operator === 'Equal' ? kplus.NodeTaintQuery.is(t.key, t.value ?? '', options) : kplus.NodeTaintQuery.exists(t.key, options);
}
