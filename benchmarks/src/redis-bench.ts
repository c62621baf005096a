/**
 * `pnpm bench:redis`: how fast a change written to Redis reaches every application reading it with
 * `redisSource` from `@halyard/redis`.
 *
 * Method:
 * - a throwaway redis-server on a random port (in memory; never the shared 6379, so its configuration can be
 *   changed), or BENCH_REDIS_URL (then the keyspace scenario is skipped unless it already emits notifications);
 * - BENCH_CLIENTS (default 10) applications, each its own Node process with one `createFlagClient` on
 *   `redisSource`, as separate servers would be; the poll is off (`pollInterval: 0`), so only the push path counts;
 * - a 50-flag document (~19 KB) and BENCH_CHANGES (default 200) changes, one after another: each waits until every
 *   client has the new version, then a short random pause;
 * - per (client, change): from the moment the writer starts the change (before its read-validate-CAS round trips)
 *   to the moment that client's FlagClient notifies its subscribers with the new version; the clocks are the
 *   same machine's (`performance.timeOrigin + performance.now()`);
 * - the same with the 10 clients inside this process (one event loop: fewer processes for the scheduler);
 * - scenarios: `updateFlag` (Halyard's writer: compare-and-set + PUBLISH on the change channel), a plain `SET`
 *   from any other tool with keyspace notifications on (`notify-keyspace-events K$`), and `updateFlag` in the
 *   one-key-per-flag layout (SCAN + MGET on every change).
 * Numbers are printed, never asserted. The target is every client within 100 ms.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { createFlagClient, type FlagDefinition, type FlagsDocument } from '@halyard/core';
import { connectRedis, redisSource, updateFlag, writeDocument } from '@halyard/redis';

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 10);
const CHANGES = Number(process.env.BENCH_CHANGES ?? 200);
const WARMUP = 20;
const now = () => performance.timeOrigin + performance.now();

interface ClientMessage {
  type: 'ready' | 'seen';
  marker?: number;
  at?: number;
}

// ---- child: one application ----------------------------------------------------------------------------------

async function runClient(url: string, location: { key?: string; prefix?: string }): Promise<void> {
  const client = createFlagClient({ source: redisSource({ url, ...location, pollInterval: 0 }), logger: false });
  let last = -1;
  client.subscribe(() => {
    // The changing flag carries the change number as a variant value: no need to trust version strings.
    const marker = client.getValue('bench-marker', -1 as number) as number;
    if (marker !== last) {
      last = marker;
      if (process.connected) process.send!({ type: 'seen', marker, at: now() } satisfies ClientMessage);
    }
  });
  await client.ready();
  process.send!({ type: 'ready' } satisfies ClientMessage);
  // A change notified while the parent is already disconnecting: nothing to report to.
  process.on('error', () => {});
  process.on('disconnect', () => {
    client.close();
    process.exit(0);
  });
}

// ---- parent ---------------------------------------------------------------------------------------------------

function markerFlag(value: number): FlagDefinition {
  return { variants: { value }, enabled: true, defaultServe: { variant: 'value' } };
}

function benchDocument(): FlagsDocument {
  const flags: Record<string, FlagDefinition> = { 'bench-marker': markerFlag(0) };
  for (let i = 0; i < 49; i++) {
    flags[`flag-${i}`] = {
      variants: { on: true, off: false },
      enabled: true,
      offVariant: 'off',
      rules: [{ id: `r${i}`, conditions: [{ attribute: 'country', operator: 'in', values: ['DE', 'FR', 'NL', 'SE'] }], serve: { variant: 'on' } }],
      defaultServe: { split: [{ variant: 'on', percentage: 25 }, { variant: 'off', percentage: 75 }] },
      description: `benchmark flag ${i}, with a description of typical length`,
    };
  }
  return { schemaVersion: 1, flags };
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function startRedis(): Promise<{ url: string; stop: () => void }> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    probe.on('error', () => {});
    const ok = await probe.connect().then(
      () => true,
      () => false,
    );
    probe.disconnect();
    if (ok) return { url, stop: () => child.kill('SIGKILL') };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server did not start on port ${port}`);
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function scenario(
  name: string,
  url: string,
  location: { key?: string; prefix?: string },
  change: (marker: number) => Promise<void>,
  inProcess = false,
): Promise<void> {
  const children: ChildProcess[] = [];
  const local: Array<{ close(): void }> = [];
  const seen = new Map<number, number[]>();
  const record = (marker: number, at: number) => {
    const list = seen.get(marker) ?? [];
    list.push(at);
    seen.set(marker, list);
  };
  let ready = 0;
  const self = fileURLToPath(import.meta.url);
  for (let i = 0; inProcess && i < CLIENTS; i++) {
    const client = createFlagClient({ source: redisSource({ url, ...location, pollInterval: 0 }), logger: false });
    let last = -1;
    client.subscribe(() => {
      const marker = client.getValue('bench-marker', -1 as number) as number;
      if (marker !== last) record((last = marker), now());
    });
    local.push(client);
    void client.ready().then(() => ready++);
  }
  for (let i = 0; !inProcess && i < CLIENTS; i++) {
    const child = fork(self, ['client', url, JSON.stringify(location)], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.on('message', (message: ClientMessage) => {
      if (message.type === 'ready') ready++;
      else if (message.marker !== undefined && message.at !== undefined) record(message.marker, message.at);
    });
    children.push(child);
  }
  const waitUntil = async (check: () => boolean, what: string) => {
    const deadline = Date.now() + 30_000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`bench:redis: timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 1));
    }
  };
  await waitUntil(() => ready === CLIENTS, 'the clients to load the flags');

  const latencies: number[] = [];
  const worst: number[] = [];
  const writes: number[] = [];
  let cpuStart = process.cpuUsage();
  // The first WARMUP changes are not counted: they compile the read and evaluator paths in every process.
  for (let marker = 1; marker <= CHANGES + WARMUP; marker++) {
    if (marker === WARMUP + 1) cpuStart = process.cpuUsage();
    const started = now();
    await change(marker);
    const written = now() - started;
    await waitUntil(() => (seen.get(marker)?.length ?? 0) >= CLIENTS, `change ${marker} to reach every client`);
    if (marker <= WARMUP) continue;
    writes.push(written);
    const times = seen.get(marker)!.map((at) => at - started);
    latencies.push(...times);
    worst.push(Math.max(...times));
    await new Promise((r) => setTimeout(r, Math.random() * 10));
  }
  const cpu = process.cpuUsage(cpuStart);
  for (const child of children) child.disconnect();
  for (const client of local) client.close();
  writes.sort((a, b) => a - b);
  latencies.sort((a, b) => a - b);
  worst.sort((a, b) => a - b);
  const ms = (value: number) => `${value.toFixed(2)} ms`.padStart(10);
  console.log(
    `${name.padEnd(44)} p50 ${ms(quantile(latencies, 0.5))}  p99 ${ms(quantile(latencies, 0.99))}  max ${ms(latencies.at(-1)!)}` +
      `   all ${CLIENTS} clients: p50 ${ms(quantile(worst, 0.5))}  p99 ${ms(quantile(worst, 0.99))}  max ${ms(worst.at(-1)!)}` +
      `   within 100 ms: ${((worst.filter((w) => w < 100).length / worst.length) * 100).toFixed(1)}%` +
      `   (the write itself: p50 ${ms(quantile(writes, 0.5)).trim()})`,
  );
  // CPU time does not depend on how loaded the machine is: what one change costs, writer and readers together.
  if (inProcess) console.log(`${''.padEnd(44)} CPU per change, writer + ${CLIENTS} clients in this process: ${((cpu.user + cpu.system) / 1000 / CHANGES).toFixed(2)} ms`);
}

async function main(): Promise<void> {
  const own = process.env.BENCH_REDIS_URL ? undefined : await startRedis();
  const url = process.env.BENCH_REDIS_URL ?? own!.url;
  const key = `halyard-bench:${process.pid}:flags`;
  const prefix = `halyard-bench:${process.pid}:`;
  const writer = connectRedis(url);
  const raw = new Redis(url);
  // The load average matters: on a shared 2-core machine the clients' wake-up latency is the scheduler's.
  console.log(
    `bench:redis — ${CLIENTS} client processes, ${CHANGES} changes per scenario (+${WARMUP} warm-up), Node ${process.version}, ` +
      `${own ? 'own redis-server' : url}, ${os.cpus().length} cores, load average ${os.loadavg()[0]!.toFixed(1)}`,
  );
  console.log('change → client sees it (per client and change), and until the LAST of the clients has it (per change):');
  try {
    await writeDocument(writer, benchDocument(), { key, actor: 'bench' });
    await scenario('updateFlag (CAS + PUBLISH), one document', url, { key }, async (marker) => {
      await updateFlag(writer, 'bench-marker', () => markerFlag(marker), { key, actor: 'bench', action: 'bench' });
    });

    const keyspace = own !== undefined || String(((await raw.config('GET', 'notify-keyspace-events')) as string[])[1] ?? '').includes('K');
    if (keyspace) {
      if (own) await raw.config('SET', 'notify-keyspace-events', 'K$g');
      const document = benchDocument();
      await scenario('plain SET by another tool (keyspace events)', url, { key }, async (marker) => {
        document.flags['bench-marker'] = markerFlag(marker);
        await raw.set(key, JSON.stringify(document));
      });
      if (own) await raw.config('SET', 'notify-keyspace-events', '');
    } else {
      console.log('plain SET by another tool: skipped (the server has keyspace notifications off; the poll would catch it)');
    }

    // The same clients in one process: far fewer processes for the scheduler, so less sensitive to a loaded machine.
    await writeDocument(writer, benchDocument(), { key, actor: 'bench' });
    await scenario('updateFlag, the 10 clients in one process', url, { key }, async (marker) => {
      await updateFlag(writer, 'bench-marker', () => markerFlag(marker), { key, actor: 'bench', action: 'bench' });
    }, true);

    await writeDocument(writer, benchDocument(), { prefix, actor: 'bench' });
    await scenario('updateFlag, one key per flag (SCAN + MGET)', url, { prefix }, async (marker) => {
      await updateFlag(writer, 'bench-marker', () => markerFlag(marker), { prefix, actor: 'bench', action: 'bench' });
    });
  } finally {
    const keys = await raw.keys(`halyard-bench:${process.pid}:*`).catch(() => []);
    if (keys.length) await raw.del(...keys).catch(() => {});
    writer.disconnect();
    raw.disconnect();
    own?.stop();
  }
}

if (process.argv[2] === 'client') {
  void runClient(process.argv[3]!, JSON.parse(process.argv[4]!) as { key?: string; prefix?: string });
} else {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
