import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTOR, openServiceHarness, type ServiceHarness } from '../../../test/service-harness';
import { ValidationError } from '../errors';

describe('AuditService (no HTTP)', () => {
  let h: ServiceHarness;
  beforeAll(async () => {
    h = await openServiceHarness();
    await h.services.environments.create(ACTOR, { key: 'audited' });
    await h.services.environments.rename({ id: null, name: 'bob' }, 'audited', 'Audited');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('filters by actor, action prefix and time, newest first, paged by cursor', async () => {
    const all = await h.services.audit.query({ environment: 'audited' });
    expect(all.entries.map((e) => e.action)).toEqual(['environment.update', 'environment.create']);
    expect((await h.services.audit.query({ actor: 'bob' })).entries).toHaveLength(1);
    expect((await h.services.audit.query({ action: 'environment.*', environment: 'audited' })).entries).toHaveLength(2);
    expect((await h.services.audit.query({ environment: 'audited', until: '2000-01-01' })).entries).toHaveLength(0);
    const first = await h.services.audit.query({ environment: 'audited', limit: 1 });
    expect(first.nextCursor).toBe(first.entries[0]!.id);
    const second = await h.services.audit.query({ environment: 'audited', limit: 1, cursor: first.nextCursor! });
    expect(second.entries[0]!.action).toBe('environment.create');
  });

  it('refuses dates PostgreSQL cannot store and cursors it did not hand out, as 400s with the parameter', async () => {
    for (const [input, path] of [
      [{ since: '0000-01-01' }, 'query.since'],
      [{ since: '-271821-04-20T00:00:00Z' }, 'query.since'],
      [{ until: '+275760-09-13T00:00:00Z' }, 'query.until'],
      [{ since: 'yesterday' }, 'query.since'],
      [{ cursor: 'abc' }, 'query.cursor'],
    ] as const) {
      const error = await h.services.audit.query(input).catch((e: unknown) => e);
      expect(error, JSON.stringify(input)).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).problems![0]!.path).toBe(path);
    }
  });
});
