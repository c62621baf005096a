import type { ExperimentResults, ExperimentSummary } from '../../api/experiments';

/** Results of the exact shape of the experiments contract (dashboard plan), for the unit and browser tests. */
export const RESULTS_FIXTURE: ExperimentResults = {
  flag: 'checkout-button',
  env: 'production',
  status: 'running',
  hypothesis: 'A green button raises checkout conversion',
  control: 'blue',
  startAt: '2026-11-25T00:00:00.000Z',
  computedAt: '2026-12-03T12:00:00.000Z',
  method: 'frequentist',
  alpha: 0.05,
  correction: 'holm',
  srm: { pValue: 0.0004, flagged: true, observed: { blue: 5210, green: 4790 }, expected: { blue: 5000, green: 5000 } },
  multipleExposures: 12,
  metrics: [
    {
      key: 'checkout.completed',
      type: 'conversion',
      role: 'primary',
      variants: [
        { variant: 'blue', units: 5210, value: 0.112 },
        {
          variant: 'green',
          units: 4790,
          value: 0.121,
          lift: { absolute: { estimate: 0.009, ci: [0.001, 0.017] }, relative: { estimate: 0.08, ci: [0.01, 0.15] } },
          pValue: 0.021,
          adjustedPValue: 0.042,
          chanceToWin: 0.97,
          expectedLoss: 0.0004,
          significant: true,
        },
      ],
    },
    {
      key: 'page.load_ms',
      type: 'mean',
      role: 'guardrail',
      variants: [
        { variant: 'blue', units: 5210, value: 412 },
        {
          variant: 'green',
          units: 4790,
          value: 418,
          lift: { absolute: { estimate: 6, ci: [-10, 22] }, relative: { estimate: 0.0146, ci: [-0.024, 0.053] } },
          pValue: 0.46,
          chanceToWin: 0.23,
          significant: false,
          needsMoreUnits: 18400,
        },
      ],
    },
  ],
  timeline: [
    { day: '2026-12-01', variant: 'blue', exposures: 1700 },
    { day: '2026-12-01', variant: 'green', exposures: 1580 },
    { day: '2026-12-02', variant: 'blue', exposures: 1750 },
    { day: '2026-12-02', variant: 'green', exposures: 1610 },
    { day: '2026-12-03', variant: 'blue', exposures: 1760 },
    { day: '2026-12-03', variant: 'green', exposures: 1600 },
  ],
};

export const LIST_FIXTURE: { experiments: ExperimentSummary[] } = {
  experiments: [
    { flag: 'checkout-button', status: 'running', hypothesis: RESULTS_FIXTURE.hypothesis, startAt: RESULTS_FIXTURE.startAt, primaryMetric: 'checkout.completed', units: 10000, srmFlagged: true },
  ],
};
