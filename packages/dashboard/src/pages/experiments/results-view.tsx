import type { ExperimentResults, MetricResult, VariantResult } from '../../api/experiments';
import { ForestPlot, formatLift, type ForestRow } from '../../components/charts/forest-plot';
import { LineChart, type LineSeries } from '../../components/charts/line-chart';
import { TableScroll } from '../environments/table-scroll';
import './experiments.css';

const fmtP = (p: number | undefined) => (p === undefined ? '—' : p < 0.001 ? '< 0.001' : String(Math.round(p * 1000) / 1000));
const fmtPct = (fraction: number | undefined) => (fraction === undefined ? '—' : `${Math.round(fraction * 1000) / 10} %`);
// A conversion metric's value is the share of units that converted: people read it as a percentage.
const fmtValue = (value: number, type: string) =>
  type === 'conversion' ? `${(value * 100).toFixed(1)} %` : Math.abs(value) < 1 ? String(Math.round(value * 10_000) / 10_000) : String(Math.round(value * 100) / 100);
const fmtInt = (n: number) => n.toLocaleString('en-US');

function verdict(variant: VariantResult): string {
  if (variant.needsMoreUnits !== undefined && variant.needsMoreUnits > 0) return `Needs ${fmtInt(variant.needsMoreUnits)} more users`;
  if (variant.significant === true) return (variant.lift?.relative.estimate ?? 0) >= 0 ? 'Significantly better' : 'Significantly worse';
  if (variant.significant === false) return 'No significant difference';
  return '—';
}

/** The variants compared with the control, as forest-plot rows (the control has no lift). */
export function forestRows(metric: MetricResult, control: string): ForestRow[] {
  return metric.variants
    .filter((variant) => variant.variant !== control && variant.lift !== undefined)
    .map((variant) => ({ label: variant.variant, estimate: variant.lift!.relative.estimate, ci: variant.lift!.relative.ci, significant: variant.significant ?? false }));
}

/** Exposures per day, one series per variant (control first). */
export function timelineSeries(results: Pick<ExperimentResults, 'timeline' | 'control'>): LineSeries[] {
  const byVariant = new Map<string, Array<{ x: string; y: number }>>();
  for (const row of results.timeline) {
    const list = byVariant.get(row.variant) ?? [];
    list.push({ x: row.day, y: row.exposures });
    byVariant.set(row.variant, list);
  }
  return [...byVariant.entries()]
    .sort(([a], [b]) => (a === results.control ? -1 : b === results.control ? 1 : a.localeCompare(b)))
    .map(([name, points]) => ({ name, points }));
}

function Metric({ metric, control }: { metric: MetricResult; control: string }) {
  const rows = forestRows(metric, control);
  const titleId = `metric-${metric.key.replace(/[^A-Za-z0-9_-]/g, '-')}`;
  return (
    <section className="experiment-metric" aria-labelledby={titleId}>
      <h2 id={titleId}>
        <code>{metric.key}</code> <span className="badge">{metric.role}</span> <span className="muted">{metric.type}</span>
      </h2>
      {rows.length > 0 && <ForestPlot rows={rows} label={`${metric.key}: relative lift vs ${control} with 95 % confidence intervals; the same numbers are in the table below`} />}
      <TableScroll label={`${metric.key} by variant`}>
        <table className="admin-table wide">
          <caption className="visually-hidden">{metric.key} by variant</caption>
          <thead>
            <tr>
              <th scope="col">Variant</th>
              <th scope="col">Users</th>
              <th scope="col">Value</th>
              <th scope="col">Relative lift (95 % CI)</th>
              <th scope="col">p-value</th>
              <th scope="col">Chance to win</th>
              <th scope="col">Verdict</th>
            </tr>
          </thead>
          <tbody>
            {metric.variants.map((variant) => (
              <tr key={variant.variant}>
                <th scope="row">
                  {variant.variant}
                  {variant.variant === control && <span className="muted"> (control)</span>}
                </th>
                <td>{fmtInt(variant.units)}</td>
                <td>{fmtValue(variant.value, metric.type)}</td>
                <td>
                  {variant.lift
                    ? `${formatLift(variant.lift.relative.estimate)} (${formatLift(variant.lift.relative.ci[0])} to ${formatLift(variant.lift.relative.ci[1])})`
                    : '—'}
                </td>
                <td>
                  {fmtP(variant.pValue)}
                  {variant.adjustedPValue !== undefined && <span className="muted"> (adjusted {fmtP(variant.adjustedPValue)})</span>}
                </td>
                <td>{fmtPct(variant.chanceToWin)}</td>
                <td>{variant.variant === control ? 'Baseline' : verdict(variant)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </section>
  );
}

/**
 * An experiment's results: the SRM warning, per metric a forest plot of relative lift with its table, and the
 * exposures per day per variant. Pure rendering of the results contract (unit-tested on a fixture).
 */
export function ResultsView({ results }: { results: ExperimentResults }) {
  const series = timelineSeries(results);
  const days = [...new Set(results.timeline.map((row) => row.day))].sort();
  const srmRatio = (counts: Record<string, number>) =>
    Object.entries(counts)
      .map(([variant, n]) => `${variant} ${fmtInt(Math.round(n))}`)
      .join(', ');
  return (
    <div className="stack experiment-results">
      {results.srm.flagged && (
        <div className="notice error srm-banner" role="alert">
          <strong>Sample ratio mismatch</strong> (p {results.srm.pValue < 0.001 ? '' : '= '}
          {fmtP(results.srm.pValue)}): the variants got {srmRatio(results.srm.observed)} users where{' '}
          {srmRatio(results.srm.expected)} were expected. Assignment or logging is broken somewhere; do not trust these results until it is fixed.
        </div>
      )}
      <dl className="kv">
        <dt>Status</dt>
        <dd>{results.status}</dd>
        {results.hypothesis && (
          <>
            <dt>Hypothesis</dt>
            <dd>{results.hypothesis}</dd>
          </>
        )}
        <dt>Control</dt>
        <dd>
          <code>{results.control}</code>
        </dd>
        <dt>Running</dt>
        <dd>
          {results.startAt ? new Date(results.startAt).toLocaleDateString() : 'not started'} – {results.stopAt ? new Date(results.stopAt).toLocaleDateString() : 'now'}
        </dd>
        <dt>Computed</dt>
        <dd>{new Date(results.computedAt).toLocaleString()}</dd>
        {results.multipleExposures > 0 && (
          <>
            <dt>Left out</dt>
            <dd>{fmtInt(results.multipleExposures)} users saw more than one variant</dd>
          </>
        )}
      </dl>
      {results.metrics.map((metric) => (
        <Metric key={metric.key} metric={metric} control={results.control} />
      ))}
      <section className="experiment-metric" aria-labelledby="exposures-title">
        <h2 id="exposures-title">Exposures per day</h2>
        <LineChart series={series} label={`Exposures per day by variant, ${days[0] ?? ''} to ${days[days.length - 1] ?? ''}; the numbers are in the table below`} />
        <details>
          <summary>Exposures as a table</summary>
          <TableScroll label="Exposures per day by variant">
            <table className="admin-table">
              <caption className="visually-hidden">Exposures per day by variant</caption>
              <thead>
                <tr>
                  <th scope="col">Day</th>
                  {series.map((line) => (
                    <th scope="col" key={line.name}>
                      {line.name}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {days.map((day) => (
                  <tr key={day}>
                    <th scope="row">{day}</th>
                    {series.map((line) => (
                      <td key={line.name}>{fmtInt(line.points.find((point) => point.x === day)?.y ?? 0)}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        </details>
      </section>
    </div>
  );
}
