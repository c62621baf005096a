import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { formatLift } from '../src/components/charts/forest-plot';
import { launch, recordConsole, seriousViolations, signedIn, startDashboardService, type DashboardService } from './support/harness';

// The experiments pages against the real service: an experiment flag, SDK events over /sdk/v1/events (exposures
// and metric events), the service's aggregation and statistics, and the pages rendering what the results API says.

let service: DashboardService;
let browser: Browser;
const HOUR = 3_600_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Results {
  srm: { flagged: boolean; pValue: number };
  metrics: { key: string; variants: { variant: string; units: number; lift?: { relative: { estimate: number; ci: [number, number] } } }[] }[];
}

beforeAll(async () => {
  service = await startDashboardService({ events: { flushMs: 100 } });
  browser = await launch();
  const now = Date.now();
  await service.api('POST', '/api/v1/environments/production/flags', {
    key: 'checkout-button',
    definition: {
      kind: 'experiment',
      variants: { blue: 'blue', green: 'green' },
      enabled: true,
      offVariant: 'blue',
      defaultServe: { split: [{ variant: 'blue', weight: 50 }, { variant: 'green', weight: 50 }] },
      experiment: {
        hypothesis: 'A green button raises checkout conversion',
        control: 'blue',
        metrics: {
          'checkout.completed': { type: 'conversion', event: 'checkout', windowHours: 24 },
          'page.load_ms': { type: 'mean', event: 'page-load' },
        },
        primaryMetric: 'checkout.completed',
        guardrailMetrics: ['page.load_ms'],
        // Sized to detect a doubling: 440 units per variant are past the planned size, so the verdict is final.
        statistics: { minimumDetectableEffect: 1 },
        startAt: new Date(now - 3 * HOUR).toISOString(),
      },
    },
  });
  const { token: sdk } = await service.api<{ token: string }>('POST', '/api/v1/keys', { type: 'sdk', environment: 'production', name: 'experiments page' });

  // A broken assignment (600 blue, 440 green of a 50/50 split: SRM), blue converts 10 %, green 20 %.
  const exposed = now - 2 * HOUR;
  const events: unknown[] = [];
  const units = [...Array.from({ length: 600 }, (_, i) => ['blue', i] as const), ...Array.from({ length: 440 }, (_, i) => ['green', i] as const)];
  for (const [variant, i] of units) {
    const unit = `${variant}-${i}`;
    events.push({ kind: 'exposure', flag: 'checkout-button', variant, unit, time: exposed });
    events.push({ kind: 'metric', name: 'page-load', unit, value: 400 + (i % 40), time: exposed + 60_000 });
    if (i % 10 < (variant === 'blue' ? 1 : 2)) events.push({ kind: 'metric', name: 'checkout', unit, time: exposed + 5 * 60_000 });
  }
  for (let start = 0; start < events.length; start += 1000) {
    const response = await fetch(`${service.url}/sdk/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sdk}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events: events.slice(start, start + 1000) }),
    });
    expect(response.status).toBe(202);
  }
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

/**
 * The results once every unit has been aggregated (the pipeline flushes every 100 ms here). A machine busy with
 * other suites can take seconds; past 45 s the test fails here, saying what the service had counted.
 */
async function settledResults(): Promise<Results> {
  const deadline = Date.now() + 45_000;
  for (;;) {
    const results = await service.api<Results>('GET', '/api/v1/environments/production/flags/checkout-button/experiment/results');
    const [blue, green] = results.metrics[0]?.variants ?? [];
    if (blue?.units === 600 && green?.units === 440) return results;
    if (Date.now() > deadline) {
      const counted = results.metrics.map((m) => `${m.key}: ${m.variants.map((v) => `${v.variant} ${v.units}`).join(', ')}`).join('; ');
      throw new Error(`the service never counted 600 blue and 440 green units; it has ${counted || 'no metrics'} (srm ${JSON.stringify(results.srm)})`);
    }
    await sleep(100);
  }
}

describe('experiments pages (real service, real events)', () => {
  it('lists the experiment and shows its results: SRM banner, forest plots with tables, exposures chart', async () => {
    const results = await settledResults();
    expect(results.srm.flagged).toBe(true);
    const green = results.metrics[0]!.variants.find((v) => v.variant === 'green')!;
    expect(green.units).toBe(440);

    const context = await signedIn(browser, service);
    const page = await context.newPage();
    const console = recordConsole(page);
    await page.goto('/env/production/experiments');
    const row = page.getByRole('row', { name: /checkout-button/ });
    await row.getByText('sample ratio mismatch').waitFor();
    expect(await row.textContent()).toContain('1,040');
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('link', { name: 'checkout-button' }).click();
    await page.waitForURL('**/env/production/experiments/checkout-button');
    await page.getByRole('alert').filter({ hasText: 'Sample ratio mismatch' }).waitFor();
    const primary = page.locator('.experiment-metric', { hasText: 'checkout.completed' });
    await primary.getByRole('img', { name: /relative lift vs blue with 95 % confidence intervals/ }).waitFor();
    const cells = await primary.getByRole('row', { name: /green/ }).getByRole('cell').allTextContents();
    const lift = green.lift!.relative;
    expect(cells.slice(0, 3)).toEqual(['440', '20.0 %', `${formatLift(lift.estimate)} (${formatLift(lift.ci[0])} to ${formatLift(lift.ci[1])})`]);
    expect(cells[5]).toBe('Significantly better');
    expect(await primary.getByRole('row', { name: /blue/ }).getByRole('cell').allTextContents()).toEqual(expect.arrayContaining(['600', '10.0 %', 'Baseline']));
    await page.locator('.experiment-metric', { hasText: 'page.load_ms' }).getByRole('row', { name: /green/ }).waitFor();
    await page.getByRole('img', { name: /Exposures per day by variant/ }).waitFor();
    await page.getByText('Exposures as a table').click();
    const day = new Date(Date.now() - 2 * HOUR).toISOString().slice(0, 10);
    expect(await page.getByRole('table', { name: 'Exposures per day by variant' }).getByRole('row', { name: new RegExp(day) }).getByRole('cell').allTextContents()).toEqual(['600', '440']);
    expect(await seriousViolations(page)).toEqual([]);
    expect(console.problems()).toEqual([]);
    await context.close();
  }, 120_000);

  it('passes axe in the dark theme and fits 375 px', async () => {
    await settledResults();
    const context = await signedIn(browser, service, service.adminToken, { width: 375, colorScheme: 'dark' });
    const page = await context.newPage();
    const console = recordConsole(page);
    await page.goto('/env/production/experiments/checkout-button');
    await page.locator('.experiment-metric', { hasText: 'checkout.completed' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    expect(await seriousViolations(page)).toEqual([]);
    expect(console.problems()).toEqual([]);
    await context.close();
  }, 120_000);
});
