/**
 * `pnpm bench` (second part): what `@halyard/express` costs an Express app. Four apps answer the same JSON shape
 * (src/internal/express-apps.ts): bare, behind an empty middleware (Express's own price per layer), behind
 * `halyard()` reading no flag, and reading 5 flags for a different user on every request.
 * Targets: < 3 % loss without a read, < 10 % with 5 reads.
 *
 * Requests per second with autocannon (10 connections, a new user per request). The apps run in one child
 * process, the load generator in this one; R rounds of every app, order rotated each round. Each app's loss is
 * the median over rounds of its throughput against bare IN THE SAME ROUND, so a machine that speeds up or slows
 * down between rounds moves both sides of every ratio; the per-round range is printed beside it. Server CPU time
 * per request and the middleware's own cost without HTTP are printed too. Verdicts are printed, never asserted.
 *
 * (Counting instructions with callgrind was tried as a load-independent alternative: windows of the same app
 * varied by up to 30 % with where V8's collections fell, so it is not part of the benchmark.)
 *
 * Flags: --rounds N (default 5), --duration S (seconds per measurement, default 3), --connections N (default 10),
 * --pin, --quick (3 rounds of 1 s).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { APP_NAMES, type AppName } from './internal/express-apps';
import { formatTable } from './internal/table';

const argv = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = argv.includes('--quick');
const TARGETS: Partial<Record<AppName, number>> = { middleware: 3, reads: 10 };
const LABELS: Record<AppName, string> = {
  bare: 'bare Express route',
  noop: '+ empty middleware (ref.)',
  middleware: '+ halyard(), no flag read',
  reads: '+ halyard(), 5 flags read',
};

// ---------------------------------------------------------------------------------------------------------------
// Server side (`--server`)

async function server(): Promise<void> {
  const { createApps } = await import('./internal/express-apps');
  const apps = createApps();
  const ports: Partial<Record<AppName, number>> = {};
  for (const name of APP_NAMES) {
    ports[name] = await new Promise<number>((resolve) => {
      const s = apps[name].listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port));
    });
  }
  process.on('message', (message) => {
    if (message === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send?.(user + system);
    } else if (message === 'isolated') {
      void isolated().then((result) => process.send?.(result));
    }
  });
  process.stdout.write(`${JSON.stringify(ports)}\n`);
}

/**
 * The middleware's own work with no HTTP and no Express around it: the halyard() handler called directly on a
 * minimal request object, with 0 and 5 reads. Returns ns per request (median of 5 × 200k).
 */
async function isolated(): Promise<{ none: number; five: number }> {
  const { createFlagClient, staticSource } = await import('@halyard/core');
  const { halyard } = await import('@halyard/express');
  const { EXPRESS_FLAGS } = await import('./internal/express-apps');
  const client = createFlagClient({ source: staticSource(EXPRESS_FLAGS) });
  const handler = halyard({
    client,
    context: (req) => ({ userId: req.headers['x-user-id'] as string | undefined, country: req.headers['x-country'] as string | undefined }),
  });
  const measure = (reads: boolean): number => {
    const n = 200_000;
    const samples: number[] = [];
    for (let round = 0; round < 5; round++) {
      let sink = 0;
      const start = process.hrtime.bigint();
      for (let i = 0; i < n; i++) {
        const req = { headers: { 'x-user-id': `user-${i}`, 'x-country': 'FR' } } as unknown as import('express').Request;
        handler(req, undefined as never, () => {});
        if (reads) {
          const f = req.flags;
          sink += Number(f.isEnabled('new-checkout')) + Number(f.isEnabled('ai-recommendations')) + Number(f.isEnabled('beta-banner'));
          sink += f.getValue('page-size', 10) + (f.variant('button-color')?.length ?? 0);
        }
      }
      samples.push(Number(process.hrtime.bigint() - start) / n);
      if (sink < 0) console.log(sink);
    }
    return samples.sort((a, b) => a - b)[2] as number;
  };
  measure(true);
  return { none: measure(false), five: measure(true) };
}

// ---------------------------------------------------------------------------------------------------------------
// Load side

const selfPath = fileURLToPath(import.meta.url);
// The source condition lets the benchmark run without a build (tsx compiles the workspace sources).
const nodeArgs = (): string[] => [
  ...process.execArgv,
  ...(process.execArgv.some((a) => a.includes('@halyard/source')) ? [] : ['--conditions=@halyard/source']),
  selfPath,
  '--server',
];

/**
 * `--pin` (Linux, taskset, ≥ 2 CPUs): the server gets the last CPU to itself, this process (the load generator)
 * the others. Off by default: on the 2-core VMs this was developed on, pinned rounds varied MORE (bare 9–15k req/s)
 * than unpinned ones (15–16k), presumably because the host's own work then lands on one of the two.
 */
function pinning(): { server: string; load: string } | undefined {
  const cpus = os.cpus().length;
  if (!argv.includes('--pin') || process.platform !== 'linux' || cpus < 2) return undefined;
  const load = cpus === 2 ? '0' : `0-${cpus - 2}`;
  const self = spawnSync('taskset', ['-apc', load, String(process.pid)], { stdio: 'ignore' });
  return self.status === 0 ? { server: String(cpus - 1), load } : undefined;
}

function waitForPorts(child: ChildProcess): Promise<Partial<Record<AppName, number>>> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const newline = out.indexOf('\n');
      if (newline >= 0) resolve(JSON.parse(out.slice(0, newline)));
    });
    child.on('exit', (code) => reject(new Error(`benchmark server exited with ${code}`)));
  });
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const pct = (loss: number): string => `${loss >= 0 ? '-' : '+'}${Math.abs(loss).toFixed(1)}%`;
const verdict = (name: AppName, loss: number): string => {
  const target = TARGETS[name];
  return target === undefined ? '' : `< ${target}%: ${loss < target ? 'PASS' : 'MISS'}`;
};

interface ThroughputResult {
  rps: Record<AppName, number[]>;
  cpuUs: Record<AppName, number[]>;
  isolated: { none: number; five: number };
}

async function throughput(): Promise<ThroughputResult> {
  const { default: autocannon } = await import('autocannon');
  const rounds = Number(option('--rounds') ?? (quick ? 3 : 5));
  const duration = Number(option('--duration') ?? (quick ? 1 : 3));
  const connections = Number(option('--connections') ?? 10);
  const pin = pinning();
  const args = nodeArgs();
  const child = spawn(pin ? 'taskset' : process.execPath, pin ? ['-c', pin.server, process.execPath, ...args] : args, {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  const ports = (await waitForPorts(child)) as Record<AppName, number>;
  const ask = <T>(message: string): Promise<T> =>
    new Promise((resolve) => {
      child.once('message', (answer) => resolve(answer as T));
      child.send(message);
    });
  const load = (port: number, seconds: number): Promise<{ rps: number; total: number }> =>
    new Promise((resolve, reject) => {
      autocannon(
        {
          url: `http://127.0.0.1:${port}/checkout`,
          connections,
          duration: seconds,
          // autocannon replaces [<id>] with a fresh id per request: every request is a different user.
          idReplacement: true,
          headers: { 'x-user-id': 'user-[<id>]', 'x-country': 'FR' },
        },
        (error, result) => {
          if (error) reject(error);
          else if (result.non2xx > 0 || result.errors > 0) reject(new Error(`non-2xx or errors: ${result.non2xx}/${result.errors}`));
          else resolve({ rps: result.requests.average, total: result.requests.total });
        },
      );
    });
  const run = async (name: AppName, seconds: number): Promise<{ rps: number; cpuUs: number }> => {
    const before = await ask<number>('cpu');
    const { rps, total } = await load(ports[name], seconds);
    const after = await ask<number>('cpu');
    return { rps, cpuUs: (after - before) / total };
  };

  const rps = { bare: [], noop: [], middleware: [], reads: [] } as Record<AppName, number[]>;
  const cpuUs = { bare: [], noop: [], middleware: [], reads: [] } as Record<AppName, number[]>;
  try {
    console.log(
      `requests/s: autocannon, ${connections} connections, ${rounds} rounds × ${duration} s per app` +
        (pin ? `; server pinned to CPU ${pin.server}, load generator to CPU ${pin.load}` : '; not pinned'),
    );
    for (const name of APP_NAMES) await run(name, 1);
    for (let round = 0; round < rounds; round++) {
      const order = APP_NAMES.map((_, i) => APP_NAMES[(i + round) % APP_NAMES.length] as AppName);
      for (const name of order) {
        const sample = await run(name, duration);
        rps[name].push(sample.rps);
        cpuUs[name].push(sample.cpuUs);
      }
      console.log(`   round ${round + 1}: ${APP_NAMES.map((n) => `${n} ${Math.round(rps[n][round] ?? 0)} req/s`).join(', ')}`);
    }
    return { rps, cpuUs, isolated: await ask('isolated') };
  } finally {
    child.kill();
  }
}

async function main(): Promise<void> {
  console.log(`@halyard/express overhead — Node ${process.version}, ${os.cpus().length} CPUs, express ${expressVersion()}\n`);
  const t = await throughput();

  const bareCpu = median(t.cpuUs.bare);
  const rows = APP_NAMES.map((name) => {
    const ratios = t.rps[name].map((r, i) => r / (t.rps.bare[i] as number));
    const loss = (1 - median(ratios)) * 100;
    const spread = `${pct((1 - Math.max(...ratios)) * 100)} … ${pct((1 - Math.min(...ratios)) * 100)}`;
    const isBare = name === 'bare';
    return [
      LABELS[name],
      Math.round(median(t.rps[name])).toLocaleString('en-US'),
      isBare ? '' : pct(loss),
      isBare ? '' : spread,
      median(t.cpuUs[name]).toFixed(1),
      isBare ? '' : verdict(name, loss),
    ];
  });
  console.log(`\n${formatTable(['app', 'req/s (median)', 'vs bare', 'per-round range', 'CPU µs/req', 'verdict'], rows)}`);
  console.log(
    `   "vs bare" is the median over rounds of 1 − app ÷ bare in the same round. halyard() work with no HTTP around it: ` +
      `${t.isolated.none.toFixed(0)} ns without a read, ${t.isolated.five.toFixed(0)} ns with 5 reads ` +
      `(${((t.isolated.none / (bareCpu * 1000)) * 100).toFixed(2)} % / ${((t.isolated.five / (bareCpu * 1000)) * 100).toFixed(2)} % of a bare request's ${bareCpu.toFixed(0)} µs CPU).`,
  );
}

function expressVersion(): string {
  try {
    return (createRequire(import.meta.url)('express/package.json') as { version: string }).version;
  } catch {
    return '?';
  }
}

if (argv.includes('--server')) await server();
else await main();
