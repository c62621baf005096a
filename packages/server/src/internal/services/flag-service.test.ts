import type { FlagDefinition } from '@halyard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTOR, openServiceHarness, type ServiceHarness } from '../../../test/service-harness';
import { ArchivedError, ConflictError, InvalidDefinitionsError, NotFoundError, PreconditionFailedError, PreconditionRequiredError } from '../errors';

const flag = (enabled = true): FlagDefinition => ({ variants: { on: true, off: false }, enabled, offVariant: 'off', defaultServe: { variant: 'on' } }) as FlagDefinition;

describe('ResourceService and FlagService (no HTTP)', () => {
  let h: ServiceHarness;
  let n = 0;
  const unique = (prefix: string) => `${prefix}-${++n}`;
  const auditCount = async () => (await h.store.audit.query({ limit: 500 })).entries.length;
  const served = async () => (await h.services.environments.document('development')).flags;

  beforeAll(async () => {
    h = await openServiceHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('creates once, publishes the new document to this instance at once, and refuses duplicates', async () => {
    const key = unique('created');
    const before = h.hub.peek('development')?.version ?? 0;
    const created = await h.services.resources.create(ACTOR, 'flag', 'development', key, flag());
    expect(created).toMatchObject({ changed: true, created: true, action: 'flag.create', resource: { key, version: 1 } });
    expect(h.hub.peek('development')!.version).toBeGreaterThan(before);
    expect(h.hub.peek('development')!.document.flags[key]).toEqual(flag());
    await expect(h.services.resources.create(ACTOR, 'flag', 'development', key, flag())).rejects.toThrow(ConflictError);
    await expect(h.services.resources.create(ACTOR, 'flag', 'nowhere', key, flag())).rejects.toThrow(NotFoundError);
  });

  it('toggles: sets, flips, and writes nothing (no version, no audit entry) when already in that state', async () => {
    const key = unique('toggle');
    await h.services.resources.create(ACTOR, 'flag', 'development', key, flag());
    expect((await h.services.flags.toggle(ACTOR, 'development', key, false)).resource).toMatchObject({ version: 2, definition: { enabled: false } });
    const audits = await auditCount();
    expect(await h.services.flags.toggle(ACTOR, 'development', key, false)).toMatchObject({ changed: false, resource: { version: 2 } });
    expect(await auditCount()).toBe(audits);
    expect((await h.services.flags.toggle(ACTOR, 'development', key, undefined)).resource!.definition.enabled).toBe(true);
    await expect(h.services.flags.toggle(ACTOR, 'development', unique('missing'), true)).rejects.toThrow(NotFoundError);
  });

  it('rolls out through rolloutServe and refuses unknown variants with parseDefinitions’ problems', async () => {
    const key = unique('rollout');
    await h.services.resources.create(ACTOR, 'flag', 'development', key, flag());
    const rolled = await h.services.flags.rollout(ACTOR, 'development', key, { percentage: 40 });
    expect(rolled.resource!.definition.defaultServe).toEqual({ split: [{ variant: 'on', percentage: 40 }, { variant: 'off', percentage: 60 }] });
    expect((await h.services.flags.rollout(ACTOR, 'development', key, { percentage: 40 })).changed).toBe(false);
    const error = await h.services.flags.rollout(ACTOR, 'development', key, { percentage: 5, variant: 'ghost' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidDefinitionsError);
    expect((error as InvalidDefinitionsError).problems[0]!.path).toContain(`$.flags["${key}"].defaultServe`);
  });

  it('enforces If-Match (412 with who changed it) and needs it to replace (428)', async () => {
    const key = unique('conditional');
    await h.services.resources.create(ACTOR, 'flag', 'development', key, flag());
    await h.services.flags.toggle({ id: null, name: 'alice' }, 'development', key, false);
    const stale = await h.services.flags.toggle(ACTOR, 'development', key, true, { ifMatch: ['1'] }).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(PreconditionFailedError);
    expect(stale).toMatchObject({ currentVersion: 2, lastChange: { actor: 'alice', action: 'flag.toggle' } });
    await expect(h.services.resources.replace(ACTOR, 'flag', 'development', key, flag())).rejects.toThrow(PreconditionRequiredError);
    expect((await h.services.resources.replace(ACTOR, 'flag', 'development', key, flag(), { ifMatch: ['2'] })).resource!.version).toBe(3);
    await expect(h.services.resources.replace(ACTOR, 'flag', 'development', key, flag(), { ifNoneMatch: '*' })).rejects.toThrow(PreconditionFailedError);
    const missing = await h.services.resources.replace(ACTOR, 'flag', 'development', unique('absent'), flag(), { ifMatch: ['1'] }).catch((e: unknown) => e);
    expect(missing).toMatchObject({ currentVersion: null });
  });

  it('writes nothing when the environment document would become invalid', async () => {
    const parent = unique('parent');
    const child = unique('child');
    await h.services.resources.create(ACTOR, 'flag', 'development', parent, flag());
    await h.services.resources.create(ACTOR, 'flag', 'development', child, { ...flag(), prerequisites: [{ flag: parent, variants: ['on'] }] } as FlagDefinition);
    const version = (await h.services.environments.get('development')).version;
    const audits = await auditCount();
    await expect(h.services.resources.delete(ACTOR, 'flag', 'development', parent)).rejects.toThrow(InvalidDefinitionsError);
    await expect(h.services.flags.archive(ACTOR, 'development', parent)).rejects.toThrow(InvalidDefinitionsError);
    expect((await h.services.environments.get('development')).version).toBe(version);
    expect(await auditCount()).toBe(audits);
  });

  it('archives out of the served document, refuses changes while archived, restores as it was', async () => {
    const key = unique('archived');
    await h.services.resources.create(ACTOR, 'flag', 'development', key, flag());
    expect((await h.services.flags.archive(ACTOR, 'development', key)).resource!.archivedAt).toEqual(expect.any(String));
    expect((await served())[key]).toBeUndefined();
    await expect(h.services.flags.toggle(ACTOR, 'development', key, false)).rejects.toThrow(ArchivedError);
    await expect(h.services.resources.create(ACTOR, 'flag', 'development', key, flag())).rejects.toThrow(ArchivedError);
    expect((await h.services.flags.archive(ACTOR, 'development', key)).changed).toBe(false);
    const restored = await h.services.flags.restore(ACTOR, 'development', key);
    expect(restored.resource!.archivedAt).toBeUndefined();
    expect((await served())[key]).toEqual(flag());
    const history = await h.store.audit.query({ limit: 5, flag: key });
    expect(history.entries.map((e) => e.action)).toEqual(['flag.restore', 'flag.archive', 'flag.create']);
    expect(history.entries[1]!.diff).toEqual([{ path: '$.archivedAt', after: expect.any(String) }]);
  });

  it('merge-patches segments and removes members set to null', async () => {
    const key = unique('segment');
    await h.services.resources.create(ACTOR, 'segment', 'development', key, { included: ['u1'], description: 'x' } as never);
    const patched = await h.services.resources.patch(ACTOR, 'segment', 'development', key, { description: null, excluded: ['u2'] });
    expect(patched.resource!.definition).toEqual({ included: ['u1'], excluded: ['u2'] });
    await expect(h.services.resources.get('segment', 'development', unique('nope'))).rejects.toThrow('in environment "development" not found');
  });
});
