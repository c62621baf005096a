import type { DefinitionProblem } from '../types';

/** Lists problems one per line (`  $.path: message`), capped so a hostile document cannot produce a huge message. */
export function formatProblems(problems: readonly DefinitionProblem[], limit = 50): string {
  const lines = problems.slice(0, limit).map((p) => `  ${p.path}: ${p.message}`);
  if (problems.length > limit) lines.push(`  …and ${problems.length - limit} more`);
  return lines.join('\n');
}

/**
 * An Error carrying every problem of an invalid flags document (thrown by `staticSource`, reported by the other
 * sources as their `error` update).
 *
 * @example
 * try {
 *   staticSource(document);
 * } catch (error) {
 *   if (error instanceof DefinitionsError) for (const p of error.problems) console.error(p.path, p.message);
 * }
 */
export class DefinitionsError extends Error {
  readonly problems: readonly DefinitionProblem[];
  constructor(intro: string, problems: readonly DefinitionProblem[]) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(`${intro} (${count}):\n${formatProblems(problems)}`);
    this.name = 'DefinitionsError';
    this.problems = problems;
  }
}
