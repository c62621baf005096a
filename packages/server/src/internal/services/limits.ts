import type { Problem } from '../errors';
import { InvalidDefinitionsError } from '../errors';
import { isPlainObject } from '../json';

/**
 * Size limits on what a flag or segment may carry. Every SDK fetches every flag of its environment on every poll
 * and stream, so a 10 MB description would ride on all of them: metadata is capped per field, and each
 * definition as a whole. Checked on what a write sends (not on what is already stored, so an environment written
 * before the limits keeps working).
 */
export const LIMITS = {
  /** A flag's or rule's `description`, in characters. */
  description: 2048,
  /** A flag's `owner`, in characters. */
  owner: 200,
  /** How many `tags` a flag may have, and the length of each. */
  tags: 50,
  tag: 100,
  /** One variant's value, as JSON, in bytes (UTF-8). */
  variantValueBytes: 32 * 1024,
  /** One flag definition, as JSON, in bytes (UTF-8). */
  flagBytes: 64 * 1024,
  /** One segment definition, as JSON, in bytes (UTF-8): `included`/`excluded` lists may be long. */
  segmentBytes: 1024 * 1024,
} as const;

const KIB = 1024;
const size = (bytes: number): string => (bytes >= KIB * KIB ? `${bytes / (KIB * KIB)} MiB` : `${bytes / KIB} KiB`);
const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');

function longText(value: unknown, max: number, path: string, out: Problem[]): void {
  if (typeof value === 'string' && value.length > max) out.push({ path, message: `is ${value.length} characters long; at most ${max} are allowed` });
}

/** The size problems of one flag or segment definition as sent, with document paths (`$.flags["a"].description`). */
export function limitProblems(kind: 'flag' | 'segment', key: string, definition: unknown): Problem[] {
  const base = `$.${kind === 'flag' ? 'flags' : 'segments'}[${JSON.stringify(key)}]`;
  const out: Problem[] = [];
  if (!isPlainObject(definition)) return out;
  const total = jsonBytes(definition);
  const max = kind === 'flag' ? LIMITS.flagBytes : LIMITS.segmentBytes;
  if (total > max) out.push({ path: base, message: `is ${total} bytes of JSON; a ${kind} may be at most ${size(max)} (every SDK downloads it)` });
  if (kind === 'segment') return out;
  longText(definition.description, LIMITS.description, `${base}.description`, out);
  longText(definition.owner, LIMITS.owner, `${base}.owner`, out);
  if (Array.isArray(definition.tags)) {
    if (definition.tags.length > LIMITS.tags) out.push({ path: `${base}.tags`, message: `has ${definition.tags.length} tags; at most ${LIMITS.tags} are allowed` });
    definition.tags.forEach((tag, index) => longText(tag, LIMITS.tag, `${base}.tags[${index}]`, out));
  }
  if (Array.isArray(definition.rules)) {
    definition.rules.forEach((rule, index) => {
      if (isPlainObject(rule)) longText(rule.description, LIMITS.description, `${base}.rules[${index}].description`, out);
    });
  }
  if (isPlainObject(definition.variants)) {
    for (const [name, value] of Object.entries(definition.variants)) {
      const bytes = jsonBytes(value);
      if (bytes > LIMITS.variantValueBytes) {
        out.push({ path: `${base}.variants[${JSON.stringify(name)}]`, message: `is ${bytes} bytes of JSON; a variant value may be at most ${size(LIMITS.variantValueBytes)}` });
      }
    }
  }
  return out;
}

export interface LimitedWrite {
  kind: 'flag' | 'segment';
  key: string;
  definition: unknown;
  /** The stored definition it replaces: a field already over a limit stays allowed (a kill switch must always work). */
  current?: unknown;
}

/** Throws InvalidDefinitionsError (400) listing every new size problem of the definitions being written. */
export function assertWithinLimits(writes: Iterable<LimitedWrite>): void {
  const problems: Problem[] = [];
  for (const { kind, key, definition, current } of writes) {
    const found = limitProblems(kind, key, definition);
    if (found.length === 0) continue;
    const existing = current === undefined ? new Set<string>() : new Set(limitProblems(kind, key, current).map((problem) => problem.path));
    problems.push(...found.filter((problem) => !existing.has(problem.path)));
  }
  if (problems.length > 0) throw new InvalidDefinitionsError(problems);
}
