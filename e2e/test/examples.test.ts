import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { overrideCookie } from '@halyard/testing/express';
import { startExpress, startNext, type RunningApp } from './support/apps';
import { launch, recordConsole, screenshot, seenVariants, watchVariants } from './support/browser';
import { tempFlags, usersBySide } from './support/flags';

const OVERRIDE_SECRET = 'e2e-override-secret-0123456789-abcdefghij';
/** The example's poll interval (apps/next-example/lib/flags.server.ts, apps/react-example/src/app.tsx). */
const POLL_INTERVAL = 2_000;

let flags: ReturnType<typeof tempFlags>;
let next: RunningApp;
let express: RunningApp;
let browser: Browser;
let users: ReturnType<typeof usersBySide>;

beforeAll(async () => {
  flags = tempFlags();
  users = usersBySide(flags.original);
  [next, express, browser] = await Promise.all([startNext({ file: flags.file }), startExpress({ file: flags.file }, { overrideSecret: OVERRIDE_SECRET }), launch()]);
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([next?.stop(), express?.stop()]);
  flags?.remove();
});

async function visitor(app: RunningApp, uid: string): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  await context.addCookies([{ name: 'uid', value: uid, url: app.url }]);
  return context;
}

describe('Next.js example (built, next start)', () => {
  it('SSR HTML holds the new checkout inside the rollout and the old one outside, stable across reloads', async () => {
    for (const [uid, variant] of [
      [users.inside, 'new'],
      [users.outside, 'old'],
    ] as const) {
      for (let i = 0; i < 3; i++) {
        const html = await (await fetch(`${next.url}/checkout`, { headers: { cookie: `uid=${uid}` } })).text();
        expect(html).toContain(`data-testid="checkout" data-variant="${variant}"`);
        expect(html).not.toContain(`data-variant="${variant === 'new' ? 'old' : 'new'}"`);
        expect(html).toContain(`data-color="${users.colors[uid]}"`);
        expect(html).toContain('data-testid="flags-origin">flags.json<');
      }
      const context = await visitor(next, uid);
      const page = await context.newPage();
      for (let i = 0; i < 2; i++) {
        await page.goto(`${next.url}/checkout`);
        expect(await page.getAttribute('[data-testid="checkout"]', 'data-variant')).toBe(variant);
      }
      await screenshot(page, `next-checkout-${variant}`);
      await context.close();
    }
  });

  it('assigns a stable uid cookie to a new visitor in the proxy, already used by the first render', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${next.url}/checkout`);
    const cookie = (await context.cookies(next.url)).find((c) => c.name === 'uid');
    expect(cookie?.value).toMatch(/^[0-9a-f-]{36}$/);
    expect(await page.textContent('[data-testid="uid"]')).toBe(cookie?.value);
    const variant = await page.getAttribute('[data-testid="checkout"]', 'data-variant');
    await page.reload();
    expect((await context.cookies(next.url)).find((c) => c.name === 'uid')?.value).toBe(cookie?.value);
    expect(await page.getAttribute('[data-testid="checkout"]', 'data-variant')).toBe(variant);
    await context.close();
  });

  it('hydrates without flicker and without any hydration warning or error (App Router and Pages Router)', async () => {
    for (const [uid, variant] of [
      [users.inside, 'new'],
      [users.outside, 'old'],
    ] as const) {
      const context = await visitor(next, uid);
      await watchVariants(context, ['checkout', 'pay-button', 'legacy-checkout'], 'data-variant');
      const page = await context.newPage();
      const log = recordConsole(page);
      await page.goto(`${next.url}/checkout`, { waitUntil: 'networkidle' });
      // Hydrated: React attached its handlers (the provider has fetched at least once by networkidle).
      await page.waitForFunction(() => Object.keys(document.querySelector('[data-testid="checkout"]') ?? {}).some((k) => k.startsWith('__react')));
      expect((await seenVariants(page)).checkout).toEqual([variant]);

      await page.goto(`${next.url}/legacy-cart`, { waitUntil: 'networkidle' });
      await page.waitForFunction(() => Object.keys(document.querySelector('[data-testid="legacy-checkout"]') ?? {}).some((k) => k.startsWith('__react')));
      expect((await seenVariants(page))['legacy-checkout']).toEqual([variant]);
      await screenshot(page, `next-pages-router-${variant}`);

      const problems = log.problems();
      expect(problems.filter((line) => /hydrat|did not match|mismatch/i.test(line))).toEqual([]);
      expect(problems).toEqual([]);
      await context.close();
    }
  });

  it('follows an edit of flags.json (kill switch) in the open page within one poll, without a reload', async () => {
    const context = await visitor(next, users.inside);
    const page = await context.newPage();
    await page.goto(`${next.url}/checkout`, { waitUntil: 'networkidle' });
    await page.waitForSelector('[data-testid="ai-recommendations"]');
    await screenshot(page, 'next-ai-on');
    await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
    let navigations = 0;
    page.on('framenavigated', (frame) => frame === page.mainFrame() && navigations++);

    const started = Date.now();
    flags.write((d) => (d.flags['ai-recommendations']!.enabled = false));
    await page.waitForSelector('[data-testid="ai-recommendations"]', { state: 'detached', timeout: 20_000 });
    const elapsed = Date.now() - started;
    await screenshot(page, 'next-ai-killed');
    console.log(`ai-recommendations disappeared ${elapsed} ms after the edit (poll interval ${POLL_INTERVAL} ms)`);
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    expect(navigations).toBe(0);
    // The checkout itself did not move.
    expect(await page.getAttribute('[data-testid="checkout"]', 'data-variant')).toBe('new');

    flags.restore();
    await page.waitForSelector('[data-testid="ai-recommendations"]', { timeout: 20_000 });
    expect(navigations).toBe(0);
    await context.close();
  });

  it('redirects /deals by flag in the proxy, both ways', async () => {
    const on = await fetch(`${next.url}/deals`, { headers: { cookie: 'uid=x' }, redirect: 'manual' });
    expect(on.status).toBe(200);
    expect(await on.text()).toContain('data-testid="deals"');
    flags.write((d) => (d.flags['deals-page']!.enabled = false));
    try {
      await expect
        .poll(async () => (await fetch(`${next.url}/deals`, { headers: { cookie: 'uid=x' }, redirect: 'manual' })).headers.get('location'), { timeout: 10_000 })
        .toMatch(/\/\?from=deals$/);
    } finally {
      flags.restore();
    }
    await expect.poll(async () => (await fetch(`${next.url}/deals`, { headers: { cookie: 'uid=x' }, redirect: 'manual' })).status, { timeout: 10_000 }).toBe(200);
  });

  it('evaluates in the edge runtime (edge route handler) exactly like the core', async () => {
    for (const uid of [users.inside, users.outside]) {
      const body = (await (await fetch(`${next.url}/api/edge-flags`, { headers: { cookie: `uid=${uid}` } })).json()) as Record<string, unknown>;
      expect(body).toEqual({ runtime: 'edge', userId: uid, newCheckout: uid === users.inside, buttonColor: users.colors[uid] });
    }
  });

  it('the flags route answers per user with ETag / 304 and private caching', async () => {
    const first = await fetch(`${next.url}/api/flags`, { method: 'POST', headers: { cookie: `uid=${users.inside}`, 'content-type': 'application/json' }, body: '{"context":{"userId":"someone-else"}}' });
    const snapshot = (await first.json()) as { flags: Record<string, { value: unknown }> };
    expect(snapshot.flags['new-checkout']?.value).toBe(true);
    expect(first.headers.get('cache-control')).toBe('private, no-store');
    expect(first.headers.get('vary')).toMatch(/Cookie/);
    const again = await fetch(`${next.url}/api/flags`, { method: 'POST', headers: { cookie: `uid=${users.inside}`, 'if-none-match': first.headers.get('etag')! }, body: '{}' });
    expect(again.status).toBe(304);
  });
});

describe('Express example and React SPA', () => {
  it('the SPA, the Express pages, the JSON API and the Next app agree for the same user', async () => {
    for (const [uid, variant] of [
      [users.inside, 'new'],
      [users.outside, 'old'],
    ] as const) {
      const context = await visitor(express, uid);
      const page = await context.newPage();
      const log = recordConsole(page);
      await page.goto(`${express.url}/checkout`);
      const expressVariant = await page.getAttribute('[data-testid="checkout"]', 'data-variant');
      const expressColor = await page.getAttribute('[data-testid="pay-button"]', 'data-color');
      await screenshot(page, `express-checkout-${variant}`);

      await page.goto(`${express.url}/spa/`);
      await page.waitForSelector('[data-testid="checkout"]');
      const spaVariant = await page.getAttribute('[data-testid="checkout"]', 'data-variant');
      const spaColor = await page.getAttribute('[data-testid="pay-button"]', 'data-color');
      await screenshot(page, `react-spa-checkout-${variant}`);

      const api = (await (await fetch(`${express.url}/api/checkout`, { headers: { cookie: `uid=${uid}` } })).json()) as { checkout: string; buttonColor: string };
      const nextHtml = await (await fetch(`${next.url}/checkout`, { headers: { cookie: `uid=${uid}` } })).text();

      expect({ expressVariant, spaVariant, api: api.checkout }).toEqual({ expressVariant: variant, spaVariant: variant, api: variant });
      expect({ expressColor, spaColor, api: api.buttonColor }).toEqual({ expressColor: users.colors[uid], spaColor: users.colors[uid], api: users.colors[uid] });
      expect(nextHtml).toContain(`data-variant="${variant}"`);
      expect(log.problems()).toEqual([]);
      await context.close();
    }
  });

  it('the SPA follows the kill switch live, polling the Express flags endpoint', async () => {
    const context = await visitor(express, users.outside);
    const page = await context.newPage();
    await page.goto(`${express.url}/spa/`);
    await page.waitForSelector('[data-testid="ai-recommendations"]');
    flags.write((d) => (d.flags['ai-recommendations']!.enabled = false));
    try {
      await page.waitForSelector('[data-testid="ai-recommendations"]', { state: 'detached', timeout: 20_000 });
      await screenshot(page, 'react-spa-ai-killed');
      const html = await (await fetch(`${express.url}/checkout`, { headers: { cookie: `uid=${users.outside}` } })).text();
      expect(html).not.toContain('data-testid="ai-recommendations"');
    } finally {
      flags.restore();
    }
    await page.waitForSelector('[data-testid="ai-recommendations"]', { timeout: 20_000 });
    await context.close();
  });

  it('a signed override cookie forces flags for a browser test, and a forged one is ignored', async () => {
    const context = await visitor(express, users.outside);
    await context.addCookies([overrideCookie({ 'new-checkout': true, 'button-color': 'orange' }, OVERRIDE_SECRET, express.url)]);
    const page = await context.newPage();
    await page.goto(`${express.url}/checkout`);
    expect(await page.getAttribute('[data-testid="checkout"]', 'data-variant')).toBe('new');
    expect(await page.getAttribute('[data-testid="pay-button"]', 'data-color')).toBe('orange');
    await page.goto(`${express.url}/spa/`);
    await page.waitForSelector('[data-testid="checkout"]');
    expect(await page.getAttribute('[data-testid="checkout"]', 'data-variant')).toBe('new');
    await screenshot(page, 'react-spa-override');

    await context.clearCookies({ name: 'halyard-override' });
    await context.addCookies([overrideCookie({ 'new-checkout': true }, 'a-different-secret-that-is-long-enough-123', express.url)]);
    await page.goto(`${express.url}/checkout`);
    expect(await page.getAttribute('[data-testid="checkout"]', 'data-variant')).toBe('old');
    await context.close();
  });
});
