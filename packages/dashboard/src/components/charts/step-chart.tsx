import './charts.css';

export interface StepChartProps {
  /** The plan's steps: percentage served and how long it is held. */
  steps: ReadonlyArray<{ percentage: number; holdMs: number }>;
  /** Index of the step currently served (drawn as reached; later steps dashed). */
  current: number;
  /** The accessible name (the chart is `role="img"`; give the numbers in text next to it too). */
  label: string;
}

const WIDTH = 320;
const HEIGHT = 120;
const PAD = { left: 34, right: 8, top: 8, bottom: 18 };

/**
 * A release plan's schedule as a step line (percentage over time), the part already served solid and the rest
 * dashed. Plain SVG: it scales with its box, uses the theme tokens, and needs no chart library.
 *
 * @example
 * <StepChart steps={plan.steps} current={plan.step} label="Rollout schedule: step 3 of 6, 10 % served" />
 */
export function StepChart({ steps, current, label }: StepChartProps) {
  if (steps.length === 0) return null;
  // Time-proportional, but every step keeps a visible width (a 0 ms last step still shows its level).
  const total = steps.reduce((sum, step) => sum + step.holdMs, 0);
  const minShare = 0.25 / steps.length;
  const shares = steps.map((step) => Math.max(total === 0 ? 1 / steps.length : step.holdMs / total, minShare));
  const scale = shares.reduce((a, b) => a + b, 0);
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const y = (percentage: number) => PAD.top + plotH - (percentage / 100) * plotH;
  let x = PAD.left;
  const segments = steps.map((step, index) => {
    const w = (shares[index]! / scale) * plotW;
    const segment = { x1: x, x2: x + w, y: y(step.percentage), index };
    x += w;
    return segment;
  });
  const path = (list: typeof segments) =>
    list.map((segment, index) => `${index === 0 ? 'M' : 'L'}${segment.x1.toFixed(1)},${segment.y.toFixed(1)} H${segment.x2.toFixed(1)}`).join(' ');
  const done = segments.filter((segment) => segment.index <= current);
  const rest = segments.filter((segment) => segment.index >= current);
  const here = segments[Math.min(current, segments.length - 1)]!;
  return (
    <svg className="chart step-chart" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={label} preserveAspectRatio="xMinYMid meet">
      {[0, 50, 100].map((tick) => (
        <g key={tick}>
          <line className="chart-grid" x1={PAD.left} x2={WIDTH - PAD.right} y1={y(tick)} y2={y(tick)} />
          <text className="chart-axis" x={PAD.left - 4} y={y(tick) + 3} textAnchor="end">
            {tick}%
          </text>
        </g>
      ))}
      <path className="chart-line chart-planned" d={path(rest)} />
      <path className="chart-line chart-done" d={path(done)} />
      <circle className="chart-point" cx={(here.x1 + here.x2) / 2} cy={here.y} r={4} />
      <text className="chart-axis" x={PAD.left} y={HEIGHT - 4}>
        start
      </text>
      <text className="chart-axis" x={WIDTH - PAD.right} y={HEIGHT - 4} textAnchor="end">
        end
      </text>
    </svg>
  );
}
