import { describe, expect, it } from 'vitest';
import { allows } from './http/authentication';
import { AuthFailureLimiter, createKey, hashToken, type ApiKey } from './keys';

describe('createKey', () => {
  it('makes prefixed 256-bit tokens and stores only their SHA-256', () => {
    const sdk = createKey('sdk');
    expect(sdk.token).toMatch(/^hy_sdk_[A-Za-z0-9_-]{43}$/);
    expect(sdk.hash).toBe(hashToken(sdk.token).toString('hex'));
    expect(sdk.prefix).toBe(sdk.token.slice(0, 13));
    expect(createKey('client').token).toMatch(/^hy_client_/);
    expect(createKey('admin').token).not.toBe(createKey('admin').token);
  });
});

describe('allows', () => {
  const key = (type: ApiKey['type'], role?: ApiKey['role']): ApiKey => ({ id: 'k', type, ...(role ? { role } : {}), name: 'k', prefix: 'p', createdAt: '', createdBy: null });
  it('keeps SDK keys read-only and client keys evaluate-only', () => {
    expect(allows(key('sdk'), 'server-sdk')).toBe(true);
    expect(allows(key('sdk'), 'evaluate')).toBe(true);
    expect(allows(key('sdk'), 'viewer')).toBe(false);
    expect(allows(key('client'), 'evaluate')).toBe(true);
    expect(allows(key('client'), 'server-sdk')).toBe(false);
  });
  it('ranks admin roles viewer < editor < admin', () => {
    expect(allows(key('admin', 'viewer'), 'viewer')).toBe(true);
    expect(allows(key('admin', 'viewer'), 'editor')).toBe(false);
    expect(allows(key('admin', 'editor'), 'editor')).toBe(true);
    expect(allows(key('admin', 'editor'), 'admin')).toBe(false);
    expect(allows(key('admin', 'admin'), 'admin')).toBe(true);
    expect(allows(key('admin', 'admin'), 'server-sdk')).toBe(false);
  });
});

describe('AuthFailureLimiter', () => {
  it('blocks an address after the limit until its window ends, per address', () => {
    const limiter = new AuthFailureLimiter(3, 60_000);
    const t0 = 1_000_000;
    for (let i = 0; i < 2; i++) limiter.fail('1.1.1.1', t0);
    expect(limiter.blockedFor('1.1.1.1', t0)).toBe(0);
    limiter.fail('1.1.1.1', t0);
    expect(limiter.blockedFor('1.1.1.1', t0 + 1000)).toBe(59);
    expect(limiter.blockedFor('2.2.2.2', t0)).toBe(0);
    expect(limiter.blockedFor('1.1.1.1', t0 + 60_000)).toBe(0);
    limiter.sweep(t0 + 60_000);
    limiter.fail('1.1.1.1', t0 + 60_001);
    expect(limiter.blockedFor('1.1.1.1', t0 + 60_001)).toBe(0);
  });
  it('is off with a limit of 0', () => {
    const limiter = new AuthFailureLimiter(0);
    for (let i = 0; i < 100; i++) limiter.fail('x');
    expect(limiter.blockedFor('x')).toBe(0);
  });
});

describe('AuthFailureLimiter.anyBlocked', () => {
  it('is true exactly while some address is blocked', () => {
    const limiter = new AuthFailureLimiter(2, 1000);
    expect(limiter.anyBlocked(0)).toBe(false);
    limiter.fail('a', 0);
    expect(limiter.anyBlocked(0)).toBe(false);
    limiter.fail('a', 10);
    expect(limiter.anyBlocked(10)).toBe(true);
    expect(limiter.anyBlocked(1000)).toBe(false);
  });
});
