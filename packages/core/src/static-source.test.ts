import { describe, expect, it } from 'vitest';
import { flagsDoc } from '../test/helpers/server';
import { createFlagClient } from './client';
import { DefinitionsError } from './internal/problems';
import { staticSource } from './static-source';
import type { FlagsDocument } from './types';

describe('staticSource', () => {
  it('makes a client ready synchronously', async () => {
    const client = createFlagClient({ source: staticSource(flagsDoc('3') as FlagsDocument), logger: false });
    expect(client.status).toBe('ready');
    expect(client.getSnapshot().version).toBe('3');
    expect(client.isEnabled('new-checkout')).toBe(true);
    await expect(client.ready()).resolves.toBeUndefined();
    client.close();
  });

  it('throws at creation listing every problem with its path', () => {
    const bad = {
      schemaVersion: 1,
      flags: {
        a: { variants: { on: true }, enabled: true, offVariant: 'missing', defaultServe: { variant: 'on' } },
        b: { variants: { on: true }, enabled: 'yes', offVariant: 'on', defaultServe: { variant: 'nope' } },
      },
    } as unknown as FlagsDocument;
    let error: unknown;
    try {
      staticSource(bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DefinitionsError);
    const { message, problems } = error as DefinitionsError;
    expect(message).toMatch(/^@halyard\/core: staticSource\(\) was given an invalid flags document/);
    expect(problems.length).toBeGreaterThanOrEqual(3);
    for (const p of problems) expect(message).toContain(`${p.path}: ${p.message}`);
    expect(message).toContain('$.flags["a"].offVariant');
    expect(message).toContain('$.flags["b"].enabled');
  });
});
