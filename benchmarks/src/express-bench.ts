/**
 * `pnpm bench` (second part): what `@halyard/express` costs an Express app, in requests per second.
 *
 * Four apps answering the same JSON shape, served by ONE child process (so the load generator never competes
 * with them inside one event loop):
 * - bare:       `GET /checkout` answering a small JSON body with constant flag values;
 * - noop:       the same behind an empty `(req, res, next) => next()` — what ANY middleware layer costs in Express;
 * - middleware: the same behind `halyard({ client, context })`, reading no flag;
 * - 5 reads:    the same route reading its 5 values from flags (3 × isEnabled, value, variant) for a random user.
 *
 * autocannon drives each app in R interleaved rounds (order rotated each round), after a warm-up; the median
 * round of each app is reported, and the losses are ratios of medians. Targets: < 3 % loss without a read,
 * < 10 % with 5 reads. The numbers are printed, never asserted.
 *
 * Flags: --rounds N (default 5), --duration S (seconds per measurement, default 3), --connections N (default 10),
 * --quick (3 rounds of 1 s).
 */
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = argv.includes('--quick');

const FLAGS = {
  schemaVersion: 1 as const,
  version: 'bench',
  flags: {
    'new-checkout': {
      variants: { on: true, off: false },
      enabled: true,
      offVariant: 'off',
      defaultServe: { split: [{ variant: 'on', percentage: 50 }, { variant: 'off', percentage: 50 }] },
    },
    'button-color': {
      variants: { blue: 'blue', green: 'green', orange: 'orange' },
      enabled: true,
      offVariant: 'blue',
      defaultServe: { split: [{ variant: 'blue', weight: 1 }, { variant: 'green', weight: 1 }, { variant: 'orange', weight: 1 }] },
    },
    'ai-recommendations': { variants: { on: true, off: false }, enabled: false, offVariant: 'off', defaultServe: { variant: 'on' } },
    'beta-banner': {
      variants: { on: true, off: false },
      enabled: true,
      offVariant: 'off',
      rules: [{ conditions: [{ attribute: 'country', operator: 'in' as const, values: ['FR', 'DE', 'NL'] }], serve: { variant: 'on' } }],
      defaultServe: { variant: 'off' },
    },
    'page-size': { variants: { small: 10, large: 50 }, enabled: true, offVariant: 'small', defaultServe: { variant: 'large' } },
  },
};

async function server(): Promise<void> {
  const { default: express } = await import('express');
  const { createFlagClient, staticSource } = await import('@halyard/core');
  const { halyard } = await import('@halyard/express');
  const client = createFlagClient({ source: staticSource(FLAGS) });
  const context = (req: import('express').Request) => ({ userId: req.get('x-user-id'), country: req.get('x-country') });

  // Same body everywhere, so only the flag work differs.
  const body = (req: import('express').Request) => ({ ok: true, path: req.path, checkout: false, ai: false, banner: true, size: 50, color: 'blue' });
  const bare = express();
  bare.get('/checkout', (req, res) => {
    res.json(body(req));
  });
  const noop = express();
  noop.use((_req, _res, next) => next());
  noop.get('/checkout', (req, res) => {
    res.json(body(req));
  });
  const middleware = express();
  middleware.use(halyard({ client, context }));
  middleware.get('/checkout', (req, res) => {
    res.json(body(req));
  });
  const reads = express();
  reads.use(halyard({ client, context }));
  reads.get('/checkout', (req, res) => {
    const f = req.flags;
    res.json({
      ok: true,
      path: req.path,
      checkout: f.isEnabled('new-checkout'),
      ai: f.isEnabled('ai-recommendations'),
      banner: f.isEnabled('beta-banner'),
      size: f.value('page-size', 10),
      color: f.variant('button-color'),
    });
  });
  const ports: Record<string, number> = {};
  for (const [name, app] of Object.entries({ bare, noop, middleware, reads })) {
    ports[name] = await new Promise<number>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port));
    });
  }
  // The parent asks for CPU time around every measurement: CPU per request is much less sensitive to other load
  // on a shared machine than requests per second.
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
 * The middleware's own work in isolation (no HTTP, no Express router): the halyard() handler called directly on a
 * minimal request object, per request, with 0 and 5 reads. CPU-bound and in-process, so far steadier than the
 * HTTP numbers on a busy machine. Returns ns per request.
 */
async function isolated(): Promise<{ none: number; five: number }> {
  const { createFlagClient, staticSource } = await import('@halyard/core');
  const { halyard } = await import('@halyard/express');
  const client = createFlagClient({ source: staticSource(FLAGS) });
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
          sink += f.value('page-size', 10) + (f.variant('button-color')?.length ?? 0);
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

async function main(): Promise<void> {
  const { default: autocannon } = await import('autocannon');
  const rounds = Number(option('--rounds') ?? (quick ? 3 : 5));
  const duration = Number(option('--duration') ?? (quick ? 1 : 3));
  const connections = Number(option('--connections') ?? 10);

  // The source condition lets the benchmark run without a build (tsx compiles the workspace sources once).
  const conditions = process.execArgv.some((a) => a.includes('@halyard/source')) ? [] : ['--conditions=@halyard/source'];
  const child = spawn(process.execPath, [...process.execArgv, ...conditions, fileURLToPath(import.meta.url), '--server'], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  const ports = await new Promise<Record<'bare' | 'noop' | 'middleware' | 'reads', number>>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve(JSON.parse(line));
    });
    child.on('exit', (code) => reject(new Error(`benchmark server exited with ${code}`)));
  });

  const serverCpu = (): Promise<number> =>
    new Promise((resolve) => {
      child.once('message', (micros) => resolve(micros as number));
      child.send('cpu');
    });

  const run = async (port: number, seconds: number): Promise<{ rps: number; cpuUs: number }> => {
    const before = await serverCpu();
    const { rps, total } = await load(port, seconds);
    const after = await serverCpu();
    return { rps, cpuUs: (after - before) / total };
  };

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

  const names = ['bare', 'noop', 'middleware', 'reads'] as const;
  const samples: Record<(typeof names)[number], number[]> = { bare: [], noop: [], middleware: [], reads: [] };
  const cpu: Record<(typeof names)[number], number[]> = { bare: [], noop: [], middleware: [], reads: [] };
  try {
    console.log(`@halyard/express overhead — Node ${process.version}, ${os.cpus().length} CPUs, ${connections} connections, ${rounds} rounds × ${duration} s per app`);
    for (const name of names) await run(ports[name], 1);
    for (let round = 0; round < rounds; round++) {
      const order = names.map((_, i) => names[(i + round) % names.length] as (typeof names)[number]);
      for (const name of order) {
        const { rps, cpuUs } = await run(ports[name], duration);
        samples[name].push(rps);
        cpu[name].push(cpuUs);
      }
      console.log(
        `  round ${round + 1}: ${names.map((n) => `${n} ${Math.round(samples[n][round] ?? 0)} req/s (${(cpu[n][round] ?? 0).toFixed(1)} µs CPU/req)`).join(', ')}`,
      );
    }
  } catch (error) {
    child.kill();
    throw error;
  }
  const median = (values: number[]): number => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  };
  const bare = median(samples.bare);
  const bareCpu = median(cpu.bare);
  const rows = [
    ['bare Express route', 'bare', undefined],
    ['+ empty middleware (ref.)', 'noop', undefined],
    ['+ halyard(), no flag read', 'middleware', 3],
    ['+ halyard(), 5 flags read', 'reads', 10],
  ] as const;
  const pct = (loss: number): string => `${loss >= 0 ? '-' : '+'}${Math.abs(loss).toFixed(1)}%`;
  console.log('');
  console.log(
    `${'app'.padEnd(28)} ${'req/s'.padStart(8)} ${'vs bare'.padStart(8)} ${'CPU µs/req'.padStart(11)} ${'throughput at CPU'.padStart(18)} ${'target'.padStart(12)}`,
  );
  for (const [label, name, target] of rows) {
    const rps = median(samples[name]);
    const us = median(cpu[name]);
    const loss = (1 - rps / bare) * 100;
    // Throughput a CPU-bound server would lose: bare CPU per request / this app's CPU per request.
    const cpuLoss = (1 - bareCpu / us) * 100;
    const verdict = target === undefined ? '' : `< ${target}% ${loss < target ? 'OK' : 'MISS'}/${cpuLoss < target ? 'OK' : 'MISS'}`;
    const isBare = name === 'bare';
    console.log(
      `${label.padEnd(28)} ${Math.round(rps).toString().padStart(8)} ${(isBare ? '' : pct(loss)).padStart(8)} ${us.toFixed(1).padStart(11)} ${(isBare ? '' : pct(cpuLoss)).padStart(18)} ${verdict.padStart(12)}`,
    );
  }
  // Measured in the server process (it loads the workspace sources; this process only drives the load).
  const micro = await new Promise<{ none: number; five: number }>((resolve) => {
    child.once('message', (result) => resolve(result as { none: number; five: number }));
    child.send('isolated');
  });
  child.kill();
  const bareNs = bareCpu * 1000;
  console.log(
    `\nhalyard() work per request in isolation (median of 5 × 200k): ${micro.none.toFixed(0)} ns without a read, ` +
      `${micro.five.toFixed(0)} ns with 5 reads = ${((micro.none / bareNs) * 100).toFixed(2)} % / ${((micro.five / bareNs) * 100).toFixed(2)} % ` +
      `of a bare request's ${bareCpu.toFixed(0)} µs CPU.`,
  );
  console.log(
    '\nreq/s losses are 1 − median app / median bare; "throughput at CPU" is 1 − bare CPU/request ÷ app CPU/request (server\n' +
      'process CPU time per request, which other load on the machine disturbs much less). Verdicts: req/s / CPU.\n' +
      'The empty-middleware row is Express\'s own price for one more middleware layer, paid by any middleware;\n' +
      `halyard()'s own share without reads is the difference between its row and that one ` +
      `(${(median(cpu.middleware) - median(cpu.noop)).toFixed(1)} µs CPU/request here).`,
  );
}

if (argv.includes('--server')) await server();
else await main();
