import { describe, has, isObj, own } from '../internal/json-shape';
import type { FlagBreaker } from '../types';
import { field, index, type Checker } from './checker';

const BREAKER_FIELDS = ['errorRate', 'minRequests', 'windowSeconds', 'variants', 'halfOpenAfterSeconds'];
/** The service reads minute aggregates over at most this; an SDK keeps one bucket per second of it. */
export const MAX_BREAKER_WINDOW_SECONDS = 3600;
const MAX_HALF_OPEN_SECONDS = 7 * 24 * 3600;

function integer(c: Checker, o: Record<string, unknown>, path: string, name: string, min: number, max: number): number | undefined {
  const v = own(o, name);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    c.add(field(path, name), `"${name}" must be an integer from ${min} to ${max}, got ${describe(v)}`);
    return undefined;
  }
  return v;
}

/**
 * A flag's `breaker` (see FlagBreaker): `undefined` with problems added when invalid. `variantNames` are the
 * flag's variants, for `variants`.
 */
export function checkBreaker(c: Checker, v: unknown, path: string, variantNames: readonly string[]): FlagBreaker | undefined {
  if (!isObj(v)) {
    c.add(path, `"breaker" must be an object like { "errorRate": 0.05, "minRequests": 20, "windowSeconds": 60 }, got ${describe(v)}`);
    return undefined;
  }
  const before = c.problems.length;
  c.fields(v, path, BREAKER_FIELDS, 'a breaker');
  const rate = own(v, 'errorRate');
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate <= 0 || rate > 1) {
    c.add(field(path, 'errorRate'), `"errorRate" must be a number greater than 0 and at most 1 (0.05 = 5 %), got ${describe(rate)}`);
  }
  const minRequests = integer(c, v, path, 'minRequests', 1, 1_000_000_000);
  const windowSeconds = integer(c, v, path, 'windowSeconds', 1, MAX_BREAKER_WINDOW_SECONDS);
  const out: Partial<FlagBreaker> = { errorRate: rate as number, minRequests, windowSeconds };
  if (has(v, 'variants')) {
    const raw = own(v, 'variants');
    const p = field(path, 'variants');
    if (!Array.isArray(raw) || raw.length === 0) c.add(p, `"variants" must be a non-empty array of variant names of this flag, got ${describe(raw)}`);
    else {
      const names: string[] = [];
      raw.forEach((name: unknown, i) => {
        if (typeof name !== 'string' || !variantNames.includes(name)) {
          c.add(index(p, i), `${describe(name)} is not a variant of this flag; use one of: ${variantNames.join(', ')}`);
        } else if (names.includes(name)) c.add(index(p, i), `variant ${JSON.stringify(name)} is listed twice`);
        else names.push(name);
      });
      out.variants = names;
    }
  }
  if (has(v, 'halfOpenAfterSeconds')) out.halfOpenAfterSeconds = integer(c, v, path, 'halfOpenAfterSeconds', 1, MAX_HALF_OPEN_SECONDS);
  return c.problems.length === before ? (out as FlagBreaker) : undefined;
}
