// @vitest-environment node
import { renderToString } from 'react-dom/server';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { FlagProvider, sseStream, useFlag, useFlagStatus } from './index';
import { startFlagServer, type FlagServer } from '../test/flag-server';
import { snapshot } from '../test/helpers';

let server: FlagServer;
beforeEach(async () => {
  server = await startFlagServer(snapshot('1', { 'new-checkout': true }));
});
afterEach(() => server.close());

function Checkout() {
  const { status } = useFlagStatus();
  return <p>{`${useFlag('new-checkout') ? 'new' : 'old'} ${status}`}</p>;
}

it.each([true, false])('renders the snapshot value (%s) on the server and never fetches there', async (on) => {
  expect(typeof window).toBe('undefined');
  const html = renderToString(
    <FlagProvider snapshot={snapshot('1', { 'new-checkout': on })} endpoint={server.url} stream={sseStream()}>
      <Checkout />
    </FlagProvider>,
  );
  expect(html).toBe(`<p>${on ? 'new' : 'old'} ready</p>`);
  // Give a stray request every chance to arrive before asserting there was none.
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(server.requests).toHaveLength(0);
  expect(server.streams).toHaveLength(0);
});

it('renders defaults on the server without a snapshot', () => {
  const html = renderToString(
    <FlagProvider endpoint={server.url}>
      <Checkout />
    </FlagProvider>,
  );
  expect(html).toBe('<p>old loading</p>');
});
