import type { FlagDefinition, Serve } from '@halyard/core';
import { conditionFieldPaths } from '../../components/condition-editor';
import { fieldPath } from '../../lib/problem-fields';

/*
 * The flag page edits a draft of the definition. Variant values are edited as JSON text (kept as typed until they
 * parse), so the draft holds the variants as rows and `composeDefinition` builds what is saved.
 */

export interface VariantRow {
  /** Stable React key across renames. */
  id: number;
  name: string;
  /** The value as JSON text. */
  text: string;
}

let nextRowId = 1;

export function variantRows(definition: FlagDefinition): VariantRow[] {
  return Object.entries(definition.variants).map(([name, value]) => ({ id: nextRowId++, name, text: JSON.stringify(value) }));
}

export function newVariantRow(rows: readonly VariantRow[]): VariantRow {
  let index = rows.length + 1;
  while (rows.some((row) => row.name === `variant-${index}`)) index++;
  return { id: nextRowId++, name: `variant-${index}`, text: rows[0]?.text === 'true' || rows[0]?.text === 'false' ? 'false' : '""' };
}

/** The JSON problem of a variant row's text, or undefined when it parses. */
export function variantTextError(row: VariantRow, rows: readonly VariantRow[]): string | undefined {
  if (row.name.trim() === '') return 'Give the variant a name.';
  if (rows.some((other) => other !== row && other.name === row.name)) return `Another variant is also called "${row.name}": names must be unique.`;
  try {
    JSON.parse(row.text);
    return undefined;
  } catch {
    return 'Not valid JSON: write true, false, a number, a "quoted string" or an {object}.';
  }
}

/** The definition to save: the draft with the variants parsed from their rows (rows must all parse). */
export function composeDefinition(draft: FlagDefinition, rows: readonly VariantRow[]): FlagDefinition {
  const variants: FlagDefinition['variants'] = {};
  for (const row of rows) variants[row.name] = JSON.parse(row.text) as FlagDefinition['variants'][string];
  const out: FlagDefinition = { ...draft, variants };
  // Empty optional lists and strings are left out (the service stores what it gets; "" is not "no owner").
  for (const field of ['targets', 'rules', 'prerequisites', 'tags'] as const) if (Array.isArray(out[field]) && out[field].length === 0) delete out[field];
  for (const field of ['description', 'owner', 'expiresAt'] as const) if (out[field] === '') delete out[field];
  return out;
}

function renameInServe(serve: Serve, from: string, to: string): Serve {
  if ('variant' in serve) return serve.variant === from ? { ...serve, variant: to } : serve;
  return { ...serve, split: serve.split.map((slice) => (slice.variant === from ? { ...slice, variant: to } : slice)) };
}

/** The draft with every reference to variant `from` renamed to `to` (serves, targets, the off variant). */
export function renameVariant(draft: FlagDefinition, from: string, to: string): FlagDefinition {
  const next: FlagDefinition = { ...draft, defaultServe: renameInServe(draft.defaultServe, from, to) };
  if (draft.offVariant === from) next.offVariant = to;
  if (draft.targets) next.targets = draft.targets.map((target) => (target.variant === from ? { ...target, variant: to } : target));
  if (draft.rules) next.rules = draft.rules.map((rule) => ({ ...rule, serve: renameInServe(rule.serve, from, to) }));
  return next;
}

/** The field paths of a serve at `path` (`defaultServe`, `rules[1].serve`). */
export function serveFieldPaths(path: string, serve: Serve): string[] {
  const out = [path, `${path}.variant`, `${path}.split`, `${path}.bucketBy`];
  if ('split' in serve) serve.split.forEach((_, index) => out.push(`${path}.split[${index}]`, `${path}.split[${index}].variant`, `${path}.split[${index}].percentage`, `${path}.split[${index}].weight`));
  return out;
}

/** Every field path the flag page renders for `draft`: problems from the service are placed at these (problem-fields.ts). */
export function flagFieldPaths(draft: FlagDefinition, rows: readonly VariantRow[]): string[] {
  const out = ['variants', 'offVariant', 'enabled', 'description', 'owner', 'kind', 'tags', 'expiresAt', 'targets', 'rules', 'prerequisites'];
  for (const row of rows) out.push(fieldPath('variants', row.name));
  (draft.targets ?? []).forEach((_, index) => out.push(`targets[${index}]`, `targets[${index}].variant`, `targets[${index}].values`, `targets[${index}].attribute`));
  (draft.rules ?? []).forEach((rule, index) => {
    const base = `rules[${index}]`;
    out.push(base, `${base}.id`, `${base}.description`, `${base}.rollout`, ...serveFieldPaths(`${base}.serve`, rule.serve), ...conditionFieldPaths(`${base}.conditions`, rule.conditions));
  });
  out.push(...serveFieldPaths('defaultServe', draft.defaultServe));
  (draft.prerequisites ?? []).forEach((_, index) => out.push(`prerequisites[${index}]`, `prerequisites[${index}].flag`, `prerequisites[${index}].variants`));
  return out;
}

/** Rounds a percentage to the document's resolution (3 decimals) so 100 − 33.3 is 66.7, not 66.69999999999999. */
export const roundPercent = (value: number) => Math.round(value * 1000) / 1000;

/** A two-slice split's rollout view: the first slice's variant and percentage, the rest's variant; else undefined. */
export function rolloutOf(serve: Serve): { variant: string; percentage: number; rest: string } | undefined {
  if (!('split' in serve) || serve.split.length !== 2) return undefined;
  const [first, second] = serve.split;
  if (first?.percentage === undefined || second?.percentage === undefined) return undefined;
  return { variant: first.variant, percentage: first.percentage, rest: second.variant };
}

/** The serve with the first slice at `percentage` and the second at the remainder (bucketBy/salt/seed kept: monotonic). */
export function withRollout(serve: Serve, variant: string, rest: string, percentage: number): Serve {
  const base = 'split' in serve ? serve : { split: [] };
  const clamped = roundPercent(Math.min(100, Math.max(0, percentage)));
  return { ...base, split: [{ variant, percentage: clamped }, { variant: rest, percentage: roundPercent(100 - clamped) }] };
}
