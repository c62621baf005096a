import { describe, expect, it, vi } from 'vitest';
import { createTestClient, createTestSnapshot } from './index';

describe('createTestClient', () => {
  it('is a ready FlagClient serving the given values to every context', async () => {
    const client = createTestClient({ 'new-checkout': true, 'dark-mode': false, 'button-color': 'green', limits: { max: 3 } });
    await client.ready();
    expect(client.status).toBe('ready');
    expect(client.isEnabled('new-checkout')).toBe(true);
    expect(client.isEnabled('dark-mode', { userId: 'u1' })).toBe(false);
    expect(client.getValue('button-color', 'blue')).toBe('green');
    expect(client.getValue('limits', { max: 0 })).toEqual({ max: 3 });
    expect(client.getDetails('new-checkout', false)).toEqual({ value: true, variant: 'on', reason: 'STATIC' });
  });

  it('behaves like production for missing flags and type mismatches', () => {
    const client = createTestClient({ 'button-color': 'green' });
    expect(client.isEnabled('missing')).toBe(false);
    expect(client.getDetails('missing', 'blue')).toMatchObject({ value: 'blue', reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' });
    expect(client.getDetails('button-color', 1)).toMatchObject({ value: 1, reason: 'ERROR', errorCode: 'TYPE_MISMATCH' });
  });

  it('reports the given reasons and variants', () => {
    const client = createTestClient(
      { 'checkout-experiment': 'b', 'new-checkout': true },
      { reasons: { 'checkout-experiment': 'SPLIT' }, variants: { 'checkout-experiment': 'treatment' } },
    );
    expect(client.getDetails('checkout-experiment', 'a')).toEqual({ value: 'b', variant: 'treatment', reason: 'SPLIT' });
    expect(client.getDetails('new-checkout', false).reason).toBe('STATIC');
    expect(client.evaluateAll().flags['checkout-experiment']).toEqual({ value: 'b', variant: 'treatment', reason: 'SPLIT' });
    // An error keeps its real reason.
    expect(client.getDetails('checkout-experiment', 0).reason).toBe('ERROR');
  });

  it('set() changes a value mid-test and notifies subscribers', () => {
    const client = createTestClient({ 'new-checkout': false });
    const listener = vi.fn();
    client.subscribe(listener);
    const before = client.getSnapshot();
    client.set('new-checkout', true);
    expect(listener).toHaveBeenCalledTimes(1);
    expect(client.isEnabled('new-checkout')).toBe(true);
    expect(client.getSnapshot()).not.toBe(before);
    client.set('new-checkout', undefined);
    expect(client.getDetails('new-checkout', false).errorCode).toBe('FLAG_NOT_FOUND');
    client.set('checkout-experiment', 'b', 'treatment');
    expect(client.getDetails('checkout-experiment', 'a').variant).toBe('treatment');
    expect(client.values).toEqual({ 'new-checkout': undefined, 'checkout-experiment': 'b' });
  });

  it('set() with a value that is not JSON throws and keeps the client as it was', () => {
    const client = createTestClient({ 'new-checkout': true });
    expect(() => client.set('max-items', Number.POSITIVE_INFINITY)).toThrow(/@halyard\/testing.*max-items/s);
    expect(client.values).toEqual({ 'new-checkout': true });
    expect(client.isEnabled('new-checkout')).toBe(true);
  });

  it('fires exposures like a production client', () => {
    const onExposure = vi.fn();
    const client = createTestClient({ 'new-checkout': true }, { onExposure });
    client.isEnabled('new-checkout', { userId: 'u1' });
    client.isEnabled('new-checkout', { userId: 'u1' });
    expect(onExposure).toHaveBeenCalledTimes(1);
    expect(onExposure).toHaveBeenCalledWith(expect.objectContaining({ flag: 'new-checkout', variant: 'on', unit: 'u1' }));
  });

  it('rejects values that are not JSON, naming the flag', () => {
    expect(() => createTestClient({ broken: Number.NaN })).toThrow(/@halyard\/testing.*broken/s);
  });
});

describe('createTestSnapshot', () => {
  it('is the snapshot a flags endpoint would serve', () => {
    const snapshot = createTestSnapshot({ 'new-checkout': true, 'max-items': 3, gone: undefined });
    expect(snapshot.flags).toEqual({
      'new-checkout': { value: true, variant: 'on', reason: 'STATIC' },
      'max-items': { value: 3, variant: '3', reason: 'STATIC' },
    });
    expect(createTestSnapshot({ 'new-checkout': true }).version).toBe(createTestSnapshot({ 'new-checkout': true }).version);
    expect(createTestSnapshot({ 'new-checkout': true }).version).not.toBe(createTestSnapshot({ 'new-checkout': false }).version);
    const split = createTestSnapshot({ 'new-checkout': true }, { reasons: { 'new-checkout': 'SPLIT' } });
    expect(split.flags['new-checkout']!.reason).toBe('SPLIT');
    expect(split.version).not.toBe(createTestSnapshot({ 'new-checkout': true }).version);
  });
});
