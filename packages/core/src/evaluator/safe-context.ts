import { EMPTY_CONTEXT, type Ctx, type Rec } from './context';

const MAX_SAFE_COPY_DEPTH = 16;
const MAX_SAFE_COPY_PROPERTIES = 10_000;
const dateGetTime = Date.prototype.getTime;

function isDate(value: object): boolean {
  try {
    dateGetTime.call(value as Date);
    return true;
  } catch {
    return false;
  }
}

/**
 * A copy of the context's own data, for the retry after the fast path threw: every property read inside a
 * try/catch, properties that throw are left out, nested objects copied up to a depth and size budget, cycles
 * shared rather than followed. Only built on that error path.
 */
export function safeContext(ctx: Ctx): Ctx {
  const seen = new Map<object, object>();
  let budget = MAX_SAFE_COPY_PROPERTIES;
  const copy = (value: unknown, depth: number): unknown => {
    if (typeof value === 'function') return undefined;
    if (typeof value !== 'object' || value === null) return value;
    const known = seen.get(value);
    if (known !== undefined) return known;
    if (isDate(value)) return new Date(dateGetTime.call(value as Date));
    if (depth > MAX_SAFE_COPY_DEPTH) return undefined;
    let isArray = false;
    try {
      isArray = Array.isArray(value);
    } catch {
      return undefined; // revoked proxy
    }
    const out: object = isArray ? [] : (Object.create(null) as object);
    seen.set(value, out);
    let names: string[];
    try {
      names = Object.getOwnPropertyNames(value);
    } catch {
      return out;
    }
    for (const name of names) {
      // An array's length follows its elements (and cannot be redefined as configurable).
      if (isArray && name === 'length') continue;
      if (budget-- <= 0) break;
      let v: unknown;
      try {
        v = (value as Rec)[name];
      } catch {
        continue;
      }
      const c = copy(v, depth + 1);
      if (c !== undefined) Object.defineProperty(out, name, { value: c, enumerable: true, writable: true, configurable: true });
    }
    return out;
  };
  const result = copy(ctx, 0);
  return typeof result === 'object' && result !== null ? result : EMPTY_CONTEXT;
}
