import type { JsonValue } from '@halyard/core';

// Never merged into stored objects (prototype pollution); request bodies holding them are refused (json-body.ts).
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** RFC 7396 JSON merge patch: objects merge recursively, `null` deletes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (FORBIDDEN_KEYS.has(key)) continue;
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

export interface DiffEntry {
  /** JSON path from the resource root, e.g. `$.rules[0].serve`. */
  path: string;
  before?: JsonValue;
  after?: JsonValue;
}

const pathKey = (base: string, key: string): string =>
  /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;

/** Leaf-level differences between two JSON values, for the audit log. Arrays that differ in length are reported whole. */
export function jsonDiff(before: unknown, after: unknown, path = '$', out: DiffEntry[] = []): DiffEntry[] {
  if (deepEqual(before, after)) return out;
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    for (const key of keys) jsonDiff(before[key], after[key], pathKey(path, key), out);
    return out;
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    for (let i = 0; i < before.length; i++) jsonDiff(before[i], after[i], `${path}[${i}]`, out);
    return out;
  }
  const entry: DiffEntry = { path };
  if (before !== undefined) entry.before = before as JsonValue;
  if (after !== undefined) entry.after = after as JsonValue;
  out.push(entry);
  return out;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ak = Object.keys(a);
    if (ak.length !== Object.keys(b).length) return false;
    return ak.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/**
 * Parses `If-Match` / `If-None-Match` into the listed entity tags (quotes and `W/` stripped).
 * Returns `'*'` for the wildcard and `undefined` when the header is absent.
 */
export function parseEntityTags(header: string | string[] | undefined): string[] | '*' | undefined {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header.join(',') : header;
  if (value.trim() === '*') return '*';
  const tags: string[] = [];
  for (const part of value.split(',')) {
    const tag = part.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
    if (tag !== '') tags.push(tag);
  }
  return tags;
}
