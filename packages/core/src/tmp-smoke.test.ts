import { it, expect } from 'vitest';
import { parseDefinitions, createEvaluator } from '@halyard/core';
it('smoke', () => {
  const r = parseDefinitions({
    schemaVersion: 1,
    flags: {
      a: { variants: { on: true, off: false }, enabled: true, offVariant: 'off', defaultServe: { variant: 'on' } },
      b: { variants: { on: true, off: false }, enabled: true, offVariant: 'off', defaultServe: { split: [{ variant: 'on', percentage: 25 }, { variant: 'off', percentage: 75 }] } },
      c: { variants: { on: true, off: false }, enabled: true, offVariant: 'off', rules: [{ conditions: [
        { attribute: 'country', operator: 'in', values: ['US', 'CA', 'GB'] },
        { attribute: 'plan', operator: 'equals', values: ['enterprise'] },
        { attribute: 'email', operator: 'endsWith', values: ['@example.com'] }], serve: { variant: 'on' } }], defaultServe: { variant: 'off' } },
    },
  });
  expect(r.problems).toBeUndefined();
  const ev = createEvaluator(r.definitions!);
  console.log(ev.evaluate('a', {}, false), ev.evaluate('b', { userId: 'u1' }, false), ev.evaluate('b', {}, false), ev.evaluate('c', { country: 'US', plan: 'enterprise', email: 'x@example.com' }, false), ev.evaluate('c', {}, false), ev.evaluateAll({ userId: 'x' }));
  const bad = parseDefinitions({ schemaVersion: 2, flags: { 'bad key': {}, x: { enable: true, variants: { a: 1, b: 'x' }, offVariant: 'z', defaultServe: { split: [{ variant: 'a', percentage: 50 }, { variant: 'q', weight: 2 }] }, rules: [{ conditions: [{ attribute: 'a', operator: 'matches', values: ['(a+)+$'] }, { attribute: 'a', operator: 'equals', values: [1, 2] }], serve: { variant: 'b' } }], prerequisites: [{ flag: 'y', variants: ['on'] }] }, y: { variants: { on: true }, enabled: true, offVariant: 'on', defaultServe: { variant: 'on' }, prerequisites: [{ flag: 'x', variants: ['a'] }] } } });
  console.log(bad.problems);
});
