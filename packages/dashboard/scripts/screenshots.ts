// `pnpm screenshots`: the dashboard's main pages in light and dark, from a real service with a realistic seed
// (flags rolling out, a breaker, a release plan, segments, keys, an experiment fed real SDK events), written to
// docs/screenshots/<page>-<theme>.png for the README. Needs the built dashboard (`pnpm build`), PostgreSQL and
// Debian's Chromium, like the dashboard's browser tests, whose harness it uses.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { runAsScript } from '../../../scripts/lib/run-as-script';
import { booleanFlag, launch, signedIn, startDashboardService, type DashboardService } from '../test/support/harness';

const OUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/screenshots');
const HOUR = 3_600_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The pages the README shows: file name, path, and what must be on screen before the shot. */
export const SCREENSHOT_PAGES: ReadonlyArray<{ name: string; path: string; ready: (page: Page) => Promise<unknown> }> = [
  { name: 'flags', path: '/env/production/flags', ready: (page) => page.getByRole('link', { name: 'checkout', exact: true }).waitFor() },
  { name: 'flag', path: '/env/production/flags/checkout', ready: (page) => page.getByRole('heading', { level: 1, name: 'checkout' }).waitFor() },
  { name: 'evaluate', path: '/env/production/evaluate', ready: (page) => page.getByRole('heading', { level: 1, name: 'Why does this user get this?' }).waitFor() },
  { name: 'releases', path: '/env/production/releases', ready: (page) => page.getByText('new-checkout').first().waitFor() },
  { name: 'experiment', path: '/env/production/experiments/checkout-button', ready: (page) => page.getByRole('img', { name: /relative lift vs blue/ }).first().waitFor() },
  { name: 'segments', path: '/env/production/segments', ready: (page) => page.getByText('beta-testers').first().waitFor() },
  { name: 'audit', path: '/audit', ready: (page) => page.getByText('checkout').first().waitFor() },
  { name: 'keys', path: '/keys', ready: (page) => page.getByText('storefront (production)').first().waitFor() },
];

async function seed(service: DashboardService): Promise<void> {
  const now = Date.now();
  const flags = (env: string, key: string, definition: unknown) => service.api('POST', `/api/v1/environments/${env}/flags`, { key, definition });
  for (const env of ['development', 'staging', 'production']) {
    await service.api('POST', `/api/v1/environments/${env}/segments`, {
      key: 'beta-testers',
      definition: { description: 'People who opted into early features', conditions: [{ attribute: 'email', operator: 'endsWith', values: ['@example.com'] }] },
    });
    await flags(env, 'checkout', {
      ...booleanFlag(true),
      description: 'The new one-page checkout',
      owner: 'payments-team',
      kind: 'release',
      tags: ['checkout', 'web'],
      rules: [{ id: 'beta', conditions: [{ attribute: 'userId', operator: 'inSegment', values: ['beta-testers'] }], serve: { variant: 'on' } }],
      defaultServe: { split: [{ variant: 'on', percentage: env === 'production' ? 25 : 100 }, { variant: 'off', percentage: env === 'production' ? 75 : 0 }] },
    });
    await flags(env, 'dark-mode', { ...booleanFlag(env !== 'production'), description: 'Dark theme for the storefront', owner: 'web-team', kind: 'release', tags: ['web'] });
  }
  await flags('production', 'legacy-search', { ...booleanFlag(false), description: 'The old search page, kept for rollback', owner: 'search-team', kind: 'operational', expiresAt: new Date(now - 10 * 24 * HOUR).toISOString() });
  await flags('production', 'payments', { ...booleanFlag(true), description: 'Card payments through the new provider', owner: 'payments-team', kind: 'operational', breaker: { errorRate: 0.05, minRequests: 20, windowSeconds: 60 } });
  await flags('production', 'new-checkout', { ...booleanFlag(true), description: 'Checkout served by the new service', owner: 'payments-team', kind: 'release', defaultServe: { variant: 'off' } });
  await service.api('POST', '/api/v1/environments/production/flags/new-checkout/release-plan', {
    schedule: { kind: 'steps', steps: [1, 5, 25, 50, 100].map((percentage) => ({ percentage, holdMs: HOUR })) },
    guardrails: [
      { kind: 'error-rate', max: 0.02, minOutcomes: 200 },
      { kind: 'latency', percentile: 'p99', maxMs: 500, minOutcomes: 200 },
    ],
    onBreach: 'rollback',
  });
  await service.api('POST', '/api/v1/environments/production/flags/checkout/toggle', { enabled: false });
  await service.api('POST', '/api/v1/environments/production/flags/checkout/toggle', { enabled: true });
  await flags('production', 'checkout-button', {
    kind: 'experiment',
    description: 'Green or blue checkout button',
    owner: 'growth-team',
    variants: { blue: 'blue', green: 'green' },
    enabled: true,
    offVariant: 'blue',
    defaultServe: { split: [{ variant: 'blue', weight: 50 }, { variant: 'green', weight: 50 }] },
    experiment: {
      hypothesis: 'A green button raises checkout conversion',
      control: 'blue',
      metrics: {
        'checkout.completed': { type: 'conversion', event: 'checkout', windowHours: 24 },
        'order.value': { type: 'mean', event: 'order-value' },
      },
      primaryMetric: 'checkout.completed',
      startAt: new Date(now - 3 * 24 * HOUR).toISOString(),
    },
  });
  const { token: sdk } = await service.api<{ token: string }>('POST', '/api/v1/keys', { type: 'sdk', environment: 'production', name: 'storefront (production)' });
  await service.api('POST', '/api/v1/keys', { type: 'client', environment: 'production', name: 'storefront browser' });
  await service.token('viewer', 'Priya (product)');

  // Three days of an experiment: blue converts 10 %, green 12 %, order values around 60.
  const events: unknown[] = [];
  for (let i = 0; i < 4000; i++) {
    const variant = i % 2 === 0 ? 'blue' : 'green';
    const unit = `user-${i}`;
    const time = now - 3 * 24 * HOUR + Math.floor((i / 4000) * 70 * HOUR);
    events.push({ kind: 'exposure', flag: 'checkout-button', variant, unit, time });
    const converts = (i * 7919) % 100 < (variant === 'blue' ? 10 : 12);
    if (converts) {
      events.push({ kind: 'metric', name: 'checkout', unit, time: time + 10 * 60_000 });
      events.push({ kind: 'metric', name: 'order-value', unit, value: 40 + ((i * 31) % 40), time: time + 10 * 60_000 });
    }
  }
  for (let start = 0; start < events.length; start += 1000) {
    const response = await fetch(`${service.url}/sdk/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sdk}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events: events.slice(start, start + 1000) }),
    });
    if (response.status !== 202) throw new Error(`events: ${response.status} ${await response.text()}`);
  }
  for (let attempt = 0; attempt < 200; attempt++) {
    const results = await service.api<{ metrics: Array<{ variants: Array<{ units: number }> }> }>('GET', '/api/v1/environments/production/flags/checkout-button/experiment/results');
    if ((results.metrics[0]?.variants ?? []).reduce((sum, v) => sum + v.units, 0) === 4000) return;
    await sleep(100);
  }
  throw new Error('the experiment results did not reach 4,000 units');
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const service = await startDashboardService({ events: { flushMs: 100 } });
  const browser = await launch();
  try {
    await seed(service);
    for (const theme of ['light', 'dark'] as const) {
      const anonymous = await browser.newContext({ baseURL: service.url, viewport: { width: 1280, height: 800 }, colorScheme: theme });
      const signIn = await anonymous.newPage();
      await signIn.goto('/sign-in');
      await signIn.getByRole('heading', { name: 'Sign in to Halyard' }).waitFor();
      await signIn.screenshot({ path: path.join(OUT, `sign-in-${theme}.png`) });
      await anonymous.close();

      const context = await signedIn(browser, service, service.adminToken, { colorScheme: theme });
      for (const shot of SCREENSHOT_PAGES) {
        const page = await context.newPage();
        await page.setViewportSize({ width: 1280, height: 800 });
        await page.goto(shot.path);
        await shot.ready(page);
        await sleep(300); // charts and fonts settle
        const file = path.join(OUT, `${shot.name}-${theme}.png`);
        await page.screenshot({ path: file });
        console.log(`docs/screenshots/${path.basename(file)}`);
        await page.close();
      }
      await context.close();
    }
  } finally {
    await browser.close();
    await service.stop();
  }
}

runAsScript(import.meta.url, 'screenshots', main, 300_000);
