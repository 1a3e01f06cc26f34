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
    apiObject.toJson = () => applied.reduce((json, step) => step(json), render());
  }
  steps.push(transform);
}

export function addFinalJsonPatch(apiObject: ApiObject, ...patches: JsonPatch[]): void {
  if (patches.length > 0) addFinalTransform(apiObject, (json) => JsonPatch.apply(json, ...patches));
}
