import { errorText } from '../internal/json-shape';
import { VALUE_TYPE_NAMES, typeMismatchMessage } from '../internal/value-type';
import type { ErrorCode, EvaluationDetails, FlagType } from '../types';
import { lastBucket } from './bucketing';
import { lastEvaluationError } from './outcome-index';
import { ERROR_INDEX, fallbackAt, type CompiledFlag, type Outcome } from './outcomes';

/** The flag key for messages; JavaScript callers may pass anything. */
export function keyText(key: unknown): string {
  return typeof key === 'string' ? JSON.stringify(key) : `(a ${typeof key}, not a string key)`;
}

function errorDetails<T>(defaultValue: T, errorCode: ErrorCode, errorMessage: string): EvaluationDetails<T> {
  return { value: defaultValue, reason: 'ERROR', errorCode, errorMessage };
}

export function notFoundDetails<T>(key: unknown, defaultValue: T, version: string): EvaluationDetails<T> {
  return errorDetails(defaultValue, 'FLAG_NOT_FOUND', `@halyard/core: flag ${keyText(key)} is not defined (definitions version ${version}); check the key or publish the flag`);
}

export function mismatchDetails<T>(flag: CompiledFlag, defaultValue: T): EvaluationDetails<T> {
  const flagType = (VALUE_TYPE_NAMES[flag.typeTag] ?? 'json') as FlagType;
  return errorDetails(defaultValue, 'TYPE_MISMATCH', typeMismatchMessage('@halyard/core', flag.key, flagType, defaultValue));
}

export function failedDetails<T>(flag: CompiledFlag, defaultValue: T): EvaluationDetails<T> {
  return errorDetails(defaultValue, 'GENERAL', `@halyard/core: evaluating flag ${keyText(flag.key)} failed: ${errorText(lastEvaluationError(), 'unknown error')}`);
}

/** The details of an outcome: the shared frozen object, or for a split a fresh one carrying the unit's bucket. */
export function outcomeDetails<T>(o: Outcome): EvaluationDetails<T> {
  if (!o.split) return o.details as EvaluationDetails<T>;
  const bucket = lastBucket();
  if (o.ruleId === undefined) return { value: o.value as T, variant: o.variant, reason: 'SPLIT', bucket };
  return { value: o.value as T, variant: o.variant, reason: 'SPLIT', ruleId: o.ruleId, bucket };
}

/** The details of a result index (see outcomes.ts): an outcome, an evaluation error, or the caller's default. */
export function resultDetails<T>(flag: CompiledFlag, index: number, defaultValue: T): EvaluationDetails<T> {
  if (index >= 0) return outcomeDetails(flag.outcomes[index] as Outcome);
  if (index === ERROR_INDEX) return failedDetails(flag, defaultValue);
  const { reason, detail } = fallbackAt(flag, index);
  return detail === undefined ? { value: defaultValue, reason } : { value: defaultValue, reason, detail };
}
