import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createServer, type HalyardServer, type ServerOptions } from '../src/index';

export const POSTGRES_URL = process.env.HALYARD_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.HALYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export type Backend = 'postgres' | 'pglite';
export const BACKENDS: Backend[] = ['postgres', 'pglite'];

/** A private place for one test file's data: a fresh Postgres schema or a fresh PGlite directory. Call `drop()` after. */
export interface TestStorage {
  backend: Backend;
  options: Pick<ServerOptions, 'databaseUrl' | 'schema' | 'dataDir'>;
  drop(): Promise<void>;
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

export function createStorage(backend: Backend): TestStorage {
  if (backend === 'postgres') {
    const schema = uniqueName('halyard_t');
    return {
      backend,
      options: { databaseUrl: POSTGRES_URL, schema },
      async drop() {
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
  const dataDir = mkdtempSync(join(tmpdir(), 'halyard-pglite-'));
  return {
    backend,
    options: { dataDir },
    async drop() {
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function startServer(storage: TestStorage, extra: ServerOptions = {}): Promise<HalyardServer> {
  return createServer({ ...storage.options, port: 0, logger: false, ...extra });
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** Small fetch wrapper: JSON in, JSON (or text) out, never throws on HTTP status. */
export async function call<T = any>(
  base: string,
  method: string,
  path: string,
  options: { token?: string | undefined; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(base + path, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  if ((response.headers.get('content-type') ?? '').includes('json') && text !== '') parsed = JSON.parse(text);
  return { status: response.status, headers: response.headers, body: parsed as T };
}

export const booleanFlag = (enabled = true) => ({
  variants: { on: true, off: false },
  enabled,
  offVariant: 'off',
  defaultServe: { variant: 'on' },
});

export async function createKey(base: string, adminToken: string, body: Record<string, unknown>): Promise<string> {
  const response = await call(base, 'POST', '/api/v1/keys', { token: adminToken, body });
  if (response.status !== 201) throw new Error(`creating key failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.token as string;
}

/** A minimal SSE reader over fetch: collects `update` events and lets a test wait for one that matches. */
export class SseClient {
  readonly events: Array<{ id: string | undefined; data: any; at: number }> = [];
  comments = 0;
  status = 0;
  contentEncoding: string | null = null;
  private controller = new AbortController();
  private waiters: Array<() => void> = [];
  readonly done: Promise<void>;

  private constructor(private readonly response: Response) {
    this.status = response.status;
    this.contentEncoding = response.headers.get('content-encoding');
    this.done = this.read().catch(() => {});
  }

  static async connect(url: string, token: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const controller = new AbortController();
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}`, ...headers }, signal: controller.signal });
    const client = new SseClient(response);
    client.controller = controller;
    return client;
  }

  private async read(): Promise<void> {
    if (!this.response.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of this.response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let index: number;
      while ((index = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, index);
        buffer = buffer.slice(index + 2);
        let event = 'message';
        let id: string | undefined;
        const data: string[] = [];
        let isComment = true;
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue;
          isComment = false;
          if (line.startsWith('event: ')) event = line.slice(7);
          else if (line.startsWith('id: ')) id = line.slice(4);
          else if (line.startsWith('data: ')) data.push(line.slice(6));
        }
        if (isComment) this.comments++;
        else if (event === 'update') this.events.push({ id, data: JSON.parse(data.join('\n')), at: Date.now() });
        for (const wake of this.waiters.splice(0)) wake();
      }
    }
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Resolves with the first event (from index `from`) matching `predicate`; rejects after `timeoutMs`. */
  async waitFor(predicate: (data: any) => boolean, timeoutMs = 10_000, from = 0): Promise<{ id: string | undefined; data: any; at: number }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.slice(from).find((e) => predicate(e.data));
      if (found) return found;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`SSE: no matching event within ${timeoutMs} ms (got ${this.events.length} events)`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits until `count` comment frames (heartbeats) arrived. */
  async waitForComments(count: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.comments < count) {
      if (Date.now() > deadline) throw new Error(`SSE: only ${this.comments} comments within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close(): void {
    this.controller.abort();
  }
}
