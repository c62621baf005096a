import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HalyardServer } from '../src/index';
import { BACKENDS, call, createKey, createStorage, startServer, type TestStorage } from './helpers';

// Experiment results end to end: a flag with an experiment, SDK events over HTTP (exposures and `track` metrics,
// with pre-exposure values for CUPED), the aggregation on PostgreSQL and PGlite, and the results API.

const ENV = 'development';
const HOUR = 3_600_000;

const experimentFlag = (startAt: string) => ({
  kind: 'experiment',
  variants: { control: 'old', treatment: 'new' },
  enabled: true,
  offVariant: 'control',
  defaultServe: { split: [{ variant: 'control', weight: 50 }, { variant: 'treatment', weight: 50 }] },
  experiment: {
    hypothesis: 'The new checkout doubles purchases',
    control: 'control',
    metrics: {
      'purchase-rate': { type: 'conversion', event: 'purchase', windowHours: 24 },
      revenue: { type: 'sum', event: 'purchase' },
      'order-value': { type: 'ratio', numerator: { event: 'purchase', aggregate: 'sum' }, denominator: { event: 'purchase', aggregate: 'count' } },
      visits: { type: 'count', event: 'visit' },
    },
    primaryMetric: 'purchase-rate',
    guardrailMetrics: ['visits'],
    startAt,
  },
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(BACKENDS)('experiments on %s', (backend) => {
  let storage: TestStorage;
  let server: HalyardServer;
  let admin: string;
  let sdk: string;
  let viewer: string;

  beforeAll(async () => {
    storage = createStorage(backend);
    server = await startServer(storage, { events: { flushMs: 100 } });
    admin = server.bootstrapToken!;
    sdk = await createKey(server.url, admin, { type: 'sdk', name: 'app', environment: ENV });
    viewer = await createKey(server.url, admin, { type: 'admin', role: 'viewer', name: 'viewer' });
  }, 180_000);

  afterAll(async () => {
    await server?.close();
    await storage?.drop();
  });

  it('attributes metric events to first exposures and computes results, SRM, CUPED and the timeline', async () => {
    const now = Date.now();
    const created = await call(server.url, 'POST', `/api/v1/environments/${ENV}/flags`, { token: admin, body: { key: 'checkout', definition: experimentFlag(new Date(now - 2 * HOUR).toISOString()) } });
    expect(created.status).toBe(201);
    // No wait: the create answered after the metric names were re-read, so these events are measured at once.

    const events: unknown[] = [];
    const exposed = now - HOUR;
    for (let i = 0; i < 400; i++) {
      const unit = `u${i}`;
      const variant = i % 2 === 0 ? 'control' : 'treatment';
      events.push({ kind: 'exposure', flag: 'checkout', variant, unit, time: exposed });
      // Pre-exposure visits (CUPED's covariate) that predict the post-exposure visits.
      const habit = i % 5;
      for (let v = 0; v < habit; v++) events.push({ kind: 'metric', name: 'visit', unit, time: exposed - 2 * HOUR });
      for (let v = 0; v < habit + (i % 3 === 0 ? 1 : 0); v++) events.push({ kind: 'metric', name: 'visit', unit, time: exposed + 10 * 60_000 });
      // Control: 1 unit in 5 converts; treatment: 3 in 5.
      const converts = variant === 'control' ? i % 10 < 2 : i % 10 < 4 || i % 10 === 5;
      if (converts) events.push({ kind: 'metric', name: 'purchase', unit, value: 20 + (i % 7), time: exposed + 5 * 60_000 });
      // Not an experiment's metric: not kept per unit.
      events.push({ kind: 'metric', name: 'unrelated', unit, time: exposed + 60_000 });
    }
    // A purchase before the exposure is no conversion; a unit that saw both variants is excluded.
    events.push({ kind: 'metric', name: 'purchase', unit: 'u400', value: 99, time: exposed - 30 * 60_000 });
    events.push({ kind: 'exposure', flag: 'checkout', variant: 'control', unit: 'u400', time: exposed });
    events.push({ kind: 'exposure', flag: 'checkout', variant: 'control', unit: 'both', time: exposed });
    events.push({ kind: 'exposure', flag: 'checkout', variant: 'treatment', unit: 'both', time: exposed + 1000 });
    for (let start = 0; start < events.length; start += 1000) {
      const sent = await call(server.url, 'POST', '/sdk/v1/events', { token: sdk, body: { events: events.slice(start, start + 1000) } });
      expect(sent.status).toBe(202);
    }

    let results: any;
    for (let attempt = 0; attempt < 100; attempt++) {
      const response = await call(server.url, 'GET', `/api/v1/environments/${ENV}/flags/checkout/experiment/results`, { token: viewer });
      expect(response.status).toBe(200);
      results = response.body;
      const visits = results.metrics.find((m: any) => m.key === 'visits');
      if (results.multipleExposures === 1 && visits?.cuped !== undefined && results.metrics[0].variants[0].units === 201) break;
      await sleep(100);
    }
    expect(results).toMatchObject({ flag: 'checkout', env: ENV, status: 'running', control: 'control', method: 'frequentist', correction: 'holm', multipleExposures: 1 });
    expect(results.metrics.map((m: any) => [m.key, m.role])).toEqual([
      ['purchase-rate', 'primary'],
      ['revenue', 'secondary'],
      ['order-value', 'secondary'],
      ['visits', 'guardrail'],
    ]);
    const [rate] = results.metrics;
    const [control, treatment] = rate.variants;
    // 201 control units (u400 converted only before its exposure), 200 treatment units.
    expect(control).toMatchObject({ variant: 'control', units: 201, value: 40 / 201 });
    expect(treatment).toMatchObject({ variant: 'treatment', units: 200, value: 120 / 200 });
    expect(treatment.pValue).toBeLessThan(0.001);
    expect(treatment.adjustedPValue).toBeGreaterThanOrEqual(treatment.pValue);
    expect(treatment.significant).toBe(true);
    // u400's pre-exposure purchase is CUPED's covariate here: the adjusted difference is close to the raw one.
    expect(rate.cuped).toBeDefined();
    expect(treatment.lift.absolute.estimate).toBeCloseTo(0.6 - 40 / 201, 2);
    expect(treatment.lift.relative.ci[0]).toBeLessThan(treatment.lift.relative.estimate);
    expect(treatment.needsMoreUnits).toBeGreaterThanOrEqual(0);
    const visits = results.metrics.find((m: any) => m.key === 'visits');
    expect(visits.cuped.varianceReduction).toBeGreaterThan(0.5);
    expect(results.srm).toMatchObject({ flagged: false, observed: { control: 201, treatment: 200 } });
    expect(results.srm.pValue).toBeGreaterThan(0.5);
    expect(results.timeline).toEqual([
      { day: new Date(exposed).toISOString().slice(0, 10), variant: 'control', exposures: 202 },
      { day: new Date(exposed + 1000).toISOString().slice(0, 10), variant: 'treatment', exposures: 201 },
    ]);

    const list = await call(server.url, 'GET', `/api/v1/environments/${ENV}/experiments`, { token: viewer });
    expect(list.status).toBe(200);
    expect(list.body.experiments).toEqual([
      { flag: 'checkout', status: 'running', hypothesis: 'The new checkout doubles purchases', startAt: expect.any(String), primaryMetric: 'purchase-rate', units: 401, srmFlagged: false },
    ]);
  }, 60_000);

  it('answers 404 for a flag without an experiment and 400 for an invalid declaration', async () => {
    await call(server.url, 'POST', `/api/v1/environments/${ENV}/flags`, { token: admin, body: { key: 'plain', definition: { variants: { on: true, off: false }, enabled: true, defaultServe: { variant: 'on' } } } });
    const missing = await call(server.url, 'GET', `/api/v1/environments/${ENV}/flags/plain/experiment/results`, { token: viewer });
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toMatch(/declares none/);
    const bad = experimentFlag(new Date().toISOString());
    const invalid = await call(server.url, 'POST', `/api/v1/environments/${ENV}/flags`, {
      token: admin,
      body: { key: 'bad', definition: { ...bad, experiment: { ...bad.experiment, control: 'contrl' } } },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.problems[0].path).toMatch(/experiment\.control$/);
    const noEnv = await call(server.url, 'GET', '/api/v1/environments/nope/experiments', { token: viewer });
    expect(noEnv.status).toBe(404);
    const openapi = await call(server.url, 'GET', '/openapi.json');
    expect(Object.keys(openapi.body.paths)).toEqual(expect.arrayContaining(['/api/v1/environments/{env}/experiments', '/api/v1/environments/{env}/flags/{key}/experiment/results']));
  });
});

describe('an experiment declared through one instance, events sent to another', () => {
  let storage: TestStorage;
  let a: HalyardServer;
  let b: HalyardServer;

  beforeAll(async () => {
    storage = createStorage('postgres');
    // resyncMs far beyond the test: only the change notification can tell B about the new experiment in time.
    [a, b] = await Promise.all([startServer(storage, { events: { flushMs: 100 }, resyncMs: 120_000 }), startServer(storage, { events: { flushMs: 100 }, resyncMs: 120_000 })]);
  }, 180_000);

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await storage?.drop();
  });

  it('B measures the experiment within moments of the change notification, not at its next re-check', async () => {
    const admin = (a.bootstrapToken ?? b.bootstrapToken)!;
    const sdk = await createKey(a.url, admin, { type: 'sdk', name: 'app', environment: ENV });
    const now = Date.now();
    expect((await call(a.url, 'POST', `/api/v1/environments/${ENV}/flags`, { token: admin, body: { key: 'checkout', definition: experimentFlag(new Date(now - HOUR).toISOString()) } })).status).toBe(201);
    // Each round: a new unit exposed and converting, sent to B; read back through A (the shared database).
    const deadline = Date.now() + 10_000;
    for (let round = 0; ; round++) {
      const unit = `probe-${round}`;
      const events = [
        { kind: 'exposure', flag: 'checkout', variant: 'control', unit, time: now - 30 * 60_000 },
        { kind: 'metric', name: 'purchase', unit, value: 10, time: now - 20 * 60_000 },
      ];
      expect((await call(b.url, 'POST', '/sdk/v1/events', { token: sdk, body: { events } })).status).toBe(202);
      await sleep(300);
      const results = await call(a.url, 'GET', `/api/v1/environments/${ENV}/flags/checkout/experiment/results`, { token: admin });
      const control = results.body.metrics?.[0]?.variants?.find((v: any) => v.variant === 'control');
      if (control !== undefined && control.value > 0) break;
      if (Date.now() > deadline) throw new Error(`B never kept a purchase for the experiment: ${JSON.stringify(results.body.metrics?.[0])}`);
    }
  }, 60_000);
});
