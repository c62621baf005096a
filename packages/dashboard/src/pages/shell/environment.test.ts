import { describe, expect, it } from 'vitest';
import { pickEnvironment, switchEnvironmentPath } from './environment';

describe('environment choice', () => {
  it('opens the remembered environment while it exists, else the first', () => {
    expect(pickEnvironment(['production', 'staging'], 'staging')).toBe('staging');
    expect(pickEnvironment(['dev', 'staging'], 'production')).toBe('dev');
    expect(pickEnvironment(['dev'], undefined)).toBe('dev');
    expect(pickEnvironment([], 'production')).toBeUndefined();
  });

  it('keeps the page and its filters when switching environments', () => {
    expect(switchEnvironmentPath('/env/production/flags', '?q=checkout', 'staging')).toBe('/env/staging/flags?q=checkout');
    expect(switchEnvironmentPath('/env/production/flags/checkout', '', 'dev')).toBe('/env/dev/flags/checkout');
    expect(switchEnvironmentPath('/audit', '?actor=x', 'dev')).toBe('/env/dev/flags');
    expect(switchEnvironmentPath('/env/a', '', 'b c')).toBe('/env/b%20c/flags');
  });
});
