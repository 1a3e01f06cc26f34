/**
 * JSON patches applied to an object's final Kubernetes JSON.
 *
 * cdk8s applies `ApiObject.addJsonPatch` patches *before* the generated L1 classes map their
 * props to JSON, and that mapping drops every field it does not expect in props form: a plain
 * `{ tcpSocket: { port: 8080 } }` loses its port (the mapping wants an IntOrString object) and
 * an unknown field disappears without a word. This library's settings are plain Kubernetes JSON,
 * so they are applied after that mapping instead, exactly as written.
 */
import { ApiObject, JsonPatch } from 'cdk8s';

const FINAL_PATCHES = Symbol.for('cdk8s-resilient.final-patches');

interface Patchable {
  [FINAL_PATCHES]?: JsonPatch[];
}

export function addFinalJsonPatch(apiObject: ApiObject, ...patches: JsonPatch[]): void {
  const target = apiObject as ApiObject & Patchable;
  let list = target[FINAL_PATCHES];
  if (!list) {
    list = [];
    target[FINAL_PATCHES] = list;
    const render = apiObject.toJson.bind(apiObject);
    const applied = list;
    apiObject.toJson = () => JsonPatch.apply(render(), ...applied);
  }
  list.push(...patches);
}
