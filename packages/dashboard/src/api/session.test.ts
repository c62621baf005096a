import { describe, expect, it } from 'vitest';
import { safeNext } from './session';

describe('safeNext', () => {
  it('returns to paths of this app only', () => {
    expect(safeNext('/env/production/flags?q=a')).toBe('/env/production/flags?q=a');
    for (const bad of [null, undefined, '', 'https://evil.example', '//evil.example', '/\\evil.example', '/sign-in?next=/x']) expect(safeNext(bad)).toBe('/');
  });
});
