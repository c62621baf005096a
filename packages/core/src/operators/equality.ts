/*
 * Typed equality: what `equals`, `in`, `notIn`, `containsAll` and `containsAny` mean by "equals". The operand's
 * type decides, and nothing is coerced into a string:
 * - a string operand equals a string attribute (case-insensitively under `caseInsensitive`) and nothing else:
 *   `"30"` does not equal the number 30, `"true"` not the boolean true;
 * - a number operand equals that number, and also the string of its canonical decimal form (`30` equals 30 and
 *   `"30"`, not `"30.0"` or `"030"`), so contexts built from query strings and headers still compare;
 * - a boolean operand equals that boolean and its string (`true` equals true and `"true"`).
 * Non-finite numbers, objects, null and missing values equal nothing.
 */

/** Compiled operands of one condition. */
export interface EqualityOperands {
  /**
   * What a string attribute is compared against: the string operands plus the string forms of the number and
   * boolean operands, lower-cased under `caseInsensitive`.
   */
  readonly strings: readonly string[];
  readonly numbers: readonly number[];
  readonly booleans: readonly boolean[];
}

export function equalityOperands(values: readonly (string | number | boolean)[] | undefined, caseInsensitive: boolean): EqualityOperands {
  const strings: string[] = [];
  const numbers: number[] = [];
  const booleans: boolean[] = [];
  for (const v of values ?? []) {
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) continue;
      numbers.push(v);
    } else if (typeof v === 'boolean') booleans.push(v);
    const s = String(v);
    strings.push(caseInsensitive ? s.toLowerCase() : s);
  }
  return { strings, numbers, booleans };
}

/** `in`/`notIn` operand lists longer than this are looked up in a Set instead of scanned. */
export const SET_THRESHOLD = 8;

/** Whether one scalar equals one of the operands (false for anything that is not a string, finite number or boolean). */
export function equalityTest(ops: EqualityOperands, caseInsensitive: boolean): (value: unknown) => boolean {
  const { strings, numbers, booleans } = ops;
  const set = strings.length > SET_THRESHOLD ? new Set(strings) : null;
  return (value) => {
    if (typeof value === 'string') {
      const s = caseInsensitive ? value.toLowerCase() : value;
      return set !== null ? set.has(s) : strings.includes(s);
    }
    if (typeof value === 'number') return numbers.includes(value); // NaN equals nothing; 0 equals -0
    return typeof value === 'boolean' && booleans.includes(value);
  };
}

/** Whether `value` is a scalar equality compares (a string, a finite number or a boolean). */
export function isComparableScalar(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}
