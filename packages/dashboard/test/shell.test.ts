import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { booleanFlag, launch, recordConsole, seriousViolations, signedIn, startDashboardService, type ConsoleLog, type DashboardService } from './support/harness';

let service: DashboardService;
let browser: Browser;

beforeAll(async () => {
  service = await startDashboardService();
  browser = await launch();
  // the service starts with development, staging and production
  for (const env of ['production', 'staging']) await service.api('POST', `/api/v1/environments/${env}/flags`, { key: 'checkout', definition: booleanFlag(true, { description: 'New checkout' }) });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

// Chromium logs every refused request as a console error; these tests provoke exactly these 401s on purpose.
const EXPECTED_401 = /Failed to load resource: the server responded with a status of 401/;
const unexpected = (log: ConsoleLog) => log.problems().filter((line) => !EXPECTED_401.test(line));

const noHorizontalScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

describe('sign-in', () => {
  it('refuses a bad token with a clear error, then signs in with a real one and returns to where the user was going', async () => {
    const context = await browser.newContext({ baseURL: service.url, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const log = recordConsole(page);
    await page.goto('/env/staging/flags?q=check');
    await page.waitForURL(/\/sign-in\?next=/);
    await page.getByRole('heading', { name: 'Sign in to Halyard' }).waitFor();
    const token = page.getByLabel('Admin token');
    expect(await token.getAttribute('type')).toBe('password');
    expect(await seriousViolations(page)).toEqual([]);

    await token.fill('hy_admin_not-a-real-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That token was not accepted', { exact: false }).first().waitFor();
    expect(await token.getAttribute('aria-invalid')).toBe('true');
    expect(await token.evaluate((input) => document.activeElement === input)).toBe(true);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    expect((await context.cookies()).map((cookie) => cookie.name)).not.toContain('halyard_session');
    expect(await seriousViolations(page)).toEqual([]);

    const editor = await service.token('editor', 'Erin Editor');
    await token.fill(editor);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/env/staging/flags' && url.search === '?q=check');
    await page.getByTestId('signed-in-as').filter({ hasText: 'Erin Editor · editor' }).waitFor();
    const session = (await context.cookies()).find((cookie) => cookie.name === 'halyard_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(await page.evaluate(() => document.cookie)).not.toContain('halyard_session');
    expect(unexpected(log)).toEqual([]);
    await context.close();
  }, 60_000);

  it('says how long to wait when the service limits failed attempts (429)', async () => {
    const context = await browser.newContext({ baseURL: service.url });
    const page = await context.newPage();
    const log = recordConsole(page);
    await page.route('**/api/v1/session', (route) => route.fulfill({ status: 429, headers: { 'retry-after': '30', 'content-type': 'application/json' }, body: JSON.stringify({ error: { code: 'rate_limited', message: 'Too many failed attempts' } }) }));
    await page.goto('/sign-in');
    await page.getByLabel('Admin token').fill(service.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Too many failed sign-in attempts. Wait 30 seconds, then try again.').first().waitFor();
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    expect(log.problems().filter((line) => !/status of 429/.test(line))).toEqual([]);
    await context.close();
  }, 60_000);

  it('signs out: the cookie is cleared and the old session no longer authenticates', async () => {
    const context = await signedIn(browser, service);
    const page = await context.newPage();
    const log = recordConsole(page);
    await page.goto('/env/production/flags');
    await page.getByRole('link', { name: 'checkout' }).waitFor();
    const before = (await context.cookies()).find((cookie) => cookie.name === 'halyard_session')!;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in/);
    expect((await context.cookies()).map((cookie) => cookie.name)).not.toContain('halyard_session');
    const replay = await fetch(service.url + '/api/v1/me', { headers: { cookie: `halyard_session=${before.value}` } });
    expect(replay.status).toBe(401);
    // a signed-out user who comes back is sent to sign-in again
    await page.goto('/env/production/flags');
    await page.waitForURL(/\/sign-in\?next=%2Fenv%2Fproduction%2Fflags/);
    expect(unexpected(log)).toEqual([]);
    await context.close();
  }, 60_000);

  it('sends a 401 from any request (here a revoked token) to sign-in, and back afterwards', async () => {
    const token = await service.token('editor', 'Short-lived');
    const context = await signedIn(browser, service, token);
    const page = await context.newPage();
    const log = recordConsole(page);
    await page.goto('/env/production/flags');
    await page.getByRole('link', { name: 'checkout' }).waitFor();
    const keys = await service.api<{ keys: Array<{ id: string; name: string }> }>('GET', '/api/v1/keys');
    await service.api('DELETE', `/api/v1/keys/${keys.keys.find((key) => key.name === 'Short-lived')!.id}`);
    // the next request the page makes (opening another page of the app) answers 401
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
    await page.waitForURL(/\/sign-in\?next=%2Faudit/);
    await page.getByText('Your session ended', { exact: false }).waitFor();
    await page.getByLabel('Admin token').fill(service.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/audit');
    expect(unexpected(log)).toEqual([]);
    await context.close();
  }, 60_000);
});

describe('shell', () => {
  it('has a skip link, navigation, the signed-in name and role, a live indicator and a theme toggle', async () => {
    const context = await signedIn(browser, service);
    const page = await context.newPage();
    const log = recordConsole(page);
    await page.goto('/env/production/flags');
    await page.getByRole('link', { name: 'checkout' }).waitFor();
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Skip to content' });
    expect(await skip.evaluate((link) => document.activeElement === link)).toBe(true);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id), { timeout: 5000 }).toBe('main');

    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link').allTextContents()).toEqual(['Flags', 'Evaluate', 'Segments', 'Releases', 'Experiments', 'Audit', 'Environments', 'Keys']);
    expect(await nav.getByRole('link', { name: 'Flags' }).getAttribute('aria-current')).toBe('page');
    expect(await nav.getByRole('link', { name: 'Segments' }).getAttribute('href')).toBe('/env/production/segments');
    await page.getByTestId('signed-in-as').filter({ hasText: '· admin' }).waitFor();
    await page.getByTestId('live-status').filter({ hasText: 'Live' }).waitFor();

    // theme: system (prefers light here) → dark → light → system
    expect(await page.evaluate(() => document.documentElement.getAttribute('data-theme'))).toBeNull();
    await page.getByRole('button', { name: 'Theme: System' }).click();
    await page.getByRole('menuitemradio', { name: 'Dark' }).click();
    await expect.poll(() => page.evaluate(() => document.documentElement.getAttribute('data-theme')), { timeout: 5000 }).toBe('dark');
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).toBe('rgb(18, 21, 25)');
    expect(await seriousViolations(page)).toEqual([]);
    await page.reload();
    await page.getByRole('button', { name: 'Theme: Dark' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.getAttribute('data-theme'))).toBe('dark');
    await page.getByRole('button', { name: 'Theme: Dark' }).click();
    await page.getByRole('menuitemradio', { name: 'System' }).click();
    await expect.poll(() => page.evaluate(() => document.documentElement.getAttribute('data-theme')), { timeout: 5000 }).toBeNull();
    expect(log.problems()).toEqual([]);
    await context.close();
  }, 60_000);

  it('switches environments in the URL, remembers the last one, and opens it at /', async () => {
    const context = await signedIn(browser, service);
    const page = await context.newPage();
    const log = recordConsole(page);
    const environments = await service.api<{ environments: Array<{ key: string }> }>('GET', '/api/v1/environments');
    const first = environments.environments[0]!.key;
    await page.goto('/');
    await page.waitForURL((url) => url.pathname === `/env/${first}/flags`);
    await page.goto('/env/production/flags');
    await page.getByRole('combobox', { name: 'Environment', exact: true }).click();
    await page.getByRole('option', { name: /staging/i }).click();
    await page.waitForURL((url) => url.pathname === '/env/staging/flags');
    await page.getByRole('heading', { name: 'Flags in staging' }).waitFor();
    expect(await page.evaluate(() => localStorage.getItem('halyard.env'))).toBe('staging');
    await page.goto('/');
    await page.waitForURL((url) => url.pathname === '/env/staging/flags');
    // a remembered environment that no longer exists falls back to the first one. The redirected page remembers
    // its environment in an effect after the URL changed: overwrite only once it has, or it overwrites 'gone'.
    await page.getByRole('heading', { name: 'Flags in staging' }).waitFor();
    await page.waitForFunction(() => localStorage.getItem('halyard.env') === 'staging');
    await page.evaluate(() => localStorage.setItem('halyard.env', 'gone'));
    await page.goto('/');
    await page.waitForURL((url) => url.pathname === `/env/${first}/flags`);
    expect(log.problems()).toEqual([]);
    await context.close();
  }, 60_000);

  it('fits 375 px: the navigation moves into a menu dialog, with no horizontal scroll', async () => {
    const context = await signedIn(browser, service, service.adminToken, { width: 375 });
    const page = await context.newPage();
    const log = recordConsole(page);
    await page.goto('/env/production/flags');
    await page.getByRole('link', { name: 'checkout' }).waitFor();
    expect(await noHorizontalScroll(page)).toBeLessThanOrEqual(375);
    expect(await page.getByRole('navigation', { name: 'Main', exact: true }).isVisible()).toBe(false);
    expect(await seriousViolations(page)).toEqual([]);
    const menu = page.getByRole('button', { name: 'Open navigation menu' });
    await menu.click();
    const dialog = page.getByRole('dialog', { name: 'Navigation' });
    await dialog.waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await dialog.getByRole('link', { name: 'Audit' }).click();
    await page.waitForURL((url) => url.pathname === '/audit');
    await dialog.waitFor({ state: 'detached' });
    expect(await noHorizontalScroll(page)).toBeLessThanOrEqual(375);
    expect(log.problems()).toEqual([]);
    await context.close();
  }, 60_000);
});
