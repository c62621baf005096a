import { defaultTypeTag, tagsMatch, BOOLEAN_TAG } from '../internal/value-type';
import type { EvaluationContext, EvaluationDetails, FlagHandle, JsonValue } from '../types';
import type { CompiledSplit } from './bucketing';
import { keyText, mismatchDetails, notFoundDetails, resultDetails } from './details';
import { decideIndex, splitIndex } from './outcome-index';
import type { CompiledFlag, Outcome } from './outcomes';

/*
 * Flag handles
 *
 * `evaluator.flag(key)` binds one compiled flag. Each handle shape has its own closures, so a call site that
 * holds one handle sees one function and V8 can inline all of it: a static flag's `isEnabled` is the shared
 * `alwaysTrue`/`alwaysFalse`, a plain split calls `pickSlice` directly, and only flags with targeting go through
 * their `decide` closure. The handle skips everything by-key reads pay for: the key lookup, the key check, and a
 * `decide` call site shared by every flag shape in the document.
 */

export type AnyHandle = FlagHandle<JsonValue>;

const alwaysTrue = (): boolean => true;
const alwaysFalse = (): boolean => false;

function constantHandle(flag: CompiledFlag): AnyHandle {
  const { key, typeTag } = flag;
  const o = flag.outcomes[flag.constant] as Outcome;
  const value = o.value;
  const details = o.details;
  return Object.freeze({
    key,
    isEnabled: typeTag === BOOLEAN_TAG && value === true ? alwaysTrue : alwaysFalse,
    getValue(defaultValue: JsonValue, _context?: EvaluationContext): JsonValue {
      return tagsMatch(typeTag, defaultTypeTag(defaultValue)) ? value : defaultValue;
    },
    getDetails(defaultValue: JsonValue, _context?: EvaluationContext): EvaluationDetails {
      return tagsMatch(typeTag, defaultTypeTag(defaultValue)) ? details : mismatchDetails(flag, defaultValue);
    },
  });
}

/** A flag whose every answer is the caller's default (disabled, without `offVariant`). */
function defaultHandle(flag: CompiledFlag): AnyHandle {
  const { key, typeTag, constant } = flag;
  return Object.freeze({
    key,
    isEnabled: alwaysFalse,
    getValue: (defaultValue: JsonValue, _context?: EvaluationContext): JsonValue => defaultValue,
    getDetails(defaultValue: JsonValue, _context?: EvaluationContext): EvaluationDetails {
      return tagsMatch(typeTag, defaultTypeTag(defaultValue)) ? resultDetails(flag, constant, defaultValue) : mismatchDetails(flag, defaultValue);
    },
  });
}

function splitHandle(flag: CompiledFlag, split: CompiledSplit): AnyHandle {
  const { key, typeTag, outcomes } = flag;
  const values = outcomes.map((o) => o.value);
  return Object.freeze({
    key,
    isEnabled:
      typeTag !== BOOLEAN_TAG
        ? alwaysFalse
        : (context?: EvaluationContext): boolean => {
            const index = splitIndex(flag, split, context);
            return index >= 0 && values[index] === true;
          },
    getValue(defaultValue: JsonValue, context?: EvaluationContext): JsonValue {
      if (!tagsMatch(typeTag, defaultTypeTag(defaultValue))) return defaultValue;
      const index = splitIndex(flag, split, context);
      return index < 0 ? defaultValue : (values[index] as JsonValue);
    },
    getDetails(defaultValue: JsonValue, context?: EvaluationContext): EvaluationDetails {
      if (!tagsMatch(typeTag, defaultTypeTag(defaultValue))) return mismatchDetails(flag, defaultValue);
      return resultDetails(flag, splitIndex(flag, split, context), defaultValue);
    },
  });
}

function decideHandle(flag: CompiledFlag): AnyHandle {
  const { key, typeTag, outcomes } = flag;
  const values = outcomes.map((o) => o.value);
  return Object.freeze({
    key,
    isEnabled:
      typeTag !== BOOLEAN_TAG
        ? alwaysFalse
        : (context?: EvaluationContext): boolean => {
            const index = decideIndex(flag, context);
            return index >= 0 && values[index] === true;
          },
    getValue(defaultValue: JsonValue, context?: EvaluationContext): JsonValue {
      if (!tagsMatch(typeTag, defaultTypeTag(defaultValue))) return defaultValue;
      const index = decideIndex(flag, context);
      return index < 0 ? defaultValue : (values[index] as JsonValue);
    },
    getDetails(defaultValue: JsonValue, context?: EvaluationContext): EvaluationDetails {
      if (!tagsMatch(typeTag, defaultTypeTag(defaultValue))) return mismatchDetails(flag, defaultValue);
      return resultDetails(flag, decideIndex(flag, context), defaultValue);
    },
  });
}

/** The handle of a key the definitions do not have: always the caller's default, reason ERROR/FLAG_NOT_FOUND. */
export function missingHandle(key: unknown, version: string): AnyHandle {
  return Object.freeze({
    key: typeof key === 'string' ? key : keyText(key),
    isEnabled: alwaysFalse,
    getValue: (defaultValue: JsonValue, _context?: EvaluationContext): JsonValue => defaultValue,
    getDetails: (defaultValue: JsonValue, _context?: EvaluationContext): EvaluationDetails => notFoundDetails(key, defaultValue, version),
  });
}

/** The handle specialised for the flag's shape: constant, split-only, or with targeting. */
export function bindFlag(flag: CompiledFlag): AnyHandle {
  if (flag.constant >= 0) return constantHandle(flag);
  if (flag.constant !== -1) return defaultHandle(flag);
  if (flag.split !== null) return splitHandle(flag, flag.split);
  return decideHandle(flag);
}
