import { readFileSync } from 'node:fs';
import http from 'node:http';
import { createGunzip } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { startCli, type CliProcess } from './cli';
import { booleanFlag, createStorage, type Backend, type TestStorage } from './helpers';

/**
 * The soak: the real `halyard serve` process under sustained mixed load for a bounded time — SDK document reads
 * (with and without ETag), client evaluations, SSE streams held open, and admin writes (create, toggle, rollout,
 * replace, delete) — then checks that nothing failed, the service's RSS stayed flat, every acknowledged write is
 * stored and audited exactly once, and every stream reached the final version.
 *
 * Load is closed-loop (each worker sends its next request when the previous one answered), so it runs at whatever
 * the machine can do; latencies are printed, never asserted. HALYARD_SOAK_SECONDS sets the PostgreSQL run's
 * length (default 45); the PGlite run takes a third of it (at least 10 s).
 */
const SECONDS = Number(process.env.HALYARD_SOAK_SECONDS ?? 45);
if (!(SECONDS > 0)) throw new Error(`HALYARD_SOAK_SECONDS must be a positive number of seconds, not ${JSON.stringify(process.env.HALYARD_SOAK_SECONDS)}`);
const RUNS: Array<{ backend: Backend; seconds: number }> = [
  { backend: 'postgres', seconds: SECONDS },
  { backend: 'pglite', seconds: Math.max(10, Math.round(SECONDS / 3)) },
];
const ENV = 'production';
const READERS = { definitions: 2, definitionsEtag: 2, evaluate: 2 };
const WRITERS = 3;
/** Flags each writer keeps alive: creates stop at this many, deletes make room again, so the document stays small. */
const FLAGS_PER_WRITER = 8;
const STREAMS = 16;
const MIB = 1024 * 1024;
/**
 * RSS is flat when the median of the run's last quarter is within this of the second quarter's median (the first
 * quarter is warm-up: JIT, heap sizing, connection pools). Medians, so one GC spike decides nothing. The bytes
 * cover V8's sawtooth: on PostgreSQL the service's RSS swings between ~185 and ~250 MiB from one major GC to the
 * next, and under load the second quarter can still be warming up (~170 MiB). A leak of ~5 KiB per request at
 * 1,000 requests/s still fails; smaller ones are below what one 45 s run can tell apart from GC.
 */
const RSS_MARGIN = { ratio: 1.25, bytes: 64 * MIB };

const running: CliProcess[] = [];
const storages: TestStorage[] = [];

afterAll(async () => {
  for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  await Promise.all(running.map((p) => p.exited));
  await Promise.all(storages.map((s) => s.drop()));
});

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request over a keep-alive agent; rejects only on socket errors and the 30 s "not hung" bound. */
function request(agent: http.Agent, url: string, method: string, options: { token: string; body?: unknown; headers?: Record<string, string> }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = { authorization: `Bearer ${options.token}`, ...options.headers };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const req = http.request(url, { method, agent, headers, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within 30 s: ${method} ${url}`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** An SSE stream that keeps only what the checks need (versions in order, the last document), not every event. */
class StreamWatch {
  versions = 0;
  lastVersion = -1;
  lastData = '';
  /** Events whose version did not increase: versions only move forward. */
  regressions: string[] = [];
  ended = false;
  error: string | undefined;
  private readonly req: http.ClientRequest;
  private waiters: Array<() => void> = [];
  private closing = false;

  constructor(url: string, token: string, readonly gzip: boolean) {
    this.req = http.get(url, { agent: false, headers: { authorization: `Bearer ${token}`, 'accept-encoding': gzip ? 'gzip' : 'identity' } }, (res) => {
      if (res.statusCode !== 200) this.error = `stream answered ${res.statusCode}`;
      const text = gzip && res.headers['content-encoding'] === 'gzip' ? res.pipe(createGunzip()) : res;
      let buffer = '';
      text.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        let index: number;
        while ((index = buffer.indexOf('\n\n')) >= 0) {
          this.onBlock(buffer.slice(0, index));
          buffer = buffer.slice(index + 2);
        }
      });
      text.on('end', () => (this.ended = true));
      text.on('error', (error: Error) => (this.error ??= `stream error: ${error.message}`));
    });
    this.req.on('error', (error) => {
      if (!this.closing) this.error ??= `stream socket error: ${error.message}`;
    });
  }

  private onBlock(block: string): void {
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('id: ')) id = line.slice(4);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    if (id === undefined) return;
    const version = Number(id);
    if (!(version > this.lastVersion)) this.regressions.push(`${this.lastVersion} → ${id}`);
    this.lastVersion = version;
    this.lastData = data.join('\n');
    this.versions++;
    for (const wake of this.waiters.splice(0)) wake();
  }

  async reach(version: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.lastVersion < version && Date.now() < deadline && this.error === undefined && !this.ended) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.closing = true;
    this.req.destroy();
  }
}

function rssOf(pid: number): number | undefined {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

type Action = 'flag.create' | 'flag.toggle' | 'flag.rollout' | 'flag.update' | 'flag.delete';

/** A flag as its writer's last acknowledged write left it. */
interface LiveFlag {
  enabled: boolean;
  percentage: number | undefined;
  version: number;
  definition: unknown;
}

async function soak(backend: Backend, seconds: number): Promise<void> {
  const storage = createStorage(backend);
  storages.push(storage);
  const service =
    backend === 'postgres'
      ? await startCli([], { DATABASE_URL: storage.options.databaseUrl!, HALYARD_DB_SCHEMA: storage.options.schema! })
      : await startCli(['--data-dir', storage.options.dataDir!], {});
  running.push(service);
  const base = service.url;
  const admin = service.token!;
  const pid = service.child.pid!;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

  // Every failure counts; the first 50 are kept to be shown.
  let errorCount = 0;
  const errors: string[] = [];
  const fail = (message: string): void => {
    errorCount++;
    if (errors.length < 50) errors.push(message);
  };
  const setupKey = async (type: 'sdk' | 'client'): Promise<string> => {
    const r = await request(agent, `${base}/api/v1/keys`, 'POST', { token: admin, body: { type, environment: ENV, name: `soak ${type}` } });
    if (r.status !== 201) throw new Error(`creating a ${type} key: ${r.status} ${r.body}`);
    return (JSON.parse(r.body) as { token: string }).token;
  };
  const sdkKey = await setupKey('sdk');
  const clientKey = await setupKey('client');

  const streams = Array.from({ length: STREAMS }, (_, i) => new StreamWatch(`${base}/sdk/v1/stream`, sdkKey, i % 2 === 0));

  const latencies: number[] = [];
  let requests = 0;
  let notModified = 0;
  const deadline = Date.now() + seconds * 1000;
  /** Sends one request, counts it and its latency; `expected` are the statuses that mean success for this call. */
  const timed = async (label: string, expected: number[], send: () => Promise<Reply>): Promise<Reply | undefined> => {
    const started = performance.now();
    try {
      const reply = await send();
      latencies.push(performance.now() - started);
      requests++;
      if (!expected.includes(reply.status)) {
        fail(`${label}: ${reply.status} ${reply.body.slice(0, 300)}`);
        return undefined;
      }
      return reply;
    } catch (error) {
      requests++;
      fail(`${label}: ${String(error)}`);
      return undefined;
    }
  };

  const definitionsReader = async (withEtag: boolean): Promise<void> => {
    let etag: string | undefined;
    let seen = -1;
    while (Date.now() < deadline) {
      const headers: Record<string, string> = etag === undefined ? {} : { 'if-none-match': etag };
      const reply = await timed('GET /sdk/v1/definitions', [200, 304], () => request(agent, `${base}/sdk/v1/definitions`, 'GET', { token: sdkKey, headers }));
      if (reply?.status === 304) notModified++;
      if (reply?.status !== 200) continue;
      const version = Number((JSON.parse(reply.body) as { version: string }).version);
      // One client reading in sequence never goes back in time.
      if (version < seen) fail(`GET /sdk/v1/definitions went back from version ${seen} to ${version}`);
      seen = version;
      if (withEtag) etag = String(reply.headers.etag);
    }
  };

  const evaluator = async (): Promise<void> => {
    let n = 0;
    while (Date.now() < deadline) {
      const reply = await timed('POST /sdk/v1/evaluate', [200], () => request(agent, `${base}/sdk/v1/evaluate`, 'POST', { token: clientKey, body: { context: { userId: `soak-user-${n++}` } } }));
      if (reply) JSON.parse(reply.body);
    }
  };

  // Every acknowledged write, per flag key in order: what the audit log must hold for that key.
  const acknowledged = new Map<string, Action[]>();
  const live = new Map<string, LiveFlag>();
  let writes = 0;
  const writer = async (index: number): Promise<void> => {
    const owned: string[] = [];
    let created = 0;
    let n = 0;
    const ack = (key: string, action: Action, reply: Reply): void => {
      writes++;
      const list = acknowledged.get(key) ?? [];
      list.push(action);
      acknowledged.set(key, list);
      if (action === 'flag.delete') return;
      const stored = JSON.parse(reply.body) as { version: number; definition: { enabled: boolean } };
      const previous = live.get(key);
      live.set(key, { enabled: stored.definition.enabled, percentage: previous?.percentage, version: stored.version, definition: stored.definition });
    };
    while (Date.now() < deadline) {
      n++;
      const flagsUrl = `${base}/api/v1/environments/${ENV}/flags`;
      if (owned.length < FLAGS_PER_WRITER) {
        const key = `soak-w${index}-${created++}`;
        const reply = await timed('create', [201], () => request(agent, flagsUrl, 'POST', { token: admin, body: { key, definition: booleanFlag(n % 2 === 0) } }));
        if (reply) {
          ack(key, 'flag.create', reply);
          owned.push(key);
        }
        continue;
      }
      const key = owned[n % owned.length]!;
      const current = live.get(key)!;
      switch (n % 4) {
        case 0: {
          // Always the opposite of what is stored: a toggle to the current value writes (and audits) nothing.
          const reply = await timed('toggle', [200], () => request(agent, `${flagsUrl}/${key}/toggle`, 'POST', { token: admin, body: { enabled: !current.enabled } }));
          if (reply) ack(key, 'flag.toggle', reply);
          break;
        }
        case 1: {
          let percentage = 1 + (n % 99);
          if (percentage === current.percentage) percentage = percentage === 99 ? 1 : percentage + 1;
          const reply = await timed('rollout', [200], () => request(agent, `${flagsUrl}/${key}/rollout`, 'POST', { token: admin, body: { percentage } }));
          if (reply) {
            ack(key, 'flag.rollout', reply);
            live.get(key)!.percentage = percentage;
          }
          break;
        }
        case 2: {
          const definition = { ...booleanFlag(!current.enabled), description: `soak update ${n}` };
          const reply = await timed('replace', [200], () =>
            request(agent, `${flagsUrl}/${key}`, 'PUT', { token: admin, body: { definition }, headers: { 'if-match': `"${current.version}"` } }),
          );
          if (reply) {
            ack(key, 'flag.update', reply);
            live.get(key)!.percentage = undefined;
          }
          break;
        }
        default: {
          const reply = await timed('delete', [204], () => request(agent, `${flagsUrl}/${key}`, 'DELETE', { token: admin }));
          if (reply) {
            ack(key, 'flag.delete', reply);
            live.delete(key);
            owned.splice(owned.indexOf(key), 1);
          }
        }
      }
    }
  };

  const rss: number[] = [];
  const sampleRss = (): void => {
    const value = rssOf(pid);
    if (value !== undefined) rss.push(value);
  };
  sampleRss();
  const sampler = setInterval(sampleRss, 1000);
  try {
    await Promise.all([
      ...Array.from({ length: READERS.definitions }, () => definitionsReader(false)),
      ...Array.from({ length: READERS.definitionsEtag }, () => definitionsReader(true)),
      ...Array.from({ length: READERS.evaluate }, () => evaluator()),
      ...Array.from({ length: WRITERS }, (_, i) => writer(i)),
    ]);
  } finally {
    clearInterval(sampler);
  }
  sampleRss();

  // What is stored: every live flag as last acknowledged, nothing else (deleted flags gone).
  const document = await request(agent, `${base}/api/v1/environments/${ENV}/document`, 'GET', { token: admin });
  expect(document.status).toBe(200);
  const finalDocument = JSON.parse(document.body) as { version: string; flags: Record<string, unknown> };
  const finalVersion = Number(finalDocument.version);
  const list = await request(agent, `${base}/api/v1/environments/${ENV}/flags`, 'GET', { token: admin });
  expect(list.status).toBe(200);
  const stored = new Map((JSON.parse(list.body) as { flags: Array<{ key: string; version: number; definition: unknown }> }).flags.map((f) => [f.key, f]));
  expect([...stored.keys()].sort()).toEqual([...live.keys()].sort());
  for (const [key, expected] of live) {
    expect(stored.get(key)?.version, key).toBe(expected.version);
    expect(stored.get(key)?.definition, key).toEqual(expected.definition);
  }
  expect(Object.keys(finalDocument.flags).sort()).toEqual([...live.keys()].sort());

  // The audit log: exactly one entry per acknowledged write, in the order the writes were acknowledged.
  const audited = new Map<string, Action[]>();
  let cursor: string | null = null;
  const entries: Array<{ action: Action; resourceKey: string }> = [];
  do {
    const page: Reply = await request(agent, `${base}/api/v1/audit?env=${ENV}&resourceType=flag&limit=500${cursor === null ? '' : `&cursor=${cursor}`}`, 'GET', { token: admin });
    expect(page.status).toBe(200);
    const body = JSON.parse(page.body) as { entries: Array<{ action: Action; resourceKey: string }>; nextCursor: string | null };
    entries.push(...body.entries);
    cursor = body.nextCursor;
  } while (cursor !== null);
  for (const entry of entries.reverse()) {
    const actions = audited.get(entry.resourceKey) ?? [];
    actions.push(entry.action);
    audited.set(entry.resourceKey, actions);
  }
  expect(entries).toHaveLength(writes);
  expect(audited).toEqual(acknowledged);

  // Every stream reaches the final version with the final document; versions only moved forward.
  await Promise.all(streams.map((s) => s.reach(finalVersion, 30_000)));
  const health = await request(agent, `${base}/health`, 'GET', { token: admin });
  for (const [i, s] of streams.entries()) {
    expect({ stream: i, error: s.error, ended: s.ended, regressions: s.regressions, lastVersion: s.lastVersion }).toEqual({ stream: i, error: undefined, ended: false, regressions: [], lastVersion: finalVersion });
    expect(JSON.parse(s.lastData)).toEqual(finalDocument);
  }
  expect((JSON.parse(health.body) as { streams: number }).streams).toBe(STREAMS);
  for (const s of streams) s.close();
  agent.destroy();

  const sorted = [...latencies].sort((a, b) => a - b);
  const quarter = Math.floor(rss.length / 4);
  const second = median(rss.slice(quarter, 2 * quarter));
  const last = median(rss.slice(rss.length - quarter));
  const mib = (bytes: number) => (bytes / MIB).toFixed(1);
  const versionsSeen = streams.map((s) => s.versions);
  console.log(
    `soak ${backend} ${seconds}s: ${requests} requests (${(requests / seconds).toFixed(0)}/s, ${notModified} × 304), ${writes} writes acknowledged and audited, ` +
      `document v${finalVersion}, ${STREAMS} streams saw ${Math.min(...versionsSeen)}–${Math.max(...versionsSeen)} versions, ` +
      `latency p50 ${percentile(sorted, 50).toFixed(1)} ms p99 ${percentile(sorted, 99).toFixed(1)} ms max ${(sorted[sorted.length - 1] ?? 0).toFixed(1)} ms, ` +
      `RSS start ${mib(rss[0] ?? 0)} MiB end ${mib(rss[rss.length - 1] ?? 0)} MiB (median 2nd quarter ${mib(second)}, last quarter ${mib(last)}), errors ${errorCount}`,
  );
  console.log(`soak ${backend} RSS MiB per second: ${rss.map(mib).join(' ')}`);

  expect(errors).toEqual([]);
  expect(errorCount).toBe(0);
  expect(writes).toBeGreaterThan(0);
  if (rss.length >= 8) expect(last, `RSS grew: last-quarter median ${mib(last)} MiB vs second-quarter median ${mib(second)} MiB`).toBeLessThanOrEqual(second * RSS_MARGIN.ratio + RSS_MARGIN.bytes);
  else console.log(`soak ${backend}: only ${rss.length} RSS samples (no /proc?), RSS not checked`);

  service.child.kill('SIGTERM');
  expect(await service.exited).toBe(0);
}

describe('soak: the real service under sustained mixed load', () => {
  for (const { backend, seconds } of RUNS) {
    it(`${backend}: ${seconds} s of SDK reads, evaluations, streams and admin writes — no errors, flat RSS, every write stored and audited`, () => soak(backend, seconds), (seconds + 180) * 1000);
  }
});
