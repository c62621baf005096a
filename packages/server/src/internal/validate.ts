import { HttpError } from './errors';
import { isPlainObject } from './json';

/** Flag and segment keys, as @halyard/core's parseDefinitions accepts them. */
export const RESOURCE_KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;
const RESOURCE_KEY_RULE = 'use 1–200 characters from A–Z, a–z, 0–9, ".", "_", ":", "-", starting with a letter or digit';

const problem = (path: string, message: string): HttpError =>
  new HttpError(400, 'bad_request', `${path}: ${message}`, { problems: [{ path, message }] });

export function bodyObject(body: unknown, example: string): Record<string, unknown> {
  if (body === undefined) return {};
  if (!isPlainObject(body)) throw problem('$', `the request body must be a JSON object like ${example}`);
  return body;
}

export function requiredBodyObject(body: unknown, example: string): Record<string, unknown> {
  if (!isPlainObject(body)) throw problem('$', `the request body must be a JSON object like ${example}`);
  return body;
}

export function onlyFields(body: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) throw problem(`$.${key}`, `unknown field; allowed: ${allowed.join(', ')}`);
  }
}

export function stringField(body: Record<string, unknown>, name: string, opts: { required: true; max?: number; pattern?: RegExp; rule?: string }): string;
export function stringField(body: Record<string, unknown>, name: string, opts?: { required?: false; max?: number; pattern?: RegExp; rule?: string }): string | undefined;
export function stringField(
  body: Record<string, unknown>,
  name: string,
  opts: { required?: boolean; max?: number; pattern?: RegExp; rule?: string } = {},
): string | undefined {
  const value = body[name];
  if (value === undefined) {
    if (opts.required) throw problem(`$.${name}`, 'is required');
    return undefined;
  }
  if (typeof value !== 'string') throw problem(`$.${name}`, `must be a string, got ${describe(value)}`);
  const max = opts.max ?? 200;
  if (value.length === 0 || value.length > max) throw problem(`$.${name}`, `must be 1–${max} characters long`);
  if (opts.pattern && !opts.pattern.test(value)) throw problem(`$.${name}`, opts.rule ?? `must match ${String(opts.pattern)}`);
  return value;
}

export function resourceKey(value: string, what: string): string {
  if (!RESOURCE_KEY_PATTERN.test(value)) throw new HttpError(400, 'bad_request', `Invalid ${what} key ${JSON.stringify(value.slice(0, 60))}: ${RESOURCE_KEY_RULE}`);
  return value;
}

export function resourceKeyField(body: Record<string, unknown>, what: string): string {
  return stringField(body, 'key', { required: true, pattern: RESOURCE_KEY_PATTERN, rule: `invalid ${what} key: ${RESOURCE_KEY_RULE}` });
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

export { problem };

/** Reads a single-valued query parameter; repeated parameters are an error, not a silent pick. */
export function queryParam(query: unknown, name: string): string | undefined {
  if (!isPlainObject(query)) return undefined;
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new HttpError(400, 'bad_request', `Query parameter "${name}" must be given once`);
  return value;
}

export function dateParam(query: unknown, name: string): Date | undefined {
  const value = queryParam(query, name);
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new HttpError(400, 'bad_request', `Query parameter "${name}" must be an ISO-8601 date, e.g. 2026-01-31T12:00:00Z`);
  return date;
}

export function intParam(query: unknown, name: string, fallback: number, min: number, max: number): number {
  const value = queryParam(query, name);
  if (value === undefined) return fallback;
  if (!/^\d{1,9}$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new HttpError(400, 'bad_request', `Query parameter "${name}" must be an integer from ${min} to ${max}`);
  }
  return Number(value);
}
