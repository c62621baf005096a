import type { FlagDefinition } from '@halyard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTOR, openServiceHarness, type ServiceHarness } from '../../../test/service-harness';
import { ArchivedError, InvalidDefinitionsError, PreconditionFailedError } from '../errors';
import { planChanges } from './document-service';

const flag = (enabled = true) => ({ variants: { on: true, off: false }, enabled, offVariant: 'off', defaultServe: { variant: 'on' } }) as FlagDefinition;
const doc = (flags: Record<string, unknown>, segments: Record<string, unknown> = {}) => ({ schemaVersion: 1, flags, segments });

describe('planChanges', () => {
  it('sorts created, updated and deleted keys and counts the equal ones', () => {
    const current = new Map([['b', 1], ['a', 2], ['gone', 3]]);
    const target = new Map([['b', 1], ['a', 5], ['c', 0]]);
    expect(planChanges(current, target, ['c', 'a', 'b'])).toEqual({ created: ['c'], updated: ['a'], deleted: ['gone'], unchanged: 1 });
  });
});

describe('DocumentService (no HTTP)', () => {
  let h: ServiceHarness;
  beforeAll(async () => {
    h = await openServiceHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('replaces in one version with one audit entry per changed resource; a dry run and an equal document write nothing', async () => {
    const before = (await h.services.environments.get('staging')).version;
    const first = doc({ a: flag(), b: flag(false) }, { staff: { included: ['u1'] } });
    const dry = await h.services.documents.write(ACTOR, 'staging', first, { mode: 'replace', dryRun: true });
    expect(dry).toMatchObject({ version: before, changed: true, dryRun: true, flags: { created: ['a', 'b'] } });
    expect((await h.services.environments.get('staging')).version).toBe(before);

    const applied = await h.services.documents.write(ACTOR, 'staging', first, { mode: 'replace' });
    expect(applied.version).toBeGreaterThan(before);
    expect(h.hub.peek('staging')?.version).toBe(applied.version);
    const entries = (await h.store.audit.query({ limit: 10, environment: 'staging' })).entries;
    expect(entries.map((e) => `${e.action} ${e.resourceKey}`)).toEqual(['flag.create b', 'flag.create a', 'segment.create staff']);

    const merged = await h.services.documents.write(ACTOR, 'staging', doc({ a: flag(false) }), { mode: 'merge', ifMatch: [String(applied.version)] });
    expect(merged.flags).toEqual({ created: [], updated: ['a'], deleted: [], unchanged: 0 });
    expect(Object.keys((await h.services.environments.document('staging')).flags)).toEqual(['a', 'b']);
    expect((await h.services.documents.write(ACTOR, 'staging', doc({ a: flag(false) }), { mode: 'merge' })).changed).toBe(false);
  });

  it('refuses stale If-Match, invalid documents (with the paths of the file) and archived flags', async () => {
    await expect(h.services.documents.write(ACTOR, 'staging', doc({}), { mode: 'replace', ifMatch: ['1'] })).rejects.toThrow(PreconditionFailedError);
    const invalid = await h.services.documents.write(ACTOR, 'staging', { ...doc({ e: { ...flag(), offVariant: 'nope' } }), extra: true }, { mode: 'replace' }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(InvalidDefinitionsError);
    expect((invalid as InvalidDefinitionsError).problems.map((p) => p.path)).toEqual(expect.arrayContaining(['$.extra', '$.flags["e"].offVariant']));
    const noFlags = await h.services.documents.write(ACTOR, 'staging', { schemaVersion: 1, flags: [] }, { mode: 'merge' }).catch((e: unknown) => e);
    expect((noFlags as InvalidDefinitionsError).problems[0]!.path).toBe('$.flags');
    await h.services.flags.archive(ACTOR, 'staging', 'b');
    const archived = await h.services.documents.write(ACTOR, 'staging', doc({ b: flag() }), { mode: 'merge' }).catch((e: unknown) => e);
    expect(archived).toBeInstanceOf(ArchivedError);
    expect((archived as ArchivedError).problems![0]!.path).toBe('$.flags["b"]');
  });
});
