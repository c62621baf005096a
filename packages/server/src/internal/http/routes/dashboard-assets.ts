import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress as brotliCallback, constants as zlib, gzip as gzipCallback } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Api } from '../api';
import { acceptsGzip, tagNotModified } from '../conditional';

const gzip = promisify(gzipCallback);
const brotli = promisify(brotliCallback);

/** The dashboard talks to this origin only, loads nothing from elsewhere, and may not be framed. */
export const DASHBOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const SECURITY_HEADERS = {
  'content-security-policy': DASHBOARD_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
} as const;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.map', '.svg', '.txt', '.webmanifest', '.ico', '.wasm']);

/** The dist is a few hundred KB; these bounds only stop a wrong directory (a home folder) from being slurped. */
const MAX_FILES = 2000;
const MAX_BYTES = 64 * 1024 * 1024;
/** Smaller files gain nothing from compression. */
const MIN_COMPRESS_BYTES = 512;

/** Paths that belong to the service, never to the app: unknown ones stay JSON 404s even for a browser. */
const SERVICE_PREFIXES = ['/api/', '/sdk/', '/ofrep/', '/health', '/openapi', '/metrics'];

export const BUILD_HINT = 'pnpm --dir packages/dashboard build';

interface Asset {
  type: string;
  /** The content hash; each encoding's ETag adds its name (RFC 9110: representations have their own tags). */
  tag: string;
  body: Buffer;
  gzip?: Buffer;
  br?: Buffer;
  /** Under assets/: content-hashed names, cached forever. */
  immutable: boolean;
}

/** The built app in memory: file path relative to the dist (`index.html`, `assets/index-abc.js`) → asset. */
export type DashboardAssets = ReadonlyMap<string, Asset>;

async function listFiles(root: string): Promise<string[]> {
  const files: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > 8) return;
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (files.length >= MAX_FILES) throw new Error(`@halyard/server: the dashboard directory ${root} has more than ${MAX_FILES} files; point dashboardDir at the built dist`);
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path, depth + 1);
      else if (entry.isFile()) files.push(path);
    }
  };
  await walk(root, 0);
  return files;
}

async function variant(path: string, compress: () => Promise<Buffer>): Promise<Buffer | undefined> {
  // Precompressed at build (scripts/copy-dashboard.mjs writes .br/.gz beside each file); otherwise once, here.
  if (existsSync(path)) return readFile(path);
  return compress();
}

/**
 * Reads the built dashboard into memory once, with its gzip and brotli forms: requests never touch the file
 * system, so no URL can name a file outside the set (no path traversal), and nothing is compressed per request.
 */
export async function loadDashboard(root: string): Promise<DashboardAssets> {
  const assets = new Map<string, Asset>();
  let bytes = 0;
  for (const file of await listFiles(root)) {
    const ext = extname(file);
    if (ext === '.br' || ext === '.gz') continue;
    const body = await readFile(file);
    bytes += body.length;
    if (bytes > MAX_BYTES) throw new Error(`@halyard/server: the dashboard directory ${root} holds more than ${MAX_BYTES >> 20} MiB; point dashboardDir at the built dist`);
    const name = relative(root, file).split(sep).join('/');
    const asset: Asset = {
      type: TYPES[ext] ?? 'application/octet-stream',
      tag: createHash('sha256').update(body).digest('base64url').slice(0, 22),
      body,
      immutable: name.startsWith('assets/'),
    };
    if (COMPRESSIBLE.has(ext) && body.length >= MIN_COMPRESS_BYTES) {
      const [gz, br] = await Promise.all([
        variant(`${file}.gz`, () => gzip(body, { level: 9 })),
        variant(`${file}.br`, () => brotli(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 5, [zlib.BROTLI_PARAM_SIZE_HINT]: body.length } })),
      ]);
      if (gz && gz.length < body.length) asset.gzip = gz;
      if (br && br.length < body.length) asset.br = br;
    }
    assets.set(name, asset);
  }
  return assets;
}

/** Loaded dists, shared by the services of one process (tests start many); keyed by directory and build time. */
const loaded = new Map<string, Promise<DashboardAssets>>();
const MAX_LOADED = 4;

async function cachedLoad(root: string): Promise<DashboardAssets> {
  const key = `${root}\0${(await stat(join(root, 'index.html'))).mtimeMs}`;
  let assets = loaded.get(key);
  if (!assets) {
    if (loaded.size >= MAX_LOADED) loaded.delete(loaded.keys().next().value!);
    assets = loadDashboard(root);
    loaded.set(key, assets);
    assets.catch(() => loaded.delete(key));
  }
  return assets;
}

function moduleDir(): string {
  // The CJS build has __dirname; ESM (and tsup's shim) has import.meta.url.
  return typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url));
}

/**
 * Where the dashboard is by default: the copy shipped in @halyard/server (`dist/dashboard`, beside the bundled
 * `dist/index.js`), else — running from sources, where this file is `src/internal/http/routes/` — the workspace's
 * `packages/dashboard/dist`. `undefined` when neither has been built.
 */
export function defaultDashboardDir(): string | undefined {
  const here = moduleDir();
  const candidates = [resolve(here, 'dashboard'), resolve(here, '../../../../../dashboard/dist')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html')));
}

function acceptsBrotli(header: string | string[] | undefined): boolean {
  if (typeof header !== 'string' || !/(?:^|[\s,])br(?:[\s;,]|$)/.test(header)) return false;
  return !/(?:^|[\s,])br\s*;\s*q=0(?:\.0*)?(?:\s*,|\s*$)/.test(header);
}

function send(request: FastifyRequest, reply: FastifyReply, asset: Asset): FastifyReply {
  reply.headers(SECURITY_HEADERS);
  reply.header('cache-control', asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  reply.header('vary', 'Accept-Encoding');
  const encodings = request.headers['accept-encoding'];
  const encoding = asset.br && acceptsBrotli(encodings) ? 'br' : asset.gzip && acceptsGzip(encodings) ? 'gzip' : undefined;
  const tag = encoding === undefined ? asset.tag : `${asset.tag}-${encoding}`;
  reply.header('etag', `"${tag}"`);
  // Any representation's tag means the client has this content.
  const ifNoneMatch = request.headers['if-none-match'];
  if ([asset.tag, `${asset.tag}-br`, `${asset.tag}-gzip`].some((candidate) => tagNotModified(ifNoneMatch, candidate))) return reply.code(304).send();
  reply.header('content-type', asset.type);
  if (encoding === 'br') return reply.header('content-encoding', 'br').send(asset.br);
  if (encoding === 'gzip') return reply.header('content-encoding', 'gzip').send(asset.gzip);
  return reply.send(asset.body);
}

const wantsHtml = (request: FastifyRequest) => (request.headers.accept ?? '').includes('text/html');

/**
 * Serves the dashboard: `/` and the app's own routes (GET with `Accept: text/html`, outside the service's
 * paths) answer index.html, `/assets/*` the hashed files (cached for a year), everything with a strict CSP.
 * Registered last: the service's routes are static and win over the wildcard.
 */
export async function dashboardRoutes(api: Api, option: string | undefined, log: { warn(message: string): void }): Promise<void> {
  const dir = option === undefined ? defaultDashboardDir() : resolve(option);
  let assets: DashboardAssets | undefined;
  if (dir !== undefined && existsSync(join(dir, 'index.html'))) {
    try {
      assets = await cachedLoad(dir);
    } catch (error) {
      // A dashboard being rebuilt (files vanishing mid-read) must not keep the flag service from starting.
      log.warn(`@halyard/server: reading the dashboard in ${dir} failed (${(error as Error).message}); / answers 404 until a restart`);
    }
  } else if (option !== undefined) {
    log.warn(`@halyard/server: dashboardDir ${dir} has no index.html; build it (${BUILD_HINT}) or start with --no-dashboard`);
  }
  const hidden = { schema: { hide: true } };
  const index = assets?.get('index.html');
  if (!assets || !index) {
    const message = `@halyard/server: the dashboard is not built. Run \`${BUILD_HINT}\` and restart, or start with --no-dashboard (dashboardDir: false) to turn it off`;
    api.get('/', hidden, async (request, reply) => {
      reply.code(404).headers(SECURITY_HEADERS);
      if (!wantsHtml(request)) return reply.send({ error: { code: 'not_found', message } });
      const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Halyard: dashboard not built</title></head><body><h1>The Halyard dashboard is not built</h1><p>Run <code>${BUILD_HINT}</code> and restart the service, or start it with <code>--no-dashboard</code>. The API is at <a href="/openapi.json">/openapi.json</a>.</p></body></html>`;
      return reply.header('content-type', 'text/html; charset=utf-8').send(html);
    });
    return;
  }
  const files = assets;
  api.get('/', hidden, async (request, reply) => send(request, reply, index));
  api.get('/*', hidden, async (request, reply) => {
    const path = (request.params as { '*': string })['*'];
    const asset = files.get(path);
    if (asset) return send(request, reply, asset);
    const url = `/${path}`;
    // A missing hashed asset, or any unknown service path, is a real 404 (the app's HTML would be a wrong answer).
    if (path.startsWith('assets/') || SERVICE_PREFIXES.some((prefix) => url.startsWith(prefix)) || !wantsHtml(request)) return reply.callNotFound();
    return send(request, reply, index);
  });
}
