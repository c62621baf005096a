import { describe, expect, it } from 'vitest';
import { InvalidJsonError, ValidationError } from './errors';
import { deepEqual, jsonDiff, mergePatch, parseEntityTags } from './json';
import { parseJsonBody } from './json-body';

describe('mergePatch (RFC 7396)', () => {
  it('merges objects recursively, removes null members and replaces arrays', () => {
    const target = { a: 1, b: { c: 2, d: 3 }, list: [1, 2] };
    expect(mergePatch(target, { b: { c: null, e: 4 }, list: [3], f: 'x' })).toEqual({ a: 1, b: { d: 3, e: 4 }, list: [3], f: 'x' });
    expect(target).toEqual({ a: 1, b: { c: 2, d: 3 }, list: [1, 2] });
  });

  it('replaces the target when the patch is not an object', () => {
    expect(mergePatch({ a: 1 }, [1])).toEqual([1]);
    expect(mergePatch({ a: 1 }, 'x')).toBe('x');
  });

  it('never writes prototype keys', () => {
    const patched = mergePatch({}, JSON.parse('{"__proto__": {"polluted": true}}')) as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(patched)).toBe(Object.prototype);
  });
});

describe('jsonDiff', () => {
  it('lists leaf changes with JSON paths', () => {
    expect(jsonDiff({ enabled: true, variants: { on: true }, rules: [{ id: 'a' }] }, { enabled: false, variants: { on: true }, rules: [{ id: 'b' }], owner: 'x' })).toEqual([
      { path: '$.enabled', before: true, after: false },
      { path: '$.rules[0].id', before: 'a', after: 'b' },
      { path: '$.owner', after: 'x' },
    ]);
  });

  it('quotes keys that are not identifiers and reports whole values for create and delete', () => {
    expect(jsonDiff({ 'new-checkout': 1 }, {})).toEqual([{ path: '$["new-checkout"]', before: 1 }]);
    expect(jsonDiff(undefined, { a: 1 })).toEqual([{ path: '$', after: { a: 1 } }]);
    expect(jsonDiff({ a: [1] }, { a: [1] })).toEqual([]);
  });
});

describe('deepEqual', () => {
  it('compares JSON values structurally, ignoring key order', () => {
    expect(deepEqual({ a: [1, { b: 2 }], c: null }, { c: null, a: [1, { b: 2 }] })).toBe(true);
    expect(deepEqual({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(deepEqual([1, 2], [2, 1])).toBe(false);
  });
});

describe('parseEntityTags', () => {
  it('reads lists, weak tags and the wildcard', () => {
    expect(parseEntityTags('"3"')).toEqual(['3']);
    expect(parseEntityTags('W/"3", "4-gzip" ,5')).toEqual(['3', '4-gzip', '5']);
    expect(parseEntityTags(' * ')).toBe('*');
    expect(parseEntityTags(undefined)).toBeUndefined();
  });
});

describe('parseJsonBody', () => {
  it('treats an empty body as absent and reports invalid JSON as a 400', () => {
    expect(parseJsonBody('  ')).toBeUndefined();
    expect(parseJsonBody('{"a":1}')).toEqual({ a: 1 });
    expect(() => parseJsonBody('{')).toThrow(InvalidJsonError);
    expect(() => parseJsonBody('{"a":{"constructor":{}}}')).toThrow(ValidationError);
    expect(() => parseJsonBody('{"a":{"constructor":{}}}')).not.toThrow(InvalidJsonError);
  });
});
