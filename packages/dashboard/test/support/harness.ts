import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createServer, type HalyardServer, type ServerOptions } from '@halyard/server';
import { launch, recordConsole, type ConsoleLog } from '../../../../e2e/test/support/browser';

export { launch, recordConsole, type ConsoleLog };

export const DASHBOARD_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist');
const POSTGRES_URL = process.env.HALYARD_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A real service (PostgreSQL, a schema of its own) serving the built dashboard at `/`. */
export interface DashboardService {
  server: HalyardServer;
  url: string;
  adminToken: string;
  /** Calls the admin API with the bootstrap admin token (or `token`); throws on a non-2xx answer. */
  api<T = any>(method: string, path: string, body?: unknown, token?: string): Promise<T>;
  /** A token of another role (`viewer`, `editor`, `admin`), created through the API. */
  token(role: 'viewer' | 'editor' | 'admin', name?: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startDashboardService(extra: ServerOptions = {}): Promise<DashboardService> {
  const schema = `halyard_dash_${process.pid}_${randomBytes(4).toString('hex')}`;
  // Errors only: a service fault behind a page that never settles shows in the test's output, not just a timeout.
  const server = await createServer({ databaseUrl: POSTGRES_URL, schema, port: 0, logger: 'error', dashboardDir: DASHBOARD_DIST, ...extra } as ServerOptions);
  const adminToken = server.bootstrapToken!;
  const api = async <T,>(method: string, route: string, body?: unknown, token = adminToken): Promise<T> => {
    const response = await fetch(server.url + route, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${text}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  };
  return {
    server,
    url: server.url,
    adminToken,
    api,
    async token(role, name = `${role} ${randomBytes(2).toString('hex')}`) {
      const created = await api<{ token: string }>('POST', '/api/v1/keys', { type: 'admin', role, name });
      return created.token;
    },
    async stop() {
      await server.close();
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      try {
        await client.query(`drop schema if exists "${schema}" cascade`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A browser context signed in with `token` through the session endpoint (the cookie the sign-in page would get). */
export async function signedIn(browser: Browser, service: DashboardService, token = service.adminToken, options: { width?: number; colorScheme?: 'light' | 'dark' } = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL: service.url, viewport: { width: options.width ?? 1280, height: 900 }, colorScheme: options.colorScheme ?? 'light' });
  const response = await context.request.post('/api/v1/session', { data: { token } });
  if (!response.ok()) throw new Error(`sign-in failed: ${response.status()} ${await response.text()}`);
  return context;
}

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const AXE_SOURCE = readFileSync(AXE, 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** axe-core on the current page (WCAG 2.0/2.1 A and AA): the serious and critical violations, described. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  // Through the devtools protocol, not a <script> tag: the service's Content-Security-Policy (script-src 'self') blocks inline scripts.
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: unknown): Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }> }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => JSON.stringify(n.target)) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** The boolean flag shape used by the browser tests' seeds. */
export const booleanFlag = (enabled = true, extra: Record<string, unknown> = {}) => ({
  variants: { on: true, off: false },
  enabled,
  offVariant: 'off',
  defaultServe: { variant: 'on' },
  ...extra,
});
