/**
 * JSON patches and transforms applied to an object's final Kubernetes JSON.
 *
 * cdk8s applies `ApiObject.addJsonPatch` patches *before* the generated L1 classes map their
 * props to JSON, and that mapping drops every field it does not expect in props form: a plain
 * `{ tcpSocket: { port: 8080 } }` loses its port (the mapping wants an IntOrString object) and
 * an unknown field disappears without a word. This library's settings are plain Kubernetes JSON,
 * so they are applied after that mapping instead, exactly as written, in the order they were added.
 */
import { ApiObject, JsonPatch } from 'cdk8s';

const FINAL_STEPS = Symbol.for('cdk8s-resilient.final-patches');

type Step = (json: any) => any;

interface Patchable {
  [FINAL_STEPS]?: Step[];
}

/** A function from the object's final JSON to the JSON to write (it may change it in place). */
export function addFinalTransform(apiObject: ApiObject, transform: Step): void {
  const target = apiObject as ApiObject & Patchable;
  let steps = target[FINAL_STEPS];
  if (!steps) {
    steps = [];
    target[FINAL_STEPS] = steps;
    const render = apiObject.toJson.bind(apiObject);
    const applied = steps;
    apiObject.toJson = () => plainCopy(applied.reduce((json, step) => step(json), render()));
  }
  steps.push(transform);
}

/**
 * A copy built key by key in order. The merges leave objects whose V8 shapes differ from those of
 * objects written in one go (same keys, other transition paths), and the YAML writer and the
 * audit, which read every key of every object, run measurably slower over such a mix (about 7 %
 * on a Deployment, bench/synth-bench.js). Copying costs a small share of that. Values are kept as
 * they are, `undefined` included (cdk8s writes it as null).
 */
function plainCopy(value: any): any {
  if (Array.isArray(value)) return value.map(plainCopy);
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return value;
  const copy: Record<string, any> = {};
  for (const key of Object.keys(value)) copy[key] = plainCopy(value[key]);
  return copy;
}

export function addFinalJsonPatch(apiObject: ApiObject, ...patches: JsonPatch[]): void {
  if (patches.length > 0) addFinalTransform(apiObject, (json) => JsonPatch.apply(json, ...patches));
}
