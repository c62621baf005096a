import { describe, has, isObj, own } from '../internal/json-shape';
import { DEFAULT_UNIT_ATTRIBUTE, FLAG_KINDS, FLAG_TYPES, KEY_PATTERN, KEY_RULE, TARGET_RULE_ID, variantValueType } from '../internal/schema';
import { parseIsoDate } from '../internal/date';
import type { FlagDefinition, FlagType, JsonValue, Rule, RuleRollout, Target } from '../types';
import { field, index, member, type Checker } from './checker';
import { checkBreaker } from './breaker';
import { checkExperiment } from './experiment';
import { checkConditions } from './condition';
import { checkRollout, checkServe, checkVariantRef, type FlagContext } from './serve';

const FLAG_FIELDS = [
  'description',
  'owner',
  'tags',
  'kind',
  'expiresAt',
  'type',
  'variants',
  'enabled',
  'offVariant',
  'targets',
  'rules',
  'defaultServe',
  'prerequisites',
  'breaker',
  'experiment',
];
const RULE_FIELDS = ['id', 'description', 'conditions', 'rollout', 'serve'];
const TARGET_FIELDS = ['variant', 'values', 'attribute'];
const MAX_RULE_ID_LENGTH = 200;

/** A flag's `prerequisites`, checked once every flag's variants are known (see graph.ts). */
export interface RawPrerequisites {
  path: string;
  value: unknown;
}

/**
 * One flag: metadata, variants (one type), targets, rules and serves. Prerequisites are returned raw and checked
 * later, when the variants of every flag are known.
 */
export function checkFlag(c: Checker, key: string, v: unknown, path: string): { flag?: FlagDefinition; prerequisites?: RawPrerequisites; variantNames: string[] } {
  let ok = true;
  if (!KEY_PATTERN.test(key)) {
    c.add(path, `flag key ${JSON.stringify(key)} is invalid: ${KEY_RULE}`);
    ok = false;
  }
  if (!isObj(v)) {
    c.add(path, `a flag must be an object with "variants", "enabled" and "defaultServe" (and optionally "offVariant"), got ${describe(v)}`);
    return { variantNames: [] };
  }
  // Unknown fields do not stop the remaining checks; any problem at all makes the whole document invalid.
  c.fields(v, path, FLAG_FIELDS, 'a flag');

  const flagOut: Partial<FlagDefinition> = {};
  for (const name of ['description', 'owner'] as const) {
    const s = c.optionalString(v, path, name);
    if (s !== undefined) flagOut[name] = s;
    else if (has(v, name)) ok = false;
  }
  if (has(v, 'tags')) {
    const tags = c.stringArray(own(v, 'tags'), field(path, 'tags'), 'tags', false);
    if (tags === undefined) ok = false;
    else flagOut.tags = tags;
  }
  if (has(v, 'kind')) {
    const kind = own(v, 'kind');
    if (typeof kind !== 'string' || !(FLAG_KINDS as readonly string[]).includes(kind)) {
      c.add(field(path, 'kind'), `unknown kind ${describe(kind)}; use one of: ${FLAG_KINDS.join(', ')}`);
      ok = false;
    } else flagOut.kind = kind as FlagDefinition['kind'];
  }
  if (has(v, 'expiresAt')) {
    const e = own(v, 'expiresAt');
    if (typeof e !== 'string' || parseIsoDate(e) === undefined) {
      c.add(field(path, 'expiresAt'), `"expiresAt" must be an ISO-8601 date such as "2025-06-30" or "2025-06-30T00:00:00Z", got ${describe(e)}`);
      ok = false;
    } else flagOut.expiresAt = e;
  }
  let declaredType: FlagType | undefined;
  if (has(v, 'type')) {
    const t = own(v, 'type');
    if (typeof t !== 'string' || !(FLAG_TYPES as readonly string[]).includes(t)) {
      c.add(field(path, 'type'), `unknown type ${describe(t)}; use one of: ${FLAG_TYPES.join(', ')}`);
      ok = false;
    } else declaredType = t as FlagType;
  }

  // Variants.
  const variantNames: string[] = [];
  const variants = Object.create(null) as Record<string, JsonValue>;
  const vRaw = own(v, 'variants');
  const vPath = field(path, 'variants');
  let inferredType: FlagType | undefined = declaredType;
  let firstVariant: string | undefined;
  if (!isObj(vRaw) || Object.keys(vRaw).length === 0) {
    c.add(vPath, `"variants" must be a non-empty object of named values, e.g. { "on": true, "off": false }, got ${describe(vRaw)}`);
    ok = false;
  } else {
    for (const name of Object.keys(vRaw)) {
      const p = member(vPath, name);
      variantNames.push(name);
      if (!KEY_PATTERN.test(name)) {
        c.add(p, `variant name ${JSON.stringify(name)} is invalid: ${KEY_RULE}`);
        ok = false;
      }
      const raw = vRaw[name];
      const t = variantValueType(raw);
      if (t === undefined) {
        c.add(p, `wrong value type: variant values must be a boolean, a string, a finite number or a JSON object/array, got ${describe(raw)}`);
        ok = false;
        continue;
      }
      if (declaredType !== undefined && t !== declaredType) {
        c.add(p, `wrong value type: variant ${JSON.stringify(name)} is ${t === 'json' ? 'JSON' : `a ${t}`} but the flag's "type" is "${declaredType}"`);
        ok = false;
        continue;
      }
      if (inferredType === undefined) {
        inferredType = t;
        firstVariant = name;
      } else if (declaredType === undefined && t !== inferredType) {
        c.add(
          p,
          `wrong value type: variant ${JSON.stringify(name)} is ${t === 'json' ? 'JSON' : `a ${t}`} but variant ${JSON.stringify(firstVariant)} is ${inferredType === 'json' ? 'JSON' : `a ${inferredType}`}; all variants of a flag must have one type`,
        );
        ok = false;
        continue;
      }
      const copy = c.json(raw, p, 0, []);
      if (!copy.ok) ok = false;
      variants[name] = copy.value;
    }
  }
  const flag: FlagContext = { key, path, variantNames };

  // Required fields.
  const enabled = own(v, 'enabled');
  if (typeof enabled !== 'boolean') {
    c.add(field(path, 'enabled'), `"enabled" is required and must be true or false, got ${describe(enabled)}`);
    ok = false;
  }
  // Optional: without it, a disabled flag (or a failed prerequisite) serves the caller's default.
  let offVariant: string | undefined;
  if (has(v, 'offVariant')) {
    offVariant = checkVariantRef(c, own(v, 'offVariant'), field(path, 'offVariant'), flag, '"offVariant"');
    if (offVariant === undefined) ok = false;
  }

  // Targets.
  let targets: Target[] | undefined;
  if (has(v, 'targets')) {
    const tRaw = own(v, 'targets');
    const tPath = field(path, 'targets');
    if (!Array.isArray(tRaw)) {
      c.add(tPath, `"targets" must be an array of { variant, values }, got ${describe(tRaw)}`);
      ok = false;
    } else {
      targets = [];
      // A unit id listed for two variants (same attribute) would silently depend on order: reject it.
      const seenIds = new Map<string, string>();
      for (let i = 0; i < tRaw.length; i++) {
        const t: unknown = tRaw[i];
        const p = index(tPath, i);
        if (!isObj(t)) {
          c.add(p, `a target must be an object like { "variant": "on", "values": ["user-1"] }, got ${describe(t)}`);
          ok = false;
          continue;
        }
        c.fields(t, p, TARGET_FIELDS, 'a target');
        const variant = checkVariantRef(c, own(t, 'variant'), field(p, 'variant'), flag, '"variant"');
        const values = c.stringArray(own(t, 'values'), field(p, 'values'), 'values', false);
        let attribute: string | undefined;
        if (has(t, 'attribute')) {
          attribute = c.attributePath(own(t, 'attribute'), field(p, 'attribute'), 'attribute');
          if (attribute === undefined) ok = false;
        }
        if (variant === undefined || values === undefined) {
          ok = false;
          continue;
        }
        const attrKey = attribute ?? DEFAULT_UNIT_ATTRIBUTE;
        for (let j = 0; j < values.length; j++) {
          const id = `${attrKey}\u0000${values[j] as string}`;
          const prev = seenIds.get(id);
          if (prev !== undefined) {
            c.add(index(field(p, 'values'), j), `${JSON.stringify(values[j])} is already targeted at ${prev}; list each unit id once`);
            ok = false;
          } else seenIds.set(id, `${tPath}[${i}]`);
        }
        const out: Target = { variant, values };
        if (attribute !== undefined) out.attribute = attribute;
        targets.push(out);
      }
    }
  }

  // Rules.
  let rules: Rule[] | undefined;
  if (has(v, 'rules')) {
    const rRaw = own(v, 'rules');
    const rPath = field(path, 'rules');
    if (!Array.isArray(rRaw)) {
      c.add(rPath, `"rules" must be an array of { conditions, serve }, got ${describe(rRaw)}`);
      ok = false;
    } else {
      rules = [];
      const ids = new Map<string, number>();
      for (let i = 0; i < rRaw.length; i++) {
        const r: unknown = rRaw[i];
        const p = index(rPath, i);
        if (!isObj(r)) {
          c.add(p, `a rule must be an object like { "conditions": [...], "serve": { "variant": "on" } }, got ${describe(r)}`);
          ok = false;
          continue;
        }
        c.fields(r, p, RULE_FIELDS, 'a rule');
        let id = `rule-${i}`;
        let ruleOk = true;
        if (has(r, 'id')) {
          const idRaw = own(r, 'id');
          if (typeof idRaw !== 'string' || idRaw.length === 0 || idRaw.length > MAX_RULE_ID_LENGTH) {
            c.add(field(p, 'id'), `"id" must be a non-empty string of at most ${MAX_RULE_ID_LENGTH} characters, got ${describe(idRaw)}`);
            ruleOk = false;
          } else if (idRaw === TARGET_RULE_ID) {
            c.add(field(p, 'id'), `"${TARGET_RULE_ID}" is reserved for individual targets; choose another rule id`);
            ruleOk = false;
          } else id = idRaw;
        }
        const prevIndex = ids.get(id);
        if (prevIndex !== undefined) {
          c.add(field(p, 'id'), `rule id ${JSON.stringify(id)} is already used by rules[${prevIndex}]; rule ids must be unique within a flag (rules without "id" are named "rule-<index>")`);
          ruleOk = false;
        } else ids.set(id, i);
        const description = c.optionalString(r, p, 'description');
        if (has(r, 'description') && description === undefined) ruleOk = false;
        if (!has(r, 'conditions')) {
          c.add(field(p, 'conditions'), '"conditions" is required (use [] to match everyone)');
          ruleOk = false;
        }
        const conditions = has(r, 'conditions') ? checkConditions(c, own(r, 'conditions'), field(p, 'conditions')) : undefined;
        let rollout: RuleRollout | undefined;
        if (has(r, 'rollout')) {
          rollout = checkRollout(c, own(r, 'rollout'), field(p, 'rollout'));
          if (rollout === undefined) ruleOk = false;
        }
        const serve = checkServe(c, own(r, 'serve'), field(p, 'serve'), flag);
        if (!ruleOk || conditions === undefined || serve === undefined) {
          ok = false;
          continue;
        }
        const out: Rule = { id, conditions, serve };
        if (description !== undefined) out.description = description;
        if (rollout !== undefined) out.rollout = rollout;
        rules.push(out);
      }
    }
  }

  const defaultServe = checkServe(c, own(v, 'defaultServe'), field(path, 'defaultServe'), flag);
  if (defaultServe === undefined) ok = false;

  const breaker = has(v, 'breaker') ? checkBreaker(c, own(v, 'breaker'), field(path, 'breaker'), variantNames) : undefined;
  if (has(v, 'breaker') && breaker === undefined) ok = false;

  const experiment = has(v, 'experiment') ? checkExperiment(c, own(v, 'experiment'), field(path, 'experiment'), flag, flagOut.kind) : undefined;
  if (has(v, 'experiment') && experiment === undefined) ok = false;

  let prerequisites: RawPrerequisites | undefined;
  if (has(v, 'prerequisites')) prerequisites = { path: field(path, 'prerequisites'), value: own(v, 'prerequisites') };

  if (!ok || inferredType === undefined || defaultServe === undefined) {
    return prerequisites === undefined ? { variantNames } : { prerequisites, variantNames };
  }
  const out: FlagDefinition = {
    ...flagOut,
    type: inferredType,
    variants,
    enabled: enabled as boolean,
    ...(offVariant === undefined ? {} : { offVariant }),
    defaultServe,
  };
  if (targets !== undefined) out.targets = targets;
  if (rules !== undefined) out.rules = rules;
  if (breaker !== undefined) out.breaker = breaker;
  if (experiment !== undefined) out.experiment = experiment;
  return prerequisites === undefined ? { flag: out, variantNames } : { flag: out, prerequisites, variantNames };
}