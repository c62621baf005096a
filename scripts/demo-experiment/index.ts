// `pnpm demo:experiment`: experiments end to end, seeded and deterministic, in well under a minute.
//
// Starts the flag service in this process (embedded PGlite in a temporary directory, port 0, events flushed every
// 200 ms) and runs a synthetic app through the real SDK (createFlagClient + httpSource + the events sender to
// /sdk/v1/events): each simulated user reads the flag (the SDK records the exposure) and, if it converts, calls
// `client.track('purchase-…', { userId })`. Three scenarios, each a flag of kind "experiment" split 50/50:
//   1. effect: the treatment's true conversion rate is 10 % higher (11 % vs 10 %), 25,000 users per variant;
//   2. a/a: both variants convert at 10 %, 10,000 users per variant;
//   3. srm: an A/A whose assignment is broken — 10 % of the users bucketed into treatment "bounce" before the
//      page that reads the flag (a silent client peeks at their variant), so the service never sees them.
// Conversions come from one seeded PRNG (mulberry32) and buckets are murmur3 of the user ids, so every run prints
// the same numbers. It ends with three lines, numbers from the results API:
//   effect: treatment vs control lift +L% (95% CI [a%, b%]), p=P
//   a/a: treatment vs control lift +L% (95% CI [a%, b%]), p=P
//   srm: flagged (p=P)            (or "srm: not flagged (p=P)")
// L, a and b are the relative lift and its interval in percent with one decimal (L always signed); P is the p-value
// with two significant digits in JavaScript's number notation (e.g. 0.00031, 4.2e-12).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventSender, createFlagClient, httpSource, type FlagClient } from '../../packages/core/src/index';
import { createServer, type HalyardServer } from '../../packages/server/src/index';
import { runAsScript } from '../lib/run-as-script';

const ENV = 'development';
const SEED = 20261203;

export interface ScenarioResult {
  flag: string;
  units: { control: number; treatment: number };
  lift: { estimate: number; ci: [number, number] };
  pValue: number;
  srm: { pValue: number; flagged: boolean };
}

export interface ExperimentDemoResult {
  effect: ScenarioResult;
  aa: ScenarioResult;
  srm: ScenarioResult;
  /** The closing lines, exactly as printed. */
  lines: string[];
}

/** mulberry32: a small seeded PRNG, so every run draws the same conversions. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const experimentFlag = (event: string, hypothesis: string) => ({
  kind: 'experiment',
  description: 'demo:experiment',
  variants: { control: 'old', treatment: 'new' },
  enabled: true,
  offVariant: 'control',
  defaultServe: { split: [{ variant: 'control', weight: 50 }, { variant: 'treatment', weight: 50 }] },
  experiment: {
    hypothesis,
    control: 'control',
    metrics: { conversion: { type: 'conversion', event, windowHours: 24 } },
    primaryMetric: 'conversion',
    startAt: new Date(Date.now() - 60_000).toISOString(),
    statistics: { method: 'frequentist', alpha: 0.05, correction: 'holm' },
  },
});

interface Scenario {
  flag: string;
  event: string;
  hypothesis: string;
  users: number;
  rate: { control: number; treatment: number };
  /** Share of treatment users lost before the flag is read (the broken assignment). */
  bounce: number;
}

const SCENARIOS: Scenario[] = [
  { flag: 'checkout-effect', event: 'purchase-effect', hypothesis: 'The new checkout converts 10 % better', users: 50_000, rate: { control: 0.1, treatment: 0.11 }, bounce: 0 },
  { flag: 'checkout-aa', event: 'purchase-aa', hypothesis: 'A/A: both variants are the same checkout', users: 20_000, rate: { control: 0.1, treatment: 0.1 }, bounce: 0 },
  { flag: 'checkout-srm', event: 'purchase-srm', hypothesis: 'A/A with a broken assignment', users: 20_000, rate: { control: 0.1, treatment: 0.1 }, bounce: 0.1 },
];

/** Relative lift in percent, one decimal; `signed` puts a `+` before positive numbers. */
const percent = (fraction: number, signed: boolean): string => `${signed && fraction >= 0 ? '+' : ''}${(fraction * 100).toFixed(1)}%`;
/** Two significant digits, JavaScript's number notation. */
export const formatP = (p: number): string => String(Number(p.toPrecision(2)));

export async function runExperimentDemo(options: { log?: (line: string) => void } = {}): Promise<ExperimentDemoResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const dir = mkdtempSync(join(tmpdir(), 'halyard-demo-experiment-'));
  let server: HalyardServer | undefined;
  const clients: FlagClient[] = [];
  try {
    server = await createServer({ dataDir: dir, port: 0, logger: false, events: { flushMs: 200 }, releasePlans: { enabled: false }, breakerMonitor: false });
    const url = server.url;
    const adminToken = server.bootstrapToken!;
    const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`demo:experiment: ${method} ${path} answered ${response.status}: ${text.slice(0, 500)}`);
      return (text === '' ? undefined : JSON.parse(text)) as T;
    };
    for (const s of SCENARIOS) await api('POST', `/api/v1/environments/${ENV}/flags`, { key: s.flag, definition: experimentFlag(s.event, s.hypothesis) });
    const { token: sdkKey } = await api<{ token: string }>('POST', '/api/v1/keys', { type: 'sdk', name: 'demo app', environment: ENV });
    const client = createFlagClient({
      source: httpSource({ url: `${url}/sdk/v1/definitions`, sdkKey }),
      events: createEventSender({ url: `${url}/sdk/v1/events`, sdkKey, flushInterval: 100, capacity: 50_000 }),
    });
    clients.push(client);
    // The broken scenario's "peek": the same flags, no events (its reads are not exposures).
    const silent = createFlagClient({ source: httpSource({ url: `${url}/sdk/v1/definitions`, sdkKey }) });
    clients.push(silent);
    await Promise.all([client.ready(), silent.ready()]);
    // The aggregator keeps metric events per unit for names an experiment reads, refreshed every flush interval.
    await sleep(600);
    log(`Halyard service on ${url} (embedded PGlite); a synthetic app reads flags and tracks purchases through the SDK (seed ${SEED})`);

    const random = prng(SEED);
    const results: ScenarioResult[] = [];
    for (const [index, s] of SCENARIOS.entries()) {
      log(`\n${index + 1}. ${s.flag}: ${s.hypothesis} — ${s.users.toLocaleString('en-US')} users, conversion ${s.rate.control * 100}% vs ${s.rate.treatment * 100}%${s.bounce > 0 ? `, ${s.bounce * 100}% of treatment users lost before the exposure` : ''}`);
      const logged = { control: 0, treatment: 0 };
      for (let i = 0; i < s.users; i++) {
        const context = { userId: `${s.flag}-user-${i}` };
        if (s.bounce > 0 && silent.getValue(s.flag, 'old', context) === 'new' && random() < s.bounce) continue;
        const variant = client.getValue(s.flag, 'old', context) === 'new' ? 'treatment' : 'control';
        logged[variant]++;
        if (random() < s.rate[variant]) client.track(s.event, context);
        // Keep the SDK's queue well under its capacity: send what is queued every 5,000 users.
        if (i % 5000 === 4999) await client.flush();
      }
      await client.flush();
      log(`   exposures sent: control ${logged.control}, treatment ${logged.treatment}`);
      // Aggregated within a flush interval or two; wait until every exposure is in.
      interface Results {
        srm: { pValue: number; flagged: boolean };
        metrics: Array<{ variants: Array<{ variant: string; units: number; value: number; lift?: { relative: { estimate: number; ci: [number, number] } }; pValue?: number }> }>;
      }
      let view: Results | undefined;
      for (let attempt = 0; attempt < 120; attempt++) {
        await sleep(500);
        view = await api<Results>('GET', `/api/v1/environments/${ENV}/flags/${s.flag}/experiment/results`);
        const units = view.metrics[0]?.variants.reduce((sum, v) => sum + v.units, 0) ?? 0;
        if (units >= logged.control + logged.treatment) break;
      }
      const [control, treatment] = view!.metrics[0]!.variants;
      if (treatment?.lift === undefined || treatment.pValue === undefined) throw new Error(`demo:experiment: ${s.flag} has no comparison yet`);
      log(
        `   control ${control!.units} units, ${(control!.value * 100).toFixed(2)}% converted; treatment ${treatment.units} units, ${(treatment.value * 100).toFixed(2)}%; lift ${percent(treatment.lift.relative.estimate, true)}, p=${formatP(treatment.pValue)}; SRM p=${formatP(view!.srm.pValue)}`,
      );
      results.push({ flag: s.flag, units: { control: control!.units, treatment: treatment.units }, lift: treatment.lift.relative, pValue: treatment.pValue, srm: view!.srm });
    }
    const [effect, aa, srm] = results as [ScenarioResult, ScenarioResult, ScenarioResult];
    const liftLine = (name: string, r: ScenarioResult) =>
      `${name}: treatment vs control lift ${percent(r.lift.estimate, true)} (95% CI [${percent(r.lift.ci[0], false)}, ${percent(r.lift.ci[1], false)}]), p=${formatP(r.pValue)}`;
    const lines = [liftLine('effect', effect), liftLine('a/a', aa), `srm: ${srm.srm.flagged ? 'flagged' : 'not flagged'} (p=${formatP(srm.srm.pValue)})`];
    log('');
    for (const line of lines) log(line);
    return { effect, aa, srm, lines };
  } finally {
    for (const client of clients) await client.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

runAsScript(import.meta.url, 'demo:experiment', runExperimentDemo);
