import { describe, expect, it } from 'vitest';
import type { FlagSnapshot } from '../types';
import { deepEqual, shareSnapshot } from './structural-share';

describe('deepEqual', () => {
  it('compares JSON-like values structurally', () => {
    expect(deepEqual({ a: [1, { b: 'x' }], c: null }, { c: null, a: [1, { b: 'x' }] })).toBe(true);
    expect(deepEqual({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(deepEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(deepEqual([1], { 0: 1 })).toBe(false);
    expect(deepEqual(undefined, {})).toBe(false);
    expect(deepEqual(NaN, NaN)).toBe(true);
  });

  it('ignores keys whose value is undefined (they vanish in JSON)', () => {
    expect(deepEqual({ userId: 'u', plan: undefined }, { userId: 'u' })).toBe(true);
  });

  it('compares class instances by identity', () => {
    expect(deepEqual(new Date(0), new Date(0))).toBe(false);
    const d = new Date(0);
    expect(deepEqual({ d }, { d })).toBe(true);
  });
});

describe('shareSnapshot', () => {
  const prev: FlagSnapshot = {
    version: 'v1',
    flags: { a: { value: true, variant: 'on', reason: 'DEFAULT' }, b: { value: { x: [1] }, variant: 'j', reason: 'SPLIT' } },
  };
  const clone = (s: FlagSnapshot): FlagSnapshot => JSON.parse(JSON.stringify(s)) as FlagSnapshot;

  it('returns the previous snapshot when nothing changed', () => {
    expect(shareSnapshot(prev, clone(prev))).toBe(prev);
  });

  it('keeps unchanged entries by identity and replaces changed ones', () => {
    const next = clone(prev);
    next.version = 'v2';
    next.flags.b = { value: { x: [2] }, variant: 'j', reason: 'SPLIT' };
    const shared = shareSnapshot(prev, next);
    expect(shared).not.toBe(prev);
    expect(shared.version).toBe('v2');
    expect(shared.flags.a).toBe(prev.flags.a);
    expect(shared.flags.b).toBe(next.flags.b);
  });

  it('notices added and removed flags', () => {
    const added = clone(prev);
    added.flags.c = { value: 1, reason: 'STATIC' };
    expect(Object.keys(shareSnapshot(prev, added).flags)).toEqual(['a', 'b', 'c']);
    const removed = clone(prev);
    delete removed.flags.b;
    const shared = shareSnapshot(prev, removed);
    expect(Object.keys(shared.flags)).toEqual(['a']);
    expect(shared.flags.a).toBe(prev.flags.a);
  });

  it('keeps the flags object when only the version changed', () => {
    const next = clone(prev);
    next.version = 'v3';
    const shared = shareSnapshot(prev, next);
    expect(shared).not.toBe(prev);
    expect(shared.flags).toBe(prev.flags);
  });

  it('treats a "__proto__" flag key as an ordinary own key', () => {
    const next = JSON.parse('{"version":"p","flags":{"__proto__":{"value":1,"reason":"STATIC"}}}') as FlagSnapshot;
    const shared = shareSnapshot(prev, next);
    expect(Object.keys(shared.flags)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(shared.flags)).toBe(Object.prototype);
  });
});
