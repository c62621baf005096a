import { describe, expect, it, vi } from 'vitest';
import { renderToString } from 'react-dom/server';
import { notFound, redirect } from 'next/navigation';
import type { ExposureEvent } from '@halyard/core';
import { createFlagsRoute, createHalyard, isNextControlFlow, type NextContextFn } from '@halyard/next';
import { useFlag, useFlagValue } from '@halyard/next/client';
import { DOCUMENT, controlledClient, serveRoute, testRequest } from '../test/helpers';

const context: NextContextFn = ({ cookies }) => ({ userId: cookies.get('uid')?.value });

function Checkout() {
  const next = useFlag('new-checkout');
  const color = useFlagValue('button-color', 'none');
  return <p data-color={color}>{next ? 'New checkout' : 'Old checkout'}</p>;
}

describe('createHalyard()', () => {
  it('getFlags() evaluates for the request cookies: both sides of the targeting rule', async () => {
    const { client } = controlledClient(DOCUMENT);
    for (const [uid, expected] of [
      ['alice', { on: true, color: 'green', variant: 'green' }],
      ['bob', { on: false, color: 'blue', variant: 'blue' }],
    ] as const) {
      const { getFlags } = createHalyard({ client, context, request: () => testRequest({ cookies: { uid } }) });
      const flags = await getFlags();
      expect({ on: flags.isEnabled('new-checkout'), color: flags.getValue('button-color', 'x'), variant: flags.variant('button-color') }).toEqual(expected);
      expect(flags.snapshot()).toEqual(client.evaluateAll({ userId: uid }));
      expect(flags.context()).toEqual({ userId: uid });
    }
  });

  it('<HalyardProvider> renders client components with the server snapshot already in place', async () => {
    const { client } = controlledClient(DOCUMENT);
    for (const [uid, text, color] of [
      ['alice', 'New checkout', 'green'],
      ['bob', 'Old checkout', 'blue'],
    ] as const) {
      const { HalyardProvider } = createHalyard({ client, context, request: () => testRequest({ cookies: { uid } }) });
      const html = renderToString(await HalyardProvider({ children: <Checkout /> }));
      expect(html).toBe(`<p data-color="${color}">${text}</p>`);
    }
  });

  it('passes endpoint / pollInterval / stream to the provider', async () => {
    const { client } = controlledClient(DOCUMENT);
    const { HalyardProvider } = createHalyard({ client, context, request: () => testRequest(), endpoint: '/flags', pollInterval: 2000 });
    const element = (await HalyardProvider({ children: null, stream: true })) as { props: Record<string, unknown> };
    expect(element.props).toMatchObject({ endpoint: '/flags', pollInterval: 2000, stream: true });
    expect(element.props.snapshot).toEqual(client.evaluateAll({}));
  });

  it('rethrows redirect() and notFound() from the context function instead of swallowing them', async () => {
    const { client } = controlledClient(DOCUMENT);
    const onError = vi.fn();
    const redirecting = createHalyard({ client, onError, request: () => testRequest(), context: () => redirect('/login') });
    const error = await redirecting.getFlags().catch((e: unknown) => e);
    expect(isNextControlFlow(error)).toBe(true);
    expect((error as { digest: string }).digest).toMatch(/^NEXT_REDIRECT;.*\/login/);

    const missing = createHalyard({ client, onError, request: () => testRequest(), context: () => notFound() });
    await expect(missing.getFlagSnapshot()).rejects.toSatisfy(isNextControlFlow);
    // A Next control-flow error thrown while reading the request (dynamic usage during prerender) propagates too.
    const dynamic = Object.assign(new Error('Dynamic server usage: cookies'), { digest: 'DYNAMIC_SERVER_USAGE' });
    const prerender = createHalyard({
      client,
      onError,
      context,
      request: () => {
        throw dynamic;
      },
    });
    await expect(prerender.getFlags()).rejects.toBe(dynamic);
    expect(onError).not.toHaveBeenCalled();
  });

  it('renders with defaults (and logs) when the context function fails for any other reason', async () => {
    const { client } = controlledClient(DOCUMENT);
    const onError = vi.fn();
    const { getFlags } = createHalyard({
      client,
      onError,
      request: () => testRequest({ cookies: { uid: 'alice' } }),
      context: () => {
        throw new Error('session store down');
      },
    });
    const flags = await getFlags();
    expect(flags.isEnabled('new-checkout')).toBe(false);
    expect(String(onError.mock.calls[0]?.[0])).toMatch(/session store down/);
  });

  it('missing flags and wrong types give the default with an ERROR reason, logged once', async () => {
    const { client } = controlledClient(DOCUMENT);
    const onError = vi.fn();
    const { getFlags } = createHalyard({ client, context, onError, request: () => testRequest({ cookies: { uid: 'bob' } }) });
    const flags = await getFlags();
    expect(flags.getValue('nope', 'fallback')).toBe('fallback');
    expect(flags.getValue('nope', 'fallback')).toBe('fallback');
    expect(flags.getDetails('button-color', 3)).toMatchObject({ value: 3, reason: 'ERROR', errorCode: 'TYPE_MISMATCH' });
    expect(flags.getDetails('new-checkout')).toEqual({ value: false, variant: 'off', reason: 'DEFAULT' });
    expect(onError).toHaveBeenCalledTimes(2);
  });

  it('waits (bounded) for the first flags after boot, then renders with defaults if none came', async () => {
    const late = controlledClient(undefined);
    const { getFlags } = createHalyard({ client: late.client, context, request: () => testRequest({ cookies: { uid: 'alice' } }), readyTimeout: 5_000 });
    const pending = getFlags();
    setTimeout(() => late.publish(DOCUMENT), 20);
    expect((await pending).isEnabled('new-checkout')).toBe(true);

    const never = controlledClient(undefined);
    const onError = vi.fn();
    const slow = createHalyard({ client: never.client, context, onError, request: () => testRequest(), readyTimeout: 10 });
    expect((await slow.getFlags()).isEnabled('new-checkout')).toBe(false);
    expect(String(onError.mock.calls[0]?.[0])).toMatch(/no flags loaded after 10 ms/);
  });

  it('records server-side exposures only for flags read, once per flag/variant/user', async () => {
    const { client } = controlledClient(DOCUMENT);
    const exposures: ExposureEvent[] = [];
    const { getFlags } = createHalyard({ client, context, request: () => testRequest({ cookies: { uid: 'alice' } }), onExposure: (e) => exposures.push(e) });
    const flags = await getFlags();
    flags.snapshot();
    expect(exposures).toEqual([]);
    flags.isEnabled('new-checkout');
    flags.isEnabled('new-checkout');
    expect(exposures.map((e) => [e.flag, e.variant, e.unit])).toEqual([['new-checkout', 'on', 'alice']]);
  });

  it('attributes exposures to the split’s bucketBy value: accountId for a split by account', async () => {
    const split = { variants: { a: 'a', b: 'b' }, enabled: true, offVariant: 'a', defaultServe: { split: [{ variant: 'a', weight: 1 }, { variant: 'b', weight: 1 }] } };
    const document = { ...DOCUMENT, flags: { ...DOCUMENT.flags, 'team-plan': { ...split, defaultServe: { ...split.defaultServe, bucketBy: 'accountId' } }, 'user-plan': split } };
    const { client } = controlledClient(document);
    const exposures: ExposureEvent[] = [];
    const { getFlags } = createHalyard({
      client,
      context: ({ cookies }) => ({ userId: cookies.get('uid')?.value, accountId: 'acct-7' }),
      request: () => testRequest({ cookies: { uid: 'alice' } }),
      onExposure: (e) => exposures.push(e),
    });
    const flags = await getFlags();
    flags.getValue('team-plan', 'a');
    flags.getValue('user-plan', 'a');
    expect(exposures.map((e) => [e.flag, e.unit])).toEqual([
      ['team-plan', 'acct-7'],
      ['user-plan', 'alice'],
    ]);
    // The snapshot the browser starts with carries the attribute, so its store attributes alike.
    expect(flags.snapshot().flags['team-plan']?.unitBy).toBe('accountId');
  });

  describe('Pages Router', () => {
    const req = (uid: string) => ({ headers: { cookie: `uid=${uid}` }, cookies: { uid } });

    it('withFlags adds halyardSnapshot to the props of getServerSideProps, per user', async () => {
      const { client } = controlledClient(DOCUMENT);
      const { withFlags } = createHalyard({ client, context, request: () => testRequest() });
      const gssp = withFlags(async () => ({ props: { title: 'Cart' } }));
      const alice = await gssp({ req: req('alice') } as never);
      expect(alice).toEqual({ props: { title: 'Cart', halyardSnapshot: client.evaluateAll({ userId: 'alice' }) } });
      const bob = (await gssp({ req: req('bob') } as never)) as { props: { halyardSnapshot: { flags: Record<string, { value: unknown }> } } };
      expect(bob.props.halyardSnapshot.flags['new-checkout']?.value).toBe(false);
      // Without a wrapped function, and with props as a promise.
      expect(await withFlags()({ req: req('bob') } as never)).toMatchObject({ props: { halyardSnapshot: { flags: expect.any(Object) } } });
      expect(await withFlags(async () => ({ props: Promise.resolve({ a: 1 }) }))({ req: req('bob') } as never)).toMatchObject({ props: { a: 1 } });
    });

    it('withFlags passes redirect and notFound results through untouched', async () => {
      const { client } = controlledClient(DOCUMENT);
      const { withFlags } = createHalyard({ client, context, request: () => testRequest() });
      expect(await withFlags(async () => ({ redirect: { destination: '/login', permanent: false } }))({ req: req('a') } as never)).toEqual({
        redirect: { destination: '/login', permanent: false },
      });
      expect(await withFlags(async () => ({ notFound: true }))({ req: req('a') } as never)).toEqual({ notFound: true });
    });

    it('withFlagsInitialProps asks the flags route on client-side navigations (no req)', async () => {
      const { client } = controlledClient(DOCUMENT);
      const server = await serveRoute(createFlagsRoute({ client, context: () => ({ userId: 'alice' }) }));
      try {
        const { withFlagsInitialProps } = createHalyard({ client, context, request: () => testRequest(), endpoint: server.url });
        const props = await withFlagsInitialProps(() => ({ title: 'x' }))({} as never);
        expect(props).toEqual({ title: 'x', halyardSnapshot: client.evaluateAll({ userId: 'alice' }) });
      } finally {
        await server.close();
      }
      // The route is down: no snapshot (the store keeps what it has), and the error is reported.
      const onError = vi.fn();
      const offline = createHalyard({ client, context, onError, request: () => testRequest(), endpoint: 'http://127.0.0.1:9/api/flags' });
      expect(await offline.withFlagsInitialProps(() => ({ title: 'x' }))({} as never)).toEqual({ title: 'x' });
      expect(onError).toHaveBeenCalledTimes(1);
    });

    it('withFlagsInitialProps evaluates on the server', async () => {
      const { client } = controlledClient(DOCUMENT);
      const { withFlagsInitialProps } = createHalyard({ client, context, request: () => testRequest() });
      const props = await withFlagsInitialProps(() => ({ title: 'x' }))({ req: req('alice') } as never);
      expect(props).toEqual({ title: 'x', halyardSnapshot: client.evaluateAll({ userId: 'alice' }) });
    });
  });
});
