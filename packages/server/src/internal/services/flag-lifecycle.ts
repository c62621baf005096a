import type { FlagDefinition } from '@halyard/core';
import { lintFlags, type LintFinding, type LintOptions } from '@halyard/core/definitions';
import type { StoredResource } from '../store/types';

/** What the admin API says about a flag's debt: the rules are core's, the same `halyard lint --env` applies. */
export interface FlagLifecycle {
  /** `expired`: its `expiresAt` has passed; `stale`: past its kind's lifetime, or one variant for everyone, unchanged. */
  status: 'active' | 'stale' | 'expired';
  findings: Array<Pick<LintFinding, 'rule' | 'severity' | 'message'> & { days?: number }>;
  /** Only when the service runs with events: the last SDK exposure (to the minute), `null` if none within retention. */
  lastEvaluatedAt?: string | null;
}

const STALE_RULES = new Set<LintFinding['rule']>(['lifetime', 'single-variant', 'not-evaluated']);

/**
 * Adds `lifecycle` to each stored flag, from its definition and the service's `createdAt`/`updatedAt`.
 *
 * @example
 * const flags = withLifecycle(await resources.list<FlagDefinition>('flag', env));
 *
 * `lastEvaluated` (from the events pipeline, when it runs) adds `lastEvaluatedAt` and the "not evaluated" rule.
 */
export function withLifecycle(
  flags: ReadonlyArray<StoredResource<FlagDefinition>>,
  options: LintOptions = {},
  lastEvaluated?: ReadonlyMap<string, Date>,
): Array<StoredResource<FlagDefinition> & { lifecycle: FlagLifecycle }> {
  const lastOf = (key: string) => (lastEvaluated === undefined ? undefined : (lastEvaluated.get(key)?.toISOString() ?? null));
  const { findings } = lintFlags(
    flags.map((flag) => {
      const lastEvaluatedAt = lastOf(flag.key);
      return { key: flag.key, definition: flag.definition, createdAt: flag.createdAt, updatedAt: flag.updatedAt, ...(lastEvaluatedAt !== undefined ? { lastEvaluatedAt } : {}) };
    }),
    options,
  );
  const byFlag = new Map<string, LintFinding[]>();
  for (const finding of findings) byFlag.set(finding.flag, [...(byFlag.get(finding.flag) ?? []), finding]);
  return flags.map((flag) => {
    const own = byFlag.get(flag.key) ?? [];
    const status = own.some((f) => f.rule === 'expired') ? 'expired' : own.some((f) => STALE_RULES.has(f.rule)) ? 'stale' : 'active';
    const lastEvaluatedAt = lastOf(flag.key);
    return {
      ...flag,
      lifecycle: {
        status,
        findings: own.map(({ rule, severity, message, days }) => ({ rule, severity, message, ...(days !== undefined ? { days } : {}) })),
        ...(lastEvaluatedAt !== undefined ? { lastEvaluatedAt } : {}),
      },
    };
  });
}
