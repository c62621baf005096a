import { describe, expect, it } from 'vitest';
import type { FlagDefinition } from '@halyard/core';
import type { StoredResource } from '../store/types';
import { withLifecycle } from './flag-lifecycle';

const stored = (key: string, definition: Partial<FlagDefinition>, createdAt: string, updatedAt = createdAt): StoredResource<FlagDefinition> => ({
  key,
  environment: 'production',
  version: 1,
  definition: { owner: 'web', variants: { on: true, off: false }, enabled: true, defaultServe: { split: [{ variant: 'on', weight: 1 }, { variant: 'off', weight: 1 }] }, ...definition },
  createdAt,
  updatedAt,
});

describe('withLifecycle', () => {
  it('says expired, stale or active, with the findings of core lint rules', () => {
    const now = new Date('2026-06-15T00:00:00Z');
    const [expired, old, done, fresh] = withLifecycle(
      [
        stored('expired', { expiresAt: '2026-06-01' }, '2026-06-01T00:00:00Z'),
        stored('old', { kind: 'experiment' }, '2026-01-01T00:00:00Z', '2026-06-14T00:00:00Z'),
        stored('done', { defaultServe: { variant: 'on' } }, '2026-05-10T00:00:00Z'),
        stored('fresh', { owner: undefined }, '2026-06-10T00:00:00Z'),
      ],
      { now },
    );
    expect(expired!.lifecycle).toMatchObject({ status: 'expired', findings: [{ rule: 'expired', severity: 'error', days: 14 }] });
    expect(old!.lifecycle).toMatchObject({ status: 'stale', findings: [{ rule: 'lifetime', days: 125 }] });
    expect(done!.lifecycle).toMatchObject({ status: 'stale', findings: [{ rule: 'single-variant' }] });
    expect(fresh!.lifecycle).toEqual({ status: 'active', findings: [expect.objectContaining({ rule: 'no-owner', severity: 'warning' })] });
    expect(fresh!.key).toBe('fresh');
  });
});
