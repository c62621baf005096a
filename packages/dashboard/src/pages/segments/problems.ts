import type { Problem } from '../../api/client';
import { formatPath, mapProblems, parsePath, type MappedProblems } from '../../lib/problem-fields';

// Paths that no flag key can equal: mapProblems then places only definition-relative paths (`$.definition…`, `rules…`).
const NO_FLAG = '\u0000';

/**
 * Places validation problems of segment `key` at the segment editor's fields: paths into the document
 * (`$.segments["beta"].conditions[0].values`) become definition-relative, then the shared mapping of
 * src/lib/problem-fields.ts does the rest; problems about other resources stay unmapped for the summary.
 *
 * @example
 * segmentProblems([{ path: '$.segments["beta"].included[0]', message: 'must be a string' }], 'beta', ['included']);
 * // → { fields: { included: 'must be a string' }, unmapped: [] }
 */
export function segmentProblems(problems: readonly Problem[], key: string, fields: Iterable<string>): MappedProblems {
  const rewritten = problems.map((problem) => {
    const segments = parsePath(problem.path);
    if (segments?.[0] === 'segments' && segments[1] === key) return { ...problem, path: formatPath(['definition', ...segments.slice(2)]) };
    return problem;
  });
  const mapped = mapProblems(rewritten, NO_FLAG, fields);
  // Report unmapped problems with their original paths (the user may recognise them).
  return { fields: mapped.fields, unmapped: mapped.unmapped.map((problem) => problems[rewritten.indexOf(problem)] ?? problem) };
}
