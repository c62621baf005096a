import { describe, expect, it } from 'vitest';
import { bucketOf, createEvaluator, parseDefinitions } from '@halyard/core';
import type { EvaluationContext, Evaluator } from '@halyard/core';

type AnyRecord = Record<string, unknown>;

function evaluator(segments: AnyRecord, segment: string, negate = false): Evaluator {
  const result = parseDefinitions({
    schemaVersion: 1,
    segments,
    flags: {
      f: {
        variants: { on: true, off: false },
        enabled: true,
        offVariant: 'off',
        rules: [{ conditions: [{ operator: 'inSegment', values: [segment], negate }], serve: { variant: 'on' } }],
        defaultServe: { variant: 'off' },
      },
    },
  });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return createEvaluator(result.definitions);
}

const member = (segments: AnyRecord, segment: string, ctx: EvaluationContext, negate = false): boolean => {
  const ev = evaluator(segments, segment, negate);
  const value = ev.getValue('f', false, ctx);
  expect(ev.flag('f').getValue(false, ctx)).toBe(value);
  return value;
};

describe('segments referencing segments', () => {
  const segments = {
    staff: { conditions: [{ attribute: 'email', operator: 'endsWith', values: ['@example.com'] }] },
    pro: { conditions: [{ attribute: 'plan', operator: 'equals', values: ['pro'] }] },
    // staff ∪ pro, except u-banned
    insiders: { excluded: ['u-banned'], conditions: [{ operator: 'inSegment', values: ['staff', 'pro'] }] },
    // insiders ∩ EU
    euInsiders: { conditions: [{ operator: 'inSegment', values: ['insiders'] }, { attribute: 'region', operator: 'equals', values: ['eu'] }] },
    notInsiders: { conditions: [{ operator: 'inSegment', values: ['insiders'], negate: true }] },
  };

  it('a segment condition may test membership of other segments, nested', () => {
    expect(member(segments, 'insiders', { userId: 'u1', email: 'a@example.com' })).toBe(true);
    expect(member(segments, 'insiders', { userId: 'u1', plan: 'pro' })).toBe(true);
    expect(member(segments, 'insiders', { userId: 'u1', plan: 'free' })).toBe(false);
    expect(member(segments, 'insiders', { userId: 'u-banned', plan: 'pro' })).toBe(false);
    expect(member(segments, 'euInsiders', { plan: 'pro', region: 'eu' })).toBe(true);
    expect(member(segments, 'euInsiders', { plan: 'pro', region: 'us' })).toBe(false);
    expect(member(segments, 'euInsiders', { plan: 'free', region: 'eu' })).toBe(false);
    expect(member(segments, 'notInsiders', { plan: 'free' })).toBe(true);
    expect(member(segments, 'notInsiders', { plan: 'pro' })).toBe(false);
    expect(member(segments, 'euInsiders', { plan: 'pro', region: 'eu' }, true)).toBe(false);
  });

  it('compiles whatever order the document lists segments in', () => {
    const reversed = Object.fromEntries(Object.entries(segments).reverse());
    expect(member(reversed, 'euInsiders', { plan: 'pro', region: 'eu' })).toBe(true);
    expect(member(reversed, 'euInsiders', { plan: 'free', region: 'eu' })).toBe(false);
  });

  it('rejects cycles with their path', () => {
    const result = parseDefinitions({
      schemaVersion: 1,
      segments: { a: { conditions: [{ operator: 'inSegment', values: ['b'] }] }, b: { conditions: [{ operator: 'inSegment', values: ['a'] }] } },
      flags: {},
    });
    expect(result.problems).toEqual([{ path: '$.segments["a"].conditions', message: 'segment cycle: a → b → a; remove one of these "inSegment" references' }]);
  });
});

describe('segment rollouts', () => {
  const units = Array.from({ length: 2_000 }, (_, i) => `user-${i}`);

  it('admits the units whose bucket is below the weight, salted by the segment key by default', () => {
    const segments = { tenth: { rollout: { weight: 10, total: 100 } } };
    const ev = evaluator(segments, 'tenth');
    for (const u of units.slice(0, 300)) {
      expect(ev.getValue('f', false, { userId: u }), u).toBe(bucketOf('tenth', u, 100) < 10);
    }
    const share = units.filter((u) => ev.getValue('f', false, { userId: u })).length / units.length;
    expect(Math.abs(share - 0.1)).toBeLessThan(0.03);
  });

  it('gates the conditions (both must hold), honours bucketBy/salt/seed, and leaves included/excluded ids alone', () => {
    const segments = {
      s: { included: ['vip'], excluded: ['out'], conditions: [{ attribute: 'plan', operator: 'equals', values: ['pro'] }], rollout: { weight: 50, total: 100, bucketBy: 'account.id', salt: 'salt-1', seed: 7 } },
    };
    const ev = evaluator(segments, 's');
    let inside = 0;
    for (let i = 0; i < 200; i++) {
      const id = `acct-${i}`;
      const expected = bucketOf('salt-1', id, 100, 7) < 50;
      if (expected) inside++;
      expect(ev.getValue('f', false, { plan: 'pro', account: { id } }), id).toBe(expected);
      expect(ev.getValue('f', false, { plan: 'free', account: { id } }), id).toBe(false);
    }
    expect(inside).toBeGreaterThan(0);
    expect(inside).toBeLessThan(200);
    // A unit without the bucketBy attribute is outside the rollout.
    expect(ev.getValue('f', false, { plan: 'pro' })).toBe(false);
    expect(ev.getValue('f', false, { userId: 'vip' })).toBe(true);
    expect(ev.getValue('f', false, { userId: 'out', plan: 'pro', account: { id: 'acct-1' } })).toBe(false);
  });

  it('puts a unit in or out of the segment in every flag that references it', () => {
    const result = parseDefinitions({
      schemaVersion: 1,
      segments: { half: { rollout: { weight: 1, total: 2 } } },
      flags: Object.fromEntries(
        ['a', 'b'].map((k) => [k, { variants: { on: true, off: false }, enabled: true, offVariant: 'off', rules: [{ conditions: [{ operator: 'inSegment', values: ['half'] }], serve: { variant: 'on' } }], defaultServe: { variant: 'off' } }]),
      ),
    });
    if (!result.ok) throw new Error('invalid');
    const ev = createEvaluator(result.definitions);
    for (const u of units.slice(0, 200)) expect(ev.isEnabled('a', { userId: u })).toBe(ev.isEnabled('b', { userId: u }));
  });
});
