import { describe, expect, it } from 'vitest';
import { renderToString } from 'react-dom/server';
import type { FlagSnapshot } from '@halyard/core';
import { createFlagsRoute, createHalyard } from '@halyard/next';
import { useFlag } from '@halyard/next/client';
import { createTestClient } from '@halyard/testing';
import { createTestHalyard, flagsRequest, testRequest } from '@halyard/testing/next';

function Banner() {
  return <b>{useFlag('new-checkout') ? 'new' : 'old'}</b>;
}

async function CheckoutPage({ getFlags }: { getFlags: () => Promise<{ isEnabled(key: string): boolean }> }) {
  const flags = await getFlags();
  return <main>{flags.isEnabled('new-checkout') ? 'New checkout' : 'Old checkout'}</main>;
}

describe('@halyard/testing/next', () => {
  it('createTestHalyard forces flags for server components and the provider, both sides', async () => {
    const on = createTestHalyard({ 'new-checkout': true });
    expect(renderToString(await CheckoutPage({ getFlags: on.getFlags }))).toBe('<main>New checkout</main>');
    expect(renderToString(await on.HalyardProvider({ children: <Banner /> }))).toBe('<b>new</b>');
    on.client.set('new-checkout', false);
    expect(renderToString(await CheckoutPage({ getFlags: on.getFlags }))).toBe('<main>Old checkout</main>');
    expect(renderToString(await on.HalyardProvider({ children: <Banner /> }))).toBe('<b>old</b>');
  });

  it('createTestHalyard uses the given cookies with the app context function', async () => {
    const halyard = createTestHalyard({ 'new-checkout': true }, { cookies: { uid: 'u-7' }, headers: { 'accept-language': 'fr' } });
    expect((await halyard.getFlags()).context()).toEqual({ userId: 'u-7' });
    const custom = createTestHalyard({}, { headers: { 'accept-language': 'fr' }, context: ({ headers }) => ({ locale: headers.get('accept-language') }) });
    expect((await custom.getFlags()).context()).toEqual({ locale: 'fr' });
  });

  it('testRequest plugs into a real createHalyard', async () => {
    const client = createTestClient({ 'new-checkout': true });
    const { getFlags } = createHalyard({ client, context: ({ cookies }) => ({ userId: cookies.get('uid')?.value }), request: () => testRequest({ cookies: { uid: 'x' } }) });
    expect((await getFlags()).isEnabled('new-checkout')).toBe(true);
  });

  it('flagsRequest builds what the browser sends to a flags route handler', async () => {
    const client = createTestClient({ 'new-checkout': true });
    const { POST, GET } = createFlagsRoute({ client, context: ({ cookies }) => ({ userId: cookies.get('uid')?.value }) });
    const first = await POST(flagsRequest({ cookies: { uid: 'u-1' } }));
    expect(((await first.json()) as FlagSnapshot).flags['new-checkout']?.value).toBe(true);
    const again = await POST(flagsRequest({ cookies: { uid: 'u-1' }, ifNoneMatch: first.headers.get('etag')! }));
    expect(again.status).toBe(304);
    client.set('new-checkout', false);
    const changed = await GET(flagsRequest({ method: 'GET', ifNoneMatch: first.headers.get('etag')! }));
    expect(((await changed.json()) as FlagSnapshot).flags['new-checkout']?.value).toBe(false);
  });
});
