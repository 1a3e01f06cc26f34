/**
 * Kubernetes recommended labels. Selectors use only `name` and `instance`: both are fixed for the
 * life of a workload, whereas `version` changes on every release and a Deployment's selector is
 * immutable, so a selector that included it would make upgrades impossible.
 */
import { requireSetting } from './errors';

export const LABEL_NAME = 'app.kubernetes.io/name';
export const LABEL_INSTANCE = 'app.kubernetes.io/instance';
export const LABEL_VERSION = 'app.kubernetes.io/version';
export const LABEL_COMPONENT = 'app.kubernetes.io/component';
export const LABEL_PART_OF = 'app.kubernetes.io/part-of';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'cdk8s';

export interface WorkloadIdentity {
  /** What the application is (app.kubernetes.io/name). */
  readonly name: string;
  /** This installation of it: the object's name (app.kubernetes.io/instance). */
  readonly instance: string;
  readonly version?: string;
  readonly component?: string;
  readonly partOf?: string;
}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export function isValidLabelValue(value: string): boolean {
  return value.length <= 63 && LABEL_VALUE.test(value);
}

/** The version label defaults to the image tag, when the tag is a usable label value. */
export function versionFromImage(image: string): string | undefined {
  const withoutDigest = image.split('@')[0];
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  if (colon <= lastSlash) return undefined;
  const tag = withoutDigest.slice(colon + 1);
  return tag && tag !== 'latest' && isValidLabelValue(tag) ? tag : undefined;
}

export function recommendedLabels(id: WorkloadIdentity): Record<string, string> {
  const labels: Record<string, string> = {
    [LABEL_NAME]: id.name,
    [LABEL_INSTANCE]: id.instance,
  };
  if (id.version) labels[LABEL_VERSION] = id.version;
  if (id.component) labels[LABEL_COMPONENT] = id.component;
  if (id.partOf) labels[LABEL_PART_OF] = id.partOf;
  labels[LABEL_MANAGED_BY] = MANAGED_BY;
  for (const [key, value] of Object.entries(labels)) {
    const field = key === LABEL_NAME ? 'appName' : key.replace('app.kubernetes.io/', '').replace('part-of', 'partOf');
    requireSetting(isValidLabelValue(value), field, value, `is not a valid label value for ${key} (at most 63 characters: letters, digits, '-', '_', '.', starting and ending with a letter or digit)`, `pass a value such as "${sanitizeHint(value)}"`);
  }
  return labels;
}

/**
 * Labels for fields that can never change after creation (a StatefulSet's volumeClaimTemplates):
 * the recommended labels without `version`, which changes on every release and would make the
 * next release's apply fail.
 */
export function releaseIndependentLabels(labels: Record<string, string>): Record<string, string> {
  const stable = { ...labels };
  delete stable[LABEL_VERSION];
  return stable;
}

export function selectorLabels(id: WorkloadIdentity): Record<string, string> {
  return { [LABEL_NAME]: id.name, [LABEL_INSTANCE]: id.instance };
}

function sanitizeHint(value: string): string {
  const cleaned = value.replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '').slice(0, 63);
  return cleaned || 'my-app';
}
