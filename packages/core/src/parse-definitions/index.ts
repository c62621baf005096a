import { hex32 } from '../internal/hex';
import { describe, errorText, has, isObj, own, type Obj } from '../internal/json-shape';
import { murmur3 } from '../internal/murmur3';
import { canonicalJson, validatedDefinitions } from '../internal/schema';
import type { Definitions, FlagDefinition, ParseResult, SegmentDefinition } from '../types';
import { Checker, member } from './checker';
import { checkFlag, type RawPrerequisites } from './flag';
import { PREREQUISITE_CYCLE, SEGMENT_CYCLE, checkCycles, checkPrerequisites } from './graph';
import { checkSegment, segmentReferences } from './segment';

/*
 * parseDefinitions: the document's top level, then segments and their reference graph (flag conditions reference
 * segments), flags, and the prerequisite graph. Files: checker.ts (problem list, shared field checks, JSON copies), suggestions.ts
 * ("did you mean"), flag.ts, serve.ts (serves, splits, rollouts), condition.ts (operands via the operator
 * registry), segment.ts, graph.ts (prerequisites, segment references and their cycles).
 */

const TOP_FIELDS = ['$schema', 'schemaVersion', 'version', 'flags', 'segments'];
const MAX_VERSION_LENGTH = 200;

function deepFreeze<T>(value: T): T {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
      for (const key of Object.keys(v)) stack.push((v as Obj)[key]);
      Object.freeze(v);
    }
  }
  return value;
}

/** 64-bit content hash (two murmur3 seeds) as 16 hex characters. */
function contentHash(text: string): string {
  return hex32(murmur3(text, 0)) + hex32(murmur3(text, 0x5bd1e995));
}

function parseDocument(input: unknown): ParseResult {
  const c = new Checker();
  if (typeof input === 'string') {
    try {
      input = JSON.parse(input) as unknown;
    } catch (e) {
      return { ok: false, problems: [{ path: '$', message: `not valid JSON (${errorText(e)})` }] };
    }
  }
  if (!isObj(input)) {
    return {
      ok: false,
      problems: [{ path: '$', message: `the flags document must be an object like { "schemaVersion": 1, "flags": { ... } }, got ${describe(input)}` }],
    };
  }
  c.fields(input, '$', TOP_FIELDS, 'the document');
  const schemaVersion = own(input, 'schemaVersion');
  if (schemaVersion !== 1) {
    c.add('$.schemaVersion', `"schemaVersion" must be 1, got ${describe(schemaVersion)}; this version of @halyard/core reads schemaVersion 1 documents`);
  }
  if (has(input, '$schema') && typeof own(input, '$schema') !== 'string') {
    c.add('$.$schema', `"$schema" must be a string (a JSON Schema URL), got ${describe(own(input, '$schema'))}`);
  }
  let version: string | undefined;
  if (has(input, 'version')) {
    const v = own(input, 'version');
    if (typeof v === 'string' && v.length > 0 && v.length <= MAX_VERSION_LENGTH) version = v;
    else if (typeof v === 'number' && Number.isFinite(v)) version = String(v);
    else c.add('$.version', `"version" must be a non-empty string (at most ${MAX_VERSION_LENGTH} characters) or a finite number, got ${describe(v)}`);
  }

  // Segments first: flag conditions reference them.
  const segments = Object.create(null) as Record<string, SegmentDefinition>;
  if (has(input, 'segments')) {
    const sRaw = own(input, 'segments');
    if (!isObj(sRaw)) c.add('$.segments', `"segments" must be an object of named segments, got ${describe(sRaw)}`);
    else {
      for (const key of Object.keys(sRaw)) c.segmentKeys.add(key);
      const references = new Map<string, string[]>();
      for (const key of Object.keys(sRaw)) {
        const seg = checkSegment(c, key, sRaw[key], member('$.segments', key));
        if (seg === undefined) continue;
        segments[key] = seg;
        references.set(key, segmentReferences(seg));
      }
      checkCycles(c, references, SEGMENT_CYCLE);
    }
  }

  const flags = Object.create(null) as Record<string, FlagDefinition>;
  const fRaw = own(input, 'flags');
  const pending: Array<{ key: string; raw: RawPrerequisites }> = [];
  const variantsOf = new Map<string, string[]>();
  if (!isObj(fRaw)) {
    c.add('$.flags', `"flags" is required and must be an object of flags keyed by flag key, got ${describe(fRaw)}`);
  } else {
    for (const key of Object.keys(fRaw)) {
      const result = checkFlag(c, key, fRaw[key], member('$.flags', key));
      variantsOf.set(key, result.variantNames);
      if (result.flag !== undefined) flags[key] = result.flag;
      if (result.prerequisites !== undefined) pending.push({ key, raw: result.prerequisites });
    }
  }
  const edges = new Map<string, string[]>();
  for (const { key, raw } of pending) {
    const prerequisites = checkPrerequisites(c, key, raw, variantsOf);
    if (prerequisites !== undefined) {
      edges.set(key, prerequisites.map((p) => p.flag));
      const flag = flags[key];
      if (flag !== undefined) flag.prerequisites = prerequisites;
    }
  }
  checkCycles(c, edges, PREREQUISITE_CYCLE);

  if (c.problems.length > 0) return { ok: false, problems: c.problems };
  if (version === undefined) version = contentHash(canonicalJson({ schemaVersion: 1, flags, segments }));
  const definitions: Definitions = { schemaVersion: 1, version, flags, segments };
  deepFreeze(definitions);
  validatedDefinitions.add(definitions);
  return { ok: true, definitions };
}

/**
 * Validates a flags document and returns normalised, deep-frozen `Definitions`, or every problem found.
 *
 * Accepts the parsed document (or its JSON text). Never throws, whatever the input; nothing invalid is ever
 * partially loaded: one problem anywhere means `ok: false`. Problems carry a JSON path starting at `$`.
 *
 * Normalisation: `version` becomes a string (a 16-hex-digit content hash when the document has none); every
 * flag gets its `type` (declared or inferred from its variants); every rule gets its `id` (`"rule-<index>"` when
 * absent); `inSegment` conditions without an attribute get `attribute: ""`. The `flags`, `segments` and
 * `variants` records have a null prototype — look keys up with `Object.hasOwn`.
 *
 * Decisions worth knowing: a variant may appear only once per split; a unit id may be targeted only once per
 * attribute; segments may reference other segments, but not in a cycle (reported with its path, like prerequisite
 * cycles); `offVariant` is optional (without it a disabled flag serves the caller's default); `caseInsensitive`
 * is only allowed on string operators; regular expressions compile in Unicode mode when they are valid in it,
 * else in the classic mode, and are refused when they could backtrack catastrophically.
 *
 * @example
 * const result = parseDefinitions(JSON.parse(text));
 * if (!result.ok) {
 *   for (const p of result.problems) console.error(`${p.path}: ${p.message}`);
 * } else {
 *   const evaluator = createEvaluator(result.definitions);
 * }
 */
export function parseDefinitions(input: unknown): ParseResult {
  try {
    return parseDocument(input);
  } catch (e) {
    // Hostile inputs (throwing getters, revoked proxies) end up here: report, never throw.
    return {
      ok: false,
      problems: [
        {
          path: '$',
          message: `@halyard/core: the flags document could not be read (${errorText(e)}); pass plain JSON data`,
        },
      ],
    };
  }
}
