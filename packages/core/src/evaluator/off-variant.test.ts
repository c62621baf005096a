import { describe, expect, it } from 'vitest';
import { createEvaluator, parseDefinitions } from '@halyard/core';
import type { Evaluator } from '@halyard/core';

type AnyRecord = Record<string, unknown>;

function evaluator(flags: AnyRecord): Evaluator {
  const result = parseDefinitions({ schemaVersion: 1, flags });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return createEvaluator(result.definitions);
}

/** A boolean flag without `offVariant`. */
const noOff = (extra: AnyRecord = {}): AnyRecord => ({ variants: { on: true, off: false }, enabled: true, defaultServe: { variant: 'on' }, ...extra });

describe('a flag without offVariant', () => {
  it('serves the caller’s default with reason DISABLED when switched off, on every path', () => {
    const ev = evaluator({ f: noOff({ enabled: false }), s: { variants: { a: 'a', b: 'b' }, enabled: false, defaultServe: { variant: 'a' } } });
    expect(ev.getDetails('f', true, { userId: 'u' })).toEqual({ value: true, reason: 'DISABLED' });
    expect(ev.getDetails('f', false, { userId: 'u' })).toEqual({ value: false, reason: 'DISABLED' });
    expect(ev.getDetails('f', null)).toEqual({ value: null, reason: 'DISABLED' });
    expect(ev.getValue('f', true)).toBe(true);
    expect(ev.isEnabled('f')).toBe(false);
    expect(ev.getValue('s', 'mine')).toBe('mine');
    const handle = ev.flag('f');
    expect(handle.getDetails(true)).toEqual({ value: true, reason: 'DISABLED' });
    expect(handle.getValue(true)).toBe(true);
    expect(handle.isEnabled()).toBe(false);
    // The type check still comes first.
    expect(ev.getDetails('f', 'x')).toMatchObject({ value: 'x', reason: 'ERROR', errorCode: 'TYPE_MISMATCH' });
    expect(handle.getDetails('x' as never)).toMatchObject({ reason: 'ERROR', errorCode: 'TYPE_MISMATCH' });
  });

  it('serves its variants as usual when switched on', () => {
    const ev = evaluator({ f: noOff() });
    expect(ev.getDetails('f', false)).toEqual({ value: true, variant: 'on', reason: 'STATIC' });
  });

  it('serves the caller’s default with PREREQUISITE_FAILED when a prerequisite fails', () => {
    const ev = evaluator({
      child: noOff({ prerequisites: [{ flag: 'parent', variants: ['on'] }] }),
      parent: noOff({ rules: [{ conditions: [{ attribute: 'plan', operator: 'equals', values: ['pro'] }], serve: { variant: 'on' } }], defaultServe: { variant: 'off' } }),
    });
    expect(ev.getDetails('child', false, { plan: 'pro' })).toEqual({ value: true, variant: 'on', reason: 'DEFAULT' });
    expect(ev.getDetails('child', 'd' as never, { plan: 'free' })).toMatchObject({ reason: 'ERROR', errorCode: 'TYPE_MISMATCH' });
    expect(ev.getDetails('child', true, { plan: 'free' })).toEqual({
      value: true,
      reason: 'PREREQUISITE_FAILED',
      detail: 'prerequisite flag "parent" did not serve one of: on',
    });
    expect(ev.flag('child').getDetails(false, { plan: 'free' })).toEqual({ value: false, reason: 'PREREQUISITE_FAILED', detail: 'prerequisite flag "parent" did not serve one of: on' });
    expect(ev.isEnabled('child', { plan: 'free' })).toBe(false);
  });

  it('fails its dependents when it serves the caller’s default (it served no variant)', () => {
    const ev = evaluator({
      child: noOff({ prerequisites: [{ flag: 'parent', variants: ['on', 'off'] }] }),
      parent: noOff({ defaultServe: { split: [{ variant: 'on', weight: 1 }, { variant: 'off', weight: 1 }] } }),
    });
    expect(ev.getDetails('parent', null, {})).toEqual({ value: null, reason: 'DEFAULT', detail: 'unit has no "userId" attribute; split skipped' });
    expect(ev.getDetails('child', false, {})).toMatchObject({ value: false, reason: 'PREREQUISITE_FAILED' });
    expect(ev.getDetails('child', false, { userId: 'u1' })).toMatchObject({ value: true, variant: 'on', reason: 'DEFAULT' });
  });

  it('serves the caller’s default to a unit its default split cannot bucket, on the split handle too', () => {
    const ev = evaluator({ f: noOff({ defaultServe: { split: [{ variant: 'on', weight: 1 }, { variant: 'off', weight: 1 }], bucketBy: 'account.id' } }) });
    const expected = { value: true, reason: 'DEFAULT', detail: 'unit has no "account.id" attribute; split skipped' };
    expect(ev.getDetails('f', true, { userId: 'u1' })).toEqual(expected);
    expect(ev.flag('f').getDetails(true, { userId: 'u1' })).toEqual(expected);
    expect(ev.flag('f').getValue(true, {})).toBe(true);
    expect(ev.getDetails('f', true, { account: { id: 'a1' } }).reason).toBe('SPLIT');
  });

  it('is left out of evaluateAll while it serves the caller’s default; versions follow the content', () => {
    const ev = evaluator({
      off: noOff({ enabled: false }),
      child: noOff({ prerequisites: [{ flag: 'gate', variants: ['on'] }] }),
      gate: noOff({ rules: [{ conditions: [{ attribute: 'beta', operator: 'equals', values: [true] }], serve: { variant: 'on' } }], defaultServe: { variant: 'off' } }),
    });
    const outside = ev.evaluateAll({ beta: false });
    expect(Object.keys(outside.flags).sort()).toEqual(['gate']);
    expect(outside.flags.gate).toEqual({ value: false, variant: 'off', reason: 'DEFAULT' });
    const inside = ev.evaluateAll({ beta: true });
    expect(Object.keys(inside.flags).sort()).toEqual(['child', 'gate']);
    expect(inside.flags.child).toEqual({ value: true, variant: 'on', reason: 'DEFAULT' });
    expect(inside.version).not.toBe(outside.version);
    // Same entries, same version: a document holding only "gate" gives the same snapshot for beta: false.
    const gateOnly = evaluator({ gate: noOff({ rules: [{ conditions: [{ attribute: 'beta', operator: 'equals', values: [true] }], serve: { variant: 'on' } }], defaultServe: { variant: 'off' } }) });
    expect(gateOnly.evaluateAll({ beta: false })).toEqual(outside);
  });
});
