import Type from 'typebox';
import type { ExperimentService } from '../../services/experiments/experiment-service';
import type { Api } from '../api';
import { EnvKey, ResourceKey, errorResponse } from '../schemas';

const Status = Type.Union([Type.Literal('draft'), Type.Literal('running'), Type.Literal('stopped')], {
  description: 'draft until startAt (or without one), running until stopAt, then stopped',
});
const Interval = Type.Tuple([Type.Number(), Type.Number()]);
const Estimate = Type.Object({ estimate: Type.Number(), ci: Interval });

const VariantResult = Type.Object({
  variant: Type.String(),
  units: Type.Integer({ description: 'Units analysed: first exposed since startAt, to this variant only' }),
  value: Type.Number({ description: 'Conversion rate, events or value per unit, mean value, or the ratio' }),
  lift: Type.Optional(Type.Object({ absolute: Estimate, relative: Estimate }, { description: 'Against control; relative as a fraction (0.1 = +10 %), delta method' })),
  pValue: Type.Optional(Type.Number({ description: 'Two-sided; always valid for the sequential method' })),
  adjustedPValue: Type.Optional(Type.Number({ description: 'Holm / Benjamini–Hochberg across metrics × variants' })),
  chanceToWin: Type.Optional(Type.Number({ description: 'Bayesian: posterior probability of beating control' })),
  expectedLoss: Type.Optional(Type.Number({ description: "Bayesian: expected shortfall of shipping this variant, in the metric's units" })),
  significant: Type.Optional(Type.Boolean()),
  needsMoreUnits: Type.Optional(Type.Integer({ description: 'Units per variant still needed for the configured power at the minimum detectable effect' })),
});

const MetricResult = Type.Object({
  key: Type.String(),
  type: Type.Union([Type.Literal('conversion'), Type.Literal('count'), Type.Literal('sum'), Type.Literal('mean'), Type.Literal('ratio')]),
  role: Type.Union([Type.Literal('primary'), Type.Literal('secondary'), Type.Literal('guardrail')]),
  event: Type.Optional(Type.String()),
  cuped: Type.Optional(Type.Object({ theta: Type.Number(), varianceReduction: Type.Number() }, { description: 'CUPED was applied (pre-exposure values exist)' })),
  variants: Type.Array(VariantResult),
});

const Results = Type.Object({
  flag: Type.String(),
  env: Type.String(),
  status: Status,
  hypothesis: Type.Optional(Type.String()),
  control: Type.String(),
  startAt: Type.Optional(Type.String()),
  stopAt: Type.Optional(Type.String()),
  computedAt: Type.String({ format: 'date-time' }),
  method: Type.Union([Type.Literal('frequentist'), Type.Literal('sequential'), Type.Literal('bayesian')]),
  alpha: Type.Number(),
  correction: Type.Union([Type.Literal('holm'), Type.Literal('bh'), Type.Literal('none')]),
  srm: Type.Object({
    pValue: Type.Number(),
    flagged: Type.Boolean({ description: 'p < 0.001: the split is broken; do not trust the metrics' }),
    observed: Type.Record(Type.String(), Type.Integer()),
    expected: Type.Record(Type.String(), Type.Number()),
  }),
  multipleExposures: Type.Integer({ description: 'Units exposed to more than one variant, excluded from every metric' }),
  metrics: Type.Array(MetricResult),
  timeline: Type.Array(Type.Object({ day: Type.String({ description: 'YYYY-MM-DD (UTC)' }), variant: Type.String(), exposures: Type.Integer() })),
});

const Summary = Type.Object({
  flag: Type.String(),
  status: Status,
  hypothesis: Type.Optional(Type.String()),
  startAt: Type.Optional(Type.String()),
  stopAt: Type.Optional(Type.String()),
  primaryMetric: Type.String(),
  units: Type.Integer(),
  srmFlagged: Type.Boolean(),
});

/** Experiment results (docs/experiments.md): the list per environment and one flag's results. Viewer role. */
export function experimentRoutes(api: Api, experiments: ExperimentService): void {
  api.get(
    '/api/v1/environments/:env/experiments',
    {
      config: { auth: 'viewer' },
      schema: {
        tags: ['Experiments'],
        summary: 'The experiments of an environment',
        description: 'Every flag that declares an `experiment`, with its status, analysed units and whether its split shows a sample ratio mismatch.',
        params: Type.Object({ env: EnvKey }),
        response: { 200: Type.Object({ experiments: Type.Array(Summary) }), 404: errorResponse('Environment not found') },
      },
    },
    async (request) => ({ experiments: await experiments.list(request.params.env) }),
  );

  api.get(
    '/api/v1/environments/:env/flags/:key/experiment/results',
    {
      config: { auth: 'viewer' },
      schema: {
        tags: ['Experiments'],
        summary: "A flag's experiment results",
        description:
          'Per metric × variant: units, value, lift with its interval, p-value (adjusted across metrics × variants) or chance to win and expected loss, "needs N more units"; SRM against the configured split (flagged at p < 0.001); units exposed to several variants (excluded); exposures per day. Computed on request from the event aggregates (trailing by the flush interval).',
        params: Type.Object({ env: EnvKey, key: ResourceKey }),
        response: { 200: Results, 404: errorResponse('Environment or flag not found, or the flag declares no experiment') },
      },
    },
    async (request) => experiments.results(request.params.env, request.params.key),
  );
}
