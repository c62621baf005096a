import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launch, recordConsole, seriousViolations, signedIn, startDashboardService, type DashboardService } from './support/harness';

let service: DashboardService;
let browser: Browser;

beforeAll(async () => {
  service = await startDashboardService();
  browser = await launch();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

interface Key {
  id: string;
  name: string;
  prefix: string;
}
const keys = async () => (await service.api<{ keys: Key[] }>('GET', '/api/v1/keys')).keys;

describe('keys page', () => {
  it('creates an SDK key, shows its token once with a copy button, and revokes it', async () => {
    const context = await signedIn(browser, service);
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    const page = await context.newPage();
    const console = recordConsole(page);
    await page.goto('/keys');
    await page.getByRole('table', { name: 'Active API keys' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);

    const form = page.getByRole('region', { name: 'New key' });
    await form.getByLabel('Type').selectOption('sdk');
    await form.getByLabel('Name').fill('checkout service');
    await form.getByLabel('Environment').selectOption('production');
    await form.getByRole('button', { name: 'Create key' }).click();
    const token = (await page.getByTestId('new-token').textContent())!;
    expect(token.length).toBeGreaterThan(20);
    // The token works, and is the one the service created.
    const created = (await keys()).find((key) => key.name === 'checkout service')!;
    expect(token.startsWith(created.prefix)).toBe(true);
    const sdk = await fetch(`${service.url}/sdk/v1/definitions`, { headers: { authorization: `Bearer ${token}` } });
    expect(sdk.status).toBe(200);

    await page.getByRole('button', { name: 'Copy token' }).click();
    await page.getByRole('status').filter({ hasText: 'Token copied to the clipboard.' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);
    expect(await seriousViolations(page)).toEqual([]);

    // Shown once: after dismissing it, and after a reload, the token is nowhere on the page.
    await page.getByRole('button', { name: 'I have stored it' }).click();
    expect(await page.content()).not.toContain(token);
    await page.reload();
    await page.getByRole('row', { name: /checkout service/ }).waitFor();
    expect(await page.content()).not.toContain(token);

    await page.getByRole('button', { name: 'Revoke checkout service' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Revoke key' }).click();
    await page.getByRole('alertdialog').waitFor({ state: 'detached' });
    await page.locator('tr', { hasText: 'checkout service' }).waitFor({ state: 'detached' });
    expect((await keys()).some((key) => key.name === 'checkout service')).toBe(false);
    expect((await fetch(`${service.url}/sdk/v1/definitions`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    expect(console.problems()).toEqual([]);
    await context.close();
  }, 60_000);

  it('creates an admin token with a role, and shows the 409 when revoking the last admin', async () => {
    const context = await signedIn(browser, service, service.adminToken, { width: 375 });
    const page = await context.newPage();
    const console = recordConsole(page);
    await page.goto('/keys');
    await page.getByRole('table', { name: 'Active API keys' }).waitFor();
    const form = page.getByRole('region', { name: 'New key' });
    await form.getByLabel('Type').selectOption('admin');
    await form.getByLabel('Name').fill('release manager');
    await form.getByLabel('Role').selectOption('editor');
    await form.getByRole('button', { name: 'Create key' }).click();
    await page.getByTestId('new-token').waitFor();
    const manager = await service.api<{ role: string }>('GET', '/api/v1/me', undefined, (await page.getByTestId('new-token').textContent())!);
    expect(manager.role).toBe('editor');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);

    // The bootstrap token is the only admin: the service refuses, and the dialog says why.
    const me = await service.api<{ id: string; name: string }>('GET', '/api/v1/me');
    await page.getByRole('button', { name: `Revoke ${me.name}` }).click();
    const dialog = page.getByRole('alertdialog');
    await dialog.getByRole('button', { name: 'Revoke key' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'last active admin token' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    expect((await keys()).some((key) => key.id === me.id)).toBe(true);
    // The failed DELETE is an expected 409: the browser logs it as a failed resource load, nothing else.
    expect(console.problems().filter((line) => !line.includes('409'))).toEqual([]);
    await context.close();
  }, 60_000);

  it('tells an editor that keys are for admins', async () => {
    const context = await signedIn(browser, service, await service.token('editor'), { colorScheme: 'dark' });
    const page = await context.newPage();
    const console = recordConsole(page);
    await page.goto('/keys');
    await page.getByText('Only admin tokens can see and manage API keys.').waitFor();
    expect(await page.getByRole('button', { name: 'Create key' }).count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    expect(console.problems()).toEqual([]);
    await context.close();
  }, 60_000);
});
