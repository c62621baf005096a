import type { FlagSnapshot, SnapshotFlag } from '../types';

/**
 * Deep equality for JSON-like data (contexts, snapshot entries). Keys whose value is `undefined` are ignored, since
 * they vanish when serialised; anything that is not a plain object or array compares by identity.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b) || !isPlain(a) || !isPlain(b)) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  let countA = 0;
  for (const key of Object.keys(ra)) {
    const value = ra[key];
    if (value === undefined) continue;
    countA++;
    if (!Object.prototype.hasOwnProperty.call(rb, key) || !deepEqual(value, rb[key])) return false;
  }
  let countB = 0;
  for (const key of Object.keys(rb)) if (rb[key] !== undefined) countB++;
  return countA === countB;
}

function isPlain(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Assigns an own property even for keys like `__proto__` that plain assignment would treat specially. */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/**
 * Returns `next` rebuilt so that every flag entry deep-equal to its previous version is the previous OBJECT, and
 * returns `prev` itself when nothing changed at all. UI bindings that select one flag then re-render only when that
 * flag changed.
 */
export function shareSnapshot(prev: FlagSnapshot, next: FlagSnapshot): FlagSnapshot {
  const flags: Record<string, SnapshotFlag> = {};
  let flagsChanged = false;
  let count = 0;
  for (const key of Object.keys(next.flags)) {
    count++;
    const incoming = next.flags[key] as SnapshotFlag;
    const previous = Object.prototype.hasOwnProperty.call(prev.flags, key) ? prev.flags[key] : undefined;
    if (previous !== undefined && deepEqual(previous, incoming)) {
      setOwn(flags, key, previous);
    } else {
      setOwn(flags, key, incoming);
      flagsChanged = true;
    }
  }
  if (!flagsChanged && count !== Object.keys(prev.flags).length) flagsChanged = true;
  if (!flagsChanged && prev.version === next.version) return prev;
  return { version: next.version, flags: flagsChanged ? flags : prev.flags };
}
