import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTOR, openServiceHarness, type ServiceHarness } from '../../../test/service-harness';
import { NotFoundError, ValidationError } from '../errors';
import type { NewKeyInput } from './key-service';

describe('KeyService (no HTTP)', () => {
  let h: ServiceHarness;
  beforeAll(async () => {
    h = await openServiceHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('binds SDK and client keys to an environment and gives admin tokens a role, naming the wrong field', async () => {
    const cases: Array<[NewKeyInput, string]> = [
      [{ type: 'sdk', name: 'x' }, '$.environment'],
      [{ type: 'client', name: 'x', environment: 'development', role: 'viewer' }, '$.role'],
      [{ type: 'admin', name: 'x' }, '$.role'],
      [{ type: 'admin', name: 'x', role: 'viewer', environment: 'development' }, '$.environment'],
    ];
    for (const [input, path] of cases) {
      const error = await h.services.keys.create(ACTOR, input).catch((e: unknown) => e);
      expect(error, JSON.stringify(input)).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).problems).toEqual([{ path, message: expect.any(String) }]);
    }
    await expect(h.services.keys.create(ACTOR, { type: 'sdk', name: 'x', environment: 'nowhere' })).rejects.toThrow(NotFoundError);
  });

  it('shows the token once, remembers it on this instance, and revokes at once', async () => {
    const { key, token } = await h.services.keys.create(ACTOR, { type: 'client', name: 'browser', environment: 'production' });
    expect(token).toMatch(/^hy_client_/);
    expect(JSON.stringify(await h.services.keys.list())).not.toContain(token);
    expect(h.keys.lookup(token)?.id).toBe(key.id);
    expect((await h.services.keys.list({ environment: 'production' })).map((k) => k.id)).toContain(key.id);
    await h.services.keys.revoke(ACTOR, key.id);
    expect(h.keys.lookup(token)).toBeUndefined();
    await expect(h.services.keys.revoke(ACTOR, key.id)).rejects.toThrow(NotFoundError);
    await expect(h.services.keys.revoke(ACTOR, 'not-a-key-id')).rejects.toThrow(NotFoundError);
    const actions = (await h.store.audit.query({ limit: 2 })).entries.map((e) => e.action);
    expect(actions).toEqual(['key.revoke', 'key.create']);
  });
});
