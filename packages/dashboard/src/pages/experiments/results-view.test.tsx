import { describe, expect, it } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import { forestDomain } from '../../components/charts/forest-plot';
import { RESULTS_FIXTURE } from './fixture';
import { ResultsView, forestRows, timelineSeries } from './results-view';

describe('experiment results view', () => {
  it('renders the SRM banner, a forest plot and a table per metric, and the exposures chart', () => {
    const html = renderToStaticMarkup(<ResultsView results={RESULTS_FIXTURE} />);
    expect(html).toContain('Sample ratio mismatch');
    expect(html).toContain('blue 5,210, green 4,790 users where blue 5,000, green 5,000 were expected');
    expect(html.match(/class="chart forest-plot"/g)).toHaveLength(2);
    expect(html).toContain('+8.0 % (+1.0 % to +15.0 %)');
    expect(html).toContain('Significantly better');
    expect(html).toContain('Needs 18,400 more users');
    expect(html).toContain('97 %');
    expect(html).toContain('0.021');
    expect(html).toContain('Exposures per day');
    expect(html).toContain('12 users saw more than one variant');
  });

  it('leaves the SRM banner out when the ratio is fine', () => {
    const html = renderToStaticMarkup(<ResultsView results={{ ...RESULTS_FIXTURE, srm: { ...RESULTS_FIXTURE.srm, flagged: false } }} />);
    expect(html).not.toContain('Sample ratio mismatch');
  });

  it('plots variants against the control on a symmetric axis, and one series per variant, control first', () => {
    const rows = forestRows(RESULTS_FIXTURE.metrics[0]!, 'blue');
    expect(rows).toEqual([{ label: 'green', estimate: 0.08, ci: [0.01, 0.15], significant: true }]);
    expect(forestDomain(rows)).toBeCloseTo(0.15 * 1.15);
    expect(timelineSeries({ ...RESULTS_FIXTURE, control: 'green' }).map((line) => line.name)).toEqual(['green', 'blue']);
  });
});
