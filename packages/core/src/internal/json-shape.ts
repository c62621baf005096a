/*
 * Reading untrusted JSON-shaped input (documents, request bodies): own properties only, so a `__proto__` key or
 * a polluted prototype never reads as data, and one way to name what was found in an error message.
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

/** Whether `o` has an own, defined `key`. */
export function has(o: Obj, key: string): boolean {
  return Object.hasOwn(o, key) && o[key] !== undefined;
}

/** What a value is, for messages: `null`, `an array`, `an object`, `the string "…"`, `number 3`, `boolean true`, `function`. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v} ${String(v)}`;
  return typeof v;
}

/** An exception's message, never throwing itself (hostile errors may have throwing getters). */
export function errorText(e: unknown, fallback = 'unreadable error'): string {
  try {
    return e instanceof Error ? e.message : String(e);
  } catch {
    return fallback;
  }
}

/** A list for messages: `a, b, c`, or `(none)`. */
export function quoteList(items: readonly string[]): string {
  return items.length === 0 ? '(none)' : items.join(', ');
}
