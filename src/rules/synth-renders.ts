/**
 * One rendering of each object per synth. The synth-time audit renders every object of a chart
 * (ApiObject.toJson(): resolution, the L1 mapping, JSON patches and final transforms) while the
 * app validates; cdk8s then renders each object again to write it. Rendering is most of what an
 * object costs at synth, so the audit's rendering is kept and handed to cdk8s's writer instead:
 * the manifest written is the one audited.
 *
 * That is only right if nothing can change an object between the audit and the writing. In that
 * window cdk8s runs only validations (and resolves dependencies, which adds none to the JSON), so a
 * rendering is kept only when every validation in the app is the library's own or known only to
 * read (synth-pass.ts): an app with any other validation renders twice, as cdk8s does. A kept
 * rendering is handed out once, by the next toJson() of that object in the same synth, and is
 * dropped when the synth fails (a construct reports errors), when the next synth starts, and when
 * the current task ends; any later toJson() renders afresh.
 */
import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { appHasOnlyKnownValidations, PerSynth } from './synth-pass';

/** Each chart's renderings not yet handed to the writer, for the current synth. */
const KEPT = new PerSynth<Chart, Map<ApiObject, unknown>>();
/** The wrapper installed on each object, to see whether something has wrapped it since. */
const WRAPPERS = new WeakMap<ApiObject, () => unknown>();
/** Set while the audit renders: the wrappers then render afresh instead of handing out a kept rendering. */
let renderingForAudit = false;

/**
 * Renders `objects` (all in `chart`) for the audit, keeping each rendering for cdk8s's writer
 * when nothing can change the objects before it writes them.
 */
export function renderForAudit(chart: Chart, objects: readonly ApiObject[]): unknown[] {
  const keep = appHasOnlyKnownValidations(chart);
  const kept = new Map<ApiObject, unknown>();
  const renders = new Array<unknown>(objects.length);
  renderingForAudit = true;
  try {
    for (let i = 0; i < objects.length; i++) {
      const o = objects[i];
      if (keep) handOutKept(o);
      const json = o.toJson();
      renders[i] = json;
      if (keep) kept.set(o, json);
    }
  } finally {
    renderingForAudit = false;
  }
  if (keep) KEPT.set(chart, chart, kept);
  else KEPT.delete(chart);
  return renders;
}

/** Drops the renderings kept for `scope`'s chart: the synth fails, so nothing will write them. */
export function discardRenders(scope: IConstruct): void {
  try {
    KEPT.delete(Chart.of(scope));
  } catch {
    // Not in a chart: nothing was kept.
  }
}

/**
 * Makes the object's toJson() hand out its kept rendering once. The wrapper goes outermost (on
 * top of final transforms, see workloads/final-patch.ts): if something wrapped the object since,
 * it is wrapped again, so a kept rendering never passes through a transform a second time.
 */
function handOutKept(o: ApiObject): void {
  if (WRAPPERS.get(o) === o.toJson) return;
  const render = o.toJson;
  const chart = o.chart;
  const wrapper = (): unknown => {
    if (!renderingForAudit) {
      const kept = KEPT.get(chart, chart);
      if (kept !== undefined && kept.has(o)) {
        const json = kept.get(o);
        kept.delete(o);
        return json;
      }
    }
    return render.call(o);
  };
  WRAPPERS.set(o, wrapper);
  o.toJson = wrapper;
}
