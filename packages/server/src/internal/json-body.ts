import { InvalidJsonError, ValidationError } from './errors';

/**
 * The JSON boundary of the service: every request body, query string and path parameter passes through here
 * once, before any route sees it, so no route can forget a rule and no rule is written twice.
 *
 * - `__proto__`/`constructor`/`prototype` keys are refused: bodies are merged into stored objects (merge patch),
 *   and such keys would be a prototype-pollution vector.
 * - NUL (`\u0000`) and lone UTF-16 surrogates are refused in every string and key: PostgreSQL can store neither
 *   in `text` or `jsonb` (the audit log is `jsonb`), so they would fail the write with a 500, or be silently
 *   replaced. Refusing them up front gives the client the JSON path instead.
 * - Integers beyond ±(2^53 − 1) are refused: JavaScript has already rounded them, and storing the rounded number
 *   would silently change what the client sent.
 * - Nesting deeper than {@link MAX_JSON_DEPTH} is refused with that reason. The walk is iterative (JSON.parse is
 *   too, without a reviver), so a 100k-deep body is an answer, not "Maximum call stack size exceeded".
 */

/** Deepest nesting accepted in a request body (objects and arrays). Flag documents need well under 20. */
export const MAX_JSON_DEPTH = 64;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

// A NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Why a string cannot be stored, or `undefined` when it can. */
export function unstorableReason(text: string): string | undefined {
  const match = UNSTORABLE.exec(text);
  if (match === null) return undefined;
  if (match[0] === '\u0000') return `contains a NUL character (\\u0000) at index ${match.index}; remove it`;
  const unit = match[0].charCodeAt(0).toString(16).toUpperCase();
  return `contains a lone UTF-16 surrogate (\\u${unit}) at index ${match.index}; send well-formed Unicode`;
}

interface Frame {
  value: unknown;
  depth: number;
  parent: Frame | undefined;
  /** The member name or array index this value is at in its parent. */
  key: string | number | undefined;
}

function pathOf(frame: Frame, root: string, key?: string | number): string {
  const keys: Array<string | number> = key === undefined ? [] : [key];
  for (let at: Frame | undefined = frame; at?.key !== undefined; at = at.parent) keys.push(at.key);
  let path = root;
  for (let index = keys.length - 1; index >= 0; index--) {
    const part = keys[index]!;
    path += typeof part === 'number' ? `[${part}]` : IDENTIFIER.test(part) ? `.${part}` : `[${JSON.stringify(part)}]`;
  }
  return path;
}

/**
 * Checks a parsed JSON value against the boundary rules above, iteratively; throws a ValidationError naming the
 * first offending path (`root` is `$` for bodies, `query`/`params` for the URL).
 */
export function checkJsonValue(value: unknown, root = '$'): void {
  const stack: Frame[] = [{ value, depth: 0, parent: undefined, key: undefined }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const node = frame.value;
    if (typeof node === 'string') {
      const why = unstorableReason(node);
      if (why !== undefined) throw ValidationError.at(pathOf(frame, root), why);
    } else if (typeof node === 'number') {
      if (Number.isInteger(node) && !Number.isSafeInteger(node)) {
        throw ValidationError.at(pathOf(frame, root), `is an integer beyond ±9007199254740991 (2^53 − 1), which cannot be stored exactly; send it as a string`);
      }
    } else if (typeof node === 'object' && node !== null) {
      if (frame.depth >= MAX_JSON_DEPTH) {
        throw ValidationError.at(pathOf(frame, root), `is nested too deeply: at most ${MAX_JSON_DEPTH} levels of objects and arrays`);
      }
      if (Array.isArray(node)) {
        for (let index = node.length - 1; index >= 0; index--) stack.push({ value: node[index], depth: frame.depth + 1, parent: frame, key: index });
      } else {
        const entries = Object.entries(node);
        for (let index = entries.length - 1; index >= 0; index--) {
          const [key, member] = entries[index]!;
          if (FORBIDDEN_KEYS.has(key)) throw new ValidationError(`Key "${key}" is not allowed in request bodies (at ${pathOf(frame, root, key)})`);
          const why = unstorableReason(key);
          if (why !== undefined) throw ValidationError.at(pathOf(frame, root, key), `the member name ${why}`);
          stack.push({ value: member, depth: frame.depth + 1, parent: frame, key });
        }
      }
    }
  }
}

/** Parses a request body and applies the boundary rules; an empty body is `undefined`. */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    // No reviver: V8's JSON.parse is iterative, a reviver is recursive (stack overflow on deep input).
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidJsonError(`Request body is not valid JSON: ${(error as Error).message}`);
  }
  checkJsonValue(value);
  return value;
}
