import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { booleanFlag, launch, recordConsole, seriousViolations, signedIn, startDashboardService, type ConsoleLog, type DashboardService } from './support/harness';

// The flag page against the real service: seeded through the admin API, edited in Chromium, checked through the API.
// HALYARD_DASHBOARD_DIST lets a run use its own build (the shared dist/ may be rebuilt by a parallel run).
const ENV = 'production';
let service: DashboardService;
let browser: Browser;

const flagRoute = (key: string) => `/api/v1/environments/${ENV}/flags/${key}`;

/** A flag with two rules (a segment rule and a plan rule) and a 10 % rollout as default. */
const ruledFlag = () =>
  booleanFlag(true, {
    description: 'The new checkout',
    rules: [
      { id: 'beta', conditions: [{ attribute: 'userId', operator: 'inSegment', values: ['beta'] }], serve: { variant: 'on' } },
      { conditions: [{ attribute: 'plan', operator: 'in', values: ['pro'] }], serve: { variant: 'on' } },
    ],
    defaultServe: { split: [{ variant: 'on', percentage: 10 }, { variant: 'off', percentage: 90 }] },
  });

async function seed(key: string, definition: unknown = ruledFlag()): Promise<void> {
  await service.api('POST', `/api/v1/environments/${ENV}/flags`, { key, definition });
}

async function openFlag(context: BrowserContext, key: string): Promise<{ page: Page; log: ConsoleLog }> {
  const page = await context.newPage();
  const log = recordConsole(page);
  await page.goto(`/env/${ENV}/flags/${key}`);
  await page.getByRole('heading', { level: 1, name: key }).waitFor();
  await page.locator('#rule-0').waitFor();
  return { page, log };
}

/** Console problems, without the browser's own line for an HTTP answer the test provoked on purpose (400, 412). */
const problemsExcept = (log: ConsoleLog, ...statuses: number[]) =>
  log.problems().filter((line) => !statuses.some((status) => line.includes(`the server responded with a status of ${status}`)));

/** PUT with If-Match, as a second writer (another token) would. */
async function putFlag(key: string, definition: unknown, version: number, token: string): Promise<void> {
  const response = await fetch(service.url + flagRoute(key), {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'if-match': `"${version}"` },
    body: JSON.stringify({ definition }),
  });
  if (!response.ok) throw new Error(`PUT ${key}: ${response.status} ${await response.text()}`);
}

async function save(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Save', exact: true }).click();
}

/** Picks an operator in the Radix Select with the keyboard (typeahead), as a keyboard user would. */
async function pickOperator(page: Page, triggerId: string, operator: string): Promise<void> {
  const trigger = page.locator(`#${triggerId}`);
  await trigger.focus();
  await page.keyboard.press('Enter');
  const option = page.getByRole('option', { name: operator, exact: true });
  await option.waitFor();
  await option.focus();
  await page.keyboard.press('Enter');
  await expect.poll(() => trigger.textContent()).toContain(operator);
}

beforeAll(async () => {
  const dist = process.env.HALYARD_DASHBOARD_DIST;
  service = await startDashboardService((dist ? { dashboardDir: dist } : {}) as Parameters<typeof startDashboardService>[0]);
  await service.api('PUT', `/api/v1/environments/${ENV}/segments/beta`, { definition: { included: ['u-1'] } });
  await service.api('PUT', `/api/v1/environments/${ENV}/segments/staff`, { definition: { conditions: [{ attribute: 'email', operator: 'endsWith', values: ['@example.com'] }] } });
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

describe('flag page', () => {
  it('edits a rule and saves it with If-Match: the API has the change', async () => {
    await seed('edit-rule');
    const context = await signedIn(browser, service);
    const { page, log } = await openFlag(context, 'edit-rule');

    expect(await seriousViolations(page)).toEqual([]);
    await page.locator('#field-rules-1-conditions-0-values').fill('pro\nenterprise');
    await page.getByRole('button', { name: 'Move up: rule 2' }).click();
    // The keyboard stays with the moved rule (now rule 1).
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toMatch(/^Move (up|down): rule 1$/);
    await save(page);
    await page.getByText(/Saved: version \d+/).waitFor();

    const stored = await service.api('GET', flagRoute('edit-rule'));
    expect(stored.version).toBe(2);
    expect(stored.definition.rules).toEqual([
      { conditions: [{ attribute: 'plan', operator: 'in', values: ['pro', 'enterprise'] }], serve: { variant: 'on' } },
      { id: 'beta', conditions: [{ attribute: 'userId', operator: 'inSegment', values: ['beta'] }], serve: { variant: 'on' } },
    ]);
    expect(log.problems()).toEqual([]);
    await context.close();
  });

  it('gives a rule a percentage gate, edits one keeping its hash, and removes one', async () => {
    const flag = ruledFlag() as unknown as { rules: Array<Record<string, unknown>> };
    flag.rules[1] = { ...flag.rules[1], rollout: { weight: 10, total: 100, salt: 'plan-gate' } };
    await seed('rule-gates', flag);
    const context = await signedIn(browser, service);
    const { page, log } = await openFlag(context, 'rule-gates');
    const gate = page.locator('#field-rules-1-rollout');
    expect(await gate.inputValue()).toBe('10');
    await page.getByRole('button', { name: 'Rule 1: apply to a share of matching units' }).click();
    await page.locator('#field-rules-0-rollout').fill('12.5');
    await gate.fill('30');
    expect(await seriousViolations(page)).toEqual([]);
    await save(page);
    await page.getByText(/Saved: version \d+/).waitFor();
    let stored = await service.api('GET', flagRoute('rule-gates'));
    expect(stored.definition.rules.map((rule: { rollout?: unknown }) => rule.rollout)).toEqual([
      { weight: 12_500, total: 100_000 },
      { weight: 30, total: 100, salt: 'plan-gate' },
    ]);

    await page.getByRole('button', { name: 'Rule 2: apply to every matching unit' }).click();
    expect(await page.locator('#field-rules-1-rollout').count()).toBe(0);
    await save(page);
    await page.getByText(/Saved: version 3/).waitFor();
    stored = await service.api('GET', flagRoute('rule-gates'));
    expect(stored.definition.rules[1]).not.toHaveProperty('rollout');
    expect(stored.definition.rules[0].rollout).toEqual({ weight: 12_500, total: 100_000 });
    expect(log.problems()).toEqual([]);
    await context.close();
  });

  it('offers the operands that fit the operator and builds a segment condition', async () => {
    await seed('operators');
    const context = await signedIn(browser, service);
    const { page, log } = await openFlag(context, 'operators');
    const values = '#field-rules-1-conditions-0-values';

    // With the mouse too: the last operator of thirty is reachable (the list scrolls within the viewport).
    await page.locator('#field-rules-1-conditions-0-operator').click();
    expect(await page.getByRole('listbox').getByRole('group').first().textContent()).toContain('Equality and lists'); // grouped by operand kind
    await page.getByRole('option', { name: 'inCidr', exact: true }).click();
    await expect.poll(() => page.locator('#field-rules-1-conditions-0-operator').textContent()).toContain('inCidr');
    await pickOperator(page, 'field-rules-1-conditions-0-operator', 'exists');
    await expect.poll(() => page.locator(values).count()).toBe(0); // no operand for `exists`
    await pickOperator(page, 'field-rules-1-conditions-0-operator', 'gte');
    expect(await page.locator(values).evaluate((element) => element.tagName)).toBe('INPUT'); // one number
    expect(await page.getByText('Ignore case').count()).toBe(0); // not a string operator
    await page.locator(values).fill('18');
    await page.locator('#field-rules-1-conditions-0-attribute').fill('age');
    await page.locator('#rule-0').getByRole('checkbox', { name: 'staff' }).check();
    await save(page);
    await page.getByText(/Saved: version \d+/).waitFor();

    const stored = await service.api('GET', flagRoute('operators'));
    expect(stored.definition.rules[0].conditions).toEqual([{ attribute: 'userId', operator: 'inSegment', values: ['beta', 'staff'] }]);
    expect(stored.definition.rules[1].conditions).toEqual([{ attribute: 'age', operator: 'gte', values: [18] }]);
    expect(log.problems()).toEqual([]);
    await context.close();
  });

  it('shows a bad value from the service at its field, and problems it cannot place in the summary', async () => {
    await seed('bad-value');
    const context = await signedIn(browser, service);
    const { page, log } = await openFlag(context, 'bad-value');

    await pickOperator(page, 'field-rules-1-conditions-0-operator', 'semverGt');
    await page.locator('#field-rules-1-conditions-0-values').fill('1.x');
    await save(page);

    const input = page.locator('#field-rules-1-conditions-0-values');
    await expect.poll(() => input.getAttribute('aria-invalid')).toBe('true');
    const error = page.locator('#field-rules-1-conditions-0-values-error');
    expect(await error.textContent()).toContain('"semverGt" expects a version');
    expect((await input.getAttribute('aria-describedby'))?.split(' ')).toContain('field-rules-1-conditions-0-values-error');
    // The summary links to the field; focus moved to the field itself.
    expect(await page.locator('.problem-summary a[href="#field-rules-1-conditions-0-values"]').count()).toBe(1);
    await expect.poll(() => page.evaluate(() => document.activeElement?.id), { timeout: 5000 }).toBe('field-rules-1-conditions-0-values');
    expect(await seriousViolations(page)).toEqual([]);

    const stored = await service.api('GET', flagRoute('bad-value'));
    expect(stored.version).toBe(1);
    expect(stored.definition.rules[1].conditions[0].operator).toBe('in');
    expect(problemsExcept(log, 400)).toEqual([]);
    await context.close();
  });

  it('on 412 shows who changed the flag and the diff; "Reload theirs" loads their version', async () => {
    await seed('conflict-reload');
    const bea = await service.token('editor', 'Bea Editor');
    const mine = await signedIn(browser, service);
    const { page, log } = await openFlag(mine, 'conflict-reload');
    await page.locator('#field-description').fill('My description');

    // A second writer saves first.
    const theirs = await service.api('GET', flagRoute('conflict-reload'));
    await putFlag('conflict-reload', { ...theirs.definition, owner: 'team-bea' }, theirs.version, bea);
    await save(page);

    const dialog = page.getByRole('dialog', { name: 'Someone else changed this flag' });
    await dialog.waitFor();
    expect(await dialog.locator('.conflict-actor').textContent()).toBe('Bea Editor');
    await dialog.getByRole('table').waitFor();
    const diff = await dialog.getByRole('table').textContent();
    expect(diff).toContain('description');
    expect(diff).toContain('My description');
    expect(diff).toContain('owner');
    expect(diff).toContain('team-bea');
    expect(await seriousViolations(page)).toEqual([]);

    await dialog.getByRole('button', { name: 'Reload theirs' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await page.locator('#field-owner').inputValue()).toBe('team-bea');
    expect(await page.locator('#field-description').inputValue()).toBe('The new checkout');
    const stored = await service.api('GET', flagRoute('conflict-reload'));
    expect(stored.definition.owner).toBe('team-bea');
    expect(stored.definition.description).toBe('The new checkout');
    expect(problemsExcept(log, 412)).toEqual([]);
    await mine.close();
  });

  it('two browser contexts: the second writer gets the conflict view and "Re-apply mine" saves over the new version', async () => {
    await seed('conflict-reapply');
    const first = await signedIn(browser, service, await service.token('editor', 'Ann Editor'));
    const second = await signedIn(browser, service, await service.token('editor', 'Ben Editor'));
    const a = await openFlag(first, 'conflict-reapply');
    const b = await openFlag(second, 'conflict-reapply');

    // Ben starts editing, then Ann saves: Ben's page hears of it (live stream) but keeps his unsaved edit.
    await b.page.locator('#field-description').fill('Ben was here');
    await a.page.locator('#field-owner').fill('team-ann');
    await save(a.page);
    await a.page.getByText(/Saved: version \d+/).waitFor();
    await b.page.getByText('Version 2 was saved elsewhere while you were editing', { exact: false }).waitFor();
    expect(await b.page.locator('#field-description').inputValue()).toBe('Ben was here');

    await save(b.page);
    const dialog = b.page.getByRole('dialog', { name: 'Someone else changed this flag' });
    await dialog.waitFor();
    expect(await dialog.locator('.conflict-actor').textContent()).toBe('Ann Editor');
    expect(await dialog.getByRole('table').textContent()).toContain('team-ann');
    await dialog.getByRole('button', { name: 'Re-apply mine' }).click();
    await dialog.waitFor({ state: 'detached' });
    await b.page.getByText(/Saved: version \d+/).waitFor();

    const stored = await service.api('GET', flagRoute('conflict-reapply'));
    expect(stored.version).toBe(3);
    expect(stored.definition.description).toBe('Ben was here');
    expect(stored.definition.owner).toBeUndefined(); // Ben's edit was made on version 1 and re-applied as is
    expect(a.log.problems()).toEqual([]);
    expect(problemsExcept(b.log, 412)).toEqual([]);
    await first.close();
    await second.close();
  });

  it('saves a rollout set with the slider (keyboard, 0.1 steps) and the typed input, and explains monotonic rollouts', async () => {
    await seed('rollout');
    const context = await signedIn(browser, service);
    const { page, log } = await openFlag(context, 'rollout');

    const thumb = page.getByRole('slider', { name: 'Rollout percentage of on' });
    expect(await thumb.getAttribute('aria-valuenow')).toBe('10');
    await thumb.focus();
    for (let step = 0; step < 3; step++) await page.keyboard.press('ArrowRight');
    await expect.poll(() => thumb.getAttribute('aria-valuenow')).toBe('10.3');
    expect(await page.locator('#field-defaultServe-split-0-percentage').inputValue()).toBe('10.3');
    await save(page);
    await page.getByText(/Saved: version 2/).waitFor();
    expect((await service.api('GET', flagRoute('rollout'))).definition.defaultServe).toEqual({ split: [{ variant: 'on', percentage: 10.3 }, { variant: 'off', percentage: 89.7 }] });

    await page.getByLabel('Rollout percentage (typed)').fill('42.5');
    await expect.poll(() => thumb.getAttribute('aria-valuenow')).toBe('42.5');
    const explanation = await page.locator('#rollout-explanation').textContent();
    expect(explanation).toContain('42.5 % of units get on');
    expect(explanation).toContain('same unit always stays in the same bucket');
    expect(explanation).toContain('raising the percentage keeps everyone already in');
    await save(page);
    await page.getByText(/Saved: version 3/).waitFor();
    expect((await service.api('GET', flagRoute('rollout'))).definition.defaultServe).toEqual({ split: [{ variant: 'on', percentage: 42.5 }, { variant: 'off', percentage: 57.5 }] });
    expect(log.problems()).toEqual([]);
    await context.close();
  });

  it('kill switch and archive ask first (ConfirmDialog) and reach the API', async () => {
    await seed('switches');
    const context = await signedIn(browser, service);
    const { page, log } = await openFlag(context, 'switches');
    await page.getByRole('switch').click();
    const confirm = page.getByRole('alertdialog', { name: 'Turn switches off?' });
    await confirm.getByRole('button', { name: 'Turn off' }).click();
    await confirm.waitFor({ state: 'detached' });
    await page.getByText(/The flag is now off/).waitFor();
    expect((await service.api('GET', flagRoute('switches'))).definition.enabled).toBe(false);

    await page.getByRole('button', { name: 'Archive flag' }).click();
    await page.getByRole('alertdialog', { name: 'Archive switches?' }).getByRole('button', { name: 'Archive flag' }).click();
    await page.getByRole('button', { name: 'Restore flag' }).waitFor();
    expect((await service.api('GET', flagRoute('switches'))).archivedAt).toBeDefined();
    expect(await page.locator('#field-description').isDisabled()).toBe(true);
    expect(log.problems()).toEqual([]);
    await context.close();
  });

  it('a viewer sees everything, every control disabled with the reason (light, dark, 375 px)', async () => {
    await seed('read-only', { ...ruledFlag(), owner: 'team-x', tags: ['checkout'] });
    const viewer = await service.token('viewer', 'Vera Viewer');
    for (const colorScheme of ['light', 'dark'] as const) {
      const context = await signedIn(browser, service, viewer, { width: 375, colorScheme });
      const { page, log } = await openFlag(context, 'read-only');
      await page.getByText('Viewers can look but not change anything', { exact: false }).first().waitFor();
      expect(await page.locator('#field-owner').inputValue()).toBe('team-x');
      expect(await page.locator('#field-rules-1-conditions-0-values').inputValue()).toBe('pro');
      for (const selector of ['#field-owner', '#field-rules-1-conditions-0-values', '#field-rules-1-conditions-0-operator']) expect(await page.locator(selector).isDisabled(), selector).toBe(true);
      expect(await page.getByRole('button', { name: 'Save', exact: true }).isDisabled()).toBe(true);
      expect(await page.getByRole('switch').isDisabled()).toBe(true);
      expect(await page.getByRole('button', { name: 'Archive flag' }).isDisabled()).toBe(true);
      expect(await page.getByRole('slider').getAttribute('data-disabled')).not.toBeNull();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
      expect(await seriousViolations(page), colorScheme).toEqual([]);
      expect(log.problems()).toEqual([]);
      await context.close();
    }
  });

  it('is usable at 375 px in the dark theme for an editor, and follows #rule-1 links (the evaluator id of the second rule)', async () => {
    await seed('narrow');
    const context = await signedIn(browser, service, service.adminToken, { width: 375, colorScheme: 'dark' });
    const page = await context.newPage();
    const log = recordConsole(page);
    await page.goto(`/env/${ENV}/flags/narrow#rule-1`);
    await page.locator('#rule-1').waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('rule-1');
    expect(await page.locator('#rule-1 h3').textContent()).toBe('Rule 2');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    expect(await seriousViolations(page)).toEqual([]);
    expect(log.problems()).toEqual([]);
    await context.close();
  });
});
