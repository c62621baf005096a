import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { booleanFlag, launch, recordConsole, seriousViolations, signedIn, startDashboardService, type DashboardService } from './support/harness';

let service: DashboardService;
let browser: Browser;

beforeAll(async () => {
  service = await startDashboardService();
  browser = await launch();
  await service.api('POST', '/api/v1/environments/production/flags', { key: 'new-checkout', definition: booleanFlag(true) });
  await service.api('POST', '/api/v1/environments/production/flags', { key: 'other-flag', definition: booleanFlag(true) });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

const flag = async (key: string) => (await service.api<{ definition: { enabled: boolean }; version: number }>('GET', `/api/v1/environments/production/flags/${key}`));

describe('audit page', () => {
  it('filters, shows an entry as a before/after diff, and reverts it as a new entry', async () => {
    await service.api('POST', '/api/v1/environments/production/flags/new-checkout/toggle', { enabled: false });
    const context = await signedIn(browser, service);
    const page = await context.newPage();
    const console = recordConsole(page);
    await page.goto('/audit');
    await page.getByRole('list', { name: 'Audit entries' }).waitFor();
    expect(await page.locator('.audit-entry').filter({ hasText: 'other-flag' }).count()).toBe(1);

    const filters = page.getByRole('form', { name: 'Audit filters' });
    await filters.getByLabel('Environment').selectOption('production');
    await filters.getByLabel('Resource type').selectOption('flag');
    await filters.getByLabel('Flag or segment key').fill('new-checkout');
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/resourceKey=new-checkout/);
    // create + toggle, newest first
    await page.getByRole('status').filter({ hasText: '2 entries shown.' }).waitFor();
    const entries = page.locator('.audit-entry');
    expect(await entries.filter({ hasText: 'other-flag' }).count()).toBe(0);

    const toggle = entries.first();
    await toggle.getByRole('button', { name: /Show changes of flag\.toggle new-checkout/ }).click();
    const diff = toggle.getByRole('table', { name: /Changes of entry/ });
    await diff.waitFor();
    const row = diff.getByRole('row', { name: /enabled/ });
    expect(await row.getByRole('cell').allTextContents()).toEqual(['true', 'false']);
    expect(await seriousViolations(page)).toEqual([]);

    await toggle.getByRole('button', { name: 'Revert this change' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Revert' }).click();
    await page.getByRole('alertdialog').waitFor({ state: 'detached' });
    expect((await flag('new-checkout')).definition.enabled).toBe(true);
    // The revert is itself audited: a third entry, newest first, recording the way back.
    await page.waitForFunction(() => document.querySelectorAll('.audit-entry').length === 3);
    const revert = entries.first();
    await revert.getByText(/^revert of #\d+$/).waitFor();
    await revert.getByRole('button', { name: /Show changes/ }).click();
    expect(await revert.getByRole('table', { name: /Changes of entry/ }).getByRole('row', { name: /enabled/ }).getByRole('cell').allTextContents()).toEqual(['false', 'true']);
    expect(console.problems()).toEqual([]);
    await context.close();
  }, 60_000);

  it('shows the conflict when the resource changed after the entry', async () => {
    await service.api('POST', '/api/v1/environments/production/flags/other-flag/toggle', { enabled: false });
    await service.api('PATCH', '/api/v1/environments/production/flags/other-flag', { description: 'changed later' });
    const before = await flag('other-flag');
    const context = await signedIn(browser, service, service.adminToken, { colorScheme: 'dark', width: 375 });
    const page = await context.newPage();
    const console = recordConsole(page);
    await page.goto('/audit?env=production&resourceType=flag&resourceKey=other-flag&action=flag.toggle');
    const entry = page.locator('.audit-entry').first();
    await entry.getByRole('button', { name: /Show changes/ }).click();
    await entry.getByRole('button', { name: 'Revert this change' }).click();
    const dialog = page.getByRole('alertdialog');
    await dialog.getByRole('button', { name: 'Revert' }).click();
    await dialog.getByRole('alert').filter({ hasText: /^Conflict: / }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    expect((await flag('other-flag')).version).toBe(before.version);
    expect(console.problems().filter((line) => !line.includes('409'))).toEqual([]);
    await context.close();
  }, 60_000);

  it('pages with "Load older entries", and filters by actor and time', async () => {
    await service.api('POST', '/api/v1/environments/staging/flags', { key: 'busy', definition: booleanFlag(true) });
    for (let i = 0; i < 55; i++) await service.api('POST', '/api/v1/environments/staging/flags/busy/toggle', { enabled: i % 2 === 1 }); // each one a change
    const context = await signedIn(browser, service);
    const page = await context.newPage();
    const console = recordConsole(page);
    await page.goto('/audit?env=staging&resourceKey=busy&resourceType=flag');
    await page.getByRole('status').filter({ hasText: '50 entries shown, more below.' }).waitFor();
    await page.getByRole('button', { name: 'Load older entries' }).click();
    await page.getByRole('status').filter({ hasText: '56 entries shown.' }).waitFor();
    expect(await page.getByRole('button', { name: 'Load older entries' }).count()).toBe(0);

    const me = await service.api<{ name: string }>('GET', '/api/v1/me');
    await page.goto(`/audit?env=staging&actor=${encodeURIComponent(me.name)}&since=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`);
    await page.getByRole('status').filter({ hasText: 'No entries match these filters.' }).waitFor();
    await page.goto(`/audit?env=staging&actor=${encodeURIComponent('somebody else')}`);
    await page.getByRole('status').filter({ hasText: 'No entries match these filters.' }).waitFor();
    await page.goto(`/audit?env=staging&actor=${encodeURIComponent(me.name)}&action=flag.create`);
    await page.getByRole('status').filter({ hasText: '1 entry shown.' }).waitFor();
    expect(console.problems()).toEqual([]);
    await context.close();
  }, 90_000);

  it('lets a viewer read the log but not revert', async () => {
    const context = await signedIn(browser, service, await service.token('viewer'));
    const page = await context.newPage();
    await page.goto('/audit?resourceKey=new-checkout&resourceType=flag');
    const entry = page.locator('.audit-entry').first();
    await entry.getByRole('button', { name: /Show changes/ }).click();
    expect(await entry.getByRole('button', { name: 'Revert this change' }).isDisabled()).toBe(true);
    await context.close();
  }, 60_000);
});
