import { describe, expect, it } from 'vitest';
import { DEFAULT_FLAGS_FILE, exampleFlagSource } from './flags-source';

describe('exampleFlagSource', () => {
  it('reads the Next example’s flags.json, or HALYARD_FLAGS_FILE, when no service is configured', () => {
    expect(exampleFlagSource({}).source.name).toBe(`file(${DEFAULT_FLAGS_FILE})`);
    expect(DEFAULT_FLAGS_FILE).toMatch(/apps\/next-example\/flags\.json$/);
    expect(exampleFlagSource({ HALYARD_FLAGS_FILE: '/tmp/other.json' }).source.name).toBe('file(/tmp/other.json)');
  });

  it('reads the flag service’s definitions with HALYARD_URL and a server SDK key', () => {
    const { source, label } = exampleFlagSource({ HALYARD_URL: 'http://127.0.0.1:4242/', HALYARD_SDK_KEY: 'hy_sdk_abc', HALYARD_FLAGS_FILE: '/tmp/ignored.json' });
    expect(label).toBe('http://127.0.0.1:4242/sdk/v1/definitions');
    expect(source.name).toBe('http(http://127.0.0.1:4242/sdk/v1/definitions)');
  });

  it('reads a Redis key with HALYARD_REDIS_URL (the service still wins when both are set)', () => {
    expect(exampleFlagSource({ HALYARD_REDIS_URL: 'redis://127.0.0.1:6379' })).toMatchObject({ label: 'Redis key halyard:flags' });
    const custom = exampleFlagSource({ HALYARD_REDIS_URL: 'redis://127.0.0.1:6379/2', HALYARD_REDIS_KEY: 'shop:flags' });
    expect(custom.source.name).toBe('redis(127.0.0.1:6379/2 shop:flags)');
    expect(exampleFlagSource({ HALYARD_URL: 'http://127.0.0.1:4242', HALYARD_SDK_KEY: 'hy_sdk_abc', HALYARD_REDIS_URL: 'redis://x' }).label).toMatch(/sdk\/v1\/definitions$/);
  });

  it('refuses HALYARD_URL without a server SDK key, naming the fix', () => {
    expect(() => exampleFlagSource({ HALYARD_URL: 'http://127.0.0.1:4242' })).toThrow(/HALYARD_SDK_KEY must be a server SDK key \(hy_sdk_…\), got nothing/);
    expect(() => exampleFlagSource({ HALYARD_URL: 'http://127.0.0.1:4242', HALYARD_SDK_KEY: 'hy_client_abc' })).toThrow(/got "hy_client_…"/);
  });
});
