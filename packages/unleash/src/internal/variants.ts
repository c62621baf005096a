import { MAX_SPLIT_TOTAL } from '@halyard/core/definitions';
import type { Condition, SplitSlice } from '@halyard/core';
import type { Issues } from './issues';
import { describe, fld, idx, isObj, own } from './json-shape';
import { toHalyardAttribute } from './keys';
import { readList } from './payload';

/** One Unleash variant as it will be served: its Halyard variant key, weight and override conditions. */
export interface VariantEntry {
  key: string;
  name: string;
  weight: number;
  overrides: Condition[];
}

/** The variants of a strategy (or of the feature) with the stickiness and salt their split hashes with. */
export interface VariantSet {
  entries: VariantEntry[];
  /** "default", "random" or a Halyard attribute path. */
  stickiness: string;
  groupId: string;
  /** Variant served when Unleash would pick at random. */
  fallback: string;
  path: string;
}

/** Maps Unleash strategy stickiness / variant stickiness to "default", "random" or an attribute path. */
export function stickinessOf(raw: unknown, path: string, issues: Issues): string {
  if (raw === undefined || raw === null || raw === '' || raw === 'default') return 'default';
  if (raw === 'random') return 'random';
  if (typeof raw !== 'string') {
    issues.error(path, `"stickiness" must be a string, got ${describe(raw)}; using "default"`);
    return 'default';
  }
  const attr = toHalyardAttribute(raw);
  if (attr === undefined) {
    issues.warn(path, 'the stickiness field name is longer than 256 characters; using "default"');
    return 'default';
  }
  return attr;
}

export function readVariants(v: unknown, path: string, issues: Issues): ParsedVariants | undefined {
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) {
      issues.error(path, `"variants" must be an array, got ${describe(v)}; ignored`);
      return undefined;
    }
    if (v.length === 0) return undefined;
      const first: unknown = v[0];
    const firstStickiness = isObj(first) ? own(first, 'stickiness') : undefined;
    const entries: ParsedVariants['entries'] = [];
    let total = 0;
    v.forEach((raw: unknown, i) => {
      const p = idx(path, i);
      if (!isObj(raw)) {
        issues.error(p, `a variant must be an object with "name" and "weight", got ${describe(raw)}; ignored`);
        return;
      }
      const name = own(raw, 'name');
      if (typeof name !== 'string' || name.length === 0) {
        issues.error(fld(p, 'name'), `a variant needs a non-empty string "name", got ${describe(name)}; ignored`);
        return;
      }
      let weight = own(raw, 'weight');
      if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0) {
        issues.error(fld(p, 'weight'), `"weight" must be a non-negative integer, got ${describe(weight)}; using 0`);
        weight = 0;
      }
      total += weight as number;
      const entry: ParsedVariants['entries'][number] = { name, weight: weight as number, overrides: [] };
      const payload = own(raw, 'payload');
      if (payload !== undefined && payload !== null) {
        if (isObj(payload) && typeof own(payload, 'type') === 'string' && typeof own(payload, 'value') === 'string') {
          entry.payload = { type: own(payload, 'type') as string, value: own(payload, 'value') as string };
        } else issues.error(fld(p, 'payload'), `"payload" must be { "type": string, "value": string }, got ${describe(payload)}; ignored`);
      }
      readList(own(raw, 'overrides'), fld(p, 'overrides'), 'overrides', issues).forEach((o: unknown, j) => {
        const op = idx(fld(p, 'overrides'), j);
        if (!isObj(o) || typeof own(o, 'contextName') !== 'string' || !Array.isArray(own(o, 'values'))) {
          issues.error(op, `an override must be { "contextName": string, "values": string[] }, got ${describe(o)}; ignored`);
          return;
        }
        const attr = toHalyardAttribute(own(o, 'contextName') as string);
        // Overrides compare exact strings (no trimming); an empty context value is never present after unleashContext.
        const vals = (own(o, 'values') as unknown[]).filter((x): x is string => typeof x === 'string' && x !== '');
        if (attr === undefined || vals.length === 0) return;
        entry.overrides.push({ attribute: attr, operator: 'in', values: vals });
      });
      entries.push(entry);
    });
    if (total <= 0) {
      // Unleash selects no variant when the weights add up to 0 (overrides included).
      if (entries.length > 0) issues.warn(path, 'the variant weights add up to 0; Unleash never selects these variants, and neither does the import');
      return undefined;
    }
    if (total > MAX_SPLIT_TOTAL) {
      issues.error(path, `the variant weights add up to ${total}, more than ${MAX_SPLIT_TOTAL}; ignored`);
      return undefined;
    }
    return { entries, total, firstStickiness, stickiness: stickinessOf(firstStickiness, fld(idx(path, 0), 'stickiness'), issues) };
  }

export interface ParsedVariants {
  entries: Array<{ name: string; weight: number; payload?: { type: string; value: string }; overrides: Condition[] }>;
  total: number;
  /** Unleash reads stickiness from the first variant only. */
  firstStickiness: unknown;
  stickiness: string;
}

/** Slices for a variant split: zero weights never win in Unleash and adjacent duplicates merge. */
export function splitSlices(entries: readonly VariantEntry[]): SplitSlice[] {
  const out: SplitSlice[] = [];
  for (const e of entries) {
    if (e.weight === 0) continue;
    const last = out[out.length - 1];
    if (last !== undefined && last.variant === e.key) last.weight = (last.weight as number) + e.weight;
    else out.push({ variant: e.key, weight: e.weight });
  }
  return out;
}
