import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HalyardServer } from '../src/index';
import { call, createStorage, startServer, type TestStorage } from './helpers';

const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
const INDEX = `<!doctype html><html><head><script type="module" src="/assets/index-abc123.js"></script></head><body><div id="root"></div>${'<!-- padding -->'.repeat(64)}</body></html>`;
const SCRIPT = `console.log(${JSON.stringify('halyard dashboard '.repeat(200))});`;

/** A raw HTTP GET: the path goes out byte for byte (fetch would normalise `..`), the body stays encoded. */
function rawGet(base: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path, method: 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the dashboard at / (pglite)', () => {
  let storage: TestStorage;
  let server: HalyardServer;
  let dist: string;

  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), 'halyard-dashboard-'));
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'index.html'), INDEX);
    writeFileSync(join(dist, 'assets', 'index-abc123.js'), SCRIPT);
    writeFileSync(join(dist, 'assets', 'index-abc123.css'), 'body{color:red}');
    writeFileSync(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    storage = createStorage('pglite');
    server = await startServer(storage, { dashboardDir: dist });
  });
  afterAll(async () => {
    await server?.close();
    await storage?.drop();
    rmSync(dist, { recursive: true, force: true });
  });

  it('serves index.html at / with no-cache, a strict CSP and the security headers', async () => {
    const response = await fetch(`${server.url}/`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(INDEX);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('content-security-policy')).toBe(CSP);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    const etag = response.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await fetch(`${server.url}/`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
  });

  it('answers the app routes a browser navigates to with index.html; unknown service paths stay JSON 404s', async () => {
    for (const path of ['/flags', '/flags/new-checkout', '/audit?flag=x', '/environments/production/flags/a']) {
      const page = await fetch(server.url + path, { headers: { accept: 'text/html,application/xhtml+xml' } });
      expect(page.status, path).toBe(200);
      expect(await page.text()).toBe(INDEX);
    }
    const api = await call(server.url, 'GET', '/flags/new-checkout', { headers: { accept: 'application/json' } });
    expect(api.status).toBe(404);
    for (const path of ['/api/v1/nope', '/sdk/v1/nope', '/ofrep/v1/nope', '/health/nope']) {
      const response = await call(server.url, 'GET', path, { headers: { accept: 'text/html' } });
      expect(response.status, path).toBe(404);
      expect(response.body.error.code, path).toBe('not_found');
    }
    expect((await call(server.url, 'POST', '/flags', { headers: { accept: 'text/html' } })).status).toBe(404);
    // The service's own routes are untouched.
    expect((await call(server.url, 'GET', '/health')).status).toBe(200);
    expect((await call(server.url, 'GET', '/api/v1/me')).status).toBe(401);
  });

  it('serves hashed assets immutable, with their types, ETags and gzip or brotli when accepted', async () => {
    const plain = await rawGet(server.url, '/assets/index-abc123.js');
    expect(plain.status).toBe(200);
    expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(plain.headers['content-security-policy']).toBe(CSP);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(SCRIPT);
    const gz = await rawGet(server.url, '/assets/index-abc123.js', { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers.vary).toMatch(/Accept-Encoding/);
    expect(gunzipSync(gz.body).toString()).toBe(SCRIPT);
    const br = await rawGet(server.url, '/assets/index-abc123.js', { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.body).toString()).toBe(SCRIPT);
    expect(br.body.length).toBeLessThan(SCRIPT.length / 5);
    const noBrotli = await rawGet(server.url, '/assets/index-abc123.js', { 'accept-encoding': 'br;q=0, gzip' });
    expect(noBrotli.headers['content-encoding']).toBe('gzip');
    const notModified = await rawGet(server.url, '/assets/index-abc123.js', { 'if-none-match': String(plain.headers.etag) });
    expect(notModified.status).toBe(304);
    expect((await rawGet(server.url, '/assets/index-abc123.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    const icon = await rawGet(server.url, '/favicon.svg');
    expect(icon.headers['content-type']).toBe('image/svg+xml');
    expect(icon.headers['cache-control']).toBe('no-cache');
    // A missing asset is a 404, never the app's HTML (a stale tab would run HTML as a script).
    const missing = await rawGet(server.url, '/assets/index-gone.js', { accept: 'text/html' });
    expect(missing.status).toBe(404);
  });

  it('never serves a file outside the dashboard (path traversal)', async () => {
    for (const path of [
      '/assets/..%2f..%2fpackage.json',
      '/assets/../../package.json',
      '/assets/%2e%2e/%2e%2e/package.json',
      '/..%2f..%2fpackage.json',
      '/assets/..%5c..%5cpackage.json',
      '/assets/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    ]) {
      const response = await rawGet(server.url, path, { accept: 'text/html' });
      expect(response.status === 404 || response.body.toString() === INDEX, path).toBe(true);
      expect(response.body.toString(), path).not.toMatch(/"name"|root:/);
    }
  });
});

describe('without a dashboard (pglite)', () => {
  let storage: TestStorage;
  beforeAll(() => {
    storage = createStorage('pglite');
  });
  afterAll(async () => {
    await storage?.drop();
  });

  it('dashboardDir: false keeps / the 404 JSON of before', async () => {
    const server = await startServer(storage, { dashboardDir: false });
    try {
      const response = await call(server.url, 'GET', '/', { headers: { accept: 'text/html' } });
      expect(response.status).toBe(404);
      expect(response.body.error).toMatchObject({ code: 'not_found', message: expect.stringMatching(/^No route for GET \//) });
      expect((await call(server.url, 'GET', '/flags', { headers: { accept: 'text/html' } })).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('a dashboard directory that was never built answers / with a 404 naming the fix', async () => {
    const server = await startServer(storage, { dashboardDir: join(tmpdir(), 'halyard-no-such-dashboard') });
    try {
      const html = await fetch(`${server.url}/`, { headers: { accept: 'text/html' } });
      expect(html.status).toBe(404);
      expect(html.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await html.text()).toContain('pnpm --dir packages/dashboard build');
      const json = await call(server.url, 'GET', '/');
      expect(json.status).toBe(404);
      expect(json.body.error.message).toContain('pnpm --dir packages/dashboard build');
      expect(json.body.error.message).toContain('--no-dashboard');
    } finally {
      await server.close();
    }
  });
});
