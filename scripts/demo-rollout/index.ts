// `pnpm demo:rollout`: release plans end to end, in well under two minutes.
//
// Starts the flag service in this process (embedded PGlite in a temporary directory, port 0, events flushed every
// 200 ms, the stepper ticking every 200 ms), runs a synthetic app through the real SDK (createFlagClient +
// httpSource streaming + the events sender to /sdk/v1/events, `client.guard` around the new path) with live
// traffic, and prints a readable timeline:
//   1. a healthy new path rolls out by its plan to 100 %;
//   2. a new path that errors 5 % of the time is rolled back at its first guarded step once the guardrail has its
//      minimum sample, and the connected SDK serves off soon after;
//   3. the circuit breaker scenario (scripts/demo-rollout/breaker-scenario.ts, when present).
// It ends with three summary lines; X is measured from the decision (the rollback transition's time, which is also
// its audit entry's) to the connected SDK serving the off variant.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createEventSender, createFlagClient, httpSource, type FlagClient } from '../../packages/core/src/index';
import { createServer, type HalyardServer } from '../../packages/server/src/index';
import { runAsScript } from '../lib/run-as-script';

const ENV = 'development';
const HERE = fileURLToPath(new URL('.', import.meta.url));

interface PlanView {
  status: string;
  percentage: number;
  step: number;
  steps: Array<{ percentage: number }>;
  timeline: Array<{ at: string; event: string; percentage: number; message: string; details?: { breached?: Array<{ kind: string; value: number; threshold: number; sample: number }> } }>;
  lastEvaluation?: { results: Array<{ guardrail: { kind: string }; status: string; value: number | null; threshold: number | null; sample: number; minSample: number }> };
}

/** What a scenario gets: the running service, an admin token, an SDK key, the connected client, the traffic and a logger. */
export interface DemoContext {
  url: string;
  adminToken: string;
  sdkKey: string;
  environment: string;
  client: FlagClient;
  api: <T>(method: string, path: string, body?: unknown) => Promise<T>;
  /** Sends guarded traffic for `flag` until the returned function is called; `fail(n)` decides whether call n of the new path throws. */
  traffic: (flag: string, fail: (call: number) => boolean) => () => void;
  log: (line: string) => void;
}

export interface DemoResult {
  healthy: { steps: number };
  failing: { percentage: number; exposures: number; servedOffWithinMs: number };
  breaker: { errors: number; servedOffWithinMs: number } | undefined;
  /** The closing lines, exactly as printed. */
  lines: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined> | T | undefined, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`demo:rollout: ${what} did not happen within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

const flagDefinition = { variants: { on: true, off: false }, enabled: true, offVariant: 'off', defaultServe: { variant: 'off' } };

/** Prints plan transitions as they happen (polling the admin API like `halyard rollouts status`). */
function follow(ctx: DemoContext, flag: string, started: number): { stop: () => void; latest: () => PlanView | undefined } {
  let seen = 0;
  let latest: PlanView | undefined;
  let stopped = false;
  void (async () => {
    while (!stopped) {
      latest = await ctx.api<PlanView>('GET', `/api/v1/environments/${ENV}/flags/${flag}/release-plan`).catch(() => latest);
      for (const entry of latest?.timeline.slice(seen) ?? []) {
        const t = ((Date.parse(entry.at) - started) / 1000).toFixed(1).padStart(5);
        const guards = (latest?.lastEvaluation?.results ?? [])
          .map((r) => `${r.guardrail.kind} ${r.value === null ? '–' : r.guardrail.kind === 'latency' ? `${r.value.toFixed(1)}ms` : `${(r.value * 100).toFixed(2)}%`} vs ${r.threshold === null ? '–' : r.guardrail.kind === 'latency' ? `${r.threshold}ms` : `${(r.threshold * 100).toFixed(2)}%`} (n=${r.sample})`)
          .join(', ');
        ctx.log(`  +${t}s  ${entry.event.padEnd(11)} ${String(entry.percentage).padStart(5)}%  ${entry.message}${guards && entry.event !== 'started' ? `  [${guards}]` : ''}`);
      }
      seen = latest?.timeline.length ?? seen;
      await sleep(100);
    }
  })();
  return { stop: () => void (stopped = true), latest: () => latest };
}

async function healthyScenario(ctx: DemoContext): Promise<DemoResult['healthy']> {
  const flag = 'checkout-v2';
  ctx.log(`\n1. healthy: ${flag} rolls out 5% → 25% → 50% → 100%, 1 s holds, guardrails error rate ≤ 2% and p99 ≤ 250 ms (each ≥ 100 outcomes)`);
  await ctx.api('POST', `/api/v1/environments/${ENV}/flags`, { key: flag, definition: flagDefinition });
  const stopTraffic = ctx.traffic(flag, () => false);
  const started = Date.now();
  await ctx.api('POST', `/api/v1/environments/${ENV}/flags/${flag}/release-plan`, {
    schedule: { kind: 'steps', steps: [5, 25, 50, 100].map((percentage) => ({ percentage, holdMs: percentage === 100 ? 0 : 1000 })) },
    guardrails: [
      { kind: 'error-rate', max: 0.02, minOutcomes: 100 },
      { kind: 'latency', percentile: 'p99', maxMs: 250, minOutcomes: 100 },
    ],
    onBreach: 'rollback',
  });
  const follower = follow(ctx, flag, started);
  const plan = await until('the healthy rollout', 45_000, async () => {
    const p = await ctx.api<PlanView>('GET', `/api/v1/environments/${ENV}/flags/${flag}/release-plan`);
    if (p.status === 'completed') return p;
    if (p.status !== 'active') throw new Error(`demo:rollout: the healthy plan ended ${p.status}: ${p.timeline.at(-1)?.message}`);
    return undefined;
  });
  await sleep(250);
  follower.stop();
  stopTraffic();
  return { steps: plan.step + 1 };
}

async function failingScenario(ctx: DemoContext): Promise<DemoResult['failing']> {
  const flag = 'search-v2';
  ctx.log(`\n2. failing: ${flag}'s new path throws on 1 call in 20 (5%); plan 10% → 25% → 50% → 100%, error rate ≤ 2% with ≥ 200 outcomes, roll back on breach`);
  await ctx.api('POST', `/api/v1/environments/${ENV}/flags`, { key: flag, definition: flagDefinition });
  const stopTraffic = ctx.traffic(flag, (call) => call % 20 === 19);
  // The "served off" observer: users the SDK served the new path to; once none of them gets it, the SDK serves off.
  const onUsers = new Set<string>();
  const started = Date.now();
  await ctx.api('POST', `/api/v1/environments/${ENV}/flags/${flag}/release-plan`, {
    schedule: { kind: 'steps', steps: [10, 25, 50, 100].map((percentage) => ({ percentage, holdMs: percentage === 100 ? 0 : 1000 })) },
    guardrails: [{ kind: 'error-rate', max: 0.02, minOutcomes: 200 }],
    onBreach: 'rollback',
  });
  await until('the SDK serving the first step', 5000, () => {
    for (let i = 0; i < 2000; i++) if (ctx.client.getValue(flag, false, { userId: `user-${i}` }) === true) onUsers.add(`user-${i}`);
    return onUsers.size > 0 ? true : undefined;
  });
  let servedOffAt: number | undefined;
  const servesOff = () => [...onUsers].every((userId) => ctx.client.getValue(flag, false, { userId }) === false);
  const unsubscribe = ctx.client.subscribe(() => {
    if (servedOffAt === undefined && servesOff()) servedOffAt = Date.now();
  });
  const follower = follow(ctx, flag, started);
  const plan = await until('the rollback', 45_000, async () => {
    const p = await ctx.api<PlanView>('GET', `/api/v1/environments/${ENV}/flags/${flag}/release-plan`);
    if (p.status === 'rolled_back') return p;
    if (p.status !== 'active') throw new Error(`demo:rollout: the failing plan ended ${p.status}`);
    return undefined;
  });
  const servedOff = await until('the SDK serving off', 5000, () => servedOffAt ?? (servesOff() ? Date.now() : undefined), 2);
  await sleep(250);
  follower.stop();
  unsubscribe();
  stopTraffic();
  const decision = plan.timeline.at(-1)!;
  const breached = decision.details?.breached?.[0];
  return { percentage: plan.steps[plan.step]!.percentage, exposures: breached?.sample ?? 0, servedOffWithinMs: Math.max(0, servedOff - Date.parse(decision.at)) };
}

/** Runs the whole demo; `log` receives every line (the closing three lines last). */
export async function runRolloutDemo(options: { log?: (line: string) => void } = {}): Promise<DemoResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const dir = mkdtempSync(join(tmpdir(), 'halyard-demo-rollout-'));
  let server: HalyardServer | undefined;
  let client: FlagClient | undefined;
  const timers = new Set<NodeJS.Timeout>();
  try {
    server = await createServer({ dataDir: dir, port: 0, logger: false, events: { flushMs: 200 }, releasePlans: { tickMs: 200 } });
    const url = server.url;
    const adminToken = server.bootstrapToken!;
    const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`demo:rollout: ${method} ${path} answered ${response.status}: ${text.slice(0, 500)}`);
      return (text === '' ? undefined : JSON.parse(text)) as T;
    };
    const { token: sdkKey } = await api<{ token: string }>('POST', '/api/v1/keys', { type: 'sdk', name: 'demo app', environment: ENV });
    const flags = createFlagClient({
      source: httpSource({ url: `${url}/sdk/v1/definitions`, sdkKey, stream: true }),
      events: createEventSender({ url: `${url}/sdk/v1/events`, sdkKey, flushInterval: 100 }),
    });
    client = flags;
    await flags.ready();
    log(`Halyard service on ${url} (embedded PGlite); a synthetic app streams its flags and sends events`);

    const traffic = (flag: string, fail: (call: number) => boolean) => {
      let call = 0;
      let user = 0;
      // About 1,000 requests a second over 2,000 users: every 10 ms, 10 requests.
      const timer = setInterval(() => {
        for (let i = 0; i < 10; i++) {
          const userId = `user-${(user = (user + 7) % 2000)}`;
          void flags.guard(flag, { userId }, {
            on: async () => {
              if (fail(call++)) throw new Error('new path failed');
              return 'new';
            },
            off: async () => 'old',
          });
        }
      }, 10);
      timers.add(timer);
      return () => {
        clearInterval(timer);
        timers.delete(timer);
      };
    };
    const ctx: DemoContext = { url, adminToken, sdkKey, environment: ENV, client: flags, api, traffic, log };

    const healthy = await healthyScenario(ctx);
    const failing = await failingScenario(ctx);

    let breaker: DemoResult['breaker'];
    const breakerFile = join(HERE, 'breaker-scenario.ts');
    if (existsSync(breakerFile)) {
      log('\n3. breaker');
      const mod = (await import(pathToFileURL(breakerFile).href)) as { breakerScenario?: (ctx: DemoContext) => Promise<{ errors: number; servedOffWithinMs: number }> };
      if (typeof mod.breakerScenario === 'function') breaker = await mod.breakerScenario(ctx);
    } else {
      log('\n3. breaker: scripts/demo-rollout/breaker-scenario.ts is not there; scenario 3 left out');
    }

    const lines = [
      `healthy: reached 100% in ${healthy.steps} steps`,
      `failing: rolled back at ${failing.percentage}% after ${failing.exposures} exposures; SDK served off within ${failing.servedOffWithinMs} ms`,
      ...(breaker ? [`breaker: killed after ${breaker.errors} errors; SDK served off within ${breaker.servedOffWithinMs} ms`] : []),
    ];
    log('');
    for (const line of lines) log(line);
    return { healthy, failing, breaker, lines };
  } finally {
    for (const timer of timers) clearInterval(timer);
    await client?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

runAsScript(import.meta.url, 'demo:rollout', runRolloutDemo);
