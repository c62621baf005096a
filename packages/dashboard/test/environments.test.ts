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

describe('environments page', () => {
  it('creates (copying flags), renames and deletes an environment with a typed confirmation', async () => {
    await service.api('POST', '/api/v1/environments/production/flags', { key: 'copied-flag', definition: { variants: { on: true, off: false }, enabled: true, offVariant: 'off', defaultServe: { variant: 'on' } } });
    const context = await signedIn(browser, service);
    const page = await context.newPage();
    const console = recordConsole(page);
    await page.goto('/environments');
    await page.getByRole('row', { name: /production/ }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByLabel('Key', { exact: false }).first().fill('qa');
    await page.getByLabel('Name', { exact: true }).fill('QA');
    await page.getByLabel('Copy flags and segments from').selectOption('production');
    await page.getByRole('button', { name: 'Create environment' }).click();
    await page.getByRole('status').filter({ hasText: 'Environment qa created.' }).waitFor();
    await page.getByRole('row', { name: /qa/ }).waitFor();
    const copied = await service.api<{ flags: Array<{ key: string }> }>('GET', '/api/v1/environments/qa/flags');
    expect(copied.flags.map((flag) => flag.key)).toEqual(['copied-flag']);

    await page.getByRole('button', { name: 'Rename qa' }).click();
    const dialog = page.getByRole('dialog', { name: 'Rename qa' });
    await dialog.getByLabel('Name').fill('Quality assurance');
    expect(await seriousViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Save name' }).click();
    await page.getByRole('row', { name: /Quality assurance/ }).waitFor();
    expect((await service.api<{ name: string }>('GET', '/api/v1/environments/qa')).name).toBe('Quality assurance');

    await page.getByRole('button', { name: 'Delete qa' }).click();
    const confirm = page.getByRole('alertdialog');
    await confirm.getByLabel('Type qa to confirm').fill('q');
    await confirm.getByRole('button', { name: 'Delete environment' }).click();
    await confirm.getByRole('alert').filter({ hasText: 'Type qa exactly' }).waitFor();
    const stillThere = await service.api<{ environments: Array<{ key: string }> }>('GET', '/api/v1/environments');
    expect(stillThere.environments.map((env) => env.key)).toContain('qa');
    await confirm.getByLabel('Type qa to confirm').fill('qa');
    await confirm.getByRole('button', { name: 'Delete environment' }).click();
    // The open dialog hides the page from the accessibility tree: wait for it to close before looking at rows.
    await confirm.waitFor({ state: 'detached' });
    await page.locator('tr', { hasText: 'Quality assurance' }).waitFor({ state: 'detached' });
    const after = await service.api<{ environments: Array<{ key: string }> }>('GET', '/api/v1/environments');
    expect(after.environments.map((env) => env.key)).not.toContain('qa');
    expect(console.problems()).toEqual([]);
    await context.close();
  }, 60_000);

  it('is read-only for an editor, and fits 375 px in the dark theme', async () => {
    const editor = await service.token('editor');
    const context = await signedIn(browser, service, editor, { width: 375, colorScheme: 'dark' });
    const page = await context.newPage();
    const console = recordConsole(page);
    await page.goto('/environments');
    await page.getByRole('row', { name: /production/ }).waitFor();
    await page.getByText('Only admin tokens can change environments.').waitFor();
    expect(await page.getByRole('button', { name: /Delete|Rename|Create/ }).count()).toBe(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    expect(await seriousViolations(page)).toEqual([]);
    expect(console.problems()).toEqual([]);
    await context.close();
  }, 60_000);
});
