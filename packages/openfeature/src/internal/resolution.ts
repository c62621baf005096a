import type { ErrorCode, FlagMetadata, JsonValue, ResolutionDetails } from '@openfeature/core';
import { valueType } from '@halyard/core/adapter';
import type { ErrorCode as HalyardErrorCode, EvaluationReason, FlagType, JsonValue as HalyardJson } from '@halyard/core';

/** The OpenFeature flag type a resolve method was asked for. */
export type RequestedType = 'boolean' | 'string' | 'number' | 'object';

/** OpenFeature's ErrorCode is a string enum whose values equal Halyard's codes; the casts only cross the nominal type. */
export const ERROR_CODES: Readonly<Record<HalyardErrorCode | 'PROVIDER_NOT_READY', ErrorCode>> = {
  FLAG_NOT_FOUND: 'FLAG_NOT_FOUND' as ErrorCode,
  TYPE_MISMATCH: 'TYPE_MISMATCH' as ErrorCode,
  PARSE_ERROR: 'PARSE_ERROR' as ErrorCode,
  GENERAL: 'GENERAL' as ErrorCode,
  PROVIDER_NOT_READY: 'PROVIDER_NOT_READY' as ErrorCode,
};

/** The Halyard flag type each OpenFeature resolver reads: OpenFeature's `object` is Halyard's `json`. */
const FLAG_TYPES: Readonly<Record<RequestedType, FlagType>> = { boolean: 'boolean', string: 'string', number: 'number', object: 'json' };

/**
 * Does `value` have the type OpenFeature asked for? Core's one type rule decides (`valueType`): objects, arrays and
 * null are all `json`, which OpenFeature calls `object`.
 */
export function matchesType(value: JsonValue | HalyardJson, type: RequestedType): boolean {
  return valueType(value) === FLAG_TYPES[type];
}

/** Error resolutions are rare, so they are built fresh: the message names the flag. */
export function errorResolution<T>(
  defaultValue: T,
  errorCode: HalyardErrorCode | 'PROVIDER_NOT_READY',
  errorMessage: string | undefined,
): ResolutionDetails<T> {
  return { value: defaultValue, reason: 'ERROR', errorCode: ERROR_CODES[errorCode], errorMessage };
}

export function typeMismatch<T>(flagKey: string, defaultValue: T, type: RequestedType, actual: JsonValue | HalyardJson): ResolutionDetails<T> {
  const flagType = valueType(actual);
  const actualType = flagType === 'json' ? 'object' : flagType;
  const reader = `get${actualType[0]!.toUpperCase()}${actualType.slice(1)}Value`;
  return errorResolution(
    defaultValue,
    'TYPE_MISMATCH',
    `@halyard/openfeature: flag "${flagKey}" holds ${actualType} values but was read as ${type}; read it with ${reader}/Details`,
  );
}

/** The subset of Halyard's evaluation details / snapshot entries both providers map from. */
export interface HalyardResult {
  value: JsonValue;
  variant?: string;
  reason: EvaluationReason;
  ruleId?: string;
  bucket?: number;
  detail?: string;
  errorCode?: HalyardErrorCode;
}

/**
 * Maps successful Halyard results to OpenFeature resolutions without allocating on the hot path:
 * - a result that carries nothing beyond OpenFeature's own fields (`value`, `variant`, `reason`) is returned as is —
 *   both SDKs copy a resolution into their own details object and never mutate it;
 * - a long-lived result (the core's shared frozen details, a snapshot entry) gets one frozen resolution, built on
 *   first use and cached by identity, with the rule id in `flagMetadata.ruleId`;
 * - a per-call result (a split: the core allocates it to carry the unit's bucket) gets one fresh resolution.
 */
export class ResolutionCache {
  private readonly byResult = new WeakMap<object, ResolutionDetails<JsonValue>>();
  private readonly metadataByRuleId = new Map<string, FlagMetadata>();

  success<T>(result: HalyardResult, longLived: boolean): ResolutionDetails<T> {
    if (result.ruleId === undefined && result.bucket === undefined && result.detail === undefined) {
      return result as unknown as ResolutionDetails<T>;
    }
    if (!longLived) return this.build(result) as ResolutionDetails<T>;
    let resolution = this.byResult.get(result);
    if (resolution === undefined) {
      resolution = Object.freeze(this.build(result));
      this.byResult.set(result, resolution);
    }
    return resolution as ResolutionDetails<T>;
  }

  clear(): void {
    this.metadataByRuleId.clear();
  }

  private build(result: HalyardResult): ResolutionDetails<JsonValue> {
    if (result.ruleId === undefined) return { value: result.value, variant: result.variant, reason: result.reason };
    return { value: result.value, variant: result.variant, reason: result.reason, flagMetadata: this.metadata(result.ruleId) };
  }

  /** Rule ids are few and fixed per definitions: their metadata objects are shared (frozen: hooks see them). */
  private metadata(ruleId: string): FlagMetadata {
    let metadata = this.metadataByRuleId.get(ruleId);
    if (metadata === undefined) {
      // Bounded so a long-running process with ever-new rule ids cannot grow it forever.
      if (this.metadataByRuleId.size >= 1024) this.metadataByRuleId.clear();
      metadata = Object.freeze({ ruleId });
      this.metadataByRuleId.set(ruleId, metadata);
    }
    return metadata;
  }
}
