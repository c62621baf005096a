import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launch, recordConsole, seriousViolations, signedIn, startDashboardService, type DashboardService } from './support/harness';

let service: DashboardService;
let browser: Browser;

beforeAll(async () => {
  service = await startDashboardService();
  browser = await launch();
  await service.api('POST', '/api/v1/environments/production/segments', { key: 'staff', definition: { conditions: [{ attribute: 'email', operator: 'endsWith', values: ['@example.com'] }] } });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

interface Segment {
  version: number;
  definition: Record<string, unknown>;
}
const segment = (key: string) => service.api<Segment>('GET', `/api/v1/environments/production/segments/${key}`);

describe('segments pages', () => {
  it('creates a segment, edits its lists, nested segment and rollout, and saves with If-Match', async () => {
    const context = await signedIn(browser, service);
    const page = await context.newPage();
    const console = recordConsole(page);
    await page.goto('/env/production/segments');
    await page.getByRole('link', { name: 'staff' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByLabel('Key').fill('insiders');
    await page.getByLabel('Description').fill('Staff and pilots');
    await page.getByRole('button', { name: 'Create segment' }).click();
    await page.waitForURL('**/env/production/segments/insiders');
    await page.getByRole('form', { name: 'Edit segment insiders' }).waitFor();

    await page.getByLabel('Included ids').fill('u-1\nu-2\nu-1');
    await page.getByLabel('Excluded ids').fill('u-9');
    await page.getByLabel('Only a percentage of the matching units').check();
    await page.getByLabel('Percentage of units').fill('12.5');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Save segment' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved version 2.' }).waitFor();
    const saved = await segment('insiders');
    expect(saved.definition).toEqual({ description: 'Staff and pilots', included: ['u-1', 'u-2'], excluded: ['u-9'], rollout: { weight: 12_500, total: 100_000 } });

    // A nested segment reference (inSegment) set through the API shows as a link to that segment.
    await fetch(`${service.url}/api/v1/environments/production/segments/insiders`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${service.adminToken}`, 'content-type': 'application/json', 'if-match': `"${saved.version}"` },
      body: JSON.stringify({ definition: { ...saved.definition, conditions: [{ attribute: 'userId', operator: 'inSegment', values: ['staff'] }] } }),
    });
    await page.reload();
    await page.getByRole('link', { name: 'staff' }).waitFor();
    await page.getByRole('button', { name: 'Remove condition 1' }).click();
    await page.getByRole('button', { name: 'Save segment' }).click();
    await page.getByRole('status').filter({ hasText: /Saved version/ }).waitFor();
    expect((await segment('insiders')).definition.conditions).toBeUndefined();
    expect(console.problems()).toEqual([]);
    await context.close();
  }, 60_000);

  it('shows who changed the segment and the diff on 412, and places field errors from problems[].path', async () => {
    const context = await signedIn(browser, service, service.adminToken, { width: 375, colorScheme: 'dark' });
    const page = await context.newPage();
    const console = recordConsole(page);
    await page.goto('/env/production/segments/staff');
    await page.getByRole('form', { name: 'Edit segment staff' }).waitFor();
    await page.getByLabel('Included ids').fill('me');
    // Someone else saves in between.
    const stale = await segment('staff');
    await fetch(`${service.url}/api/v1/environments/production/segments/staff`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${service.adminToken}`, 'content-type': 'application/json', 'if-match': `"${stale.version}"` },
      body: JSON.stringify({ definition: { ...stale.definition, excluded: ['them'] } }),
    });
    await page.getByRole('button', { name: 'Save segment' }).click();
    const conflict = page.getByRole('alert').filter({ hasText: 'Someone else changed this segment' });
    await conflict.waitFor();
    await conflict.getByRole('table').getByRole('row', { name: /excluded/ }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await conflict.getByRole('button', { name: 'Save mine over theirs' }).click();
    await page.getByRole('status').filter({ hasText: /Saved version/ }).waitFor();
    expect((await segment('staff')).definition.included).toEqual(['me']);

    // An invalid rollout: the service's problem lands at the percentage field.
    await page.getByLabel('Only a percentage of the matching units').check();
    await page.getByLabel('Percentage of units').fill('150');
    await page.getByRole('button', { name: 'Save segment' }).click();
    const field = page.getByLabel('Percentage of units');
    await page.waitForFunction(() => document.querySelector('[aria-invalid="true"]') !== null);
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(await seriousViolations(page)).toEqual([]);
    expect(console.problems().filter((line) => !/ 412 | 400 /.test(line))).toEqual([]);
    await context.close();
  }, 60_000);

  it('deletes a segment after confirmation', async () => {
    await service.api('POST', '/api/v1/environments/production/segments', { key: 'old', definition: {} });
    const context = await signedIn(browser, service);
    const page = await context.newPage();
    await page.goto('/env/production/segments');
    await page.getByRole('button', { name: 'Delete old' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Delete segment' }).click();
    await page.getByRole('alertdialog').waitFor({ state: 'detached' });
    await page.locator('a', { hasText: /^old$/ }).waitFor({ state: 'detached' });
    const list = await service.api<{ segments: Array<{ key: string }> }>('GET', '/api/v1/environments/production/segments');
    expect(list.segments.map((entry) => entry.key)).not.toContain('old');
    await context.close();
  }, 60_000);
});
