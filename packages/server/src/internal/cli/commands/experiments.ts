import { durationDays, sampleSize } from '@halyard/stats';
import type { Context } from '../context';
import { encode } from '../context';
import { usageError } from '../errors';
import { table } from '../output';

/** The results as GET …/experiment/results returns them (the fields the CLI shows). */
interface ResultsView {
  flag: string;
  env: string;
  status: string;
  hypothesis?: string;
  control: string;
  method: string;
  alpha: number;
  correction: string;
  srm: { pValue: number; flagged: boolean; observed: Record<string, number>; expected: Record<string, number> };
  multipleExposures: number;
  metrics: Array<{
    key: string;
    type: string;
    role: string;
    cuped?: { varianceReduction: number };
    variants: Array<{
      variant: string;
      units: number;
      value: number;
      lift?: { relative: { estimate: number; ci: [number, number] } };
      pValue?: number;
      adjustedPValue?: number;
      chanceToWin?: number;
      expectedLoss?: number;
      significant?: boolean;
      needsMoreUnits?: number;
    }>;
  }>;
}

const pct = (x: number, digits = 2): string => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(digits)}%`;
/** p-values: 4 significant digits, `<0.0001` below that. */
export const formatP = (p: number): string => (p < 0.0001 ? '<0.0001' : p.toPrecision(4).replace(/\.?0+$/, ''));
const valueOf = (type: string, value: number): string => (type === 'conversion' ? `${(value * 100).toFixed(2)}%` : value.toFixed(4));

/** The results as text: status, SRM, then one table per metric. */
export function formatResults(r: ResultsView, ctx: Pick<Context, 'colors'>): string {
  const c = ctx.colors;
  const lines = [`${c.bold(r.flag)} in ${r.env}: ${r.status}; control ${r.control}; ${r.method}, α = ${r.alpha}, correction ${r.correction}`];
  if (r.hypothesis) lines.push(`hypothesis: ${r.hypothesis}`);
  const observed = Object.entries(r.srm.observed).map(([v, n]) => `${v} ${n} (expected ${r.srm.expected[v]?.toFixed(0)})`).join(', ');
  lines.push(`${r.srm.flagged ? c.red('SRM: flagged') : c.green('SRM: not flagged')} (p=${formatP(r.srm.pValue)}): ${observed}; ${r.multipleExposures} units saw several variants (excluded)`);
  for (const m of r.metrics) {
    lines.push('', `${c.bold(m.key)} (${m.type}, ${m.role})${m.cuped ? c.dim(` CUPED −${(m.cuped.varianceReduction * 100).toFixed(0)}% variance`) : ''}`);
    const bayes = r.method === 'bayesian';
    lines.push(
      table(
        ['VARIANT', 'UNITS', 'VALUE', 'LIFT', `${Math.round((1 - r.alpha) * 100)}% CI`, bayes ? 'CHANCE TO WIN' : 'P', bayes ? 'EXPECTED LOSS' : 'ADJ. P', 'NEEDS'],
        m.variants.map((v) => {
          const lift = v.lift?.relative;
          const verdict = v.significant === true ? c.green : (s: string) => s;
          return [
            v.variant === r.control ? `${v.variant} (control)` : v.variant,
            String(v.units),
            valueOf(m.type, v.value),
            lift ? verdict(pct(lift.estimate)) : '',
            lift ? `[${pct(lift.ci[0])}, ${pct(lift.ci[1])}]` : '',
            bayes ? (v.chanceToWin === undefined ? '' : `${(v.chanceToWin * 100).toFixed(1)}%`) : v.pValue === undefined ? '' : formatP(v.pValue),
            bayes ? (v.expectedLoss === undefined ? '' : v.expectedLoss.toPrecision(3)) : v.adjustedPValue === undefined ? '' : verdict(formatP(v.adjustedPValue)),
            v.needsMoreUnits === undefined ? '' : v.needsMoreUnits === 0 ? 'enough' : `${v.needsMoreUnits} more`,
          ];
        }),
        c,
      ).trimEnd(),
    );
  }
  return lines.join('\n');
}

export async function experimentsResults(ctx: Context): Promise<void> {
  const flag = ctx.args[0];
  if (flag === undefined || flag === '') throw usageError('missing the flag key: halyard experiments results <flag> --env <env>');
  const { body } = await ctx.api().request<ResultsView>('GET', `/api/v1/environments/${encode(ctx.env)}/flags/${encode(flag)}/experiment/results`);
  if (ctx.json) return ctx.printJson(body);
  ctx.print(formatResults(body, ctx));
}

/** `10%` → 0.1 relative; `0.5pp` → 0.005 absolute; a bare number is relative (a fraction). */
function parseMde(text: string): { mde: number; mdeType: 'relative' | 'absolute' } {
  const match = /^(\d+(?:\.\d+)?)(%|pp)?$/.exec(text.trim());
  if (!match || Number(match[1]) <= 0) throw usageError(`--mde must be a relative lift like 10% (or 0.1), or absolute percentage points like 0.5pp, got "${text}"`);
  const value = Number(match[1]);
  if (match[2] === 'pp') return { mde: value / 100, mdeType: 'absolute' };
  return { mde: match[2] === '%' ? value / 100 : value, mdeType: 'relative' };
}

function fraction(ctx: Context, name: string, fallback: number | undefined): number | undefined {
  const text = ctx.string(name);
  if (text === undefined) return fallback;
  const value = text.endsWith('%') ? Number(text.slice(0, -1)) / 100 : Number(text);
  if (!Number.isFinite(value) || value <= 0 || value >= 1) throw usageError(`--${name} must be a fraction between 0 and 1 (e.g. 0.05 or 5%), got "${text}"`);
  return value;
}

export async function experimentsSize(ctx: Context): Promise<void> {
  const baseline = fraction(ctx, 'baseline', undefined);
  const mdeText = ctx.string('mde');
  if (baseline === undefined || mdeText === undefined) throw usageError('give --baseline (the control conversion rate, e.g. 0.05) and --mde (e.g. 10%)');
  const { mde, mdeType } = parseMde(mdeText);
  const alpha = fraction(ctx, 'alpha', 0.05)!;
  const power = fraction(ctx, 'power', 0.8)!;
  const dailyText = ctx.string('daily');
  const daily = dailyText === undefined ? undefined : Number(dailyText);
  if (daily !== undefined && (!Number.isInteger(daily) || daily < 1)) throw usageError(`--daily must be a whole number of units per day ≥ 1, got "${dailyText}"`);
  const variantsText = ctx.string('variants') ?? '2';
  const variants = Number(variantsText);
  if (!Number.isInteger(variants) || variants < 2) throw usageError(`--variants must be a whole number ≥ 2, got "${variantsText}"`);
  const treated = mdeType === 'relative' ? baseline * (1 + mde) : baseline + mde;
  if (treated >= 1) throw usageError(`baseline ${baseline} with --mde ${mdeText} exceeds a rate of 100%; use a smaller --mde`);
  let perVariant: number;
  try {
    perVariant = sampleSize({ baseline, mde, mdeType, alpha, power }).perVariant;
  } catch (error) {
    throw usageError(error instanceof Error ? error.message : String(error));
  }
  const total = perVariant * variants;
  const days = daily === undefined ? undefined : durationDays({ perVariant, variants, dailyUnits: daily });
  if (ctx.json) return ctx.printJson({ baseline, mde, mdeType, alpha, power, variants, perVariant, total, ...(days === undefined ? {} : { dailyUnits: daily, days }) });
  const c = ctx.colors;
  ctx.print(
    [
      `To detect ${mdeType === 'relative' ? `a ${(mde * 100).toFixed(2).replace(/\.?0+$/, '')}% relative lift` : `+${(mde * 100).toFixed(2)} percentage points`} on a ${(baseline * 100).toFixed(2).replace(/\.?0+$/, '')}% baseline (${(baseline * 100).toFixed(2)}% → ${(treated * 100).toFixed(2)}%), α = ${alpha} (two-sided), power ${power}:`,
      `  ${c.bold(perVariant.toLocaleString('en-US'))} units per variant, ${total.toLocaleString('en-US')} in total (${variants} variants)`,
      ...(days === undefined ? [] : [`  ${c.bold(String(days))} days at ${daily!.toLocaleString('en-US')} units a day`]),
      c.dim('  (fixed horizon: decide once, at that sample; to look every day, use the sequential method — docs/experiments.md)'),
    ].join('\n'),
  );
}
