import './charts.css';

export interface ForestRow {
  label: string;
  /** Relative lift as a fraction (0.05 = +5 %). */
  estimate: number;
  /** The 95 % interval of the relative lift, fractions. */
  ci: readonly [number, number];
  /** Whether the difference is significant; with `estimate`'s sign it picks the point's colour (also said in text). */
  significant?: boolean;
}

const ROW = 30;
const WIDTH = 360;
const LABEL = 96;
const PAD = { right: 12, top: 6, bottom: 24 };

/** The symmetric axis half-width: the widest interval end, with headroom, never below 1 %. */
export function forestDomain(rows: readonly ForestRow[]): number {
  let widest = 0.01;
  for (const row of rows) for (const value of [row.estimate, row.ci[0], row.ci[1]]) if (Number.isFinite(value)) widest = Math.max(widest, Math.abs(value));
  return widest * 1.15;
}

export const formatLift = (fraction: number) => `${fraction > 0 ? '+' : ''}${(Math.round(fraction * 1000) / 10).toFixed(1)} %`;

/**
 * A forest plot of relative lift per variant against the control: a point per estimate, a bar per 95 % confidence
 * interval, and the zero line (no difference). It is `role="img"` with a summary label; render the numbers as a
 * table beside it (the experiment page does) for screen readers and for copying.
 *
 * @example
 * <ForestPlot label="Conversion: relative lift vs control" rows={[{ label: 'treatment', estimate: 0.05, ci: [0.01, 0.09], significant: true }]} />
 */
export function ForestPlot({ rows, label }: { rows: readonly ForestRow[]; label: string }) {
  const height = PAD.top + rows.length * ROW + PAD.bottom;
  const domain = forestDomain(rows);
  const plotW = WIDTH - LABEL - PAD.right;
  const x = (value: number) => LABEL + ((Math.max(-domain, Math.min(domain, value)) + domain) / (2 * domain)) * plotW;
  const ticks = [-domain / 1.15, 0, domain / 1.15];
  return (
    <svg className="chart forest-plot" viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label={label}>
      {ticks.map((tick) => (
        <g key={tick}>
          <line className={tick === 0 ? 'chart-zero' : 'chart-grid'} x1={x(tick)} x2={x(tick)} y1={PAD.top} y2={height - PAD.bottom} />
          <text className="chart-axis" x={x(tick)} y={height - 8} textAnchor="middle">
            {formatLift(tick)}
          </text>
        </g>
      ))}
      {rows.map((row, index) => {
        const cy = PAD.top + index * ROW + ROW / 2;
        const tone = row.significant ? (row.estimate >= 0 ? 'significant-better' : 'significant-worse') : '';
        return (
          <g key={row.label}>
            <text className="chart-label" x={LABEL - 6} y={cy + 4} textAnchor="end">
              {row.label.length > 14 ? `${row.label.slice(0, 13)}…` : row.label}
            </text>
            <line className="chart-ci" x1={x(row.ci[0])} x2={x(row.ci[1])} y1={cy} y2={cy} />
            <line className="chart-ci" x1={x(row.ci[0])} x2={x(row.ci[0])} y1={cy - 5} y2={cy + 5} />
            <line className="chart-ci" x1={x(row.ci[1])} x2={x(row.ci[1])} y1={cy - 5} y2={cy + 5} />
            <rect className={`chart-estimate ${tone}`} x={x(row.estimate) - 5} y={cy - 5} width={10} height={10} transform={`rotate(45 ${x(row.estimate)} ${cy})`} />
          </g>
        );
      })}
    </svg>
  );
}
