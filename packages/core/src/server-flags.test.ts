import { describe, expect, it, vi } from 'vitest';
import { createFlagClient, parseDefinitions } from '@halyard/core';
import { createExposureTracker, createServerFlags, RequestServerFlags, ServerFlagsState, type ServerFlagsHost } from '@halyard/core/adapter';
import type { ExposureEvent, FlagClient, FlagsDocument, SourceUpdate } from '@halyard/core';

const DOCUMENT: FlagsDocument = {
  schemaVersion: 1,
  version: 1,
  flags: {
    'new-checkout': { variants: { on: true, off: false }, enabled: true, offVariant: 'off', targets: [{ variant: 'on', values: ['alice'] }], defaultServe: { variant: 'off' } },
    'button-color': { variants: { blue: 'blue', green: 'green' }, enabled: true, offVariant: 'blue', defaultServe: { variant: 'green' } },
    limits: { variants: { small: { max: 1 }, list: [1, 2] }, enabled: true, offVariant: 'small', defaultServe: { variant: 'small' } },
    'team-plan': {
      variants: { a: 'a', b: 'b' },
      enabled: true,
      offVariant: 'a',
      defaultServe: { split: [{ variant: 'a', weight: 1 }, { variant: 'b', weight: 1 }], bucketBy: 'accountId' },
    },
    'user-plan': { variants: { a: 'a', b: 'b' }, enabled: true, offVariant: 'a', defaultServe: { split: [{ variant: 'a', weight: 1 }, { variant: 'b', weight: 1 }] } },
    'org-rollout': {
      variants: { on: true, off: false },
      enabled: true,
      offVariant: 'off',
      rules: [{ id: 'half', conditions: [], rollout: { weight: 100, total: 100, bucketBy: 'org.id' }, serve: { variant: 'on' } }],
      defaultServe: { variant: 'off' },
    },
  },
};

function driven(document: FlagsDocument, onExposure?: (event: ExposureEvent) => void) {
  let emit: ((update: SourceUpdate) => void) | undefined;
  const publish = (doc: FlagsDocument): void => {
    const result = parseDefinitions(doc);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    emit?.({ type: 'definitions', definitions: result.definitions });
  };
  const client = createFlagClient({
    source: {
      name: 'test',
      start(e) {
        emit = e;
        publish(document);
        return () => {};
      },
    },
    onExposure,
    logger: false,
  });
  return { client, publish };
}

type Req = { id: string; forced?: Record<string, string | boolean> };

function host(client: FlagClient, reads: 'client' | 'snapshot', extra: Partial<ServerFlagsHost<Req>> = {}) {
  const report = vi.fn();
  const context = vi.fn((req: Req) => ({ userId: req.id, accountId: `acct-${req.id}`, org: { id: 9 } }));
  const value: ServerFlagsHost<Req> = { client, scope: '@halyard/test', reads, context, report, forced: (req) => req.forced, ...extra };
  return { host: value, report, context };
}

describe.each(['client', 'snapshot'] as const)("the server-side reader (reads: '%s')", (reads) => {
  it('computes the context once and answers every read kind', () => {
    const { client } = driven(DOCUMENT);
    const { host: h, context } = host(client, reads);
    const flags = createServerFlags(h, { id: 'alice' });
    expect(flags.isEnabled('new-checkout')).toBe(true);
    expect(flags.getValue('button-color', 'blue')).toBe('green');
    expect(flags.variant('button-color')).toBe('green');
    expect(flags.getDetails('new-checkout', false)).toEqual({ value: true, variant: 'on', reason: 'TARGETING_MATCH', ruleId: 'target' });
    expect(flags.getDetails('button-color')).toMatchObject({ value: 'green', variant: 'green' });
    expect(flags.context()).toEqual({ userId: 'alice', accountId: 'acct-alice', org: { id: 9 } });
    expect(flags.snapshot().flags['new-checkout']?.value).toBe(true);
    expect(context).toHaveBeenCalledTimes(1);
  });

  it('applies the one type-match rule: a null default takes any type, [] and {} are both json', () => {
    const { client } = driven(DOCUMENT);
    const { host: h, report } = host(client, reads);
    const flags = createServerFlags(h, { id: 'bob' });
    expect(flags.getValue('button-color', null)).toBe('green');
    expect(flags.getValue('limits', [])).toEqual({ max: 1 });
    expect(flags.getDetails('button-color', 3)).toMatchObject({ value: 3, reason: 'ERROR', errorCode: 'TYPE_MISMATCH' });
    expect(flags.getDetails('button-color', 3).errorMessage).toMatch(/is a string flag but the default value is a number/);
    expect(flags.isEnabled('button-color')).toBe(false);
    expect(flags.getDetails('missing', 'x')).toMatchObject({ value: 'x', reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' });
    expect(flags.getValue('missing', 'y')).toBe('y');
    // Reported with one dedupe key per (code, key[, default type]): the adapters' reporters log each once.
    expect([...new Set(report.mock.calls.map((call) => String(call[2])))]).toEqual(['TYPE_MISMATCH\u0000button-color\u00002', 'TYPE_MISMATCH\u0000button-color\u00000', 'FLAG_NOT_FOUND\u0000missing']);
  });

  it('forces values (override tokens, test kits) through the same rule, with real variant names and a new snapshot version', () => {
    const { client } = driven(DOCUMENT);
    const { host: h } = host(client, reads);
    const plain = createServerFlags(h, { id: 'bob' });
    const forced = createServerFlags(h, { id: 'bob', forced: { 'new-checkout': true, 'button-color': 'pink' } });
    expect(forced.getDetails('new-checkout', false)).toEqual({ value: true, variant: 'on', reason: 'STATIC', ruleId: 'override' });
    expect(forced.getDetails('button-color', 'blue')).toEqual({ value: 'pink', reason: 'STATIC', ruleId: 'override' });
    expect(forced.getDetails('button-color', false)).toMatchObject({ value: false, errorCode: 'TYPE_MISMATCH' });
    expect(forced.snapshot().flags['new-checkout']).toEqual({ value: true, variant: 'on', reason: 'STATIC', ruleId: 'override' });
    expect(forced.snapshot().version).not.toBe(plain.snapshot().version);
    // Per-request extras (a test kit) win over the host's.
    const kit = new RequestServerFlags({ id: 'bob', forced: { 'new-checkout': true } }, new ServerFlagsState(h, undefined, { 'new-checkout': false }));
    expect(kit.isEnabled('new-checkout')).toBe(false);
  });

  it('attributes exposures to the split’s bucketBy value (accountId, a rollout’s dot path), else userId', () => {
    const events: ExposureEvent[] = [];
    const { client } = driven(DOCUMENT, reads === 'client' ? (e) => events.push(e) : undefined);
    const tracker = reads === 'snapshot' ? createExposureTracker((e) => events.push(e)) : undefined;
    const { host: h } = host(client, reads, { tracker });
    const flags = createServerFlags(h, { id: 'u1' });
    flags.getValue('team-plan', 'a');
    flags.getValue('user-plan', 'a');
    flags.isEnabled('org-rollout');
    flags.isEnabled('new-checkout');
    flags.isEnabled('missing');
    expect(events.map((e) => [e.flag, e.unit])).toEqual([
      ['team-plan', 'acct-u1'],
      ['user-plan', 'u1'],
      ['org-rollout', '9'],
      ['new-checkout', 'u1'],
    ]);
    // …and the snapshot carries the attribute for readers without definitions (the browser store).
    expect(flags.snapshot().flags['team-plan']?.unitBy).toBe('accountId');
    expect(flags.snapshot().flags['org-rollout']?.unitBy).toBe('org.id');
    expect(flags.snapshot().flags['user-plan']?.unitBy).toBeUndefined();
  });

  it('never throws, even when the client does', () => {
    const { client } = driven(DOCUMENT);
    const broken: FlagClient = {
      ...client,
      getDetails: () => {
        throw new Error('boom');
      },
      evaluateAll: () => {
        throw new Error('boom');
      },
    };
    const { host: h, report } = host(broken, reads);
    const flags = createServerFlags(h, { id: 'u1' });
    expect(flags.getValue('button-color', 'blue')).toBe('blue');
    expect(flags.snapshot()).toEqual({ version: '', flags: {} });
    expect(report).toHaveBeenCalled();
  });
});

describe('the server-side reader: what differs between the two ways', () => {
  it("'client' evaluates each flag once per (key, default type), only when read", () => {
    const { client } = driven(DOCUMENT);
    const getDetails = vi.spyOn(client, 'getDetails');
    const evaluateAll = vi.spyOn(client, 'evaluateAll');
    const flags = createServerFlags(host(client, 'client').host, { id: 'bob' });
    flags.getValue('button-color', 'blue');
    flags.getValue('button-color', 'red');
    flags.variant('button-color');
    expect(getDetails).toHaveBeenCalledTimes(2); // a string default, then a null one
    expect(evaluateAll).not.toHaveBeenCalled();
  });

  it("'snapshot' answers every read from one evaluation, even when definitions change mid-request", () => {
    const { client, publish } = driven(DOCUMENT);
    const flags = createServerFlags(host(client, 'snapshot').host, { id: 'bob' });
    expect(flags.getValue('button-color', 'blue')).toBe('green');
    publish({ ...DOCUMENT, version: 2, flags: { ...DOCUMENT.flags, 'button-color': { ...DOCUMENT.flags['button-color']!, enabled: false } } });
    expect(client.getValue('button-color', 'x')).toBe('blue');
    expect(flags.getValue('button-color', 'blue')).toBe('green');
    expect(flags.snapshot().flags['button-color']?.value).toBe('green');
  });

  it("exposureHandoff(): the unit per attribute the snapshot's flags use, and the flags this request recorded so far", () => {
    const { client } = driven(DOCUMENT);
    const tracked: string[] = [];
    const tracker = createExposureTracker((e) => tracked.push(e.flag));
    const flags = createServerFlags(host(client, 'snapshot', { tracker }).host, { id: 'u1', forced: { 'new-checkout': false } });
    // Nothing read yet: units, nothing recorded. Only unit attributes, each once, never the rest of the context.
    expect(flags.exposureHandoff()).toEqual({ units: { userId: 'u1', accountId: 'acct-u1', 'org.id': '9' }, exposed: [] });
    flags.getValue('team-plan', 'a');
    flags.getValue('team-plan', 'a');
    flags.isEnabled('new-checkout'); // forced: no exposure
    flags.isEnabled('missing');
    expect(flags.exposureHandoff().exposed).toEqual(['team-plan']);
    expect(tracked).toEqual(['team-plan']);
    // Without a tracker nothing is recorded, so nothing is handed over as recorded.
    const quiet = createServerFlags(host(client, 'snapshot').host, { id: 'u1' });
    quiet.isEnabled('user-plan');
    expect(quiet.exposureHandoff().exposed).toEqual([]);
  });
});
