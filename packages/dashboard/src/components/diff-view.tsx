import './diff-view.css';

/** One difference between two JSON values, located by a JSON path such as `rules[0].conditions[1].values`. */
export interface DiffEntry {
  path: string;
  kind: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Arrays of primitives (segment `values`, `tags`, included keys) read best as one value: ["a","b"] → ["a","b","c"],
// not as a list of per-index edits. Arrays holding objects (rules, conditions) are compared index by index.
function isLeaf(value: unknown): boolean {
  if (isRecord(value)) return false;
  if (Array.isArray(value)) return value.every((item) => !isRecord(item) && !Array.isArray(item));
  return true;
}

function join(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  if (IDENTIFIER.test(key)) return base === '' ? key : `${base}.${key}`;
  return `${base}[${JSON.stringify(key)}]`;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

// Bounded: a revert/412 diff is of one resource; past this many entries the rest is summarised.
const MAX_ENTRIES = 500;

/**
 * The differences between two JSON values, by path, in document order. `undefined` on one side means the value
 * was absent (a created or deleted resource diffs against nothing).
 *
 * @example
 * diffPaths({ enabled: false, tags: ['a'] }, { enabled: true, tags: ['a'] });
 * // → [{ path: 'enabled', kind: 'changed', before: false, after: true }]
 */
export function diffPaths(before: unknown, after: unknown): DiffEntry[] {
  const out: DiffEntry[] = [];
  const walk = (path: string, left: unknown, right: unknown): void => {
    if (out.length >= MAX_ENTRIES) return;
    if (left === undefined && right === undefined) return;
    if (left === undefined) {
      out.push({ path: path || '(value)', kind: 'added', after: right });
      return;
    }
    if (right === undefined) {
      out.push({ path: path || '(value)', kind: 'removed', before: left });
      return;
    }
    if (same(left, right)) return;
    if (isRecord(left) && isRecord(right)) {
      const keys = [...Object.keys(left), ...Object.keys(right).filter((key) => !(key in left))];
      for (const key of keys) walk(join(path, key), left[key], right[key]);
      return;
    }
    if (Array.isArray(left) && Array.isArray(right) && !(isLeaf(left) && isLeaf(right))) {
      const length = Math.max(left.length, right.length);
      for (let index = 0; index < length; index++) walk(join(path, index), left[index], right[index]);
      return;
    }
    out.push({ path: path || '(value)', kind: 'changed', before: left, after: right });
  };
  walk('', before, after);
  return out;
}

function show(value: unknown): string {
  if (value === undefined) return '—';
  return typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value, null, 1).replace(/\n\s*/g, ' ');
}

const KIND_LABEL: Record<DiffEntry['kind'], string> = { added: 'added', removed: 'removed', changed: 'changed' };

export interface DiffViewProps {
  before: unknown;
  after: unknown;
  /** Accessible caption of the table, e.g. "Changes in version 4". */
  caption?: string;
}

/**
 * A readable before/after diff of two JSON values by path: one row per changed path, with the old and the new value
 * (the change kind is written out, not only coloured).
 *
 * @example
 * <DiffView before={entry.before} after={entry.after} caption="Changes" />
 */
export function DiffView({ before, after, caption = 'Changes' }: DiffViewProps) {
  const entries = diffPaths(before, after);
  if (entries.length === 0) return <p className="diff-view-empty">No differences.</p>;
  return (
    <div className="diff-view">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Path</th>
            <th scope="col">Before</th>
            <th scope="col">After</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <tr key={entry.path} className={`diff-${entry.kind}`}>
              <th scope="row">
                <code>{entry.path}</code> <span className="diff-kind">({KIND_LABEL[entry.kind]})</span>
              </th>
              <td className="diff-before">
                <code>{show(entry.before)}</code>
              </td>
              <td className="diff-after">
                <code>{show(entry.after)}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {entries.length >= MAX_ENTRIES && <p>Only the first {MAX_ENTRIES} differences are shown.</p>}
    </div>
  );
}
