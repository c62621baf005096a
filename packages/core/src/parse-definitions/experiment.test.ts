import { describe, expect, it } from 'vitest';
import { createEvaluator, parseDefinitions } from '@halyard/core';
import { experimentEvents } from '@halyard/core/definitions';

const flag = (experiment: unknown, extra: Record<string, unknown> = {}): unknown => ({
  schemaVersion: 1,
  flags: {
    checkout: {
      kind: 'experiment',
      variants: { control: false, treatment: true },
      enabled: true,
      offVariant: 'control',
      defaultServe: { split: [{ variant: 'control', weight: 50 }, { variant: 'treatment', weight: 50 }] },
      experiment,
      ...extra,
    },
  },
});

const valid = {
  hypothesis: 'One-page checkout raises purchases by 10 %',
  control: 'control',
  metrics: {
    'purchase-rate': { type: 'conversion', event: 'purchase', windowHours: 72 },
    revenue: { type: 'sum', event: 'purchase' },
    purchases: { type: 'count', event: 'purchase' },
    'order-value': { type: 'mean', event: 'purchase' },
    'revenue-per-session': { type: 'ratio', numerator: { event: 'purchase', aggregate: 'sum' }, denominator: { event: 'session', aggregate: 'count' } },
    errors: { type: 'count', event: 'checkout-error' },
  },
  primaryMetric: 'purchase-rate',
  guardrailMetrics: ['errors'],
  startAt: '2026-12-01T00:00:00Z',
  stopAt: '2026-12-15T00:00:00Z',
  statistics: { method: 'sequential', alpha: 0.05, correction: 'bh', power: 0.8, minimumDetectableEffect: 0.1, cupedLookbackDays: 14 },
};

function problemsOf(input: unknown): Array<{ path: string; message: string }> {
  const result = parseDefinitions(input);
  if (result.ok) throw new Error('expected problems');
  return result.problems;
}

function expectProblem(input: unknown, path: string, message: RegExp): void {
  const found = problemsOf(input).filter((p) => p.path === path);
  expect(found, JSON.stringify(problemsOf(input))).not.toHaveLength(0);
  expect(found.some((p) => message.test(p.message)), found.map((p) => p.message).join(' | ')).toBe(true);
}

const P = '$.flags["checkout"].experiment';

describe('experiment declarations', () => {
  it('accepts every metric type and keeps the block', () => {
    const result = parseDefinitions(flag(valid));
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.definitions.flags.checkout?.experiment).toEqual(valid);
    expect(experimentEvents(result.definitions.flags.checkout!.experiment!)).toEqual(['checkout-error', 'purchase', 'session']);
  });

  it('does not change evaluation', () => {
    const withExperiment = parseDefinitions(flag(valid));
    const without = parseDefinitions(flag(undefined));
    if (!withExperiment.ok || !without.ok) throw new Error('expected valid documents');
    const a = createEvaluator(withExperiment.definitions);
    const b = createEvaluator(without.definitions);
    for (let i = 0; i < 200; i++) {
      const context = { userId: `user-${i}` };
      expect(a.getDetails('checkout', false, context)).toEqual(b.getDetails('checkout', false, context));
    }
  });

  it('needs kind "experiment"', () => {
    expectProblem(flag(valid, { kind: 'release' }), P, /needs the flag's "kind" to be "experiment"/);
  });

  it('rejects unknown variant and metric references with their paths', () => {
    expectProblem(flag({ ...valid, control: 'contrl' }), `${P}.control`, /unknown variant "contrl"/);
    expectProblem(flag({ ...valid, primaryMetric: 'purchase-rat' }), `${P}.primaryMetric`, /unknown metric "purchase-rat"; did you mean "purchase-rate"/);
    expectProblem(flag({ ...valid, guardrailMetrics: ['revenue', 'eror'] }), `${P}.guardrailMetrics[1]`, /unknown metric "eror"/);
    expectProblem(flag({ ...valid, guardrailMetrics: ['purchase-rate'] }), `${P}.guardrailMetrics[0]`, /is the primary metric/);
    expectProblem(flag({ ...valid, primaryMetric: undefined }), `${P}.primaryMetric`, /"primaryMetric" is required/);
  });

  it('checks metrics, with "did you mean"', () => {
    const metric = (m: unknown) => flag({ ...valid, metrics: { m }, primaryMetric: 'm', guardrailMetrics: undefined });
    expectProblem(metric({ type: 'conversoin', event: 'purchase' }), `${P}.metrics["m"].type`, /did you mean "conversion"/);
    expectProblem(metric({ type: 'conversion', evnt: 'purchase' }), `${P}.metrics["m"].evnt`, /unknown field "evnt".*did you mean "event"/);
    expectProblem(metric({ type: 'count', event: 'bad name!' }), `${P}.metrics["m"].event`, /name of a metric event/);
    expectProblem(metric({ type: 'count', event: 'purchase', windowHours: 24 }), `${P}.metrics["m"].windowHours`, /conversion metrics only/);
    expectProblem(metric({ type: 'conversion', event: 'purchase', windowHours: 0 }), `${P}.metrics["m"].windowHours`, /greater than 0/);
    expectProblem(metric({ type: 'ratio', numerator: { event: 'a', aggregate: 'sum' } }), `${P}.metrics["m"].denominator`, /must be an object/);
    expectProblem(metric({ type: 'ratio', numerator: { event: 'a', aggregate: 'avg' }, denominator: { event: 'b', aggregate: 'count' } }), `${P}.metrics["m"].numerator.aggregate`, /one of count, sum/);
    expectProblem(flag({ ...valid, metrics: {} }), `${P}.metrics`, /non-empty object/);
  });

  it('checks dates and statistics', () => {
    expectProblem(flag({ ...valid, stopAt: '2026-11-01' }), `${P}.stopAt`, /later than "startAt"/);
    expectProblem(flag({ ...valid, startAt: 'tomorrow' }), `${P}.startAt`, /ISO-8601/);
    expectProblem(flag({ ...valid, statistics: { method: 'bayes' } }), `${P}.statistics.method`, /did you mean "bayesian"/);
    expectProblem(flag({ ...valid, statistics: { correction: 'bonferroni' } }), `${P}.statistics.correction`, /holm, bh, none/);
    expectProblem(flag({ ...valid, statistics: { alpha: 0 } }), `${P}.statistics.alpha`, /greater than 0/);
    expectProblem(flag({ ...valid, statistics: { power: 1 } }), `${P}.statistics.power`, /less than 1/);
    expectProblem(flag({ ...valid, statistics: { cupedLookbackDays: 1.5 } }), `${P}.statistics.cupedLookbackDays`, /integer from 0/);
    expectProblem(flag({ ...valid, statistcs: {} }), `${P}.statistcs`, /did you mean "statistics"/);
  });
});
