/**
 * The flag-debt rules (expiry, lifetime by kind, one variant for everyone, not evaluated, no owner): one
 * implementation, read by `halyard lint` (through `@halyard/lifecycle`) and by the flag service's admin API
 * (`lifecycle` on each listed flag). Pure functions of definitions and timestamps; no I/O.
 */
import { parseDefinitions } from './parse-definitions';
import type { DefinitionProblem, FlagDefinition, FlagKind } from './types';

/** One flag as the lint sees it: its definition, plus what the flag service knows about it, when it is asked. */
export interface LintFlag {
  key: string;
  definition: FlagDefinition;
  /** When the flag was created (the service's `createdAt`); needed for the lifetime check. */
  createdAt?: string;
  /** When its definition last changed (the service's `updatedAt`); needed for the "one variant, unchanged" check. */
  updatedAt?: string;
  /**
   * When an SDK last evaluated it (the events pipeline); needed for the "not evaluated" check. `null`: the
   * pipeline is on and saw no evaluation within its retention; reported only once the flag (`createdAt`) is
   * older than `notEvaluatedDays`, so a new flag is not.
   */
  lastEvaluatedAt?: string | null;
}

export type LintRule = 'expired' | 'lifetime' | 'single-variant' | 'not-evaluated' | 'no-owner';

/** One finding: an `error` (an expired flag: CI fails) or a `warning` (potentially stale). */
export interface LintFinding {
  flag: string;
  rule: LintRule;
  severity: 'error' | 'warning';
  /** One line that names the flag, its owner and the fix. */
  message: string;
  /** JSON path of the field the finding is about, e.g. `$.flags["old-banner"].expiresAt`. */
  path: string;
  owner?: string;
  /** Days past the limit (expiry, lifetime) or since the last change/evaluation. */
  days?: number;
}

export interface LintOptions {
  /** The clock (tests pass a fixed date). Default: now. */
  now?: Date;
  /**
   * Days a flag of each kind may live before it is reported as potentially stale; `null` means never.
   * Defaults: {@link DEFAULT_LIFETIMES}. A flag without `kind` is treated as a `release` flag.
   */
  lifetimes?: Partial<Record<FlagKind, number | null>>;
  /** Days a flag may serve one variant to everyone, unchanged, before it is reported. Default 30. */
  unchangedDays?: number;
  /** Days without an SDK evaluation before a flag is reported. Default 30. */
  notEvaluatedDays?: number;
  /** Warn on flags without an `owner`. Default true. */
  requireOwner?: boolean;
}

export interface LintResult {
  findings: LintFinding[];
  errors: number;
  warnings: number;
  /** Flags checked. */
  flags: number;
}

/** Lifetimes by kind, in days (Unleash's defaults): short-lived kinds get a limit, long-lived ones never do. */
export const DEFAULT_LIFETIMES: Readonly<Record<FlagKind, number | null>> = Object.freeze({
  release: 40,
  experiment: 40,
  operational: null,
  permission: null,
});

const DAY = 86_400_000;

const pathOf = (key: string, field?: string) => `$.flags[${JSON.stringify(key)}]${field ? `.${field}` : ''}`;
const ownerText = (owner: string | undefined) => (owner ? `owner ${owner}` : 'no owner');
const daysText = (days: number) => (days === 1 ? '1 day' : `${days} days`);

/** Whole days from `from` to `to` (negative when `to` is earlier). */
function daysBetween(from: number, to: number): number {
  return Math.floor((to - from) / DAY);
}

/**
 * The one variant a flag serves to everyone, when it does: switched off with an off-variant, or no targets and
 * no rules and a default that is one variant (or a split whose every weight goes to one variant).
 */
export function soleVariant(definition: FlagDefinition): string | undefined {
  if (!definition.enabled) return definition.offVariant;
  if ((definition.targets?.length ?? 0) > 0 || (definition.rules?.length ?? 0) > 0 || (definition.prerequisites?.length ?? 0) > 0) return undefined;
  const serve = definition.defaultServe;
  if ('variant' in serve) return serve.variant;
  const live = serve.split.filter((slice) => (slice.weight ?? slice.percentage ?? 0) > 0);
  const first = live[0]?.variant;
  return first !== undefined && live.every((slice) => slice.variant === first) ? first : undefined;
}

/**
 * Checks flags for debt. Errors: `expiresAt` has passed. Warnings (potentially stale): past the lifetime of
 * its kind (needs `createdAt`), one variant served to everyone and unchanged for `unchangedDays` (needs
 * `updatedAt`), not evaluated by any SDK for `notEvaluatedDays` (needs `lastEvaluatedAt`), no owner.
 * A date-only `expiresAt` such as `"2025-06-30"` expires at the start of that day (UTC).
 *
 * @example
 * const { findings, errors } = lintFlags([{ key: 'old-banner', definition }], { now: new Date('2026-01-01') });
 * if (errors > 0) process.exitCode = 1;
 */
export function lintFlags(flags: readonly LintFlag[], options: LintOptions = {}): LintResult {
  const now = (options.now ?? new Date()).getTime();
  const lifetimes = { ...DEFAULT_LIFETIMES, ...options.lifetimes };
  const unchangedDays = options.unchangedDays ?? 30;
  const notEvaluatedDays = options.notEvaluatedDays ?? 30;
  const findings: LintFinding[] = [];
  for (const flag of [...flags].sort((a, b) => a.key.localeCompare(b.key))) {
    const { key, definition } = flag;
    const owner = definition.owner;
    const base = { flag: key, ...(owner !== undefined ? { owner } : {}) };
    const expiresAt = definition.expiresAt === undefined ? NaN : Date.parse(definition.expiresAt);
    if (Number.isFinite(expiresAt) && expiresAt <= now) {
      const days = daysBetween(expiresAt, now);
      findings.push({
        ...base,
        rule: 'expired',
        severity: 'error',
        path: pathOf(key, 'expiresAt'),
        days,
        message: `flag "${key}" expired ${days === 0 ? 'today' : `${daysText(days)} ago`} (${definition.expiresAt}; ${ownerText(owner)}): remove it from the code (halyard cleanup ${key} --keep <variant>) and archive it, or move expiresAt`,
      });
    }
    const kind = definition.kind ?? 'release';
    const lifetime = lifetimes[kind];
    const createdAt = flag.createdAt === undefined ? NaN : Date.parse(flag.createdAt);
    if (lifetime !== null && lifetime !== undefined && Number.isFinite(createdAt) && !(Number.isFinite(expiresAt) && expiresAt > now)) {
      const age = daysBetween(createdAt, now);
      if (age > lifetime) {
        findings.push({
          ...base,
          rule: 'lifetime',
          severity: 'warning',
          path: pathOf(key, 'kind'),
          days: age - lifetime,
          message: `flag "${key}" is ${daysText(age)} old, past the ${lifetime}-day lifetime of a ${kind} flag (${ownerText(owner)}): potentially stale; set expiresAt if it is meant to stay`,
        });
      }
    }
    const sole = soleVariant(definition);
    const updatedAt = flag.updatedAt === undefined ? NaN : Date.parse(flag.updatedAt);
    if (sole !== undefined && Number.isFinite(updatedAt) && (kind === 'release' || kind === 'experiment')) {
      const unchanged = daysBetween(updatedAt, now);
      if (unchanged >= unchangedDays) {
        findings.push({
          ...base,
          rule: 'single-variant',
          severity: 'warning',
          path: pathOf(key, 'defaultServe'),
          days: unchanged,
          message: `flag "${key}" has served "${sole}" to everyone, unchanged, for ${daysText(unchanged)} (${ownerText(owner)}): potentially stale; halyard cleanup ${key} --keep ${sole}`,
        });
      }
    }
    if (flag.lastEvaluatedAt === null) {
      if (Number.isFinite(createdAt) && daysBetween(createdAt, now) >= notEvaluatedDays) {
        findings.push({
          ...base,
          rule: 'not-evaluated',
          severity: 'warning',
          path: pathOf(key),
          message: `flag "${key}" has not been evaluated by any SDK for ${daysText(notEvaluatedDays)} or more (${ownerText(owner)}): potentially stale`,
        });
      }
    } else if (flag.lastEvaluatedAt !== undefined) {
      const last = Date.parse(flag.lastEvaluatedAt);
      const idle = Number.isFinite(last) ? daysBetween(last, now) : Infinity;
      if (idle >= notEvaluatedDays) {
        findings.push({
          ...base,
          rule: 'not-evaluated',
          severity: 'warning',
          path: pathOf(key),
          ...(Number.isFinite(idle) ? { days: idle } : {}),
          message: `flag "${key}" has not been evaluated by any SDK for ${daysText(idle)} (${ownerText(owner)}): potentially stale`,
        });
      }
    }
    if ((options.requireOwner ?? true) && (owner === undefined || owner.trim() === '')) {
      findings.push({ ...base, rule: 'no-owner', severity: 'warning', path: pathOf(key, 'owner'), message: `flag "${key}" has no owner: set "owner" so someone answers for its removal` });
    }
  }
  // Errors first, then by flag: the lines CI fails on lead.
  findings.sort((a, b) => (a.severity === b.severity ? a.flag.localeCompare(b.flag) : a.severity === 'error' ? -1 : 1));
  const errors = findings.filter((f) => f.severity === 'error').length;
  return { findings, errors, warnings: findings.length - errors, flags: flags.length };
}

/**
 * Lints a flags document (parsed and validated first). Returns the document's problems instead when it is not
 * valid, so the caller can report them with their paths.
 *
 * @example
 * const result = lintDocument(JSON.parse(readFileSync('flags.json', 'utf8')));
 * if (!result.ok) console.error(result.problems);
 * else if (result.errors > 0) process.exitCode = 1;
 */
export function lintDocument(
  document: unknown,
  options: LintOptions = {},
): ({ ok: true } & LintResult) | { ok: false; problems: DefinitionProblem[] } {
  const parsed = parseDefinitions(document);
  if (!parsed.ok) return { ok: false, problems: parsed.problems };
  const flags = Object.entries(parsed.definitions.flags).map(([key, definition]) => ({ key, definition }));
  return { ok: true, ...lintFlags(flags, options) };
}

/**
 * Parses a lifetime setting such as `"release=30,experiment=60,operational=never"`.
 *
 * @example
 * lintFlags(flags, { lifetimes: parseLifetimes('release=30') });
 */
export function parseLifetimes(text: string): Partial<Record<FlagKind, number | null>> {
  const out: Partial<Record<FlagKind, number | null>> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^([a-z]+)=(never|\d+)$/.exec(part);
    if (!match || !(match[1]! in DEFAULT_LIFETIMES)) {
      throw new Error(`@halyard/core: lifetime "${part}" is not <kind>=<days|never> with a kind of ${Object.keys(DEFAULT_LIFETIMES).join(', ')}`);
    }
    out[match[1] as FlagKind] = match[2] === 'never' ? null : Number(match[2]);
  }
  return out;
}
