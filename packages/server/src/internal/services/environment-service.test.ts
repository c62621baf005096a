import type { FlagDefinition } from '@halyard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTOR, openServiceHarness, type ServiceHarness } from '../../../test/service-harness';
import { ConflictError, NotFoundError } from '../errors';

const flag = { variants: { on: true, off: false }, enabled: true, offVariant: 'off', defaultServe: { variant: 'on' } } as FlagDefinition;

describe('EnvironmentService (no HTTP)', () => {
  let h: ServiceHarness;
  beforeAll(async () => {
    h = await openServiceHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('creates the three defaults on migration, then creates, copies, renames and refuses duplicates', async () => {
    expect((await h.services.environments.list()).map((e) => e.key)).toEqual(['development', 'staging', 'production']);
    await h.services.resources.create(ACTOR, 'flag', 'development', 'copied', flag);
    await h.services.resources.create(ACTOR, 'flag', 'development', 'left-behind', flag);
    await h.services.flags.archive(ACTOR, 'development', 'left-behind');
    const qa = await h.services.environments.create(ACTOR, { key: 'qa', copyFrom: 'development' });
    expect(qa).toMatchObject({ key: 'qa', name: 'qa' });
    expect(Object.keys((await h.services.environments.document('qa')).flags)).toEqual(['copied']);
    expect(h.hub.peek('qa')?.document.flags.copied).toEqual(flag);
    await expect(h.services.environments.create(ACTOR, { key: 'qa' })).rejects.toThrow(ConflictError);
    await expect(h.services.environments.create(ACTOR, { key: 'qa2', copyFrom: 'nowhere' })).rejects.toThrow('Environment "nowhere" (copyFrom) not found');
    await expect(h.services.environments.get('qa2')).rejects.toThrow(NotFoundError);

    expect((await h.services.environments.rename(ACTOR, 'qa', 'Quality')).name).toBe('Quality');
    const audits = (await h.store.audit.query({ limit: 500 })).entries.length;
    await h.services.environments.rename(ACTOR, 'qa', 'Quality');
    expect((await h.store.audit.query({ limit: 500 })).entries.length).toBe(audits);
  });

  it('deletes an environment with its keys: they stop authenticating at once', async () => {
    await h.services.environments.create(ACTOR, { key: 'doomed', name: 'Doomed' });
    const { token } = await h.services.keys.create(ACTOR, { type: 'sdk', name: 'sdk', environment: 'doomed' });
    expect(h.keys.lookup(token)).toMatchObject({ environment: 'doomed' });
    await h.services.environments.delete(ACTOR, 'doomed');
    expect(h.keys.lookup(token)).toBeUndefined();
    expect(await h.keys.authenticate(token)).toBeUndefined();
    const entry = (await h.store.audit.query({ limit: 1 })).entries[0]!;
    expect(entry).toMatchObject({ action: 'environment.delete', resourceKey: 'doomed', after: null });
    await expect(h.services.environments.delete(ACTOR, 'doomed')).rejects.toThrow(NotFoundError);
  });
});
