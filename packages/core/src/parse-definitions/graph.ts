import { describe, isObj, own, quoteList } from '../internal/json-shape';
import type { Prerequisite } from '../types';
import { field, index, member, type Checker } from './checker';
import type { RawPrerequisites } from './flag';

/*
 * The graphs of references: flag prerequisites (each must name another flag and variants it has) and segments
 * referencing segments (`inSegment` inside a segment). Both must be acyclic: the evaluator compiles what is
 * referenced before what references it.
 */

const PREREQUISITE_FIELDS = ['flag', 'variants'];

/** A flag's prerequisites against the variants of every flag in the document. */
export function checkPrerequisites(
  c: Checker,
  key: string,
  raw: RawPrerequisites,
  variantsOf: Map<string, string[]>,
): Prerequisite[] | undefined {
  const { path, value } = raw;
  if (!Array.isArray(value)) {
    c.add(path, `"prerequisites" must be an array of { flag, variants }, got ${describe(value)}`);
    return undefined;
  }
  let ok = true;
  const out: Prerequisite[] = [];
  for (let i = 0; i < value.length; i++) {
    const pr: unknown = value[i];
    const p = index(path, i);
    if (!isObj(pr)) {
      c.add(p, `a prerequisite must be an object like { "flag": "other-flag", "variants": ["on"] }, got ${describe(pr)}`);
      ok = false;
      continue;
    }
    c.fields(pr, p, PREREQUISITE_FIELDS, 'a prerequisite');
    const flagKey = own(pr, 'flag');
    const known = typeof flagKey === 'string' ? variantsOf.get(flagKey) : undefined;
    if (typeof flagKey !== 'string' || known === undefined) {
      c.add(field(p, 'flag'), `unknown prerequisite flag ${describe(flagKey)}; it must be the key of another flag in this document`);
      ok = false;
      continue;
    }
    if (flagKey === key) {
      c.add(field(p, 'flag'), 'a flag cannot be its own prerequisite');
      ok = false;
      continue;
    }
    const variants = c.stringArray(own(pr, 'variants'), field(p, 'variants'), 'variants', true);
    if (variants === undefined) {
      ok = false;
      continue;
    }
    for (let j = 0; j < variants.length; j++) {
      if (!known.includes(variants[j] as string)) {
        c.add(
          index(field(p, 'variants'), j),
          `unknown variant ${JSON.stringify(variants[j])} of flag ${JSON.stringify(flagKey)}; known variants: ${quoteList(known)}`,
        );
        ok = false;
      }
    }
    out.push({ flag: flagKey, variants });
  }
  return ok ? out : undefined;
}

/** Where and how a kind of cycle is reported. */
export interface CycleReport {
  /** The path of the problem, for the cycle's first key. */
  path(key: string): string;
  /** The message, for the cycle written as "a → b → a". */
  message(cycle: string): string;
}

export const PREREQUISITE_CYCLE: CycleReport = {
  path: (key) => field(member('$.flags', key), 'prerequisites'),
  message: (cycle) => `prerequisite cycle: ${cycle}; remove one of these prerequisites`,
};

export const SEGMENT_CYCLE: CycleReport = {
  path: (key) => field(member('$.segments', key), 'conditions'),
  message: (cycle) => `segment cycle: ${cycle}; remove one of these "inSegment" references`,
};

/** Reports every cycle once, as "a → b → a". Iterative, so long chains cannot overflow the stack. */
export function checkCycles(c: Checker, edges: Map<string, string[]>, report: CycleReport): boolean {
  const state = new Map<string, 1 | 2>(); // 1 = on the DFS path, 2 = done
  const reported = new Set<string>();
  let ok = true;
  for (const root of edges.keys()) {
    if (state.has(root)) continue;
    const path: string[] = [root];
    const nextIndex: number[] = [0];
    state.set(root, 1);
    while (path.length > 0) {
      const node = path[path.length - 1] as string;
      const targets = edges.get(node) ?? [];
      const i = nextIndex[nextIndex.length - 1] as number;
      if (i >= targets.length) {
        state.set(node, 2);
        path.pop();
        nextIndex.pop();
        continue;
      }
      nextIndex[nextIndex.length - 1] = i + 1;
      const next = targets[i] as string;
      const s = state.get(next);
      if (s === undefined) {
        state.set(next, 1);
        path.push(next);
        nextIndex.push(0);
      } else if (s === 1) {
        ok = false;
        const cycle = path.slice(path.indexOf(next));
        // Rotate to the smallest key so each cycle is reported once whichever node the search entered it by.
        let min = 0;
        for (let j = 1; j < cycle.length; j++) if ((cycle[j] as string) < (cycle[min] as string)) min = j;
        const rotated = [...cycle.slice(min), ...cycle.slice(0, min)];
        const id = rotated.join('\u0000');
        if (!reported.has(id)) {
          reported.add(id);
          const start = rotated[0] as string;
          c.add(report.path(start), report.message([...rotated, start].join(' → ')));
        }
      }
    }
  }
  return ok;
}