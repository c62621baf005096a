import type { Problem } from '../api/client';

/*
 * Validation problems from the service carry JSON paths into the environment document
 * (`$.flags["checkout"].rules[1].conditions[0].values[0]`), into the request body (`$.definition.rules[0]`), or
 * relative ones (`rules[1].serve`). The flag page names its fields by the same path relative to the flag
 * (`rules[1].conditions[0].values`), so a problem lands at the deepest field the page renders on its path, and one
 * the page cannot place (another flag, a segment, the flag as a whole) goes to the summary at the top.
 */

type Segment = string | number;

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
// Bounded: a path is short; anything past this is not a path we can place.
const MAX_PATH_LENGTH = 2_000;

/** The segments of a JSON path (`$.a["b.c"][2]` → `['a', 'b.c', 2]`), or undefined when it is not one. */
export function parsePath(path: string): Segment[] | undefined {
  if (path.length > MAX_PATH_LENGTH) return undefined;
  const out: Segment[] = [];
  let i = path.startsWith('$') ? 1 : 0;
  let first = true;
  while (i < path.length) {
    const char = path[i];
    if (char === '.' || (first && i === 0 && char !== '[')) {
      if (char === '.') i++;
      const match = /^[^.[\]]+/.exec(path.slice(i));
      if (!match) return undefined;
      out.push(match[0]);
      i += match[0].length;
    } else if (char === '[') {
      const rest = path.slice(i);
      const index = /^\[(\d+)\]/.exec(rest);
      if (index) {
        out.push(Number(index[1]));
        i += index[0].length;
      } else {
        const quoted = /^\[("(?:[^"\\]|\\.)*")\]/.exec(rest);
        if (!quoted) return undefined;
        try {
          out.push(JSON.parse(quoted[1]!) as string);
        } catch {
          return undefined;
        }
        i += quoted[0].length;
      }
    } else return undefined;
    first = false;
  }
  return out;
}

/** The canonical text of a field path: `rules[1].conditions[0].values`, `variants["dark-mode"]`. */
export function formatPath(segments: readonly Segment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** Builds a field path from segments, e.g. `fieldPath('rules', 1, 'serve')` → `rules[1].serve`. */
export function fieldPath(...segments: Segment[]): string {
  return formatPath(segments);
}

/**
 * A problem's path relative to flag `flagKey` (`''` for the flag itself), or undefined when the problem is about
 * something else in the document (another flag, a segment).
 */
export function relativeToFlag(path: string, flagKey: string): string | undefined {
  const segments = parsePath(path);
  if (segments === undefined) return undefined;
  const [head, second] = segments;
  if (head === 'flags') return second === flagKey ? formatPath(segments.slice(2)) : undefined;
  if (head === 'segments' || head === 'schemaVersion' || head === 'version') return undefined;
  if (head === 'definition') return formatPath(segments.slice(1));
  return formatPath(segments);
}

/** The id of the DOM element of a field (`rules[1].serve` → `field-rules-1-serve`), safe in `#…` selectors and URLs. */
export function fieldDomId(path: string): string {
  const text = path
    .replace(/\[(\d+)\]/g, '-$1')
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return text === '' ? 'field-flag' : `field-${text}`;
}

export interface MappedProblems {
  /** Message(s) by field path (several problems at one field are joined). */
  fields: Record<string, string>;
  /** Problems no rendered field can show: listed in the summary. */
  unmapped: Problem[];
}

/**
 * Places each problem at the deepest field in `fields` that is its path or a prefix of it
 * (`rules[1].conditions[0].values[0]` → `rules[1].conditions[0].values` when that is a field).
 *
 * @example
 * mapProblems([{ path: '$.flags["f"].rules[0].serve.variant', message: 'unknown variant "onn"' }], 'f', ['rules[0].serve']);
 * // → { fields: { 'rules[0].serve': 'unknown variant "onn"' }, unmapped: [] }
 */
export function mapProblems(problems: readonly Problem[], flagKey: string, fields: Iterable<string>): MappedProblems {
  const known = new Set(fields);
  const out: MappedProblems = { fields: {}, unmapped: [] };
  for (const problem of problems) {
    const relative = relativeToFlag(problem.path, flagKey);
    const segments = relative === undefined ? undefined : parsePath(relative);
    let placed: string | undefined;
    if (segments !== undefined) {
      for (let length = segments.length; length > 0 && placed === undefined; length--) {
        const candidate = formatPath(segments.slice(0, length));
        if (known.has(candidate)) placed = candidate;
      }
    }
    if (placed === undefined) out.unmapped.push(problem);
    else out.fields[placed] = out.fields[placed] === undefined ? problem.message : `${out.fields[placed]}; ${problem.message}`;
  }
  return out;
}
