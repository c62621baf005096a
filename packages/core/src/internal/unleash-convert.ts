/**
 * Unleash features payload → Halyard FlagsDocument. See `importUnleash` in ../unleash.ts for the public contract;
 * this file holds the mapping. Every rule below mirrors unleash-client-node 6 (strategy/*.js, variant.js,
 * client.js) and the Unleash client specification; comments point out where Halyard must approximate.
 */
import type {
  Condition,
  FlagDefinition,
  FlagKind,
  FlagsDocument,
  JsonValue,
  Prerequisite,
  Rule,
  RuleRollout,
  SegmentDefinition,
  Serve,
  SplitSlice,
} from '../types';
import { parseCidr } from './cidr';
import { murmur3 } from './murmur3';
import { checkRegex } from './regex-guard';
import { MAX_SPLIT_TOTAL, canonicalJson } from './schema';
import { parseSemver } from './semver';
import { toHalyardAttribute, toHalyardKey } from './unleash-keys';
import { translateRe2 } from './unleash-regex';

export interface ImportIssue {
  /** JSON path into the Unleash payload, starting at `$`. */
  path: string;
  message: string;
}

/** Unleash's seeds: rollouts hash with seed 0 over 100 buckets, variants with this seed over their total weight. */
export const UNLEASH_ROLLOUT_SEED = 0;
export const UNLEASH_VARIANT_SEED = 86028157;
const ROLLOUT_TOTAL = 100;

/** Variant keys of imported flags: `off` (feature disabled) and `on` (enabled, no Unleash variant). */
export const OFF_VARIANT = 'off';
export const ON_VARIANT = 'on';
const RESERVED_VARIANT_KEYS: ReadonlySet<string> = new Set([OFF_VARIANT, ON_VARIANT]);

/** Attribute read by the applicationHostname strategy (Unleash reads the process host name instead). */
export const HOSTNAME_ATTRIBUTE = 'hostname';

/** The value of every variant of an imported flag that has Unleash variants: exactly Unleash's getVariant() result. */
export interface UnleashVariantValue {
  name: string;
  enabled: boolean;
  feature_enabled: boolean;
  payload?: { type: string; value: string };
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function own(o: Obj, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

const idx = (path: string, i: number): string => `${path}[${i}]`;
const fld = (path: string, name: string): string => `${path}.${name}`;

// ---------------------------------------------------------------------------------------------------------------
// Payload reading

interface SourceFeature {
  raw: Obj;
  path: string;
  name: string;
}

interface SourceSegment {
  raw: Obj;
  path: string;
  id: string;
}

interface SourcePayload {
  features: Map<string, SourceFeature>;
  segments: Map<string, SourceSegment>;
  revision: string | number | undefined;
}

class Issues {
  readonly warnings: ImportIssue[] = [];
  readonly errors: ImportIssue[] = [];
  warn(path: string, message: string): void {
    this.warnings.push({ path, message });
  }
  error(path: string, message: string): void {
    this.errors.push({ path, message });
  }
}

function readFeature(v: unknown, path: string, into: Map<string, SourceFeature>, issues: Issues): void {
  if (!isObj(v)) {
    issues.error(path, `a feature must be an object with "name", "enabled" and "strategies", got ${describe(v)}; skipped`);
    return;
  }
  const name = own(v, 'name');
  if (typeof name !== 'string' || name.length === 0) {
    issues.error(fld(path, 'name'), `a feature needs a non-empty string "name", got ${describe(name)}; skipped`);
    return;
  }
  if (into.has(name)) {
    issues.warn(path, `feature ${JSON.stringify(name)} appears more than once; the last definition wins, as in Unleash`);
    into.delete(name);
  }
  into.set(name, { raw: v, path, name });
}

function readSegment(v: unknown, path: string, into: Map<string, SourceSegment>, issues: Issues): void {
  if (!isObj(v)) {
    issues.error(path, `a segment must be an object with "id" and "constraints", got ${describe(v)}; skipped`);
    return;
  }
  const id = own(v, 'id');
  if (!((typeof id === 'number' && Number.isFinite(id)) || (typeof id === 'string' && id.length > 0))) {
    issues.error(fld(path, 'id'), `a segment needs a numeric "id", got ${describe(id)}; skipped`);
    return;
  }
  into.set(String(id), { raw: v, path, id: String(id) });
}

function readList(v: unknown, path: string, what: string, issues: Issues): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    issues.error(path, `"${what}" must be an array, got ${describe(v)}; ignored`);
    return [];
  }
  return v;
}

/**
 * Reads a client features payload (`{ version, features, segments }`) or a delta payload (`{ events: [...] }`,
 * applied in order). Returns undefined, with an error, when the input is not a payload at all.
 */
function readPayload(input: unknown, issues: Issues): SourcePayload | undefined {
  let data = input;
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data) as unknown;
    } catch (e) {
      issues.error('$', `not valid JSON (${e instanceof Error ? e.message : String(e)}); pass the body of Unleash's /api/client/features`);
      return undefined;
    }
  }
  if (!isObj(data)) {
    issues.error('$', `an Unleash payload must be an object like { "version": 2, "features": [...] }, got ${describe(data)}`);
    return undefined;
  }
  const features = new Map<string, SourceFeature>();
  const segments = new Map<string, SourceSegment>();
  const meta = own(data, 'meta');
  let revision: string | number | undefined;
  if (isObj(meta)) {
    const r = own(meta, 'revisionId') ?? own(meta, 'etag');
    if ((typeof r === 'number' && Number.isFinite(r)) || (typeof r === 'string' && r.length > 0 && r.length <= 200)) revision = r;
  }
  const events = own(data, 'events');
  if (events !== undefined) {
    if (!Array.isArray(events)) {
      issues.error('$.events', `"events" must be an array of delta events, got ${describe(events)}`);
      return undefined;
    }
    events.forEach((ev: unknown, i) => {
      const p = idx('$.events', i);
      if (!isObj(ev)) {
        issues.error(p, `a delta event must be an object with a "type", got ${describe(ev)}; skipped`);
        return;
      }
      const type = own(ev, 'type');
      switch (type) {
        case 'hydration':
          features.clear();
          segments.clear();
          readList(own(ev, 'features'), fld(p, 'features'), 'features', issues).forEach((f, j) =>
            readFeature(f, idx(fld(p, 'features'), j), features, issues),
          );
          readList(own(ev, 'segments'), fld(p, 'segments'), 'segments', issues).forEach((s, j) =>
            readSegment(s, idx(fld(p, 'segments'), j), segments, issues),
          );
          break;
        case 'feature-updated':
          readFeature(own(ev, 'feature'), fld(p, 'feature'), features, issues);
          break;
        case 'feature-removed': {
          const name = own(ev, 'featureName');
          if (typeof name === 'string') features.delete(name);
          else issues.error(fld(p, 'featureName'), `"featureName" must be a string, got ${describe(name)}; event skipped`);
          break;
        }
        case 'segment-updated':
          readSegment(own(ev, 'segment'), fld(p, 'segment'), segments, issues);
          break;
        case 'segment-removed': {
          const id = own(ev, 'segmentId');
          if (typeof id === 'number' || typeof id === 'string') segments.delete(String(id));
          else issues.error(fld(p, 'segmentId'), `"segmentId" must be a number, got ${describe(id)}; event skipped`);
          break;
        }
        default:
          issues.warn(fld(p, 'type'), `unknown delta event type ${describe(type)}; skipped`);
      }
    });
    return { features, segments, revision };
  }
  const list = own(data, 'features');
  if (!Array.isArray(list)) {
    issues.error('$.features', `"features" must be an array of Unleash features, got ${describe(list)}`);
    return undefined;
  }
  list.forEach((f: unknown, i) => readFeature(f, idx('$.features', i), features, issues));
  readList(own(data, 'segments'), '$.segments', 'segments', issues).forEach((s, i) => readSegment(s, idx('$.segments', i), segments, issues));
  return { features, segments, revision };
}

// ---------------------------------------------------------------------------------------------------------------
// Constraints

/**
 * One Unleash constraint (or strategy parameter) as a boolean term over the context.
 * - `cond`: Unleash's value is AND(conds) — false when the attribute is missing or incomparable — inverted when
 *   `negated`. `stringFamily` marks conditions whose only "incomparable" case is a missing attribute (string
 *   operators on the all-strings context `unleashContext` builds), so a negation is "missing OR NOT cond".
 * - `any`: OR of conjunctions (positive only).
 */
type Term =
  | { kind: 'const'; value: boolean; why?: string }
  | { kind: 'unsupported'; reason: string }
  | { kind: 'cond'; conds: Condition[]; negated: boolean; stringFamily: boolean }
  | { kind: 'any'; options: Condition[][] };

const NEVER: Term = { kind: 'const', value: false };
const ALWAYS: Term = { kind: 'const', value: true };

function flip(t: Term): Term {
  if (t.kind === 'const') return { kind: 'const', value: !t.value };
  if (t.kind === 'cond') return { ...t, negated: !t.negated };
  return t;
}

/** Unleash's cleanValues: drop falsy entries, trim the rest. Non-strings (which crash Unleash) are reported. */
function cleanValues(v: unknown, path: string, issues: Issues): string[] {
  if (!Array.isArray(v)) {
    issues.error(path, `"values" must be an array of strings, got ${describe(v)}; treated as empty`);
    return [];
  }
  const out: string[] = [];
  v.forEach((x: unknown, i) => {
    if (!x) return;
    if (typeof x !== 'string') {
      issues.error(idx(path, i), `constraint values must be strings, got ${describe(x)}; ignored`);
      return;
    }
    const t = x.trim();
    if (t !== '') out.push(t);
  });
  return out;
}

const NUM_OPS: Record<string, 'lt' | 'lte' | 'gt' | 'gte' | 'eq'> = {
  NUM_LT: 'lt',
  NUM_LTE: 'lte',
  NUM_GT: 'gt',
  NUM_GTE: 'gte',
  NUM_EQ: 'eq',
};
const SEMVER_OPS: Record<string, Condition['operator']> = {
  SEMVER_EQ: 'semverEq',
  SEMVER_LT: 'semverLt',
  SEMVER_LTE: 'semverLte',
  SEMVER_GT: 'semverGt',
  SEMVER_GTE: 'semverGte',
};
const STR_OPS: Record<string, Condition['operator']> = {
  STR_CONTAINS: 'contains',
  STR_STARTS_WITH: 'startsWith',
  STR_ENDS_WITH: 'endsWith',
};

/** ISO-8601 for years 0–9999 (what Halyard's date parser reads), epoch milliseconds beyond. */
export function isoOrMs(ms: number): string | number {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  return y >= 0 && y <= 9999 ? d.toISOString() : ms;
}

function constraintTerm(c: unknown, path: string, issues: Issues): Term {
  if (!isObj(c)) {
    // Unleash treats a falsy constraint as failing; anything else without an operator fails too.
    issues.error(path, `a constraint must be an object with "contextName", "operator" and "values"/"value", got ${describe(c)}; it never matches`);
    return NEVER;
  }
  const op = own(c, 'operator');
  const contextName = own(c, 'contextName');
  const inverted = Boolean(own(c, 'inverted'));
  const caseInsensitive = Boolean(own(c, 'caseInsensitive'));
  const known = typeof op === 'string' && (op === 'IN' || op === 'NOT_IN' || op === 'REGEX' || op === 'IN_CIDR' || op.startsWith('DATE_') || op in NUM_OPS || op in SEMVER_OPS || op in STR_OPS);
  if (!known) {
    // Unleash returns false for an unknown operator before looking at `inverted`.
    issues.warn(fld(path, 'operator'), `unknown constraint operator ${describe(op)}; it never matches, as in Unleash`);
    return NEVER;
  }
  const opName = op as string;
  let attribute: string | undefined;
  if (!opName.startsWith('DATE_')) {
    if (typeof contextName !== 'string') {
      issues.error(fld(path, 'contextName'), `"contextName" must be a string, got ${describe(contextName)}; the constraint never matches`);
      return NEVER;
    }
    attribute = toHalyardAttribute(contextName);
  }
  let base: Term;
  if (attribute === undefined && !opName.startsWith('DATE_')) {
    issues.warn(fld(path, 'contextName'), 'the context field name is longer than 256 characters and cannot be read by Halyard; it is treated as missing');
    base = NEVER;
  } else base = baseTerm(c, opName, attribute as string, caseInsensitive, path, issues);
  if (opName === 'NOT_IN') base = flip(base);
  return inverted ? flip(base) : base;
}

function baseTerm(c: Obj, op: string, attribute: string, caseInsensitive: boolean, path: string, issues: Issues): Term {
  if (op === 'IN' || op === 'NOT_IN') {
    const values = cleanValues(own(c, 'values'), fld(path, 'values'), issues);
    if (values.length === 0) return NEVER;
    return { kind: 'cond', conds: [{ attribute, operator: 'in', values }], negated: false, stringFamily: true };
  }
  const strOp = STR_OPS[op];
  if (strOp !== undefined) {
    const values = cleanValues(own(c, 'values'), fld(path, 'values'), issues);
    if (values.length === 0) return NEVER;
    const cond: Condition = { attribute, operator: strOp, values };
    if (caseInsensitive) cond.caseInsensitive = true;
    return { kind: 'cond', conds: [cond], negated: false, stringFamily: true };
  }
  const numOp = NUM_OPS[op];
  if (numOp !== undefined) {
    const raw = own(c, 'value');
    const n = Number(raw);
    if (Number.isNaN(n)) {
      issues.warn(fld(path, 'value'), `${describe(raw)} is not a number; the constraint never matches, as in Unleash`);
      return NEVER;
    }
    if (!Number.isFinite(n)) {
      // Context values are finite: only "below +∞" / "above -∞" can hold, and then for every number.
      const anyNumber = (n > 0 && (numOp === 'lt' || numOp === 'lte')) || (n < 0 && (numOp === 'gt' || numOp === 'gte'));
      if (!anyNumber) return NEVER;
      return { kind: 'cond', conds: [{ attribute, operator: 'gte', values: [-Number.MAX_VALUE] }], negated: false, stringFamily: false };
    }
    const conds: Condition[] =
      numOp === 'eq'
        ? [
            { attribute, operator: 'gte', values: [n] },
            { attribute, operator: 'lte', values: [n] },
          ]
        : [{ attribute, operator: numOp, values: [n] }];
    return { kind: 'cond', conds, negated: false, stringFamily: false };
  }
  if (op === 'DATE_AFTER' || op === 'DATE_BEFORE') {
    // Unleash compares the context's currentTime (never the named field) with new Date(value).
    const raw = own(c, 'value');
    const t = new Date(raw as string).getTime();
    if (!Number.isFinite(t)) {
      issues.warn(fld(path, 'value'), `${describe(raw)} is not a date; the constraint never matches, as in Unleash`);
      return NEVER;
    }
    return {
      kind: 'cond',
      conds: [{ attribute: 'currentTime', operator: op === 'DATE_AFTER' ? 'after' : 'before', values: [isoOrMs(t)] }],
      negated: false,
      stringFamily: false,
    };
  }
  const semOp = SEMVER_OPS[op];
  if (semOp !== undefined) {
    const raw = own(c, 'value');
    // node-semver trims and accepts one leading "v" in the operand (not in the context value).
    const text = typeof raw === 'string' ? raw.trim().replace(/^v/, '') : undefined;
    if (text === undefined || parseSemver(text) === undefined) {
      issues.warn(fld(path, 'value'), `${describe(raw)} is not a semantic version; the constraint never matches, as in Unleash`);
      return NEVER;
    }
    return { kind: 'cond', conds: [{ attribute, operator: semOp, values: [text] }], negated: false, stringFamily: false };
  }
  if (op === 'REGEX') {
    const raw = own(c, 'value');
    if (typeof raw !== 'string') {
      issues.warn(fld(path, 'value'), `a REGEX constraint needs a pattern string in "value", got ${describe(raw)}; it never matches, as in Unleash`);
      return NEVER;
    }
    const t = translateRe2(raw, caseInsensitive);
    if (t.kind === 'invalid') {
      issues.warn(fld(path, 'value'), `${JSON.stringify(raw)} is not a valid RE2 pattern (${t.reason}); the constraint never matches, as in Unleash`);
      return NEVER;
    }
    if (t.kind === 'unsupported') return { kind: 'unsupported', reason: `the RE2 pattern ${JSON.stringify(raw)} uses ${t.reason}, which Halyard cannot express` };
    const refused = checkRegex(t.pattern, t.caseInsensitive ? 'iu' : 'u');
    if (refused !== undefined) return { kind: 'unsupported', reason: `the pattern ${JSON.stringify(raw)} is refused by Halyard's regular-expression guard: ${refused}` };
    const cond: Condition = { attribute, operator: 'matches', values: [t.pattern] };
    if (t.caseInsensitive) cond.caseInsensitive = true;
    return { kind: 'cond', conds: [cond], negated: false, stringFamily: true };
  }
  // IN_CIDR
  const values = cleanValues(own(c, 'values'), fld(path, 'values'), issues);
  const ranges = values.filter((v) => parseCidr(v) !== undefined);
  if (ranges.length < values.length) {
    issues.warn(fld(path, 'values'), `ignored entries that are not IP addresses or CIDR ranges: ${values.filter((v) => parseCidr(v) === undefined).join(', ')} (as Unleash does)`);
  }
  if (ranges.length === 0) return NEVER;
  return { kind: 'cond', conds: [{ attribute, operator: 'inCidr', values: ranges }], negated: false, stringFamily: false };
}

// ---------------------------------------------------------------------------------------------------------------
// Document building

/** A conjunction of conditions plus what it implies about attribute presence. */
interface Facts {
  present: ReadonlySet<string>;
  absent: ReadonlySet<string>;
}

function factsOf(conds: readonly Condition[], rollout?: RuleRollout): Facts {
  const present = new Set<string>();
  const absent = new Set<string>();
  for (const c of conds) {
    if (c.operator === 'inSegment') continue;
    if (c.operator === 'exists') (c.negate === true ? absent : present).add(c.attribute);
    // Every other operator only matches a present value, negated or not.
    else present.add(c.attribute);
  }
  if (rollout?.bucketBy !== undefined) present.add(rollout.bucketBy);
  return { present, absent };
}

const missing = (attribute: string): Condition => ({ attribute, operator: 'exists', negate: true });

function negateCondition(c: Condition): Condition {
  if (c.operator === 'in' && c.negate !== true) return { ...c, operator: 'notIn' };
  if (c.operator === 'notIn' && c.negate !== true) return { ...c, operator: 'in' };
  return { ...c, negate: c.negate !== true };
}

/** `inSegment` ignores `attribute`; parseDefinitions accepts it absent, which keeps documents readable. */
function inSegment(key: string, negate: boolean): Condition {
  const c = { operator: 'inSegment', values: [key] } as Condition;
  if (negate) c.negate = true;
  return c;
}

/** How a strategy may reference an Unleash segment. */
type SegmentInfo =
  | { kind: 'halyard'; key: string }
  | { kind: 'inline'; terms: Term[] }
  | { kind: 'const'; value: boolean }
  | { kind: 'unsupported'; reason: string };

interface VariantEntry {
  key: string;
  name: string;
  weight: number;
  overrides: Condition[];
}

interface VariantSet {
  entries: VariantEntry[];
  /** "default", "random" or a Halyard attribute path. */
  stickiness: string;
  groupId: string;
  /** Variant served when Unleash would pick at random. */
  fallback: string;
  path: string;
}

interface RuleDraft {
  conditions: Condition[];
  rollout?: RuleRollout;
  serve: Serve;
}

interface BuiltFlag {
  name: string;
  key: string;
  path: string;
  raw: Obj;
  def: FlagDefinition;
  /** Unleash variant name and feature_enabled per Halyard variant key. */
  variantInfo: Map<string, { name: string; featureEnabled: boolean }>;
  hasDependencies: boolean;
}

const KIND_OF_TYPE: Record<string, FlagKind> = {
  release: 'release',
  experiment: 'experiment',
  operational: 'operational',
  permission: 'permission',
  'kill-switch': 'operational',
};

/** Maps Unleash strategy stickiness / variant stickiness to "default", "random" or an attribute path. */
function stickinessOf(raw: unknown, path: string, issues: Issues): string {
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

export class UnleashConverter {
  readonly issues = new Issues();
  private readonly segments: Record<string, SegmentDefinition> = {};
  private readonly segmentInfo = new Map<string, SegmentInfo>();
  private readonly helperKeys = new Map<string, string>();
  /** Unleash feature name → Halyard flag key. */
  readonly keys: Record<string, string> = Object.create(null) as Record<string, string>;

  convert(input: unknown): FlagsDocument {
    const payload = readPayload(input, this.issues);
    const doc: FlagsDocument = { schemaVersion: 1, flags: {} };
    if (payload === undefined) return doc;
    if (payload.revision !== undefined) doc.version = payload.revision;

    for (const seg of payload.segments.values()) this.convertSegment(seg);

    const built = new Map<string, BuiltFlag>();
    const usedKeys = new Map<string, string>();
    for (const f of payload.features.values()) {
      const key = toHalyardKey(f.name);
      const clash = usedKeys.get(key);
      if (clash !== undefined) {
        this.issues.error(f.path, `feature ${JSON.stringify(f.name)} maps to the Halyard key ${JSON.stringify(key)}, already used by ${JSON.stringify(clash)}; skipped`);
        continue;
      }
      usedKeys.set(key, f.name);
      try {
        built.set(f.name, this.convertFeature(f, key, payload));
      } catch (e) {
        this.issues.error(f.path, `could not be converted (${e instanceof Error ? e.message : String(e)}); skipped`);
      }
    }
    for (const b of built.values()) this.resolveDependencies(b, built);

    for (const b of built.values()) {
      doc.flags[b.key] = b.def;
      this.keys[b.name] = b.key;
    }
    if (Object.keys(this.segments).length > 0) doc.segments = this.segments;
    return doc;
  }

  // -- segments ---------------------------------------------------------------------------------------------

  private convertSegment(seg: SourceSegment): void {
    const list = readList(own(seg.raw, 'constraints'), fld(seg.path, 'constraints'), 'constraints', this.issues);
    const terms = list.map((c, i) => constraintTerm(c, idx(fld(seg.path, 'constraints'), i), this.issues));
    const unsupported = terms.find((t) => t.kind === 'unsupported');
    if (unsupported !== undefined) {
      this.segmentInfo.set(seg.id, { kind: 'unsupported', reason: unsupported.reason });
      this.issues.warn(seg.path, `segment ${seg.id}: ${unsupported.reason}; strategies using this segment are not imported`);
      return;
    }
    if (terms.some((t) => t.kind === 'const' && !t.value)) {
      this.segmentInfo.set(seg.id, { kind: 'const', value: false });
      return;
    }
    const live = terms.filter((t) => t.kind !== 'const');
    if (live.length === 0) {
      this.segmentInfo.set(seg.id, { kind: 'const', value: true });
      return;
    }
    // A Halyard segment is one conjunction without segment references: possible when nothing is negated.
    if (live.every((t) => t.kind === 'cond' && !t.negated)) {
      const key = toHalyardKey(`segment-${seg.id}`);
      const def: SegmentDefinition = { conditions: live.flatMap((t) => (t.kind === 'cond' ? t.conds : [])) };
      const name = own(seg.raw, 'name');
      def.description = typeof name === 'string' && name.length > 0 ? `Unleash segment ${seg.id} "${name}"` : `Unleash segment ${seg.id}`;
      this.segments[key] = def;
      this.segmentInfo.set(seg.id, { kind: 'halyard', key });
      return;
    }
    this.segmentInfo.set(seg.id, { kind: 'inline', terms: live });
  }

  /** A segment holding `conds`, referenced negated: "NOT all of conds", true for missing/incomparable values too. */
  private helperSegment(conds: Condition[]): string {
    const text = canonicalJson(conds);
    const existing = this.helperKeys.get(text);
    if (existing !== undefined) return existing;
    let key = `unleash-not-${murmur3(text).toString(16).padStart(8, '0')}`;
    for (let n = 2; Object.hasOwn(this.segments, key); n++) key = `unleash-not-${murmur3(text).toString(16).padStart(8, '0')}-${n}`;
    const attrs = [...new Set(conds.map((c) => c.attribute))].join(', ');
    this.segments[key] = {
      description: `Helper for an inverted Unleash constraint on ${attrs}: rules reference it with "negate": true, which also holds when the attribute is missing or not comparable (Unleash semantics)`,
      conditions: conds,
    };
    this.helperKeys.set(text, key);
    return key;
  }

  /** Terms (ANDed) → alternatives (ORed conjunctions). `[]` means never; a string means unsupported. */
  private expand(terms: Term[]): Condition[][] | string {
    let alts: Condition[][] = [[]];
    // Each "missing OR not" negation doubles the rules; beyond a few, negations go through helper segments.
    let budget = 3;
    for (const t of terms) {
      if (t.kind === 'unsupported') return t.reason;
      if (t.kind === 'const') {
        if (!t.value) return [];
        continue;
      }
      if (t.kind === 'any') {
        if (t.options.length === 0) return [];
        alts = alts.flatMap((a) => t.options.map((o) => [...a, ...o]));
        continue;
      }
      if (!t.negated) {
        alts = alts.map((a) => [...a, ...t.conds]);
        continue;
      }
      const only = t.conds[0] as Condition;
      if (t.stringFamily && t.conds.length === 1 && budget > 0) {
        budget--;
        const neg = negateCondition(only);
        const miss = missing(only.attribute);
        alts = alts.flatMap((a) => [
          [...a, neg],
          [...a, miss],
        ]);
        continue;
      }
      const key = this.helperSegment(t.conds);
      alts = alts.map((a) => [...a, inSegment(key, true)]);
    }
    return alts;
  }

  // -- features ---------------------------------------------------------------------------------------------

  private convertFeature(f: SourceFeature, key: string, payload: SourcePayload): BuiltFlag {
    const raw = f.raw;
    const name = f.name;
    const issues = this.issues;
    const variantInfo = new Map<string, { name: string; featureEnabled: boolean }>();
    const values = new Map<string, JsonValue>();
    const contentToKey = new Map<string, string>();

    const enabledRaw = own(raw, 'enabled');
    if (typeof enabledRaw !== 'boolean') {
      issues.error(fld(f.path, 'enabled'), `"enabled" must be true or false, got ${describe(enabledRaw)}; using its truthiness, as Unleash does`);
    }
    let enabled = Boolean(enabledRaw);

    const strategiesRaw = own(raw, 'strategies');
    const malformed = !Array.isArray(strategiesRaw);
    const strategies: unknown[] = malformed ? [] : strategiesRaw;
    if (malformed) {
      if (strategiesRaw !== undefined) issues.error(fld(f.path, 'strategies'), `"strategies" must be an array, got ${describe(strategiesRaw)}; the feature is imported as disabled, as Unleash evaluates it`);
      else issues.error(fld(f.path, 'strategies'), '"strategies" is missing; the feature is imported as disabled, as Unleash evaluates it');
      enabled = false;
    }

    // Parse every variant list first: the flag is JSON-typed when any of them can serve a variant.
    const featureVariants = this.readVariants(own(raw, 'variants'), fld(f.path, 'variants'));
    const strategyVariants = strategies.map((s, i) => {
      if (!isObj(s)) return undefined;
      return this.readVariants(own(s, 'variants'), fld(idx(fld(f.path, 'strategies'), i), 'variants'));
    });
    const json = featureVariants !== undefined || strategyVariants.some((v) => v !== undefined);

    /** Key for a variant value; equal values share a key unless it is in `avoid` (a split lists a variant once). */
    const addVariant = (unleashName: string, featureEnabled: boolean, value: JsonValue, preferred: string, avoid?: ReadonlySet<string>): string => {
      const content = canonicalJson(value);
      const existing = contentToKey.get(content);
      if (existing !== undefined && !(avoid?.has(existing) ?? false)) return existing;
      let k = preferred;
      for (let n = 2; values.has(k); n++) k = `${preferred}:${n}`;
      values.set(k, value);
      if (existing === undefined) contentToKey.set(content, k);
      variantInfo.set(k, { name: unleashName, featureEnabled });
      return k;
    };
    if (json) {
      addVariant('disabled', false, { name: 'disabled', enabled: false, feature_enabled: false }, OFF_VARIANT);
    } else {
      values.set(OFF_VARIANT, false);
      variantInfo.set(OFF_VARIANT, { name: 'disabled', featureEnabled: false });
    }
    const onKey = (): string => {
      if (json) return addVariant('disabled', true, { name: 'disabled', enabled: false, feature_enabled: true }, ON_VARIANT);
      values.set(ON_VARIANT, true);
      variantInfo.set(ON_VARIANT, { name: 'disabled', featureEnabled: true });
      return ON_VARIANT;
    };

    const variantSet = (parsed: ParsedVariants | undefined, groupId: string, stickiness: string, path: string): VariantSet | undefined => {
      if (parsed === undefined) return undefined;
      // Keys already used earlier in this list (except the previous entry, whose slice merges) must not repeat.
      const used = new Set<string>();
      let previous: string | undefined;
      const entries = parsed.entries.map((e) => {
        const value: UnleashVariantValue = { name: e.name, enabled: true, feature_enabled: true };
        if (e.payload !== undefined) value.payload = e.payload;
        const avoid = new Set(used);
        if (previous !== undefined) avoid.delete(previous);
        const k = addVariant(e.name, true, value as unknown as JsonValue, toHalyardKey(e.name, RESERVED_VARIANT_KEYS), avoid);
        used.add(k);
        previous = k;
        return { key: k, name: e.name, weight: e.weight, overrides: e.overrides };
      });
      let best = entries[0] as VariantEntry;
      for (const e of entries) if (e.weight > best.weight) best = e;
      return { entries, stickiness, groupId, fallback: best.key, path };
    };

    const featureSet = variantSet(featureVariants, name, featureVariants === undefined ? 'default' : featureVariants.stickiness, fld(f.path, 'variants'));

    // What an enabled strategy (or a strategy-less feature) serves: its own variants, else the feature's.
    const serveBlock = (set: VariantSet | undefined, facts: Facts): Array<{ conditions: Condition[]; serve: Serve }> => {
      if (set === undefined) return [{ conditions: [], serve: { variant: onKey() } }];
      const out: Array<{ conditions: Condition[]; serve: Serve }> = [];
      for (const e of set.entries) for (const o of e.overrides) out.push({ conditions: [o], serve: { variant: e.key } });
      const slices = splitSlices(set.entries);
      const chain = set.stickiness === 'default' || set.stickiness === 'random' ? ['userId', 'sessionId', 'remoteAddress'] : [set.stickiness];
      for (const attr of chain) {
        if (facts.absent.has(attr)) continue;
        // A unit without the attribute skips a split rule, which is Unleash's fall-through to the next id.
        out.push({ conditions: [], serve: { split: slices, bucketBy: attr, salt: set.groupId, seed: UNLEASH_VARIANT_SEED } });
        if (facts.present.has(attr)) return out;
      }
      out.push({ conditions: [], serve: { variant: set.fallback } });
      return out;
    };

    const warnRandomVariants = (set: VariantSet | undefined): void => {
      if (set === undefined) return;
      const fallbackName = set.entries.find((e) => e.key === set.fallback)?.name ?? set.fallback;
      const who =
        set.stickiness === 'default' || set.stickiness === 'random'
          ? 'contexts without userId, sessionId or remoteAddress'
          : `contexts without ${JSON.stringify(set.stickiness)}`;
      if (set.stickiness === 'random') {
        issues.warn(set.path, `stickiness "random" picks a new variant on every call in Unleash; Halyard has no randomness and uses the default stickiness (userId, then sessionId, then remoteAddress) instead`);
      }
      issues.warn(set.path, `${who} get a random variant in Unleash; Halyard serves the heaviest variant ${JSON.stringify(fallbackName)} to them`);
    };

    const rules: Rule[] = [];
    let defaultServe: Serve = { variant: OFF_VARIANT };
    // Disabled features keep their strategies, so turning them on in Halyard behaves as in Unleash.
    if (!malformed && strategies.length === 0) {
      // No strategies: enabled for everyone, with the feature's variants.
      const block = serveBlock(featureSet, { present: new Set(), absent: new Set() });
      warnRandomVariants(featureSet);
      block.slice(0, -1).forEach((b, j) => rules.push({ id: `variants.${j + 1}`, description: 'Unleash feature variants', conditions: b.conditions, serve: b.serve }));
      defaultServe = (block[block.length - 1] as { serve: Serve }).serve;
    } else if (!malformed) {
      let featureSetWarned = false;
      strategies.forEach((s, i) => {
        const sPath = idx(fld(f.path, 'strategies'), i);
        const drafts = this.convertStrategy(s, sPath, name, payload);
        if (drafts === undefined) return;
        const sv = strategyVariants[i];
        const paramsRaw = isObj(s) ? own(s, 'parameters') : undefined;
        const params: Obj = isObj(paramsRaw) ? paramsRaw : {};
        let set: VariantSet | undefined;
        if (sv !== undefined) {
          const groupIdRaw = own(params, 'groupId');
          let groupId = name;
          if (typeof groupIdRaw === 'string' && groupIdRaw.length > 0 && groupIdRaw.length <= 200) groupId = groupIdRaw;
          else if (!['flexibleRollout', 'gradualRolloutUserId', 'gradualRolloutSessionId'].includes(own(s as Obj, 'name') as string)) {
            // (rollout strategies already warned about their groupId)
            issues.warn(fld(fld(sPath, 'parameters'), 'groupId'), `no usable groupId for the strategy variants; hashing with the feature name ${JSON.stringify(name)}`);
          }
          // Strategy variants take the first variant's stickiness, else the strategy's.
          const st = sv.firstStickiness ? sv.stickiness : stickinessOf(own(params, 'stickiness'), fld(fld(sPath, 'parameters'), 'stickiness'), issues);
          set = variantSet(sv, groupId, st, fld(sPath, 'variants'));
          warnRandomVariants(set);
        } else {
          set = featureSet;
          if (!featureSetWarned) {
            warnRandomVariants(featureSet);
            featureSetWarned = true;
          }
        }
        const ruleDrafts: RuleDraft[] = [];
        for (const d of drafts.alternatives) {
          for (const b of serveBlock(set, factsOf(d.conditions, d.rollout))) {
            const draft: RuleDraft = { conditions: [...d.conditions, ...b.conditions], serve: b.serve };
            if (d.rollout !== undefined) draft.rollout = d.rollout;
            ruleDrafts.push(draft);
          }
        }
        ruleDrafts.forEach((d, j) => {
          const rule: Rule = {
            id: ruleDrafts.length === 1 ? `strategy-${i + 1}` : `strategy-${i + 1}.${j + 1}`,
            description: drafts.description,
            conditions: d.conditions,
            serve: d.serve,
          };
          if (d.rollout !== undefined) rule.rollout = d.rollout;
          rules.push(rule);
        });
      });
    }
    if (!values.has(ON_VARIANT) && !json) onKey(); // boolean flags always carry both values

    const def: FlagDefinition = {
      type: json ? 'json' : 'boolean',
      variants: Object.fromEntries(values) as Record<string, JsonValue>,
      enabled,
      offVariant: OFF_VARIANT,
      defaultServe,
    };
    const description = own(raw, 'description');
    if (typeof description === 'string' && description.length > 0) def.description = description;
    const type = own(raw, 'type');
    if (typeof type === 'string' && KIND_OF_TYPE[type] !== undefined) def.kind = KIND_OF_TYPE[type];
    const tags: string[] = [];
    const project = own(raw, 'project');
    if (typeof project === 'string' && project.length > 0) tags.push(`project:${project}`);
    for (const t of Array.isArray(own(raw, 'tags')) ? (own(raw, 'tags') as unknown[]) : []) {
      if (isObj(t) && typeof own(t, 'type') === 'string' && typeof own(t, 'value') === 'string') tags.push(`${own(t, 'type') as string}:${own(t, 'value') as string}`);
    }
    if (own(raw, 'stale') === true) tags.push('stale');
    if (tags.length > 0) def.tags = tags;
    if (rules.length > 0) def.rules = rules;
    const deps = own(raw, 'dependencies');
    return {
      name,
      key,
      path: f.path,
      raw,
      def,
      variantInfo,
      hasDependencies: Array.isArray(deps) && deps.length > 0,
    };
  }

  // -- variants ---------------------------------------------------------------------------------------------

  private readVariants(v: unknown, path: string): ParsedVariants | undefined {
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) {
      this.issues.error(path, `"variants" must be an array, got ${describe(v)}; ignored`);
      return undefined;
    }
    if (v.length === 0) return undefined;
    const issues = this.issues;
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

  // -- strategies -------------------------------------------------------------------------------------------

  /**
   * The conditions (alternatives, ORed) and rollout gate under which a strategy is enabled, or undefined when it
   * never is.
   */
  private convertStrategy(
    s: unknown,
    path: string,
    featureName: string,
    payload: SourcePayload,
  ): { alternatives: Array<{ conditions: Condition[]; rollout?: RuleRollout }>; description: string } | undefined {
    const issues = this.issues;
    if (!isObj(s)) {
      issues.error(path, `a strategy must be an object with a "name", got ${describe(s)}; skipped`);
      return undefined;
    }
    const name = own(s, 'name');
    const paramsRaw = own(s, 'parameters');
    const params: Obj = isObj(paramsRaw) ? paramsRaw : {};
    const pPath = fld(path, 'parameters');
    const terms: Term[] = [];

    readList(own(s, 'constraints'), fld(path, 'constraints'), 'constraints', issues).forEach((c, i) =>
      terms.push(constraintTerm(c, idx(fld(path, 'constraints'), i), issues)),
    );
    readList(own(s, 'segments'), fld(path, 'segments'), 'segments', issues).forEach((id: unknown, i) => {
      const info = this.segmentInfo.get(String(id));
      if (info === undefined) {
        const known = payload.segments.has(String(id));
        if (!known) issues.warn(idx(fld(path, 'segments'), i), `segment ${describe(id)} is not in the payload; the strategy never matches, as in Unleash`);
        terms.push(NEVER);
      } else if (info.kind === 'halyard') terms.push({ kind: 'cond', conds: [inSegment(info.key, false)], negated: false, stringFamily: false });
      else if (info.kind === 'inline') terms.push(...info.terms);
      else if (info.kind === 'const') terms.push({ kind: 'const', value: info.value });
      else terms.push({ kind: 'unsupported', reason: info.reason });
    });

    let gates: Array<{ conditions: Condition[]; rollout?: RuleRollout }> = [{ conditions: [] }];
    let description = `Unleash strategy ${typeof name === 'string' ? JSON.stringify(name) : describe(name)}`;
    const groupIdOf = (): string | undefined => {
      const g = own(params, 'groupId');
      if (typeof g === 'string' && g.length > 0) {
        if (g.length > 200) {
          issues.warn(fld(pPath, 'groupId'), 'groupId is longer than 200 characters, which Halyard cannot use as a hash salt; the strategy is not imported');
          return undefined;
        }
        return g;
      }
      issues.warn(
        fld(pPath, 'groupId'),
        `no groupId; using the feature name ${JSON.stringify(featureName)} as Unleash's server sets it (unleash-client-node would hash with an empty groupId)`,
      );
      return featureName;
    };
    const rollout = (percentage: unknown, stickiness: string, groupId: string, ppath: string): typeof gates | undefined => {
      const r = Number(percentage);
      if (!(r > 0)) {
        if (Number.isNaN(r)) issues.warn(ppath, `${describe(percentage)} is not a percentage; the strategy never matches, as in Unleash`);
        return undefined;
      }
      if (r >= 100) return stickiness === 'default' || stickiness === 'random' ? [{ conditions: [] }] : [{ conditions: [{ attribute: stickiness, operator: 'exists' }] }];
      // normalizedValue = hash % 100 + 1 ≤ rollout  ⇔  bucket = hash % 100 < floor(rollout)
      const weight = Math.floor(r);
      if (weight === 0) return undefined;
      const gate = (attr: string): RuleRollout => ({ weight, total: ROLLOUT_TOTAL, bucketBy: attr, salt: groupId, seed: UNLEASH_ROLLOUT_SEED });
      if (stickiness === 'default' || stickiness === 'random') {
        issues.warn(
          ppath,
          stickiness === 'random'
            ? `a ${r} % rollout with "random" stickiness is random per call in Unleash; Halyard has no randomness and rolls out by userId, then sessionId, instead (contexts with neither are not enabled)`
            : `contexts with neither userId nor sessionId are enabled at random (${r} %) by Unleash; Halyard does not enable them`,
        );
        return [{ conditions: [], rollout: gate('userId') }, { conditions: [missing('userId')], rollout: gate('sessionId') }];
      }
      return [{ conditions: [], rollout: gate(stickiness) }];
    };

    switch (name) {
      case 'default':
        break;
      case 'userWithId': {
        const ids = own(params, 'userIds');
        if (typeof ids !== 'string' || ids === '') {
          if (ids !== undefined && typeof ids !== 'string') issues.error(fld(pPath, 'userIds'), `"userIds" must be a comma-separated string, got ${describe(ids)}`);
          return undefined;
        }
        const list = ids.split(/\s*,\s*/).filter((x) => x !== '');
        if (list.length === 0) return undefined;
        terms.push({ kind: 'cond', conds: [{ attribute: 'userId', operator: 'in', values: list }], negated: false, stringFamily: true });
        description += ` (${list.length} user id${list.length === 1 ? '' : 's'})`;
        break;
      }
      case 'flexibleRollout': {
        const stickiness = stickinessOf(own(params, 'stickiness'), fld(pPath, 'stickiness'), issues);
        const groupId = groupIdOf();
        if (groupId === undefined) return undefined;
        const g = rollout(own(params, 'rollout'), stickiness, groupId, fld(pPath, 'rollout'));
        if (g === undefined) return undefined;
        gates = g;
        description += ` (${String(own(params, 'rollout'))} %, stickiness ${stickiness}, groupId ${JSON.stringify(groupId)})`;
        break;
      }
      case 'gradualRolloutUserId':
      case 'gradualRolloutSessionId': {
        const attr = name === 'gradualRolloutUserId' ? 'userId' : 'sessionId';
        const groupId = groupIdOf();
        if (groupId === undefined) return undefined;
        const g = rollout(own(params, 'percentage'), attr, groupId, fld(pPath, 'percentage'));
        if (g === undefined) return undefined;
        gates = g;
        description += ` (${String(own(params, 'percentage'))} % by ${attr}, groupId ${JSON.stringify(groupId)})`;
        break;
      }
      case 'gradualRolloutRandom': {
        const p = Number(own(params, 'percentage'));
        // Enabled when percentage ≥ random integer in 1..100.
        if (!(p >= 1)) return undefined;
        if (p < 100) {
          const g = own(params, 'groupId');
          const groupId = typeof g === 'string' && g.length > 0 && g.length <= 200 ? g : featureName;
          issues.warn(
            fld(pPath, 'percentage'),
            `gradualRolloutRandom enables ${p} % of calls at random in Unleash; Halyard has no randomness and enables ${Math.floor(p)} % of users by userId, then sessionId, instead (contexts with neither are not enabled)`,
          );
          const gate = (attr: string): RuleRollout => ({ weight: Math.floor(p), total: ROLLOUT_TOTAL, bucketBy: attr, salt: groupId, seed: UNLEASH_ROLLOUT_SEED });
          gates = [{ conditions: [], rollout: gate('userId') }, { conditions: [missing('userId')], rollout: gate('sessionId') }];
        }
        description += ` (${String(own(params, 'percentage'))} %)`;
        break;
      }
      case 'remoteAddress': {
        const ips = own(params, 'IPs');
        if (typeof ips !== 'string' || ips === '') {
          if (ips !== undefined && typeof ips !== 'string') issues.error(fld(pPath, 'IPs'), `"IPs" must be a comma-separated string, got ${describe(ips)}`);
          return undefined;
        }
        // Unleash: exact string match, or inside an IPv4 address/range.
        const entries = ips.split(/\s*,\s*/).filter((x) => x !== '');
        const v4 = entries.filter((e) => parseCidr(e)?.v6 === false);
        const exact = entries.filter((e) => parseCidr(e)?.v6 !== false);
        const options: Condition[][] = [];
        if (v4.length > 0) options.push([{ attribute: 'remoteAddress', operator: 'inCidr', values: v4 }]);
        if (exact.length > 0) options.push([{ attribute: 'remoteAddress', operator: 'in', values: exact }]);
        terms.push({ kind: 'any', options });
        description += ` (${entries.join(', ')})`;
        break;
      }
      case 'applicationHostname': {
        const hosts = own(params, 'hostNames');
        if (typeof hosts !== 'string' || hosts === '') return undefined;
        const list = hosts.toLowerCase().split(/\s*,\s*/).filter((x) => x !== '');
        if (list.length === 0) return undefined;
        issues.warn(
          path,
          `applicationHostname compares the server's host name; Halyard reads it from the "${HOSTNAME_ATTRIBUTE}" context attribute — pass it, e.g. unleashContext(ctx, { hostname: os.hostname() })`,
        );
        terms.push({ kind: 'cond', conds: [{ attribute: HOSTNAME_ATTRIBUTE, operator: 'in', values: list, caseInsensitive: true }], negated: false, stringFamily: true });
        description += ` (${list.join(', ')})`;
        break;
      }
      default:
        issues.warn(
          fld(path, 'name'),
          `strategy ${describe(name)} is not a built-in Unleash strategy; it never matches, as in an Unleash SDK without that custom strategy registered`,
        );
        return undefined;
    }

    const alts = this.expand(terms);
    if (typeof alts === 'string') {
      issues.warn(path, `${alts}; this strategy is not imported (it never matches)`);
      return undefined;
    }
    if (alts.length === 0) return undefined;
    const alternatives: Array<{ conditions: Condition[]; rollout?: RuleRollout }> = [];
    for (const a of alts) {
      for (const g of gates) {
        const item: { conditions: Condition[]; rollout?: RuleRollout } = { conditions: [...a, ...g.conditions] };
        if (g.rollout !== undefined) item.rollout = g.rollout;
        alternatives.push(item);
      }
    }
    return { alternatives, description };
  }

  // -- dependencies -----------------------------------------------------------------------------------------

  private resolveDependencies(b: BuiltFlag, built: ReadonlyMap<string, BuiltFlag>): void {
    const deps = own(b.raw, 'dependencies');
    if (deps === undefined || deps === null) return;
    const path = fld(b.path, 'dependencies');
    if (!Array.isArray(deps)) {
      this.issues.error(path, `"dependencies" must be an array, got ${describe(deps)}; ignored`);
      return;
    }
    const prerequisites: Prerequisite[] = [];
    let impossible = false;
    const never = (p: string, why: string): void => {
      this.issues.warn(p, `${why}; Unleash never enables this feature, so it is imported as disabled`);
      b.def.enabled = false;
      impossible = true;
    };
    deps.forEach((d: unknown, i) => {
      const p = idx(path, i);
      if (!isObj(d) || typeof own(d, 'feature') !== 'string') {
        this.issues.error(p, `a dependency must be { "feature": string, "enabled"?: boolean, "variants"?: string[] }, got ${describe(d)}; ignored`);
        return;
      }
      const parentName = own(d, 'feature') as string;
      const parent = built.get(parentName);
      if (parent === undefined) return never(p, `the parent feature ${JSON.stringify(parentName)} is not in the payload`);
      if (parent.hasDependencies) return never(p, `the parent feature ${JSON.stringify(parentName)} has dependencies of its own (Unleash does not evaluate transitive dependencies)`);
      const wantEnabled = own(d, 'enabled') !== false;
      const variantsRaw = own(d, 'variants');
      const names = Array.isArray(variantsRaw) ? variantsRaw.filter((x): x is string => typeof x === 'string') : [];
      const keys: string[] = [];
      for (const [k, info] of parent.variantInfo) {
        if (!wantEnabled) {
          if (!info.featureEnabled) keys.push(k);
        } else if (info.featureEnabled && (names.length === 0 || names.includes(info.name))) keys.push(k);
      }
      // Keys the parent never serves are harmless; only list the ones it defines.
      const defined = keys.filter((k) => Object.hasOwn(parent.def.variants, k));
      if (defined.length === 0) {
        return never(p, `the parent feature ${JSON.stringify(parentName)} can never serve ${wantEnabled ? (names.length > 0 ? `the variants ${names.join(', ')}` : 'an enabled state') : 'a disabled state'}`);
      }
      prerequisites.push({ flag: parent.key, variants: defined });
    });
    if (prerequisites.length > 0 && !impossible) b.def.prerequisites = prerequisites;
  }
}

interface ParsedVariants {
  entries: Array<{ name: string; weight: number; payload?: { type: string; value: string }; overrides: Condition[] }>;
  total: number;
  /** Unleash reads stickiness from the first variant only. */
  firstStickiness: unknown;
  stickiness: string;
}

/** Slices for a variant split: zero weights never win in Unleash and adjacent duplicates merge. */
function splitSlices(entries: readonly VariantEntry[]): SplitSlice[] {
  const out: SplitSlice[] = [];
  for (const e of entries) {
    if (e.weight === 0) continue;
    const last = out[out.length - 1];
    if (last !== undefined && last.variant === e.key) last.weight = (last.weight as number) + e.weight;
    else out.push({ variant: e.key, weight: e.weight });
  }
  return out;
}
