import { describe, expect, it } from 'vitest';
import { checkSnapshot } from './snapshot-shape';

describe('checkSnapshot', () => {
  it('accepts a well-formed snapshot', () => {
    const snapshot = { version: 'v', flags: { a: { value: null, reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' }, b: { value: 1, variant: 'x', reason: 'SPLIT', ruleId: 'r' } } };
    expect(checkSnapshot(snapshot)).toBeUndefined();
  });

  it('accepts any string reason: OpenFeature allows custom ones', () => {
    expect(checkSnapshot({ version: 'v', flags: { a: { value: true, reason: 'EXPERIMENT_OVERRIDE' }, b: { value: 1, reason: '' } } })).toBeUndefined();
  });

  it.each([
    [null, '$'],
    [[], '$'],
    [{ flags: {} }, '$.version'],
    [{ version: 1, flags: {} }, '$.version'],
    [{ version: 'v', flags: [] }, '$.flags'],
    [{ version: 'v', flags: { a: 1 } }, '$.flags["a"]'],
    [{ version: 'v', flags: { a: { reason: 'DEFAULT' } } }, '$.flags["a"].value'],
    [{ version: 'v', flags: { a: { value: 1, reason: 42 } } }, '$.flags["a"].reason'],
    [{ version: 'v', flags: { a: { value: 1, reason: null } } }, '$.flags["a"].reason'],
    [{ version: 'v', flags: { a: { value: 1 } } }, '$.flags["a"].reason'],
    [{ version: 'v', flags: { ok: { value: 1, reason: 'STATIC' }, 'b"c': { value: 1, reason: ['STATIC'] } } }, '$.flags["b\\"c"].reason'],
  ])('rejects %j at %s', (value, path) => {
    // "<path> <what is wrong>": the path ends at the first space.
    const problem = checkSnapshot(value);
    expect(problem?.slice(0, problem.indexOf(' '))).toBe(path);
  });
});
