/**
 * Which synth a validation pass belongs to, so that work done at synth time (the chart audits,
 * the duplicate-object index, the pod checks, the renderings) is done once per synth.
 *
 * cdk8s validates the whole app before it renders. App.synth() and App.synthYaml() validate once,
 * then again before rendering each chart (in App._synthChart), with nothing but validation in
 * between: an app of K charts sees K + 1 passes. Testing.synth() and Chart.toJson() validate once.
 * Every pass visits the App before anything in it, so a single validation on the App numbers the
 * synths: a pass that does not continue an App.synth() starts a new synth. Values kept per synth
 * ({@link PerSynth}) are reused by the later passes of the same synth and ignored by the next.
 * Validations run outside any pass of the App (`construct.node.validate()`) cannot be placed: for
 * them a synth ends with the current task (the number moves on in a microtask).
 */
import { IConstruct, IValidation } from 'constructs';

interface SynthState {
  /** The synth now validating (or last validated) the app. */
  number: number;
  /** A microtask that ends the synth is queued (see the module comment). */
  endQueued: boolean;
}

const STATES = new WeakMap<IConstruct, SynthState>();
/**
 * Marks the validations the library registers: they only read the tree (or write what the audit
 * wrote before rendering). A property rather than a WeakSet: a workload registers several, and
 * weak tables with hundreds of thousands of entries cost every garbage collection.
 */
const LIBRARY_VALIDATION = Symbol('cdk8s-resilient.library-validation');

/** Registers one of the library's validations (see {@link appHasOnlyKnownValidations}). */
export function addLibraryValidation(scope: IConstruct, validate: () => string[]): void {
  scope.node.addValidation({ validate, [LIBRARY_VALIDATION]: true } as IValidation);
}

function isLibraryValidation(v: unknown): boolean {
  return typeof v === 'object' && v !== null && (v as { [LIBRARY_VALIDATION]?: boolean })[LIBRARY_VALIDATION] === true;
}

function stateOf(scope: IConstruct): SynthState {
  const root = scope.node.root;
  let state = STATES.get(root);
  if (!state) {
    const created: SynthState = { number: 1, endQueued: false };
    state = created;
    STATES.set(root, created);
    addLibraryValidation(root, () => {
      if (!continuesAppSynth()) created.number++;
      return [];
    });
  }
  return state;
}

/** Starts numbering the synths of the app `scope` belongs to (once per app; call it from every construct that keeps per-synth values). */
export function trackSynths(scope: IConstruct): void {
  stateOf(scope);
}

/** The number of the synth now validating the app of `scope` (or that last did). */
export function currentSynth(scope: IConstruct): number {
  return stateOf(scope).number;
}

/** Ends the synth with the current task, for validations that run outside a pass of the App. */
function endWithTask(state: SynthState): void {
  if (state.endQueued) return;
  state.endQueued = true;
  queueMicrotask(() => {
    state.endQueued = false;
    state.number++;
  });
}

/** Values that hold for one synth of an app: computed by the first pass that asks, reused by its later passes. */
export class PerSynth<K extends object, V> {
  private readonly entries = new WeakMap<K, { readonly synth: number; readonly value: V }>();

  /** The value kept for `key` in the current synth of `scope`'s app. */
  public get(key: K, scope: IConstruct): V | undefined {
    const entry = this.entries.get(key);
    return entry !== undefined && entry.synth === stateOf(scope).number ? entry.value : undefined;
  }

  public set(key: K, scope: IConstruct, value: V): V {
    const state = stateOf(scope);
    this.entries.set(key, { synth: state.number, value });
    endWithTask(state);
    return value;
  }

  public delete(key: K): void {
    this.entries.delete(key);
  }

  public getOrCompute(key: K, scope: IConstruct, compute: () => V): V {
    const known = this.get(key, scope);
    return known !== undefined ? known : this.set(key, scope, compute());
  }
}

// Stack frames of cdk8s's App (file names as shipped, or as source maps show them).
const PER_CHART_PASS = /\._synthChart \([^\n]*cdk8s[\\/](?:lib|src)[\\/]app\.[jt]s:/;
const APP_SYNTH = /\.synth(?:Yaml)? \([^\n]*cdk8s[\\/](?:lib|src)[\\/]app\.[jt]s:/;

/** Whether this validation pass is one of the per-chart passes inside App.synth() / App.synthYaml(). */
export function continuesAppSynth(): boolean {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 50;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  return PER_CHART_PASS.test(stack) && APP_SYNTH.test(stack);
}

/**
 * Validations of cdk8s-plus-27 that only read (HorizontalPodAutoscaler: target replicas and
 * resources; Ingress: rules or a default backend), by jsii type and count.
 */
const READ_ONLY_VALIDATIONS: Readonly<Record<string, number>> = {
  'cdk8s-plus-27.HorizontalPodAutoscaler': 2,
  'cdk8s-plus-27.Ingress': 1,
};
const JSII_TYPE = Symbol.for('jsii.rtti');

const KNOWN_VALIDATIONS = new PerSynth<IConstruct, boolean>();

/**
 * Whether every validation registered in the app is the library's own or one known only to read.
 * Any other validation could change an object after the audit rendered it (cdk8s has no other
 * hook before rendering, so some code uses validations for late changes). Read from constructs'
 * internal list of validations; if that list cannot be read, the answer is no.
 */
export function appHasOnlyKnownValidations(scope: IConstruct): boolean {
  const root = scope.node.root;
  return KNOWN_VALIDATIONS.getOrCompute(root, root, () => {
    const listOf = (c: IConstruct): unknown => (c.node as unknown as { _validations?: unknown })._validations;
    // The App carries the synth counter: if it cannot be seen there, the list is not readable.
    const rootList = listOf(root);
    if (!Array.isArray(rootList) || !rootList.some(isLibraryValidation)) return false;
    for (const c of root.node.findAll()) {
      const list = listOf(c);
      if (list === undefined) continue;
      if (!Array.isArray(list)) return false;
      let unknown = 0;
      for (const v of list) if (!isLibraryValidation(v)) unknown++;
      if (unknown === 0) continue;
      const type = (c.constructor as unknown as { [JSII_TYPE]?: { fqn?: string } })[JSII_TYPE]?.fqn;
      if (type === undefined || READ_ONLY_VALIDATIONS[type] !== unknown) return false;
    }
    return true;
  });
}
