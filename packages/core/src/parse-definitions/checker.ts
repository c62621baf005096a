import { describe, own, type Obj } from '../internal/json-shape';
import { splitAttributePath } from '../internal/schema';
import type { DefinitionProblem, JsonValue } from '../types';
import { suggestion } from './suggestions';

/** Deepest nesting accepted inside a JSON variant value; deeper values are almost certainly a mistake or an attack. */
const MAX_JSON_DEPTH = 64;

/** JSON paths of problems: `$.flags["a"].rules[0].serve`. */
export const field = (path: string, name: string): string => `${path}.${name}`;
export const member = (path: string, key: string): string => `${path}[${JSON.stringify(key)}]`;
export const index = (path: string, i: number): string => `${path}[${i}]`;
/** A field that may not be an identifier (unknown fields as written by the user). */
export const anyField = (path: string, name: string): string => (/^[A-Za-z_$][\w$]*$/.test(name) ? field(path, name) : member(path, name));

/** Mutable problem list plus the keys known so far, threaded through the checks. */
export class Checker {
  readonly problems: DefinitionProblem[] = [];
  segmentKeys = new Set<string>();

  add(path: string, message: string): void {
    this.problems.push({ path, message });
  }

  /** Reports fields not in `allowed` (typos like `enable`). */
  fields(o: Obj, path: string, allowed: readonly string[], what: string): void {
    for (const key of Object.keys(o)) {
      if (!allowed.includes(key)) {
        this.add(
          anyField(path, key),
          `unknown field "${key}" in ${what}; ${suggestion(key, allowed)}allowed fields: ${allowed.join(', ')}`,
        );
      }
    }
  }

  optionalString(o: Obj, path: string, name: string): string | undefined {
    const v = own(o, name);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') {
      this.add(field(path, name), `"${name}" must be a string, got ${describe(v)}`);
      return undefined;
    }
    return v;
  }

  optionalBoolean(o: Obj, path: string, name: string): boolean | undefined {
    const v = own(o, name);
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') {
      this.add(field(path, name), `"${name}" must be true or false, got ${describe(v)}`);
      return undefined;
    }
    return v;
  }

  attributePath(v: unknown, path: string, name: string): string | undefined {
    if (typeof v !== 'string') {
      this.add(path, `"${name}" must be a dot path string such as "userId" or "account.plan", got ${describe(v)}`);
      return undefined;
    }
    if (splitAttributePath(v) === undefined) {
      this.add(
        path,
        `"${name}" ${JSON.stringify(v)} is not a valid attribute path: use 1–256 characters of dot-separated, non-empty names such as "userId" or "account.plan"`,
      );
      return undefined;
    }
    return v;
  }

  stringArray(v: unknown, path: string, name: string, nonEmpty: boolean): string[] | undefined {
    if (!Array.isArray(v)) {
      this.add(path, `"${name}" must be an array of strings, got ${describe(v)}`);
      return undefined;
    }
    if (nonEmpty && v.length === 0) {
      this.add(path, `"${name}" must list at least one value`);
      return undefined;
    }
    let ok = true;
    for (let i = 0; i < v.length; i++) {
      if (typeof v[i] !== 'string') {
        this.add(index(path, i), `"${name}" entries must be strings, got ${describe(v[i])}`);
        ok = false;
      }
    }
    return ok ? [...(v as string[])] : undefined;
  }

  /** Validates and deep-copies a JSON value (plain objects and arrays only), reporting cycles, depth and non-JSON values. */
  json(v: unknown, path: string, depth: number, stack: unknown[]): { ok: boolean; value: JsonValue } {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return { ok: true, value: v };
    if (typeof v === 'number') {
      if (Number.isFinite(v)) return { ok: true, value: v };
      this.add(path, `${String(v)} is not a JSON number; use a finite number`);
      return { ok: false, value: null };
    }
    if (typeof v !== 'object') {
      this.add(path, `${typeof v} is not a JSON value; variant values must be JSON (objects, arrays, strings, numbers, booleans, null)`);
      return { ok: false, value: null };
    }
    if (stack.includes(v)) {
      this.add(path, 'the value contains a cycle (an object that contains itself); JSON values must be trees');
      return { ok: false, value: null };
    }
    if (depth > MAX_JSON_DEPTH) {
      this.add(path, `the value nests deeper than ${MAX_JSON_DEPTH} levels; flatten it`);
      return { ok: false, value: null };
    }
    stack.push(v);
    let ok = true;
    let value: JsonValue;
    if (Array.isArray(v)) {
      const out: JsonValue[] = [];
      for (let i = 0; i < v.length; i++) {
        const r = this.json(v[i], index(path, i), depth + 1, stack);
        ok &&= r.ok;
        out.push(r.value);
      }
      value = Object.freeze(out) as JsonValue[];
    } else {
      const proto = Object.getPrototypeOf(v) as unknown;
      if (proto !== Object.prototype && proto !== null) {
        this.add(path, 'only plain objects are JSON values (not Dates, Maps or class instances); convert it to plain data');
        stack.pop();
        return { ok: false, value: null };
      }
      const out: Record<string, JsonValue> = {};
      for (const key of Object.keys(v)) {
        const r = this.json((v as Obj)[key], member(path, key), depth + 1, stack);
        ok &&= r.ok;
        // defineProperty, not assignment: a "__proto__" key from JSON.parse must stay an own data property.
        Object.defineProperty(out, key, { value: r.value, enumerable: true, writable: false, configurable: false });
      }
      value = Object.freeze(out);
    }
    stack.pop();
    return { ok, value };
  }
}
