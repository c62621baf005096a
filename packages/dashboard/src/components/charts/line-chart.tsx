import './charts.css';

export interface LineSeries {
  name: string;
  points: ReadonlyArray<{ x: string; y: number }>;
}

const WIDTH = 360;
const HEIGHT = 160;
const PAD = { left: 40, right: 10, top: 8, bottom: 22 };
// Colour AND dash pattern tell series apart (colour alone is not enough for everyone).
const STYLES = ['accent', 'success', 'warning', 'danger', 'fg', 'muted'] as const;
const DASHES = ['', '6 3', '2 3', '8 3 2 3', '1 2', '10 4'] as const;

/** "1.2k", "3.4M": axis labels that fit. */
export function compactNumber(value: number): string {
  if (Math.abs(value) >= 1e6) return `${Math.round(value / 1e5) / 10}M`;
  if (Math.abs(value) >= 1e3) return `${Math.round(value / 1e2) / 10}k`;
  return String(Math.round(value));
}

/**
 * A small multi-series line chart over ordered categories (days), in plain SVG with the theme tokens: `role="img"`
 * with `label`, plus a legend. Give the data as a table too (the experiment page does).
 *
 * @example
 * <LineChart label="Exposures per day" series={[{ name: 'control', points: [{ x: '2026-12-01', y: 120 }] }]} />
 */
export function LineChart({ series, label }: { series: readonly LineSeries[]; label: string }) {
  const xs = [...new Set(series.flatMap((line) => line.points.map((point) => point.x)))].sort();
  if (xs.length === 0) return <p className="muted">No data yet.</p>;
  const max = Math.max(1, ...series.flatMap((line) => line.points.map((point) => point.y)));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (value: string) => PAD.left + (xs.length === 1 ? plotW / 2 : (xs.indexOf(value) / (xs.length - 1)) * plotW);
  const y = (value: number) => PAD.top + plotH - (value / max) * plotH;
  return (
    <figure className="line-chart">
      <svg className="chart" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={label}>
        {[0, max / 2, max].map((tick) => (
          <g key={tick}>
            <line className="chart-grid" x1={PAD.left} x2={WIDTH - PAD.right} y1={y(tick)} y2={y(tick)} />
            <text className="chart-axis" x={PAD.left - 4} y={y(tick) + 3} textAnchor="end">
              {compactNumber(tick)}
            </text>
          </g>
        ))}
        <text className="chart-axis" x={PAD.left} y={HEIGHT - 6}>
          {xs[0]}
        </text>
        {xs.length > 1 && (
          <text className="chart-axis" x={WIDTH - PAD.right} y={HEIGHT - 6} textAnchor="end">
            {xs[xs.length - 1]}
          </text>
        )}
        {series.map((line, index) => {
          const points = [...line.points].sort((a, b) => a.x.localeCompare(b.x));
          const d = points.map((point, at) => `${at === 0 ? 'M' : 'L'}${x(point.x).toFixed(1)},${y(point.y).toFixed(1)}`).join(' ');
          return (
            <path
              key={line.name}
              d={d}
              fill="none"
              strokeWidth={2}
              className={`series-${index % STYLES.length}`}
              strokeDasharray={DASHES[index % DASHES.length] || undefined}
            />
          );
        })}
      </svg>
      <figcaption>
        <ul className="chart-legend" aria-label="Legend">
          {series.map((line, index) => (
            <li key={line.name}>
              <svg width="24" height="8" aria-hidden="true" focusable="false">
                <line x1="0" x2="24" y1="4" y2="4" strokeWidth={3} className={`series-${index % STYLES.length}`} strokeDasharray={DASHES[index % DASHES.length] || undefined} />
              </svg>{' '}
              {line.name}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}
