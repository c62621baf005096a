import type { FlagDefinition } from '@halyard/core';
import { lintFlags, type LintFinding, type LintOptions } from '@halyard/core/definitions';
import type { StoredResource } from '../store/types';

/** What the admin API says about a flag's debt: the rules are core's, the same `halyard lint --env` applies. */
export interface FlagLifecycle {
  /** `expired`: its `expiresAt` has passed; `stale`: past its kind's lifetime, or one variant for everyone, unchanged. */
  status: 'active' | 'stale' | 'expired';
  findings: Array<Pick<LintFinding, 'rule' | 'severity' | 'message'> & { days?: number }>;
}

const STALE_RULES = new Set<LintFinding['rule']>(['lifetime', 'single-variant', 'not-evaluated']);

/**
 * Adds `lifecycle` to each stored flag, from its definition and the service's `createdAt`/`updatedAt`.
 *
 * @example
 * const flags = withLifecycle(await resources.list<FlagDefinition>('flag', env));
 */
export function withLifecycle(
  flags: ReadonlyArray<StoredResource<FlagDefinition>>,
  options: LintOptions = {},
): Array<StoredResource<FlagDefinition> & { lifecycle: FlagLifecycle }> {
  const { findings } = lintFlags(
    flags.map((flag) => ({ key: flag.key, definition: flag.definition, createdAt: flag.createdAt, updatedAt: flag.updatedAt })),
    options,
  );
  const byFlag = new Map<string, LintFinding[]>();
  for (const finding of findings) byFlag.set(finding.flag, [...(byFlag.get(finding.flag) ?? []), finding]);
  return flags.map((flag) => {
    const own = byFlag.get(flag.key) ?? [];
    const status = own.some((f) => f.rule === 'expired') ? 'expired' : own.some((f) => STALE_RULES.has(f.rule)) ? 'stale' : 'active';
    return {
      ...flag,
      lifecycle: { status, findings: own.map(({ rule, severity, message, days }) => ({ rule, severity, message, ...(days !== undefined ? { days } : {}) })) },
    };
  });
}
