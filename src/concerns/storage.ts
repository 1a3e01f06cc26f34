/**
 * Per-replica storage for StatefulSets: volumeClaimTemplates, where each claim is mounted, and a
 * retention policy that keeps the data when the StatefulSet is deleted or scaled down.
 */
import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { requireSetting } from './errors';

/** What happens to a StatefulSet's claims (persistentVolumeClaimRetentionPolicy). */
export enum ClaimRetention {
  /** The claims, and the data on them, are kept. */
  RETAIN = 'Retain',
  /** The claims are deleted, and with them the data (depending on the storage class). */
  DELETE = 'Delete',
}

/** One more place a claim is mounted. */
export interface ClaimMount {
  /** Container that mounts the claim. @default the main container */
  readonly container?: string;
  /** Absolute path in the container. */
  readonly path: string;
  /** @default the claim's root */
  readonly subPath?: string;
  /** @default false */
  readonly readOnly?: boolean;
}

/** A per-replica PersistentVolumeClaim of a StatefulSet. */
export interface VolumeClaimProps {
  /** Claim name: pods get PVCs named `<name>-<statefulset>-<ordinal>`. */
  readonly name: string;
  /** A Size or a Kubernetes quantity such as "10Gi". */
  readonly size: Size | string;
  /** @default the cluster's default StorageClass */
  readonly storageClassName?: string;
  /** @default [PersistentVolumeAccessMode.READ_WRITE_ONCE] */
  readonly accessModes?: kplus.PersistentVolumeAccessMode[];
  /** @default PersistentVolumeMode.FILE_SYSTEM */
  readonly volumeMode?: kplus.PersistentVolumeMode;
  /** Shorthand for one mount in the main container. @default mounted only through `mounts` */
  readonly mountPath?: string;
  /** Shorthand: sub-path of `mountPath`. @default the claim's root */
  readonly subPath?: string;
  /** Further mounts, in any container of the pod. @default none */
  readonly mounts?: ClaimMount[];
}

/** What happens to a StatefulSet's claims on delete and scale-down. */
export interface ClaimRetentionProps {
  /** What happens to the claims when the StatefulSet is deleted. @default ClaimRetention.RETAIN */
  readonly whenDeleted?: ClaimRetention;
  /** What happens to the claims of removed replicas on scale-down. @default ClaimRetention.RETAIN */
  readonly whenScaled?: ClaimRetention;
  /**
   * Why deleting claims is acceptable: required with any DELETE, and kept in the manifest.
   * @default none
   */
  readonly reason?: string;
}

export interface StoragePlan {
  readonly volumeClaimTemplates: Array<Record<string, unknown>>;
  /** Mounts per container name. */
  readonly mounts: Record<string, Array<{ name: string; mountPath: string; subPath?: string; readOnly?: boolean }>>;
  readonly persistentVolumeClaimRetentionPolicy: { whenDeleted: ClaimRetention; whenScaled: ClaimRetention };
}

const QUANTITY = /^([+]?[0-9]+(\.[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E|m)?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function isQuantity(value: string): boolean {
  return QUANTITY.test(value);
}

/** volumeClaimTemplates, mounts and retention, checked against the pod's containers. */
export function planStorage(claims: VolumeClaimProps[], containerNames: string[], retention: ClaimRetentionProps = {}, mainContainer = containerNames[0]): StoragePlan {
  const templates: Array<Record<string, unknown>> = [];
  const mounts: StoragePlan['mounts'] = {};
  const seen = new Set<string>();
  claims.forEach((claim, index) => {
    const field = `volumeClaims[${index}]`;
    requireSetting(DNS_LABEL.test(claim.name) && claim.name.length <= 63, `${field}.name`, claim.name,
      'is not a valid claim name (lower-case letters, digits and "-", at most 63 characters)', 'use a name such as "data"');
    requireSetting(!seen.has(claim.name), `${field}.name`, claim.name, 'is used by another claim', 'give each claim its own name');
    seen.add(claim.name);
    const size = typeof claim.size === 'string' ? claim.size : sizeToQuantity(claim.size);
    requireSetting(isQuantity(size) && parseFloat(size) > 0, `${field}.size`, claim.size,
      'is not a positive Kubernetes quantity', 'use e.g. Size.gibibytes(10) or "10Gi"');
    const accessModes: string[] = claim.accessModes ?? ['ReadWriteOnce'];
    requireSetting(accessModes.length > 0, `${field}.accessModes`, accessModes, 'is empty', 'use [PersistentVolumeAccessMode.READ_WRITE_ONCE]');
    const claimMounts: ClaimMount[] = [
      ...(claim.mountPath ? [{ path: claim.mountPath, subPath: claim.subPath }] : []),
      ...(claim.mounts ?? []),
    ];
    requireSetting(claimMounts.length > 0, `${field}.mountPath`, undefined,
      `leaves claim "${claim.name}" mounted nowhere, so its storage would be provisioned and never used`, 'set mountPath (main container) or mounts');
    requireSetting(claim.subPath === undefined || claim.mountPath !== undefined, `${field}.subPath`, claim.subPath, 'is set without mountPath', 'set mountPath too, or use mounts[].subPath');
    claimMounts.forEach((m, mountIndex) => {
      const container = m.container ?? mainContainer;
      requireSetting(containerNames.includes(container), `${field}.mounts[${mountIndex}].container`, container,
        `names no container of this pod (containers: ${containerNames.join(', ')})`, 'use the name of a container in the pod');
      requireSetting(m.path.startsWith('/'), `${field}.mounts[${mountIndex}].path`, m.path, 'must be an absolute path', `use "/${m.path}"`);
      requireSetting(!m.subPath || (!m.subPath.startsWith('/') && !m.subPath.split('/').includes('..')), `${field}.mounts[${mountIndex}].subPath`, m.subPath,
        'must be a relative path without ".."', 'use a path inside the volume, e.g. "pgdata"');
      const list = (mounts[container] = mounts[container] ?? []);
      requireSetting(!list.some((x) => x.mountPath === m.path), `${field}.mounts[${mountIndex}].path`, m.path,
        `is already a mount point in container ${container}`, 'mount each claim at its own path');
      list.push({ name: claim.name, mountPath: m.path, ...(m.subPath ? { subPath: m.subPath } : {}), ...(m.readOnly ? { readOnly: true } : {}) });
    });
    templates.push({
      metadata: { name: claim.name },
      spec: {
        accessModes,
        resources: { requests: { storage: size } },
        ...(claim.storageClassName ? { storageClassName: claim.storageClassName } : {}),
        volumeMode: claim.volumeMode ?? 'Filesystem',
      },
    });
  });
  const deletes = retention.whenDeleted === 'Delete' || retention.whenScaled === 'Delete';
  requireSetting(!deletes || (retention.reason ?? '').trim().length > 0, 'claimRetention.reason', retention.reason,
    'is missing: Delete removes the data of the claims, so the decision needs a stated reason',
    'add reason: "..." (it is written into the manifest), or keep the default Retain');
  return {
    volumeClaimTemplates: templates,
    mounts,
    persistentVolumeClaimRetentionPolicy: { whenDeleted: retention.whenDeleted ?? ClaimRetention.RETAIN, whenScaled: retention.whenScaled ?? ClaimRetention.RETAIN },
  };
}

/** The largest binary unit that expresses the size exactly. */
export function sizeToQuantity(size: Size): string {
  const kib = size.toKibibytes();
  if (kib % (1024 * 1024) === 0) return `${kib / (1024 * 1024)}Gi`;
  if (kib % 1024 === 0) return `${kib / 1024}Mi`;
  return `${kib}Ki`;
}
