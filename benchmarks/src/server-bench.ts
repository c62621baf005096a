/**
 * `pnpm bench:server`: the Halyard flag service (`halyard serve`) under load, beside the Unleash figures measured
 * on the same machine kind (unleash-server 8.2.0 + PostgreSQL 15, 50 flags, 50 connections, 15 s).
 *
 * Method:
 * - the server runs as its own child process (plain `node`, no loader: src/cli.ts bundled with esbuild, npm
 *   dependencies external), on real PostgreSQL (BENCH_DATABASE_URL, default the local `test` database, in a
 *   throw-away schema) or on PGlite when PostgreSQL is unreachable; RSS is read from /proc/<pid>/status;
 * - 50 flags with targets, rules and splits (~36 KB document, like the 35 KB Unleash payload);
 * - cold start = spawn → GET /health 200, on an existing database (second start);
 * - autocannon, 50 connections, BENCH_DURATION seconds each (default 10), after a 3 s warm-up:
 *   GET /sdk/v1/definitions with gzip (what SDKs send), without gzip (full 35 KB body), with If-None-Match (304),
 *   and POST /sdk/v1/evaluate (client key, 10,000 users cycled);
 * - propagation: BENCH_STREAMS (default 1,000) SSE streams connected to /sdk/v1/stream, first asking for gzip (as
 *   fetch-based SDKs do), then identity; BENCH_TOGGLES (default 20) kill-switch toggles through the admin API each;
 *   per stream, the time from sending the toggle to the new version's event bytes arriving (every stream × every
 *   toggle is one sample). All streams live in this one process, so its own socket handling is included (its
 *   CPU per toggle is printed beside the server's: it is several times the server's and shares the 2 cores);
 * - scale (issue #17): BENCH_SCALE_STREAMS (default 1,000 and 10,000) SSE streams on one instance, held by raw
 *   `net` sockets in BENCH_SCALE_CLIENTS (default 2) child processes (internal/stream-clients.ts: no HTTP parser, no
 *   decoding, arrival stamped with the monotonic clock shared by all processes), connected with Last-Event-ID so the
 *   initial document is skipped; BENCH_SCALE_TOGGLES (default 10) toggles; full-document events, and `event: patch`
 *   deltas (`?delta=1`) when the server offers them. The open-file limit is read from /proc/self/limits and printed;
 *   a count that does not fit under it is skipped with a message (raise it with `ulimit -n`);
 * - cluster (issue #17): three instances on one PostgreSQL (+ Redis when reachable at BENCH_REDIS_URL), one SSE
 *   stream on each, BENCH_CLUSTER_WRITES (default 20) toggles rotated over the instances; per write, the time until
 *   the last instance's stream has the new version, and whether all three got it;
 * - the peers' published figures (Unleash Edge, LaunchDarkly Relay Proxy), with their sources: published, not
 *   measured here;
 * - BENCH_SERVER_NODE_ARGS adds node flags to the server child, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof";
 * - server CPU per request (from /proc), which unlike req/s does not depend on other load on the machine.
 * Options: --quick (smoke run, about a minute), --only throughput,propagation,scale,cluster (or `evaluate`: the
 * evaluate load alone, for profiling). Numbers are printed, never asserted.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';
import autocannon from 'autocannon';
import { bundleServerCli } from './internal/server-bundle';
import { api, cpuMs, rssMb } from './internal/service-process';

const argv = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
/** `--quick`: a smoke run (3 s per load, 5 toggles, 2,000 scale streams, 5 cluster writes), about a minute. */
const QUICK = argv.includes('--quick');
/** `--only throughput,propagation,scale,cluster`: run some sections (default: all). */
const ONLY = new Set((option('--only') ?? 'throughput,propagation,scale,cluster').split(','));
const DURATION = Number(process.env.BENCH_DURATION ?? (QUICK ? 3 : 10));
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const STREAMS = Number(process.env.BENCH_STREAMS ?? 1000);
const TOGGLES = Number(process.env.BENCH_TOGGLES ?? (QUICK ? 5 : 20));
/** Scale rows: SSE streams held by raw-socket clients in child processes, at these counts. */
const SCALE_STREAMS = (process.env.BENCH_SCALE_STREAMS ?? (QUICK ? '1000,2000' : '1000,10000')).split(',').map(Number);
const SCALE_TOGGLES = Number(process.env.BENCH_SCALE_TOGGLES ?? (QUICK ? 3 : 10));
const SCALE_CLIENT_PROCESSES = Number(process.env.BENCH_SCALE_CLIENTS ?? 2);
/** Cluster rows: three instances on one PostgreSQL (+ Redis), one streaming client on each, this many writes. */
const CLUSTER_WRITES = Number(process.env.BENCH_CLUSTER_WRITES ?? (QUICK ? 5 : 20));
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

const SERVER_DIR = fileURLToPath(new URL('../../packages/server/', import.meta.url));
const requireFromServer = createRequire(join(SERVER_DIR, 'package.json'));

const TARGETS = { rps: 16_000, p99: 10, propagationP99: 100, rssIdle: 80, scaleP99: { 1000: 50, 10000: 250 } as Record<number, number> };

/**
 * Before issue #17's evaluate work (same bench, same machine kind, 2026-12-03, BENCH_DURATION=5, load average ~2):
 * POST /sdk/v1/evaluate 7,515 req/s at 96.3 µs of server CPU per request, while GET /sdk/v1/definitions (identity)
 * did 27,432 req/s at 28.2 µs. Issue #17 itself quoted ~6.4k vs ~27k req/s.
 */
const BEFORE = { evaluate: { rps: 7515, cpuUs: 96.3 }, definitionsIdentity: { rps: 27_432, cpuUs: 28.2 } };

/**
 * Peers' published figures: published, not measured here, on other hardware — context, not a comparison.
 * - Unleash Edge: docs/benchmarking.md in github.com/Unleash/unleash-edge
 *   (https://github.com/Unleash/unleash-edge/blob/main/docs/benchmarking.md): `hey -z 10s`, docker --cpus=N,
 *   100 kB dataset (350 features): /api/frontend (evaluated for a context) 6,900 req/s p95 7.4 ms at 1 CPU,
 *   25,300 req/s p95 2.4 ms at 4 CPUs; /api/client/features (definitions) 3,236 req/s p95 16 ms at 1 CPU,
 *   12,815 req/s p95 4.5 ms at 4 CPUs; 2 kB dataset (5 features): /api/frontend 39,000 req/s p95 1.6 ms at 1 CPU,
 *   /api/client/features 32,360 req/s p95 2 ms at 1 CPU. README: "A single instance can handle tens to hundreds of
 *   thousands of requests per second." No published streaming fan-out figure was found.
 * - LaunchDarkly Relay Proxy: https://launchdarkly.com/docs/sdk/relay-proxy/use-cases ("each Relay Proxy can
 *   handle tens of thousands of concurrent connections" on an appropriately configured host) and
 *   https://docs.launchdarkly.com/sdk/relay-proxy/guidelines/ (idle: ~11 MiB of memory, nearly zero CPU). Its
 *   load-test page (https://docs.launchdarkly.com/home/relay-proxy/performance/) has a table by SDK count on an
 *   m4.xlarge whose numbers could not be retrieved here, so none are quoted. No published req/s or propagation
 *   latency figure was found.
 */
const PEERS = [
  {
    peer: 'Unleash Edge',
    measure: 'evaluated flags for a context (/api/frontend), 350 features / 100 kB',
    figure: '6,900 req/s, p95 7.4 ms (1 CPU); 25,300 req/s, p95 2.4 ms (4 CPUs)',
    source: 'https://github.com/Unleash/unleash-edge/blob/main/docs/benchmarking.md',
  },
  {
    peer: 'Unleash Edge',
    measure: 'evaluated flags for a context (/api/frontend), 5 features / 2 kB',
    figure: '39,000 req/s, p95 1.6 ms (1 CPU)',
    source: 'https://github.com/Unleash/unleash-edge/blob/main/docs/benchmarking.md',
  },
  {
    peer: 'Unleash Edge',
    measure: 'definitions (/api/client/features), 350 features / 100 kB',
    figure: '3,236 req/s, p95 16 ms (1 CPU); 12,815 req/s, p95 4.5 ms (4 CPUs)',
    source: 'https://github.com/Unleash/unleash-edge/blob/main/docs/benchmarking.md',
  },
  { peer: 'Unleash Edge', measure: 'streaming connections, toggle → client latency', figure: 'no published figure found', source: '—' },
  {
    peer: 'LaunchDarkly Relay Proxy',
    measure: 'concurrent SDK connections per instance',
    figure: '"tens of thousands" (no number)',
    source: 'https://launchdarkly.com/docs/sdk/relay-proxy/use-cases',
  },
  { peer: 'LaunchDarkly Relay Proxy', measure: 'idle memory', figure: '~11 MiB', source: 'https://docs.launchdarkly.com/sdk/relay-proxy/guidelines/' },
  { peer: 'LaunchDarkly Relay Proxy', measure: 'req/s, toggle → client latency', figure: 'no published figure found', source: '—' },
];
const UNLEASH = {
  definitions: { rps: 1590, p50: 31, p99: 67 },
  notModified: { rps: 2600, p99: 48 },
  rssIdle: 160,
  rssLoad: 350,
  propagationMedianMs: 6400,
  propagationMedian1sPollMs: 950,
  coldStartMs: 1500,
};

// ---------------------------------------------------------------------------------------------------------------
// Server process

interface ServerProcess {
  child: ChildProcess;
  url: string;
  token: string | undefined;
  startMs: number;
}

async function startServer(cli: string, env: Record<string, string>): Promise<ServerProcess> {
  const started = performance.now();
  const child = spawn(process.execPath, [...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []), cli, 'serve', '--port', '0', '--log-level', 'warn'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  for (;;) {
    const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
    if (url) {
      // Launch → health 200, as the Unleash cold start was measured.
      for (;;) {
        const ok = await fetch(`${url}/health`).then((r) => r.ok, () => false);
        if (ok) break;
        await sleep(10);
      }
      return { child, url, token: /(hy_admin_[A-Za-z0-9_-]+)/.exec(out)?.[1], startMs: performance.now() - started };
    }
    if (child.exitCode !== null) throw new Error(`halyard serve exited with ${child.exitCode}: ${out}`);
    await sleep(10);
  }
}

async function stopServer(server: ServerProcess): Promise<void> {
  if (server.child.exitCode !== null) return;
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await Promise.race([exited, sleep(5000)]);
  if (server.child.exitCode === null) server.child.kill('SIGKILL');
}

// ---------------------------------------------------------------------------------------------------------------
// Data

function benchFlag(i: number) {
  return {
    description: `Checkout rewrite, part ${i}.`,
    owner: `team-${i % 7}`,
    variants: { on: true, off: false },
    enabled: i % 9 !== 0,
    offVariant: 'off',
    targets: [{ variant: 'on', values: Array.from({ length: 5 }, (_, j) => `user-${i * 100 + j}`) }],
    rules: [
      {
        id: `enterprise-${i}`,
        conditions: [
          { attribute: 'country', operator: 'in', values: ['US', 'CA', 'GB'] },
          { attribute: 'plan', operator: 'equals', values: ['enterprise'] },
          { attribute: 'email', operator: 'endsWith', values: ['@example.com'] },
        ],
        serve: { variant: 'on' },
      },
      {
        id: `beta-${i}`,
        conditions: [{ attribute: 'appVersion', operator: 'semverGte', values: ['4.2.0'] }],
        serve: { split: [{ variant: 'on', percentage: 50 }, { variant: 'off', percentage: 50 }] },
      },
    ],
    defaultServe: { split: [{ variant: 'on', percentage: (i * 7) % 100 }, { variant: 'off', percentage: 100 - ((i * 7) % 100) }] },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Load

interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  statuses: string;
  errors: number;
  /** Server CPU time per request, µs: independent of how busy the rest of the machine is. */
  cpuUs: number;
}

let serverPid = 0;

async function load(options: autocannon.Options): Promise<LoadResult> {
  const cpuBefore = cpuMs(serverPid);
  const result = await autocannon({ connections: CONNECTIONS, duration: DURATION, ...options });
  const cpuUs = ((cpuMs(serverPid) - cpuBefore) * 1000) / Math.max(1, result.requests.total);
  const statuses = Object.entries({ '2xx': result['2xx'], '3xx': result['3xx'], '4xx': result['4xx'], '5xx': result['5xx'] })
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k}: ${n}`)
    .join(', ');
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, statuses, errors: result.errors + result.timeouts, cpuUs };
}

// ---------------------------------------------------------------------------------------------------------------
// Propagation

interface Stream {
  request: http.ClientRequest;
  lastVersion: number;
  /** Called with the new version and when its last bytes reached this process. */
  onVersion?: (version: number, arrivedAt: number) => void;
}

const ID_LINE = Buffer.from('\nid: ');

/**
 * One SSE client. With `gzip` it asks for gzip as fetch-based SDKs do (one gzip member per event) and inflates in
 * zlib's thread pool; the arrival time is when the event's bytes were read from the socket, not when this
 * process (which also hosts 999 other clients) got round to decoding them.
 */
function openStream(url: string, token: string, agent: http.Agent, gzip: boolean): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const stream: Stream = { request: undefined as unknown as http.ClientRequest, lastVersion: 0 };
    let tail: Buffer = Buffer.alloc(0);
    let resolved = false;
    let lastChunkAt = 0;
    const found = (version: number) => {
      if (version > stream.lastVersion) {
        stream.lastVersion = version;
        stream.onVersion?.(version, lastChunkAt);
        if (!resolved) {
          resolved = true;
          resolve(stream);
        }
      }
    };
    const scanIn = (data: Buffer, from: number): void => {
      let at = data.indexOf(ID_LINE, from);
      while (at >= 0) {
        const end = data.indexOf(10, at + ID_LINE.length);
        if (end < 0) return;
        found(Number(data.toString('latin1', at + ID_LINE.length, end)));
        at = data.indexOf(ID_LINE, end);
      }
    };
    const scan = (chunk: Buffer) => {
      // Only the `id:` lines matter. Scan the bytes (no decoding of the ~40 KB documents), in place: a line split
      // across chunks is found in a small join of the previous chunk's tail and this chunk's head, so the ~40 KB
      // chunks are never copied (this process hosts all the clients; its own work delays every arrival).
      // Already-seen versions are ignored, so a line found both in the join and in a chunk counts once.
      if (tail.length > 0) scanIn(Buffer.concat([tail, chunk.subarray(0, 32)]), 0);
      scanIn(chunk, 0);
      tail = Buffer.from(chunk.subarray(Math.max(0, chunk.length - 31)));
    };
    const headers = { authorization: `Bearer ${token}`, 'accept-encoding': gzip ? 'gzip' : 'identity' };
    stream.request = http.get(`${url}/sdk/v1/stream`, { agent, headers }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`stream: HTTP ${res.statusCode}`));
        return;
      }
      if (gzip !== (res.headers['content-encoding'] === 'gzip')) {
        reject(new Error(`stream: expected ${gzip ? 'a gzip' : 'an identity'} stream`));
        return;
      }
      if (gzip) {
        const gunzip = createGunzip();
        gunzip.on('data', scan);
        gunzip.on('error', () => {});
        res.on('data', (chunk: Buffer) => {
          lastChunkAt = performance.now();
          gunzip.write(chunk);
        });
      } else {
        res.on('data', (chunk: Buffer) => {
          lastChunkAt = performance.now();
          scan(chunk);
        });
      }
    });
    stream.request.on('error', (error) => {
      if (!resolved) reject(error);
    });
  });
}

interface PropagationResult {
  p50: number;
  p99: number;
  max: number;
  samples: number;
  missed: number;
  cpuPerToggleMs: number;
  /** CPU of this (client) process per toggle, same window. */
  clientCpuPerToggleMs: number;
  /** Toggle request sent → its HTTP response (commit + local fan-out queued). */
  toggleResponseP50: number;
  rssWithStreams: number;
}

/** Opens STREAMS streams, toggles TOGGLES times, measures toggle-sent → event-received per stream. */
async function propagation(url: string, sdk: string, adminToken: string, pid: number, gzip: boolean, streams: Stream[]): Promise<PropagationResult> {
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  for (let i = 0; i < STREAMS; i += 100) {
    streams.push(...(await Promise.all(Array.from({ length: Math.min(100, STREAMS - i) }, () => openStream(url, sdk, agent, gzip)))));
  }
  await sleep(1000);
  const rssWithStreams = rssMb(pid);
  const samples: number[] = [];
  let missed = 0;
  const cpuBefore = cpuMs(pid);
  const clientCpuBefore = process.cpuUsage();
  const toggleMs: number[] = [];
  for (let t = 0; t < TOGGLES; t++) {
    const before = Math.max(...streams.map((s) => s.lastVersion));
    let pending = streams.length;
    let t0 = 0;
    const all = new Promise<void>((resolve) => {
      for (const stream of streams) {
        stream.onVersion = (version, arrivedAt) => {
          if (version <= before) return;
          stream.onVersion = undefined;
          samples.push(arrivedAt - t0);
          if (--pending === 0) resolve();
        };
      }
    });
    t0 = performance.now();
    await api(url, adminToken, 'POST', '/api/v1/environments/production/flags/flag-1/toggle', {});
    toggleMs.push(performance.now() - t0);
    await Promise.race([all, sleep(30_000)]);
    missed += pending;
    await sleep(200);
  }
  // Includes the 200 ms pauses and heartbeats: an upper bound of the server's work per toggle.
  const cpuPerToggleMs = (cpuMs(pid) - cpuBefore) / TOGGLES;
  const clientCpu = process.cpuUsage(clientCpuBefore);
  // The clients' own work (HTTP parsing, inflating 1,000 gzip members per toggle) shares the 2 cores with the server.
  const clientCpuPerToggleMs = (clientCpu.user + clientCpu.system) / 1000 / TOGGLES;
  toggleMs.sort((a, b) => a - b);
  for (const s of streams.splice(0)) s.request.destroy();
  await sleep(500);
  samples.sort((a, b) => a - b);
  return {
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
    max: samples[samples.length - 1] ?? NaN,
    samples: samples.length,
    missed,
    cpuPerToggleMs,
    clientCpuPerToggleMs,
    toggleResponseP50: percentile(toggleMs, 50),
    rssWithStreams,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Scale: thousands of streams on one instance, held by raw-socket clients in child processes

interface ScaleResult {
  streams: number;
  opened: number;
  failed: number;
  firstError: string | undefined;
  p50: number;
  p99: number;
  max: number;
  samples: number;
  missed: number;
  connectMs: number;
  rssWithStreams: number;
  cpuPerToggleMs: number;
  /** CPU of the client processes per toggle (they share the cores with the server). */
  clientCpuPerToggleMs: number;
}

const monoMs = (): number => Number(process.hrtime.bigint()) / 1e6;

/** The soft limit on open files of this process (children inherit it). */
function openFileLimit(): number {
  const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
  return Number(line?.split(/\s+/)[3] ?? NaN);
}

type Child = ChildProcess & { request<T>(message: object, reply: string): Promise<T> };

function startClientProcess(): Promise<Child> {
  const file = fileURLToPath(new URL('./internal/stream-clients.ts', import.meta.url));
  const child = fork(file, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }) as Child;
  child.request = <T>(message: object, reply: string) =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (m: any) => {
        if (m.type !== reply) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(m as T);
      };
      const onExit = (code: number) => reject(new Error(`stream client process exited with ${code}`));
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send(message);
    });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('error', reject);
  });
}

async function currentVersion(url: string, sdk: string): Promise<string> {
  const response = await fetch(`${url}/sdk/v1/definitions`, { method: 'GET', headers: { authorization: `Bearer ${sdk}`, 'accept-encoding': 'identity' } });
  await response.arrayBuffer();
  return response.headers.get('etag')!.replace(/"/g, '');
}

/**
 * `count` identity streams (full documents, or `event: patch` deltas with `delta`) on one instance; SCALE_TOGGLES
 * kill-switch toggles; per stream, toggle sent → the new version's `id:` line read from the socket.
 */
async function scale(url: string, sdk: string, adminToken: string, pid: number, count: number, delta: boolean): Promise<ScaleResult> {
  const { hostname, port } = new URL(url);
  const children = await Promise.all(Array.from({ length: SCALE_CLIENT_PROCESSES }, () => startClientProcess()));
  try {
    const version = await currentVersion(url, sdk);
    const connectStarted = performance.now();
    const per = Math.ceil(count / children.length);
    const opened = await Promise.all(
      children.map((child, i) =>
        child.request<{ open: number; failed: number; firstError?: string }>(
          // Last-Event-ID = the current version: the server skips the initial document, as for a reconnecting SDK.
          { type: 'open', host: hostname, port: Number(port), path: `/sdk/v1/stream${delta ? '?delta=1' : ''}`, token: sdk, count: Math.min(per, count - i * per), lastEventId: version },
          'opened',
        ),
      ),
    );
    const connectMs = performance.now() - connectStarted;
    await sleep(1000);
    const rssWithStreams = rssMb(pid);
    const samples: number[] = [];
    let missed = 0;
    const cpuBefore = cpuMs(pid);
    type Status = { reached: number; total: number; arrivals: number[]; cpuMs: number };
    const clientCpu = async () => (await Promise.all(children.map((c) => c.request<Status>({ type: 'status', after: Infinity }, 'status')))).reduce((a, s) => a + s.cpuMs, 0);
    const clientCpuBefore = await clientCpu();
    for (let t = 0; t < SCALE_TOGGLES; t++) {
      const before = Number(await currentVersion(url, sdk));
      const t0 = monoMs();
      await api(url, adminToken, 'POST', '/api/v1/environments/production/flags/flag-1/toggle', {});
      const deadline = performance.now() + 30_000;
      let statuses: Status[];
      for (;;) {
        statuses = await Promise.all(children.map((c) => c.request<Status>({ type: 'status', after: before }, 'status')));
        if (statuses.every((s) => s.reached === s.total) || performance.now() > deadline) break;
        await sleep(25);
      }
      if (!statuses.every((s) => s.reached === s.total)) {
        statuses = await Promise.all(children.map((c) => c.request<Status>({ type: 'status', after: before, final: true }, 'status')));
      }
      for (const s of statuses) {
        missed += s.total - s.arrivals.length;
        for (const at of s.arrivals) samples.push(at - t0);
      }
      await sleep(300);
    }
    const cpuPerToggleMs = (cpuMs(pid) - cpuBefore) / SCALE_TOGGLES;
    const clientCpuPerToggleMs = ((await clientCpu()) - clientCpuBefore) / SCALE_TOGGLES;
    samples.sort((a, b) => a - b);
    return {
      streams: count,
      opened: opened.reduce((a, o) => a + o.open, 0),
      failed: opened.reduce((a, o) => a + o.failed, 0),
      firstError: opened.find((o) => o.firstError)?.firstError,
      p50: percentile(samples, 50),
      p99: percentile(samples, 99),
      max: samples[samples.length - 1] ?? NaN,
      samples: samples.length,
      missed,
      connectMs,
      rssWithStreams,
      cpuPerToggleMs,
      clientCpuPerToggleMs,
    };
  } finally {
    for (const child of children) child.send({ type: 'close' });
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : undefined)));
    // Let the server notice the closed sockets before the next run.
    await sleep(1000);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Cluster: three instances on one PostgreSQL (+ Redis), a streaming client on each

interface ClusterResult {
  instances: number;
  writes: number;
  /** Write sent → the last of the instances' streams has the new version. */
  convergence: { p50: number; p99: number; max: number };
  /** Per stream: write sent → this instance's stream has it (all instances, all writes). */
  perStream: { p50: number; p99: number; max: number };
  /** Writes after which every instance's stream reached the written version within 10 s. */
  converged: number;
  /** Same version on every instance's /sdk/v1/definitions after the last write. */
  sameVersion: boolean;
  redis: boolean;
  writeResponseP50: number;
}

async function cluster(cli: string, env: Record<string, string>, sdk: string, adminToken: string, redis: boolean): Promise<ClusterResult> {
  const servers: ServerProcess[] = [];
  const streams: Stream[] = [];
  try {
    for (let i = 0; i < 3; i++) servers.push(await startServer(cli, { ...env, ...(redis ? { REDIS_URL } : {}) }));
    const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
    for (const server of servers) streams.push(await openStream(server.url, sdk, agent, false));
    const convergence: number[] = [];
    const perStream: number[] = [];
    const writeMs: number[] = [];
    let converged = 0;
    for (let w = 0; w < CLUSTER_WRITES; w++) {
      const writer = servers[w % servers.length]!;
      const before = Math.max(...streams.map((s) => s.lastVersion));
      const arrived: number[] = [];
      const all = new Promise<void>((resolve) => {
        for (const stream of streams) {
          stream.onVersion = (version, arrivedAt) => {
            if (version <= before) return;
            stream.onVersion = undefined;
            arrived.push(arrivedAt);
            if (arrived.length === streams.length) resolve();
          };
        }
      });
      const t0 = performance.now();
      await api(writer.url, adminToken, 'POST', '/api/v1/environments/production/flags/flag-2/toggle', {});
      writeMs.push(performance.now() - t0);
      await Promise.race([all, sleep(10_000)]);
      for (const s of streams) s.onVersion = undefined;
      if (arrived.length === streams.length) {
        converged++;
        convergence.push(Math.max(...arrived) - t0);
      }
      for (const at of arrived) perStream.push(at - t0);
      await sleep(150);
    }
    const versions = await Promise.all(servers.map((s) => currentVersion(s.url, sdk)));
    const stats = (values: number[]) => {
      values.sort((a, b) => a - b);
      return { p50: percentile(values, 50), p99: percentile(values, 99), max: values[values.length - 1] ?? NaN };
    };
    writeMs.sort((a, b) => a - b);
    return {
      instances: servers.length,
      writes: CLUSTER_WRITES,
      convergence: stats(convergence),
      perStream: stats(perStream),
      converged,
      sameVersion: versions.every((v) => v === versions[0]),
      redis,
      writeResponseP50: percentile(writeMs, 50),
    };
  } finally {
    for (const s of streams) s.request.destroy();
    for (const server of servers) await stopServer(server);
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

// ---------------------------------------------------------------------------------------------------------------

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function canConnect(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port || 6379) });
    socket.setTimeout(1000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function main(): Promise<void> {
  const started = performance.now();
  console.log(`Halyard flag service benchmark — ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), Node ${process.version}`);
  console.log(
    `autocannon: ${CONNECTIONS} connections, ${DURATION} s per run; propagation: ${STREAMS} SSE streams × ${TOGGLES} toggles; ` +
      `scale: ${SCALE_STREAMS.join(' and ')} streams × ${SCALE_TOGGLES} toggles; cluster: 3 instances × ${CLUSTER_WRITES} writes; sections: ${[...ONLY].join(', ')}\n`,
  );

  const cli = await bundleServerCli();
  let env: Record<string, string>;
  let cleanup: () => Promise<void>;
  let storage: string;
  let postgres = false;
  // pg comes from the server package (a dependency there, not here); only the schema setup/cleanup needs it.
  const pg = requireFromServer('pg') as {
    Client: new (options: { connectionString: string }) => { connect(): Promise<void>; query(sql: string): Promise<unknown>; end(): Promise<void> };
  };
  const schema = `halyard_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  try {
    await admin.connect();
    env = { DATABASE_URL, HALYARD_DB_SCHEMA: schema };
    storage = `PostgreSQL (${new URL(DATABASE_URL).host}, schema ${schema})`;
    postgres = true;
    cleanup = async () => {
      await admin.query(`drop schema if exists "${schema}" cascade`);
      await admin.end();
    };
  } catch {
    const dir = mkdtempSync(join(os.tmpdir(), 'halyard-bench-'));
    env = { HALYARD_DATA_DIR: dir };
    storage = `PGlite (${dir}) — PostgreSQL at ${DATABASE_URL} was unreachable`;
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  }
  console.log(`storage: ${storage}`);

  let server: ServerProcess | undefined;
  const streams: Stream[] = [];
  const ok = (pass: boolean) => (pass ? 'PASS' : 'MISS');
  try {
    // First start: migrations and the admin token. Then the data, then a restart for the cold-start figure.
    server = await startServer(cli, env);
    const token = server.token!;
    for (let i = 0; i < 50; i++) await api(server.url, token, 'POST', '/api/v1/environments/production/flags', { key: `flag-${i}`, definition: benchFlag(i) });
    const sdk = (await api(server.url, token, 'POST', '/api/v1/keys', { type: 'sdk', environment: 'production', name: 'bench' })).token as string;
    const clientKey = (await api(server.url, token, 'POST', '/api/v1/keys', { type: 'client', environment: 'production', name: 'bench' })).token as string;
    await stopServer(server);
    server = await startServer(cli, env);
    const { url } = server;
    const pid = server.child.pid!;
    serverPid = pid;

    const identity = await fetch(`${url}/sdk/v1/definitions`, { headers: { authorization: `Bearer ${sdk}`, 'accept-encoding': 'identity' } });
    const body = await identity.text();
    const etag = identity.headers.get('etag')!;
    const gzipBytes = await new Promise<number>((resolve, reject) => {
      http
        .get(`${url}/sdk/v1/definitions`, { headers: { authorization: `Bearer ${sdk}`, 'accept-encoding': 'gzip' } }, (res) => {
          let n = 0;
          res.on('data', (c: Buffer) => (n += c.length));
          res.on('end', () => resolve(n));
        })
        .on('error', reject);
    });
    console.log(`document: 50 flags, ${fmt(body.length / 1024, 1)} KB (${fmt(gzipBytes / 1024, 1)} KB gzipped), version ${etag}`);
    console.log(`cold start (existing database, launch → /health 200): ${fmt(server.startMs)} ms\n`);

    await sleep(2000);
    const rssIdle = rssMb(pid);
    let rssPeak = rssIdle;
    const sampler = setInterval(() => {
      try {
        rssPeak = Math.max(rssPeak, rssMb(pid));
      } catch {
        // the process is gone; reported below
      }
    }, 250);

    const ratio = (ours: number, theirs: number, higherIsBetter: boolean) =>
      `${fmt(higherIsBetter ? ours / theirs : theirs / ours, 1)}× ${higherIsBetter ? 'more' : 'lower'}`;

    // ---- throughput ----
    if (ONLY.has('evaluate') && !ONLY.has('throughput')) {
      // `--only evaluate`: the evaluate load alone (for profiling the server with BENCH_SERVER_NODE_ARGS).
      let user = 0;
      const evaluate = await load({
        url: `${url}/sdk/v1/evaluate`,
        method: 'POST',
        headers: { authorization: `Bearer ${clientKey}`, 'content-type': 'application/json' },
        requests: [{ setupRequest: (request) => ({ ...request, body: JSON.stringify({ context: { userId: `user-${user++ % 10_000}`, country: 'US', plan: 'pro', email: `u${user}@example.com`, appVersion: '4.3.1' } }) }) }],
      });
      console.log(`POST /sdk/v1/evaluate: ${fmt(evaluate.rps)} req/s, p50 ${evaluate.p50} ms, p99 ${evaluate.p99} ms, server CPU ${fmt(evaluate.cpuUs, 1)} µs/req (${evaluate.statuses})`);
    }
    if (ONLY.has('throughput')) {
      const defUrl = `${url}/sdk/v1/definitions`;
      const auth = { authorization: `Bearer ${sdk}` };
      process.stdout.write('warming up… ');
      await autocannon({ url: defUrl, connections: CONNECTIONS, duration: 3, headers: { ...auth, 'accept-encoding': 'gzip' } });
      process.stdout.write('definitions (gzip)… ');
      const defGzip = await load({ url: defUrl, headers: { ...auth, 'accept-encoding': 'gzip' } });
      process.stdout.write('definitions (identity)… ');
      const defIdentity = await load({ url: defUrl, headers: { ...auth, 'accept-encoding': 'identity' } });
      process.stdout.write('304… ');
      const notModified = await load({ url: defUrl, headers: { ...auth, 'accept-encoding': 'gzip', 'if-none-match': `${etag.slice(0, -1)}-gzip"` } });
      process.stdout.write('evaluate…\n');
      let user = 0;
      const evaluate = await load({
        url: `${url}/sdk/v1/evaluate`,
        method: 'POST',
        headers: { authorization: `Bearer ${clientKey}`, 'content-type': 'application/json' },
        requests: [
          {
            setupRequest: (request) => ({
              ...request,
              body: JSON.stringify({ context: { userId: `user-${user++ % 10_000}`, country: 'US', plan: user % 3 ? 'pro' : 'enterprise', email: `u${user}@example.com`, appVersion: '4.3.1' } }),
            }),
          },
        ],
      });

      console.log('\nThroughput and latency (autocannon, 50 connections)');
      console.log('| endpoint | req/s | p50 ms | p99 ms | server CPU/req | req/s per server core (CPU bound) | responses | target | Unleash 8.2 | vs Unleash |');
      console.log('|---|---|---|---|---|---|---|---|---|---|');
      const row = (name: string, r: LoadResult, target: string, unleash: string, vs: string) =>
        console.log(
          `| ${name} | ${fmt(r.rps)} | ${r.p50} | ${r.p99} | ${fmt(r.cpuUs, 1)} µs | ${fmt(1e6 / r.cpuUs)} | ${r.statuses}${r.errors ? `, errors: ${r.errors}` : ''} | ${target} | ${unleash} | ${vs} |`,
        );
      const targetText = (r: LoadResult) => `≥ 16,000 req/s, p99 < 10 ms: ${ok(r.rps >= TARGETS.rps && r.p99 < TARGETS.p99)}`;
      row(
        'GET /sdk/v1/definitions (gzip)',
        defGzip,
        targetText(defGzip),
        `${fmt(UNLEASH.definitions.rps)} req/s, p50 31, p99 67`,
        `${ratio(defGzip.rps, UNLEASH.definitions.rps, true)} req/s, p99 ${ratio(defGzip.p99, UNLEASH.definitions.p99, false)}`,
      );
      row(
        'GET /sdk/v1/definitions (identity, full body)',
        defIdentity,
        targetText(defIdentity),
        `${fmt(UNLEASH.definitions.rps)} req/s, p50 31, p99 67`,
        `${ratio(defIdentity.rps, UNLEASH.definitions.rps, true)} req/s, p99 ${ratio(defIdentity.p99, UNLEASH.definitions.p99, false)}`,
      );
      row(
        'GET /sdk/v1/definitions → 304',
        notModified,
        targetText(notModified),
        `${fmt(UNLEASH.notModified.rps)} req/s, p99 48`,
        `${ratio(notModified.rps, UNLEASH.notModified.rps, true)} req/s, p99 ${ratio(notModified.p99, UNLEASH.notModified.p99, false)}`,
      );
      row('POST /sdk/v1/evaluate (50 flags)', evaluate, targetText(evaluate), 'n/a (frontend API not measured)', '—');

      // Issue #17: evaluate at least half the definitions endpoint's req/s in the same run.
      const half = evaluate.rps / defIdentity.rps;
      console.log('\nEvaluate vs definitions, this run and before');
      console.log('| measure | this run | before (issue #17 work) | target |');
      console.log('|---|---|---|---|');
      console.log(
        `| POST /sdk/v1/evaluate ÷ GET /sdk/v1/definitions (identity), req/s | ${fmt(half, 2)} (${fmt(evaluate.rps)} ÷ ${fmt(defIdentity.rps)}) | ` +
          `${fmt(BEFORE.evaluate.rps / BEFORE.definitionsIdentity.rps, 2)} (${fmt(BEFORE.evaluate.rps)} ÷ ${fmt(BEFORE.definitionsIdentity.rps)}) | ≥ 0.5: ${ok(half >= 0.5)} |`,
      );
      console.log(
        `| POST /sdk/v1/evaluate ÷ GET /sdk/v1/definitions (gzip), req/s | ${fmt(evaluate.rps / defGzip.rps, 2)} (${fmt(evaluate.rps)} ÷ ${fmt(defGzip.rps)}) | — | — |`,
      );
      console.log(`| POST /sdk/v1/evaluate, server CPU per request | ${fmt(evaluate.cpuUs, 1)} µs | ${fmt(BEFORE.evaluate.cpuUs, 1)} µs | — |`);
    }

    // ---- propagation (1,000 streams, node:http clients, gzip and identity) ----
    let propGzip: PropagationResult | undefined;
    let propIdentity: PropagationResult | undefined;
    if (ONLY.has('propagation')) {
      process.stdout.write(`\npropagation: ${STREAMS} gzip streams × ${TOGGLES} toggles… `);
      propGzip = await propagation(url, sdk, token, pid, true, streams);
      process.stdout.write(`${STREAMS} identity streams × ${TOGGLES} toggles…\n`);
      propIdentity = await propagation(url, sdk, token, pid, false, streams);

      console.log('\nToggle → client propagation (toggle sent → event bytes received, every stream × every toggle)');
      console.log('| streams | p50 | p99 | max | server CPU per toggle (bench client process CPU; toggle response) | target | Unleash 8.2 | vs Unleash (median) |');
      console.log('|---|---|---|---|---|---|---|---|');
      for (const [name, r] of [
        [`${STREAMS} SSE, gzip (fetch-based SDKs)`, propGzip],
        [`${STREAMS} SSE, identity (${fmt(body.length / 1024, 1)} KB per event)`, propIdentity],
      ] as const) {
        console.log(
          `| ${name}; ${r.samples} samples${r.missed ? `, ${r.missed} MISSED` : ''} | ${fmt(r.p50, 1)} ms | ${fmt(r.p99, 1)} ms | ${fmt(r.max, 1)} ms | ${fmt(r.cpuPerToggleMs)} ms (clients: ${fmt(r.clientCpuPerToggleMs)} ms; toggle response p50 ${fmt(r.toggleResponseP50, 1)} ms) | p99 < 100 ms: ${ok(r.p99 < TARGETS.propagationP99 && r.missed === 0)} | median ~6.4 s (15 s polling); ~0.95 s (1 s polling) | ${fmt(UNLEASH.propagationMedianMs / r.p50)}× faster (${fmt(UNLEASH.propagationMedian1sPollMs / r.p50)}× vs 1 s polling) |`,
        );
      }
    }

    // ---- scale (raw-socket clients in child processes) ----
    if (ONLY.has('scale')) {
      const limit = openFileLimit();
      // Delta streams exist when the stream route documents its `delta` query parameter.
      const deltaAvailable = await fetch(`${url}/openapi.json`)
        .then((r) => r.json() as Promise<{ paths?: Record<string, { get?: { parameters?: Array<{ name?: string; in?: string }> } }> }>)
        .then((doc) => (doc.paths?.['/sdk/v1/stream']?.get?.parameters ?? []).some((p) => p.name === 'delta' && p.in === 'query'), () => false);
      const modes: boolean[] = deltaAvailable ? [false, true] : [false];
      const results: Array<ScaleResult & { delta: boolean }> = [];
      for (const count of SCALE_STREAMS) {
        // Each client process holds count / processes sockets; the server holds count.
        if (count + 100 > limit) {
          console.log(`\nscale: ${count} streams skipped — the open-file limit is ${limit} (raise it with \`ulimit -n\`)`);
          continue;
        }
        for (const delta of modes) {
          process.stdout.write(`scale: ${count} ${delta ? 'delta' : 'full-document'} streams × ${SCALE_TOGGLES} toggles… `);
          results.push({ ...(await scale(url, sdk, token, pid, count, delta)), delta });
        }
      }
      console.log(
        `\n\nScale: SSE streams on one instance (identity encoding; clients are raw sockets in ${SCALE_CLIENT_PROCESSES} child processes; open-file limit ${limit}; ` +
          `toggle sent → the new version's id line read, every stream × every toggle)`,
      );
      console.log('| streams | events | p50 | p99 | max | connect time | server RSS with streams | server CPU per toggle (client processes) | target | Unleash Edge / LD Relay (published) |');
      console.log('|---|---|---|---|---|---|---|---|---|---|');
      for (const r of results) {
        const target = TARGETS.scaleP99[r.streams];
        const open = r.opened === r.streams ? `${fmt(r.streams)}` : `${fmt(r.opened)} of ${fmt(r.streams)} (${r.failed} failed: ${r.firstError})`;
        console.log(
          `| ${open}; ${r.samples} samples${r.missed ? `, ${r.missed} MISSED` : ''} | ${r.delta ? '`event: patch` (?delta=1)' : `full document (${fmt(body.length / 1024, 1)} KB)`} | ` +
            `${fmt(r.p50, 1)} ms | ${fmt(r.p99, 1)} ms | ${fmt(r.max, 1)} ms | ${fmt(r.connectMs / 1000, 1)} s | ${fmt(r.rssWithStreams, 1)} MB | ${fmt(r.cpuPerToggleMs)} ms (${fmt(r.clientCpuPerToggleMs)} ms) | ` +
            `${target === undefined ? '—' : `p99 < ${target} ms: ${ok(r.p99 < target && r.missed === 0 && r.opened === r.streams)}`} | no published figure found / "tens of thousands of connections", no latency |`,
        );
      }
      if (!deltaAvailable) console.log('  delta streams (`?delta=1`) are not in this server build: full-document rows only.');
    }
    clearInterval(sampler);
    const rssAfter = rssMb(pid);

    console.log('\nMemory (server process RSS)');
    console.log('| measure | Halyard | target | Unleash 8.2 | vs Unleash |');
    console.log('|---|---|---|---|---|');
    console.log(`| idle (after start + data) | ${fmt(rssIdle, 1)} MB | ≤ 80 MB: ${ok(rssIdle <= TARGETS.rssIdle)} | ${UNLEASH.rssIdle} MB | ${ratio(rssIdle, UNLEASH.rssIdle, false)} |`);
    console.log(`| peak under load (autocannon + streams) | ${fmt(rssPeak, 1)} MB | — | ~${UNLEASH.rssLoad} MB | ${ratio(rssPeak, UNLEASH.rssLoad, false)} |`);
    if (propGzip && propIdentity) console.log(`| with ${STREAMS} idle SSE streams (gzip / identity) | ${fmt(propGzip.rssWithStreams, 1)} / ${fmt(propIdentity.rssWithStreams, 1)} MB | — | — | — |`);
    console.log(`| after the runs above | ${fmt(rssAfter, 1)} MB | — | — | — |`);

    console.log('\nCold start');
    console.log(`| existing database, launch → /health 200 | ${fmt(server.startMs)} ms | — | ~1,500 ms | ${ratio(server.startMs, UNLEASH.coldStartMs, false)} |`);

    // ---- cluster ----
    if (ONLY.has('cluster')) {
      if (!postgres) console.log('\ncluster: skipped — needs PostgreSQL (PGlite is one process)');
      else {
        await stopServer(server);
        const redis = await canConnect(REDIS_URL);
        process.stdout.write(`\ncluster: 3 instances${redis ? ' + Redis' : ''} × ${CLUSTER_WRITES} writes… `);
        const c = await cluster(cli, env, sdk, token, redis);
        console.log(`\n\nCluster: three instances on one PostgreSQL${c.redis ? ` + Redis (${REDIS_URL})` : ' (Redis unreachable: PostgreSQL notifications only)'}, one identity SSE stream on each, writes rotated over the instances`);
        console.log('| writes | converged on all 3 after every write | convergence (write sent → last instance has it) p50 / p99 / max | per stream p50 / p99 / max | write response p50 | same version everywhere at the end |');
        console.log('|---|---|---|---|---|---|');
        console.log(
          `| ${c.writes} | ${c.converged === c.writes ? 'yes' : 'NO'} (${c.converged}/${c.writes}) | ${fmt(c.convergence.p50, 1)} / ${fmt(c.convergence.p99, 1)} / ${fmt(c.convergence.max, 1)} ms | ` +
            `${fmt(c.perStream.p50, 1)} / ${fmt(c.perStream.p99, 1)} / ${fmt(c.perStream.max, 1)} ms | ${fmt(c.writeResponseP50, 1)} ms | ${c.sameVersion ? 'yes' : 'NO'} |`,
        );
      }
    }

    console.log('\nPeers: published figures (published, not measured here; other hardware and payloads — context, not a verdict)');
    console.log('| peer | measure | published figure | source |');
    console.log('|---|---|---|---|');
    for (const p of PEERS) console.log(`| ${p.peer} | ${p.measure} | ${p.figure} | ${p.source} |`);

    const load1 = os.loadavg()[0]!;
    console.log(
      `\nLoad generator, streams and server share ${os.cpus().length} cores; 1-minute load average at the end: ${fmt(load1, 2)}` +
        ' (other work on the machine lowers req/s and raises latency; server CPU/req does not depend on it).',
    );
    console.log(`finished in ${fmt((performance.now() - started) / 1000)} s`);
  } finally {
    for (const s of streams) s.request.destroy();
    if (server) await stopServer(server);
    await cleanup();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
