import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createEvaluator, parseDefinitions, type EvaluationDetails, type FlagDefinition } from '@halyard/core';
import { booleanFlag, launch, recordConsole, seriousViolations, signedIn, startDashboardService, type DashboardService } from './support/harness';

// "Why does this user get this?" against the real service; the expected answers come from the SDK's evaluator on
// the same definitions, so the panel must agree with what applications compute.
const ENV = 'production';
let service: DashboardService;
let browser: Browser;

const SEGMENTS = { beta: { included: ['u-1'] } };
const FLAGS: Record<string, FlagDefinition> = {
  checkout: booleanFlag(true, {
    rules: [
      { id: 'beta', conditions: [{ attribute: 'userId', operator: 'inSegment', values: ['beta'] }], serve: { variant: 'on' } },
      { conditions: [{ attribute: 'plan', operator: 'in', values: ['pro'] }], serve: { variant: 'on' } },
    ],
    defaultServe: { split: [{ variant: 'on', percentage: 30 }, { variant: 'off', percentage: 70 }] },
  }) as FlagDefinition,
  banner: booleanFlag(true) as FlagDefinition,
  killed: booleanFlag(false) as FlagDefinition,
  vip: booleanFlag(true, { targets: [{ variant: 'on', values: ['u-7'] }], defaultServe: { variant: 'off' } }) as FlagDefinition,
};

const parsed = parseDefinitions({ schemaVersion: 1, segments: SEGMENTS, flags: FLAGS });
const sdk = createEvaluator(parsed.definitions!);
const expected = (flag: string, context: Record<string, unknown>): EvaluationDetails => sdk.getDetails(flag, false, context) as EvaluationDetails;

async function evaluate(page: Page, context: Record<string, unknown>): Promise<void> {
  await page.getByRole('tab', { name: 'Raw JSON' }).click();
  await page.locator('#evaluate-json').fill(JSON.stringify(context));
  await page.getByRole('button', { name: 'Evaluate' }).click();
  await page.locator('tr[data-flag="checkout"]').waitFor();
  await page.getByRole('button', { name: 'Evaluate' }).waitFor(); // not "Evaluating…"
}

async function row(page: Page, flag: string) {
  const cells = page.locator(`tr[data-flag="${flag}"]`);
  return {
    variant: (await cells.locator('[data-cell="variant"]').textContent())?.trim(),
    reason: (await cells.locator('[data-cell="reason"]').textContent())?.trim(),
    bucket: (await cells.locator('[data-cell="bucket"]').textContent())?.trim(),
  };
}

/** The bucket as the panel shows it: the SDK's bucket out of 100,000 as a percentage with 3 decimals. */
const shownBucket = (details: EvaluationDetails) => (details.bucket === undefined ? '—' : (details.bucket / 1000).toFixed(3));

beforeAll(async () => {
  expect(parsed.problems).toBeUndefined();
  const dist = process.env.HALYARD_DASHBOARD_DIST;
  service = await startDashboardService((dist ? { dashboardDir: dist } : {}) as Parameters<typeof startDashboardService>[0]);
  await service.api('PUT', `/api/v1/environments/${ENV}/segments/beta`, { definition: SEGMENTS.beta });
  for (const [key, definition] of Object.entries(FLAGS)) await service.api('POST', `/api/v1/environments/${ENV}/flags`, { key, definition });
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

describe('evaluate panel', () => {
  it('shows the value, variant, reason, matched rule and bucket the SDK computes for known contexts', async () => {
    const context = await signedIn(browser, service);
    const page = await context.newPage();
    const log = recordConsole(page);
    await page.goto(`/env/${ENV}/evaluate`);
    await page.getByRole('heading', { level: 1, name: 'Why does this user get this?' }).waitFor();

    const contexts = [{ userId: 'u-1' }, { userId: 'u-42', plan: 'pro' }, { userId: 'u-7' }, { userId: 'u-1234' }];
    for (const input of contexts) {
      await evaluate(page, input);
      for (const flag of Object.keys(FLAGS)) {
        const want = expected(flag, input);
        const got = await row(page, flag);
        expect(got.variant, `${flag} ${JSON.stringify(input)}`).toBe(want.variant ?? '—');
        expect(got.reason?.startsWith(want.reason), `${flag} ${JSON.stringify(input)}: ${got.reason}`).toBe(true);
        expect(got.bucket?.startsWith(shownBucket(want)), `${flag} ${JSON.stringify(input)}: ${got.bucket}`).toBe(true);
      }
    }
    // The split decided for u-1234 and u-7 in checkout: a bucket and the unit are shown.
    expect(expected('checkout', { userId: 'u-1234' }).reason).toBe('SPLIT');
    expect((await row(page, 'checkout')).bucket).toContain('(unit u-1234)');
    expect(await seriousViolations(page)).toEqual([]);

    // The matched rule links to that rule on the flag page.
    await evaluate(page, { userId: 'u-42', plan: 'pro' });
    expect((await row(page, 'vip')).reason).toContain('DEFAULT');
    const link = page.locator('tr[data-flag="checkout"] [data-cell="rule"] a');
    expect(await link.getAttribute('href')).toBe(`/env/${ENV}/flags/checkout#rule-1`);
    expect((await page.locator('tr[data-flag="vip"] [data-cell="rule"]').textContent())?.trim()).toBe('—');
    await evaluate(page, { userId: 'u-7' });
    expect((await page.locator('tr[data-flag="vip"] [data-cell="rule"]').textContent())?.trim()).toBe('individual target');
    await evaluate(page, { userId: 'u-42', plan: 'pro' });
    await page.locator('tr[data-flag="checkout"] [data-cell="rule"] a').click();
    await page.locator('#rule-1').waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('rule-1');
    expect(log.problems()).toEqual([]);
    await context.close();
  });

  it('edits the context as rows, keeps the last 10 contexts in localStorage, and filters flags', async () => {
    const context = await signedIn(browser, service);
    const page = await context.newPage();
    const log = recordConsole(page);
    await page.goto(`/env/${ENV}/evaluate`);
    await page.getByRole('heading', { level: 1 }).waitFor();

    await page.getByLabel('Attribute 1 value').fill('u-42');
    await page.getByRole('button', { name: 'Add attribute' }).click();
    await page.getByLabel('Attribute 2 name').fill('plan');
    await page.getByLabel('Attribute 2 value').fill('pro');
    await page.getByRole('button', { name: 'Evaluate' }).click();
    await page.locator('tr[data-flag="checkout"]').waitFor();
    expect((await row(page, 'checkout')).reason).toContain('TARGETING_MATCH');

    await page.locator('#flag-filter').fill('bann');
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    expect(await page.locator('tbody tr th').textContent()).toBe('banner');

    for (let index = 0; index < 11; index++) {
      await page.getByLabel('Attribute 1 value').fill(`user-${index}`);
      await page.getByRole('button', { name: 'Evaluate' }).click();
      await page.getByRole('button', { name: 'Evaluate' }).waitFor();
    }
    const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('halyard.dashboard.recent-contexts') ?? '[]') as Array<{ context: { userId: string } }>);
    expect(stored).toHaveLength(10);
    expect(stored[0]!.context.userId).toBe('user-10');

    await page.reload();
    await page.locator('#recent-context').click();
    await page.getByRole('option', { name: /userId=user-9/ }).click();
    await expect.poll(() => page.getByLabel('Attribute 1 value').inputValue()).toBe('user-9');
    expect(await page.getByLabel('Attribute 2 value').inputValue()).toBe('pro');
    expect(log.problems()).toEqual([]);
    await context.close();
  });

  it('"Test a context" on the flag page explains that flag for one context', async () => {
    const context = await signedIn(browser, service);
    const page = await context.newPage();
    const log = recordConsole(page);
    await page.goto(`/env/${ENV}/flags/checkout`);
    await page.getByRole('heading', { level: 2, name: 'Test a context' }).waitFor();
    const section = page.locator('section', { has: page.getByRole('heading', { name: 'Test a context' }) });
    await section.getByLabel('Attribute 1 value').fill('u-1');
    await section.getByRole('button', { name: 'Test', exact: true }).click();
    const result = page.getByTestId('test-context-result');
    await result.waitFor();
    const want = expected('checkout', { userId: 'u-1' });
    expect((await result.locator('[data-cell="variant"]').textContent())?.trim()).toBe(want.variant);
    expect(await result.locator('[data-cell="reason"]').textContent()).toContain(want.reason);
    expect(await result.getByRole('link', { name: /Rule 1/ }).getAttribute('href')).toBe(`/env/${ENV}/flags/checkout#rule-0`);
    expect(log.problems()).toEqual([]);
    await context.close();
  });

  it('has no serious axe violations in light and dark, and no horizontal scroll at 375 px', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const context = await signedIn(browser, service, service.adminToken, { width: 375, colorScheme });
      const page = await context.newPage();
      const log = recordConsole(page);
      await page.goto(`/env/${ENV}/evaluate`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      expect(await seriousViolations(page), `${colorScheme} empty`).toEqual([]);
      await evaluate(page, { userId: 'u-1234', plan: 'free' });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
      expect(await seriousViolations(page), `${colorScheme} results`).toEqual([]);
      expect(log.problems()).toEqual([]);
      await context.close();
    }
  });

  it('a viewer can evaluate (explain is read-only)', async () => {
    const context = await signedIn(browser, service, await service.token('viewer'));
    const page = await context.newPage();
    await page.goto(`/env/${ENV}/evaluate`);
    await evaluate(page, { userId: 'u-1' });
    expect((await row(page, 'checkout')).variant).toBe('on');
    await context.close();
  });
});
