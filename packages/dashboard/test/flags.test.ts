import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { booleanFlag, launch, recordConsole, seriousViolations, signedIn, startDashboardService, type DashboardService } from './support/harness';

let service: DashboardService;
let browser: Browser;

const flag = (key: string, definition: Record<string, unknown>, env = 'production') => service.api('POST', `/api/v1/environments/${env}/flags`, { key, definition });
const stored = (key: string, env = 'production') => service.api<{ definition: { enabled: boolean } }>('GET', `/api/v1/environments/${env}/flags/${key}`);

beforeAll(async () => {
  service = await startDashboardService();
  browser = await launch();
  // the service starts with development, staging and production
  await flag('checkout', booleanFlag(true, { description: 'New checkout flow', kind: 'release', owner: 'payments', tags: ['web'] }));
  await flag('holiday-banner', booleanFlag(true, { description: 'Seasonal banner on the home page', kind: 'operational', owner: 'growth', tags: ['web', 'marketing'] }));
  await flag('old-promo', booleanFlag(false, { description: 'Spring promotion', kind: 'release', owner: 'growth', tags: ['marketing'], expiresAt: '2020-01-01' }));
  await flag('kill-me', booleanFlag(true, { description: 'Used by the kill switch tests', owner: 'payments' }));
  await flag('keyboard', booleanFlag(true, { description: 'Used by the keyboard test', owner: 'payments' }));
  await flag('checkout', booleanFlag(false), 'staging');
  await service.api('POST', '/api/v1/environments/production/flags/holiday-banner/rollout', { percentage: 25 });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

const rows = (page: Page) => page.locator('tbody tr').evaluateAll((list) => list.map((row) => row.getAttribute('data-flag')));
const killSwitch = (page: Page, key: string, env = 'production') => page.getByRole('switch', { name: `Kill switch for ${key} in ${env}` });

async function pick(page: Page, label: string, option: string) {
  await page.getByLabel(label, { exact: true }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

async function csrfOf(context: BrowserContext): Promise<string> {
  return (await context.cookies()).find((cookie) => cookie.name === 'halyard_csrf')!.value;
}

describe('flags list', () => {
  it('shows every flag with its state in every environment, and links to each flag', async () => {
    const context = await signedIn(browser, service);
    const page = await context.newPage();
    const log = recordConsole(page);
    await page.goto('/env/production/flags');
    await page.getByRole('link', { name: 'checkout', exact: true }).waitFor();
    await expect.poll(() => rows(page), { timeout: 10_000 }).toEqual(['checkout', 'holiday-banner', 'keyboard', 'kill-me', 'old-promo']);
    expect(await page.getByRole('link', { name: 'checkout', exact: true }).getAttribute('href')).toBe('/env/production/flags/checkout');
    const states = async (key: string) => (await page.getByRole('list', { name: `${key} in every environment` }).getByRole('listitem').allTextContents()).map((text) => text.replace(/\s+/g, ' ').trim()).sort();
    expect(await states('checkout')).toEqual(['development not defined', 'production on', 'staging off']);
    expect(await states('holiday-banner')).toEqual(['development not defined', 'production rolling out 25%', 'staging not defined']);
    expect(await page.getByRole('list', { name: 'old-promo in every environment' }).textContent()).toContain('expired');
    expect(await killSwitch(page, 'checkout').getAttribute('aria-checked')).toBe('true');
    expect(await killSwitch(page, 'old-promo').getAttribute('aria-checked')).toBe('false');
    expect(await seriousViolations(page)).toEqual([]);
    expect(log.problems()).toEqual([]);
    await context.close();
  }, 60_000);

  it('searches, filters and sorts, keeping the state in the URL', async () => {
    const context = await signedIn(browser, service);
    const page = await context.newPage();
    const log = recordConsole(page);
    await page.goto('/env/production/flags');
    await page.getByRole('link', { name: 'checkout', exact: true }).waitFor();

    await page.getByRole('searchbox', { name: 'Search' }).fill('seasonal');
    await page.waitForURL((url) => url.searchParams.get('q') === 'seasonal');
    await expect.poll(() => rows(page), { timeout: 10_000 }).toEqual(['holiday-banner']);
    await page.getByRole('searchbox', { name: 'Search' }).fill('PROMO');
    await expect.poll(() => rows(page), { timeout: 10_000 }).toEqual(['old-promo']);
    await page.getByRole('searchbox', { name: 'Search' }).fill('');

    await pick(page, 'Tag', 'marketing');
    await expect.poll(() => rows(page), { timeout: 10_000 }).toEqual(['holiday-banner', 'old-promo']);
    await pick(page, 'Owner', 'growth');
    await pick(page, 'Kind', 'release');
    await expect.poll(() => rows(page), { timeout: 10_000 }).toEqual(['old-promo']);
    expect(new URL(page.url()).search).toBe('?tag=marketing&owner=growth&kind=release');
    await page.reload();
    await page.getByRole('link', { name: 'old-promo' }).waitFor();
    await expect.poll(() => rows(page), { timeout: 10_000 }).toEqual(['old-promo']);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => rows(page), { timeout: 10_000 }).toHaveLength(5);

    await pick(page, 'Status in production', 'Rolling out');
    await expect.poll(() => rows(page), { timeout: 10_000 }).toEqual(['holiday-banner']);
    await pick(page, 'Status in production', 'Expired');
    await expect.poll(() => rows(page), { timeout: 10_000 }).toEqual(['old-promo']);
    await pick(page, 'Status in production', 'Off');
    await expect.poll(() => rows(page), { timeout: 10_000 }).toEqual(['old-promo']);
    await pick(page, 'Status in production', 'On');
    await expect.poll(() => rows(page), { timeout: 10_000 }).toEqual(['checkout', 'keyboard', 'kill-me']);
    await pick(page, 'Status in production', 'Any status');

    await page.getByRole('searchbox', { name: 'Search' }).fill('no-such-flag');
    await page.getByText('No flags match these filters.').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('searchbox', { name: 'Search' }).fill('');

    // sort by the last update in this environment: change holiday-banner, it comes first
    await service.api('POST', '/api/v1/environments/production/flags/holiday-banner/rollout', { percentage: 30 });
    await pick(page, 'Sort by', 'Recently updated');
    await page.waitForURL((url) => url.searchParams.get('sort') === 'updated');
    const overview = await service.api<{ flags: Array<{ key: string; environments: Record<string, { updatedAt: string }> }> }>('GET', '/api/v1/flags');
    const expected = overview.flags.map((f) => ({ key: f.key, at: Date.parse(f.environments.production!.updatedAt) })).sort((a, b) => b.at - a.at || (a.key < b.key ? -1 : 1)).map((f) => f.key);
    expect(expected[0]).toBe('holiday-banner');
    await expect.poll(() => rows(page), { timeout: 10_000 }).toEqual(expected);
    expect(log.problems()).toEqual([]);
    await context.close();
  }, 90_000);

  it('kill switch with the mouse: confirm first, optimistic, live in a second browser context and in the API', async () => {
    const contextA = await signedIn(browser, service);
    const contextB = await signedIn(browser, service);
    const pageA = await contextA.newPage();
    const pageB = await contextB.newPage();
    const logA = recordConsole(pageA);
    const logB = recordConsole(pageB);
    await Promise.all([pageA.goto('/env/production/flags'), pageB.goto('/env/production/flags')]);
    await pageB.getByTestId('live-status').filter({ hasText: 'Live' }).waitFor();
    expect(await killSwitch(pageB, 'kill-me').getAttribute('aria-checked')).toBe('true');

    await killSwitch(pageA, 'kill-me').click();
    const dialog = pageA.getByRole('alertdialog', { name: 'Turn kill-me off in production?' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('serves its off variant');
    // nothing happens before confirming (the page behind the modal dialog is aria-hidden, so find the switch by its label)
    expect(await pageA.locator('[aria-label="Kill switch for kill-me in production"]').getAttribute('aria-checked')).toBe('true');
    expect(await seriousViolations(pageA)).toEqual([]);
    // cancelling changes nothing
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await stored('kill-me')).definition.enabled).toBe(true);

    await killSwitch(pageA, 'kill-me').click();
    await dialog.getByRole('button', { name: 'Turn off' }).click();
    await pageA.getByTestId('announcement').filter({ hasText: 'kill-me is now off in production.' }).waitFor();
    expect(await killSwitch(pageA, 'kill-me').getAttribute('aria-checked')).toBe('false');
    expect((await stored('kill-me')).definition.enabled).toBe(false);
    // the other dashboard follows without a reload
    await pageB.waitForFunction(() => document.querySelector('[aria-label="Kill switch for kill-me in production"]')?.getAttribute('aria-checked') === 'false', undefined, { timeout: 10_000 });
    const me = await service.api<{ name: string }>('GET', '/api/v1/me');
    await pageB.getByTestId('announcement').filter({ hasText: `${me.name} flipped the kill switch of kill-me in production.` }).waitFor();
    expect(await pageA.getByTestId('announcement').textContent()).toBe('kill-me is now off in production.');

    // turning it back on asks too
    await killSwitch(pageA, 'kill-me').click();
    const onDialog = pageA.getByRole('alertdialog', { name: 'Turn kill-me on in production?' });
    await onDialog.getByRole('button', { name: 'Turn on' }).click();
    await pageB.waitForFunction(() => document.querySelector('[aria-label="Kill switch for kill-me in production"]')?.getAttribute('aria-checked') === 'true', undefined, { timeout: 10_000 });
    expect((await stored('kill-me')).definition.enabled).toBe(true);
    expect(logA.problems()).toEqual([]);
    expect(logB.problems()).toEqual([]);
    await contextA.close();
    await contextB.close();
  }, 90_000);

  it('kill switch with the keyboard only: Tab to it, Space, confirm with Enter, focus comes back', async () => {
    const context = await signedIn(browser, service);
    const page = await context.newPage();
    const log = recordConsole(page);
    await page.goto('/env/production/flags?q=keyboard');
    await page.getByRole('link', { name: 'keyboard', exact: true }).waitFor();
    const label = 'Kill switch for keyboard in production';
    let reached = false;
    for (let presses = 0; presses < 60 && !reached; presses++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate((name) => document.activeElement?.getAttribute('aria-label') === name, label);
    }
    expect(reached).toBe(true);
    await page.keyboard.press('Space');
    const dialog = page.getByRole('alertdialog', { name: 'Turn keyboard off in production?' });
    await dialog.waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest('[role="alertdialog"]') !== null), { timeout: 5000 }).toBe(true);
    let onConfirm = false;
    for (let presses = 0; presses < 5 && !onConfirm; presses++) {
      onConfirm = await page.evaluate(() => document.activeElement?.textContent === 'Turn off');
      if (!onConfirm) await page.keyboard.press('Tab');
    }
    expect(onConfirm).toBe(true);
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await page.getByTestId('announcement').filter({ hasText: 'keyboard is now off in production.' }).waitFor();
    // Focus returns once the dialog has closed (the focus scope restores it after unmounting): wait for it.
    await page.waitForFunction((name) => document.activeElement?.getAttribute('aria-label') === name, label, { timeout: 5000 });
    expect((await stored('keyboard')).definition.enabled).toBe(false);
    // Escape cancels
    await page.keyboard.press('Space');
    await page.getByRole('alertdialog', { name: 'Turn keyboard on in production?' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('alertdialog').waitFor({ state: 'detached' });
    // Focus returns once the dialog has closed (the focus scope restores it after unmounting): wait for it.
    await page.waitForFunction((name) => document.activeElement?.getAttribute('aria-label') === name, label, { timeout: 5000 });
    expect((await stored('keyboard')).definition.enabled).toBe(false);
    expect(log.problems()).toEqual([]);
    await context.close();
  }, 60_000);

  it('rolls the switch back and says why when the service refuses', async () => {
    const context = await signedIn(browser, service);
    const page = await context.newPage();
    const log = recordConsole(page);
    await page.goto('/env/production/flags?q=checkout');
    await killSwitch(page, 'checkout').waitFor();
    // the service refuses (as it would for a flag archived meanwhile)
    await page.route('**/api/v1/environments/production/flags/checkout/toggle', (route) => route.fulfill({ status: 409, contentType: 'application/json', body: JSON.stringify({ error: { code: 'archived', message: 'checkout is archived.' } }) }));
    await killSwitch(page, 'checkout').click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Turn off' }).click();
    await page.getByTestId('toggle-error').filter({ hasText: 'Could not turn checkout off in production: checkout is archived.' }).waitFor();
    expect(await killSwitch(page, 'checkout').getAttribute('aria-checked')).toBe('true');
    expect((await stored('checkout')).definition.enabled).toBe(true);
    // Chromium reports the refused request itself; nothing else may appear
    expect(log.problems().filter((line) => !/status of 409/.test(line))).toEqual([]);
    await context.close();
  }, 60_000);

  it('viewers see the switch disabled with the reason, and the API refuses a forced write', async () => {
    const viewer = await service.token('viewer', 'Vera Viewer');
    const context = await signedIn(browser, service, viewer, { colorScheme: 'dark' });
    const page = await context.newPage();
    const log = recordConsole(page);
    await page.goto('/env/production/flags');
    const sw = killSwitch(page, 'checkout');
    await sw.waitFor();
    expect(await sw.isDisabled()).toBe(true);
    const describedBy = (await sw.getAttribute('aria-describedby'))!;
    expect(await page.locator(`[id="${describedBy}"]`).textContent()).toContain('Viewers can look but not change anything');
    await page.getByText('Read-only: Viewers can look', { exact: false }).waitFor();
    expect(await seriousViolations(page)).toEqual([]); // dark theme
    const forced = await context.request.post('/api/v1/environments/production/flags/checkout/toggle', { data: { enabled: false }, headers: { 'x-halyard-csrf': await csrfOf(context) } });
    expect(forced.status()).toBe(403);
    expect((await stored('checkout')).definition.enabled).toBe(true);
    expect(log.problems()).toEqual([]);
    await context.close();
  }, 60_000);

  it('passes axe in light and dark, and fits 375 px without horizontal scroll', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const context = await signedIn(browser, service, service.adminToken, { colorScheme, width: 375 });
      const page = await context.newPage();
      const log = recordConsole(page);
      await page.goto('/env/production/flags');
      await killSwitch(page, 'checkout').waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
      expect(await seriousViolations(page)).toEqual([]);
      await killSwitch(page, 'checkout').click();
      await page.getByRole('alertdialog').waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
      await page.keyboard.press('Escape');
      expect(log.problems()).toEqual([]);
      await context.close();
    }
  }, 90_000);

  it('shows the empty state for an environment without flags, and an error state when the list fails', async () => {
    await service.api('POST', '/api/v1/environments', { key: 'empty', name: 'Empty' });
    const context = await signedIn(browser, service);
    const page = await context.newPage();
    const log = recordConsole(page);
    await page.goto('/env/empty/flags');
    await page.getByRole('heading', { name: 'Flags in empty' }).waitFor();
    await page.getByRole('cell', { name: 'Not in empty' }).first().waitFor();
    await page.route('**/api/v1/flags', (route) => route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ error: { code: 'internal', message: 'database unavailable' } }) }));
    await page.reload();
    await page.getByRole('alert').filter({ hasText: 'Could not load the flags' }).waitFor({ timeout: 20_000 });
    expect(await seriousViolations(page)).toEqual([]);
    expect(log.problems().filter((line) => !/status of 500/.test(line))).toEqual([]);
    await context.close();
  }, 60_000);
});
