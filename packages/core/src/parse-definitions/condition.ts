import { describe, has, isObj, own } from '../internal/json-shape';
import type { OperandCheck } from '../operators/operator';
import { CASE_INSENSITIVE_OPERATORS, OPERATOR_NAMES, operatorDefinition } from '../operators/registry';
import type { Condition, Operator } from '../types';
import { field, index, type Checker } from './checker';
import { suggestion } from './suggestions';

const CONDITION_FIELDS = ['attribute', 'operator', 'values', 'negate', 'caseInsensitive'];

/**
 * One condition. The shape (`attribute`, `operator`, `negate`, `caseInsensitive`, `values` an array) is checked
 * here; what the operands must be is the operator's own check, from the registry.
 */
export function checkCondition(c: Checker, v: unknown, path: string): Condition | undefined {
  if (!isObj(v)) {
    c.add(path, `a condition must be an object like { "attribute": "country", "operator": "in", "values": ["US"] }, got ${describe(v)}`);
    return undefined;
  }
  c.fields(v, path, CONDITION_FIELDS, 'a condition');
  let ok = true;
  const opRaw = own(v, 'operator');
  const definition = typeof opRaw === 'string' ? operatorDefinition(opRaw) : undefined;
  if (definition === undefined) {
    const hint = typeof opRaw === 'string' ? suggestion(opRaw, OPERATOR_NAMES) : '';
    c.add(field(path, 'operator'), `unknown operator ${describe(opRaw)}; ${hint}known operators: ${OPERATOR_NAMES.join(', ')}`);
    ok = false;
  }
  const op = definition === undefined ? undefined : (opRaw as Operator);

  let attribute = '';
  const attrRaw = own(v, 'attribute');
  if (definition !== undefined && !definition.readsAttribute) {
    // The attribute is ignored (inSegment: segments name their own); normalised documents carry "".
    if (attrRaw !== undefined && typeof attrRaw !== 'string') {
      c.add(field(path, 'attribute'), `"attribute" is ignored for "${op}" but must be a string when given, got ${describe(attrRaw)}`);
      ok = false;
    } else if (typeof attrRaw === 'string') attribute = attrRaw;
  } else {
    const a = c.attributePath(attrRaw, field(path, 'attribute'), 'attribute');
    if (a === undefined) ok = false;
    else attribute = a;
  }
  const negate = c.optionalBoolean(v, path, 'negate');
  const caseInsensitive = c.optionalBoolean(v, path, 'caseInsensitive');
  if (has(v, 'negate') && negate === undefined) ok = false;
  if (has(v, 'caseInsensitive') && caseInsensitive === undefined) ok = false;
  if (caseInsensitive === true && definition !== undefined && !definition.caseInsensitive) {
    c.add(field(path, 'caseInsensitive'), `"caseInsensitive" only applies to string operators (${CASE_INSENSITIVE_OPERATORS.join(', ')}), not "${op}"; remove it`);
    ok = false;
  }

  const valuesRaw = own(v, 'values');
  const vp = field(path, 'values');
  let values: Array<string | number | boolean> = [];
  if (valuesRaw !== undefined) {
    if (!Array.isArray(valuesRaw)) {
      c.add(vp, `"values" must be an array, got ${describe(valuesRaw)}`);
      return undefined;
    }
    values = valuesRaw as Array<string | number | boolean>;
  }
  if (definition === undefined || op === undefined) return undefined;

  const check: OperandCheck = {
    operator: op,
    caseInsensitive: caseInsensitive === true,
    segmentKeys: c.segmentKeys,
    problem: (message, i) => c.add(i === undefined ? vp : index(vp, i), message),
  };
  ok = definition.check(values, check) && ok;
  if (!ok) return undefined;
  const out: Condition = { attribute, operator: op };
  if (valuesRaw !== undefined) out.values = [...values];
  if (negate !== undefined) out.negate = negate;
  if (caseInsensitive !== undefined) out.caseInsensitive = caseInsensitive;
  return out;
}

/** A list of conditions (all must match). */
export function checkConditions(c: Checker, v: unknown, path: string): Condition[] | undefined {
  if (!Array.isArray(v)) {
    c.add(path, `"conditions" must be an array of conditions (all must match), got ${describe(v)}`);
    return undefined;
  }
  let ok = true;
  const out: Condition[] = [];
  for (let i = 0; i < v.length; i++) {
    const cond = checkCondition(c, v[i], index(path, i));
    if (cond === undefined) ok = false;
    else out.push(cond);
  }
  return ok ? out : undefined;
}
