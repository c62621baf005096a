/*
 * Reading the untrusted Unleash payload: own properties only, so a `__proto__` key or a polluted prototype never
 * reads as data, and one way to name what was found in an issue message (the same wording as @halyard/core's
 * `parseDefinitions`).
 */

export type Obj = Record<string, unknown>;

/** A non-null object that is not an array (what JSON calls an object). */
export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `o[key]` when it is an own property, else undefined. */
export function own(o: Obj, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

/** What a value is, for messages: `null`, `an array`, `an object`, `the string "…"`, `number 3`, `boolean true`, `undefined`. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v} ${String(v)}`;
  return typeof v;
}

/** JSON paths into the payload. */
export const idx = (path: string, i: number): string => `${path}[${i}]`;
export const fld = (path: string, name: string): string => `${path}.${name}`;
