import { describe, expect, it } from 'vitest';
import { QueryClient } from '@tanstack/react-query';
import { invalidateFor, reconnectDelay, RECONNECT_MAX_MS, type LiveChange } from './live';

const KEYS = [['flags', 'production'], ['flags', 'staging'], ['flag', 'production', 'checkout'], ['flag', 'production', 'other'], ['segments', 'production'], ['audit'], ['environments'], ['keys'], ['releases', 'production'], ['me']];

function staleAfter(change: Partial<LiveChange>): string[] {
  const client = new QueryClient();
  for (const key of KEYS) client.setQueryData(key, 1);
  invalidateFor(client, { env: 'production', resource: 'flag', key: 'checkout', action: 'flag.toggle', version: 2, actor: 'a', at: '2026-01-01T00:00:00Z', ...change });
  return client.getQueryCache().getAll().filter((query) => query.state.isInvalidated).map((query) => JSON.stringify(query.queryKey)).sort();
}

describe('live change invalidation', () => {
  it('a flag change refreshes every flags list (they show all environments), that flag, releases and the audit log', () => {
    expect(staleAfter({})).toEqual(['["audit"]', '["flag","production","checkout"]', '["flags","production"]', '["flags","staging"]', '["releases","production"]'].sort());
  });
  it('segment, key and environment changes touch only their lists', () => {
    expect(staleAfter({ resource: 'segment', key: 'beta' })).toEqual(['["audit"]', '["flag","production","checkout"]', '["flag","production","other"]', '["segments","production"]'].sort());
    expect(staleAfter({ resource: 'key', env: null, key: null })).toEqual(['["audit"]', '["keys"]']);
    expect(staleAfter({ resource: 'environment', env: 'qa', key: 'qa' })).toEqual(['["audit"]', '["environments"]', '["flags","production"]', '["flags","staging"]'].sort());
  });
  it('backs off from 1 s to at most 30 s', () => {
    expect([0, 1, 2, 3].map(reconnectDelay)).toEqual([1000, 2000, 4000, 8000]);
    expect(reconnectDelay(50)).toBe(RECONNECT_MAX_MS);
  });
});
