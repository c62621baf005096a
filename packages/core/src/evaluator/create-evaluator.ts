import { validatedDefinitions } from '../internal/schema';
import { BOOLEAN_TAG, defaultTypeTag as typeTagOfDefault, tagsMatch as tagsMatchImport } from '../internal/value-type';
import { parseDefinitions } from '../parse-definitions';
import type { DefinitionProblem, Definitions, EvaluationContext, EvaluationDetails, Evaluator, FlagDefinition, FlagHandle, FlagSnapshot, JsonValue, SegmentDefinition, SerializedSnapshot } from '../types';
import { compileSegment, segmentOrder } from './compile-condition';
import type { BucketingAlgorithm } from './bucketing';
import { compileFlag, missingBucketing, missingBucketingMessage, topologicalOrder, type FlagCompileEnv } from './compile-flag';
import { EMPTY_CONTEXT, type Matcher } from './context';
import { mismatchDetails, notFoundDetails, resultDetails } from './details';
import { bindFlag, missingHandle, type AnyHandle } from './handles';
import { snapshotWriters } from './evaluate-all';
import { outcomeIndex as outcomeIndexImport } from './outcome-index';
import type { CompiledFlag, Outcome } from './outcomes';

// The by-key methods call these on every read: module-local constants, for the reason given at `hasOwnProperty`
// in context.ts (an imported binding is a module cell V8 reloads per call when sources run as ES modules).
const defaultTypeTag = typeTagOfDefault;
const tagsMatch = tagsMatchImport;
const outcomeIndex = outcomeIndexImport;

/** Options of `createEvaluator`. */
export interface EvaluatorOptions {
  /**
   * Pluggable bucketing algorithms documents may name in `"bucketing": { "algorithm": … }` (e.g.
   * `growthbookBucketing` from `@halyard/growthbook`, itself a list: lists are flattened). murmur3, the default,
   * is always there.
   */
  bucketing?: ReadonlyArray<BucketingAlgorithm | readonly BucketingAlgorithm[]>;
  /** Told once per problem found while compiling (an algorithm that is not installed). Default: `console.warn`. */
  onProblem?: (problem: DefinitionProblem) => void;
}

/**
 * Reports every split or rollout naming an algorithm that is not installed, once, with its path. Such a flag
 * serves the caller's default with reason ERROR; such a segment rollout never matches.
 */
function reportMissingBucketing(defs: Definitions, installed: ReadonlyMap<string, BucketingAlgorithm>, report: (p: DefinitionProblem) => void): void {
  for (const [key, def] of Object.entries(defs.flags)) {
    const missing = missingBucketing(def, installed);
    if (missing !== undefined) report({ path: `$.flags[${JSON.stringify(key)}]${missing.path}`, message: missingBucketingMessage(missing) });
  }
  for (const [key, seg] of Object.entries(defs.segments ?? {})) {
    const algorithm = seg.rollout?.bucketing?.algorithm;
    if (algorithm !== undefined && !installed.has(algorithm)) report({ path: `$.segments[${JSON.stringify(key)}].rollout.bucketing`, message: missingBucketingMessage({ algorithm }) });
  }
}

function ensureValid(definitions: Definitions): Definitions {
  if (validatedDefinitions.has(definitions)) return definitions;
  const result = parseDefinitions(definitions);
  if (result.ok) return result.definitions;
  const shown = result.problems.slice(0, 5).map((p) => `${p.path}: ${p.message}`);
  const more = result.problems.length > 5 ? `\n…and ${result.problems.length - 5} more` : '';
  throw new Error(`@halyard/core: createEvaluator() needs valid definitions; validate them with parseDefinitions() first:\n${shown.join('\n')}${more}`);
}

/**
 * Compiles validated definitions into an evaluator. Compile once per definitions version; evaluation never
 * throws and, on the value paths (`getValue`, `isEnabled`), allocates nothing.
 *
 * Definitions that did not come from `parseDefinitions` are validated first; invalid ones make this function
 * throw (evaluation itself never does). `evaluator.definitions` is then the validated, frozen copy.
 *
 * Three ways to read a flag, with OpenFeature's argument order:
 * - `getDetails(key, default, context?)` — full `EvaluationDetails`. Results are shared frozen objects, except
 *   for splits, where a small object carrying the unit's `bucket` is allocated per call.
 * - `getValue(key, default, context?)` — just the value (or `default` on any error), allocation-free.
 * - `isEnabled(key, context?)` — `true` only when a boolean flag serves `true`; allocation-free.
 *
 * On hot paths, bind the flag once with `flag(key)` and call the same three methods on the handle (no key): the
 * handle skips the key lookup and runs code specialised for the flag's shape.
 *
 * Operator semantics are in docs/flags.md (generated from the operator registry). In short: nothing is coerced
 * into a string — string operators match strings only, `equals`/`in` compare by the operand's type (`equals 30`
 * matches `30` and `"30"`, `equals "30"` only `"30"`); an array attribute matches when any element does; a
 * missing or incomparable attribute makes a condition false even when negated (only `exists` and `inSegment`
 * are inverted unconditionally); attribute paths read own properties only and never index into arrays. A flag
 * without `offVariant` serves the caller's default when it is off.
 *
 * @example
 * const result = parseDefinitions(document);
 * if (!result.ok) throw new Error(result.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
 * const evaluator = createEvaluator(result.definitions);
 * evaluator.isEnabled('new-checkout', { userId: 'u-42' });              // true / false
 * evaluator.getValue('checkout-theme', 'light', { userId: 'u-42' });    // 'dark'
 * evaluator.getDetails('checkout-theme', 'light', { userId: 'u-42' });  // { value, variant, reason, ruleId, bucket }
 *
 * const newCheckout = evaluator.flag('new-checkout');                   // bind once…
 * if (newCheckout.isEnabled({ userId: 'u-42' })) renderNewCheckout();   // …read per request
 */
export function createEvaluator(definitions: Definitions, options: EvaluatorOptions = {}): Evaluator {
  const defs = ensureValid(definitions);
  const bucketing = new Map<string, BucketingAlgorithm>();
  for (const a of (options.bucketing ?? []).flat()) bucketing.set(a.name, a);
  reportMissingBucketing(defs, bucketing, options.onProblem ?? ((p) => console.warn(`@halyard/core: ${p.path}: ${p.message}`)));

  // Referenced segments first: a segment's `inSegment` conditions read the matchers compiled so far.
  const segmentMatchers = new Map<string, Matcher>();
  const segmentEnv = { segmentMatchers, bucketing };
  for (const key of segmentOrder(defs.segments)) segmentMatchers.set(key, compileSegment(key, defs.segments[key] as SegmentDefinition, segmentEnv));

  const compiled = new Map<string, CompiledFlag>();
  const env: FlagCompileEnv = { segmentMatchers, compiled, bucketing };
  for (const key of topologicalOrder(defs.flags)) compiled.set(key, compileFlag(key, defs.flags[key] as FlagDefinition, env));

  const keys = Object.freeze(Object.keys(defs.flags));
  const ordered = keys.map((k) => compiled.get(k) as CompiledFlag);

  // One-entry cache in front of the Map: hot loops read the same flag over and over, and comparing an
  // interned key is cheaper than hashing it. A miss costs one comparison.
  let cachedKey: string | undefined;
  let cachedFlag: CompiledFlag | undefined;
  const lookup = (key: string): CompiledFlag | undefined => {
    if (key === cachedKey) return cachedFlag;
    const flag = compiled.get(key);
    if (flag !== undefined) {
      cachedKey = key;
      cachedFlag = flag;
    }
    return flag;
  };

  // Nothing in the entry points can throw but `decide`/`pickSlice`, and those run inside the try/catch of
  // `splitIndex`/`decideIndex`.
  function getDetails<T extends JsonValue>(key: string, defaultValue: T, context?: EvaluationContext): EvaluationDetails<T> {
    const flag = lookup(key);
    if (flag === undefined) return notFoundDetails(key, defaultValue, defs.version);
    if (!tagsMatch(flag.typeTag, defaultTypeTag(defaultValue))) return mismatchDetails(flag, defaultValue);
    return resultDetails(flag, outcomeIndex(flag, context), defaultValue);
  }

  function getValue<T extends JsonValue>(key: string, defaultValue: T, context?: EvaluationContext): T {
    const flag = lookup(key);
    if (flag === undefined) return defaultValue;
    if (!tagsMatch(flag.typeTag, defaultTypeTag(defaultValue))) return defaultValue;
    const index = outcomeIndex(flag, context);
    return index < 0 ? defaultValue : ((flag.outcomes[index] as Outcome).value as T);
  }

  function isEnabled(key: string, context?: EvaluationContext): boolean {
    const flag = lookup(key);
    if (flag === undefined || flag.typeTag !== BOOLEAN_TAG) return false;
    const index = outcomeIndex(flag, context);
    return index >= 0 && (flag.outcomes[index] as Outcome).value === true;
  }

  const writers = snapshotWriters(ordered);
  const evaluateAll = (context?: EvaluationContext): FlagSnapshot =>
    writers.evaluateAll(typeof context === 'object' && context !== null ? context : EMPTY_CONTEXT);
  const evaluateAllJson = (context?: EvaluationContext): SerializedSnapshot =>
    writers.evaluateAllJson(typeof context === 'object' && context !== null ? context : EMPTY_CONTEXT);

  // Handles of defined flags are made on first use and shared; a handle of an unknown key is not kept, so
  // arbitrary keys cannot grow this map.
  const handles = new Map<string, AnyHandle>();
  function flag<T extends JsonValue = JsonValue>(key: string): FlagHandle<T> {
    const compiledFlag = typeof key === 'string' ? compiled.get(key) : undefined;
    if (compiledFlag === undefined) return missingHandle(key, defs.version) as unknown as FlagHandle<T>;
    let handle = handles.get(key);
    if (handle === undefined) {
      handle = bindFlag(compiledFlag);
      handles.set(key, handle);
    }
    return handle as unknown as FlagHandle<T>;
  }

  return Object.freeze({
    definitions: defs,
    getDetails,
    getValue,
    isEnabled,
    flag,
    evaluateAll,
    evaluateAllJson,
    has: (key: string) => compiled.has(key),
    keys: () => keys,
  });
}
