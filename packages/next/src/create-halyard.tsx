import { cache, type ReactNode } from 'react';
// Through our own client entry (a 'use client' module), so Next sees the client boundary in the built package.
import { HalyardClientProvider } from '@halyard/next/client';
import type { FlagSnapshot, ServerFlags } from '@halyard/core';
import { connectEvents, type EventsOption } from '@halyard/core/adapter';
import type { GetServerSideProps, GetServerSidePropsContext, GetServerSidePropsResult, NextPageContext } from 'next';
import { createEngine, evaluateRequest, type Engine } from './internal/engine';
import { infoFromIncoming } from './internal/request-info';
import type { BrowserEventsConfig, HalyardPageEvents } from './internal/browser-exposures';
import type { HalyardNextOptions, RequestInfo } from './types';

/** Options of {@link createHalyard}. */
export interface CreateHalyardOptions extends HalyardNextOptions {
  /** The flags route the browser polls (see `createFlagsRoute`). Default `/api/flags`. */
  endpoint?: string;
  /** Browser poll interval in ms. Default 30,000. */
  pollInterval?: number;
  /** Let the browser listen to server-sent events from the flags route instead of polling. Default `false`. */
  stream?: boolean;
  /**
   * Where cookies and headers come from. Default: `cookies()` and `headers()` from `next/headers` (imported
   * lazily). Tests (see `@halyard/testing/next`) pass a fixed request here.
   */
  request?: () => RequestInfo | Promise<RequestInfo>;
  /**
   * Send exposures of `getFlags()` reads (and the client's `guard` outcomes and `track` metrics) to the flag
   * service: `{ url, sdkKey }` or a sender from `createEventSender()`. Attached to the client (as if given to
   * `createFlagClient({ events })`, so configure it in one place). Server side only; queued events are flushed
   * every 10 s, at 100 events, on `client.close()` and when the Node process runs out of work. See docs/events.md.
   */
  events?: EventsOption;
  /**
   * Send exposures of `useFlag` & co. reads in client components (after hydration) from the browser:
   * `{ clientKey }` (a client key: it is public, it ships in the page) and `{ url }` of the events endpoint as the
   * browser reaches it (default: `events.url`). The context stays on the server: `<HalyardProvider>` hands the
   * browser only the unit value per unit attribute its snapshot's flags use (`userId`, a `bucketBy`) and the
   * flags this request already recorded, so a flag read on both sides is reported once. See docs/events.md.
   */
  browserEvents?: BrowserEventsOption;
}

/** {@link CreateHalyardOptions.browserEvents}: a client key and, unless `events` has one, the events endpoint. */
export interface BrowserEventsOption {
  clientKey: string;
  url?: string;
}

/** Props of the `<HalyardProvider>` server component. */
export interface HalyardProviderProps {
  children?: ReactNode;
  /** Overrides `createHalyard({ endpoint })` for this subtree. */
  endpoint?: string;
  /** Overrides `createHalyard({ pollInterval })` for this subtree. */
  pollInterval?: number;
  /** Overrides `createHalyard({ stream })` for this subtree. */
  stream?: boolean;
}

/** Page props added by `withFlags` / `withFlagsInitialProps`; hand them to `PagesFlagProvider` in `_app`. */
export interface HalyardPageProps {
  halyardSnapshot?: FlagSnapshot;
  /** With `browserEvents`: where the browser sends exposures and this request's units (see `PagesFlagProvider`). */
  halyardEvents?: HalyardPageEvents;
}

/** What {@link createHalyard} returns. */
export interface Halyard {
  /** This request's flags (server components, route handlers, server actions); evaluated once per request. */
  getFlags(): Promise<ServerFlags>;
  /** This request's snapshot, e.g. to bootstrap your own `<FlagProvider>` from `@halyard/react`. */
  getFlagSnapshot(): Promise<FlagSnapshot>;
  /**
   * Server component rendering `<FlagProvider>` with this request's snapshot already in place: client components
   * below render the server's values on the first pass (no flicker, no hydration mismatch), then stay fresh by
   * polling the flags route.
   */
  HalyardProvider(props: HalyardProviderProps): Promise<ReactNode>;
  /**
   * Pages Router: wraps `getServerSideProps` to add `halyardSnapshot` (and, with `browserEvents`, `halyardEvents`)
   * to the page props.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the constraint Next itself uses for page props
  withFlags<P extends { [key: string]: any } = Record<string, unknown>>(
    getServerSideProps?: GetServerSideProps<P>,
  ): (context: GetServerSidePropsContext) => Promise<GetServerSidePropsResult<P & HalyardPageProps>>;
  /**
   * Pages Router: wraps a page's `getInitialProps` to add `halyardSnapshot`. On the server it evaluates directly;
   * on client-side navigations (no `req`) it asks the flags route. `getInitialProps` ships to the browser, so the
   * module calling `createHalyard` must be importable there — prefer `withFlags` (getServerSideProps).
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the constraint Next itself uses for page props
  withFlagsInitialProps<P extends { [key: string]: any } = Record<string, unknown>>(
    getInitialProps?: (context: NextPageContext) => P | Promise<P>,
  ): (context: NextPageContext) => Promise<P & HalyardPageProps>;
  /** Flags for a Pages Router / Node request (`req` of getServerSideProps or an API route). */
  getFlagsFor(req: { headers: Record<string, string | string[] | undefined>; cookies?: Partial<Record<string, string>> }): Promise<ServerFlags>;
}

/**
 * Sets up Halyard for a Next.js app: per-request evaluation for server components and route handlers, the
 * `<HalyardProvider>` server component for zero-flicker SSR, and the Pages Router wrappers. Call it once, in a
 * server-only module, and import what you need from there.
 *
 * The context comes from cookies and headers (read through a lazy `next/headers` import, which makes the route
 * dynamic), computed once per request with React `cache`, like the single `evaluateAll` that every read of the
 * request is served from. Next's control-flow errors (`redirect()`, `notFound()`, dynamic-usage bailouts)
 * thrown by your context function propagate untouched; any other failure renders with defaults and is logged.
 *
 * @example
 * // flags.server.ts
 * import 'server-only';
 * import { createFlagClient } from '@halyard/core';
 * import { fileSource } from '@halyard/core/node';
 * import { createHalyard } from '@halyard/next';
 *
 * const client = createFlagClient({ source: fileSource('./flags.json') });
 * export const { getFlags, HalyardProvider, withFlags } = createHalyard({
 *   client,
 *   context: ({ cookies }) => ({ userId: cookies.get('uid')?.value }),
 * });
 *
 * // app/checkout/page.tsx
 * export default async function Checkout() {
 *   const flags = await getFlags();
 *   return flags.isEnabled('new-checkout') ? <NewCheckout /> : <OldCheckout />;
 * }
 */
export function createHalyard(options: CreateHalyardOptions): Halyard {
  // Reads come from one snapshot per request, never through the client: exposures go through the engine's
  // tracker, which feeds the client's sender too (its own, or the one `events` attaches).
  const { onExposure } = connectEvents(options?.client, options?.events, options?.onExposure, '@halyard/next');
  const engine = createEngine(options === null || typeof options !== 'object' ? options : { ...options, onExposure }, 'createHalyard()');
  const endpoint = options.endpoint ?? '/api/flags';
  const browserEvents = browserEventsOf(options);
  const readRequest = options.request ?? nextRequest;

  // React `cache` scopes the memo to one server request: one context and one evaluation per request, however
  // many components ask.
  const load = cache(async () => {
    const info = await readRequest();
    return evaluateRequest(engine, info);
  });

  const forIncoming = (req: Parameters<Halyard['getFlagsFor']>[0]) => evaluateRequest(engine, infoFromIncoming(req));

  async function HalyardProvider(props: HalyardProviderProps): Promise<ReactNode> {
    const flags = await load();
    return (
      <HalyardClientProvider
        snapshot={flags.snapshot()}
        endpoint={props.endpoint ?? endpoint}
        pollInterval={props.pollInterval ?? options.pollInterval}
        stream={props.stream ?? options.stream}
        events={browserEvents}
        exposures={browserEvents && flags.exposureHandoff()}
      >
        {props.children}
      </HalyardClientProvider>
    );
  }

  const pageProps = (flags: Awaited<ReturnType<typeof forIncoming>>): HalyardPageProps =>
    browserEvents === undefined ? { halyardSnapshot: flags.snapshot() } : { halyardSnapshot: flags.snapshot(), halyardEvents: { events: browserEvents, exposures: flags.exposureHandoff() } };

  return {
    getFlags: load,
    getFlagSnapshot: async () => (await load()).snapshot(),
    HalyardProvider,
    getFlagsFor: forIncoming,
    withFlags(getServerSideProps) {
      return async (context) => {
        const flags = await forIncoming(context.req);
        const result = getServerSideProps ? await getServerSideProps(context) : { props: {} as never };
        if (!('props' in result)) return result;
        const props = await result.props;
        return { ...result, props: { ...props, ...pageProps(flags) } };
      };
    },
    withFlagsInitialProps(getInitialProps) {
      return async (context) => {
        const props = getInitialProps ? await getInitialProps(context) : ({} as never);
        // Client-side navigations bring no units: the provider keeps the previous page's.
        if (context.req) return { ...props, ...pageProps(await forIncoming(context.req as never)) };
        const halyardSnapshot = await fetchSnapshot(endpoint, engine);
        return halyardSnapshot === undefined ? props : { ...props, halyardSnapshot };
      };
    },
  };
}

/** Checks `browserEvents` once, at setup: what it holds is rendered into every page. */
function browserEventsOf(options: CreateHalyardOptions): BrowserEventsConfig | undefined {
  const option = options.browserEvents;
  if (option === undefined) return undefined;
  if (option === null || typeof option !== 'object' || typeof option.clientKey !== 'string' || option.clientKey === '') {
    throw new TypeError('@halyard/next: createHalyard({ browserEvents }) needs { clientKey: "…" }: a client key of the flag service (browsers send with it)');
  }
  if ('sdkKey' in option) {
    throw new TypeError('@halyard/next: browserEvents must not hold an sdkKey: it would be shipped to every browser in the page; use a client key ({ clientKey }), and the sdkKey in { events }');
  }
  const events = options.events as { url?: unknown } | undefined;
  const url = option.url ?? (typeof events?.url === 'string' ? events.url : undefined);
  if (typeof url !== 'string' || url === '') {
    throw new TypeError('@halyard/next: createHalyard({ browserEvents }) needs { url } of the events endpoint as browsers reach it (or { events: { url } } to share it)');
  }
  return { url, clientKey: option.clientKey };
}

async function nextRequest(): Promise<RequestInfo> {
  const { cookies, headers } = await import('next/headers');
  const [cookieStore, headerStore] = await Promise.all([cookies(), headers()]);
  return { cookies: cookieStore, headers: headerStore };
}

/** Client-side navigation in the Pages Router: ask the flags route (cookies go along, same origin). */
async function fetchSnapshot(endpoint: string, engine: Engine): Promise<FlagSnapshot | undefined> {
  try {
    const response = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"context":{}}', credentials: 'same-origin' });
    if (!response.ok) throw new Error(`${endpoint} answered HTTP ${response.status}`);
    return (await response.json()) as FlagSnapshot;
  } catch (error) {
    engine.report(new Error(`@halyard/next: withFlagsInitialProps could not fetch flags; keeping the current ones: ${String(error)}`));
    return undefined;
  }
}
