// @vitest-environment jsdom
import { expect, it } from 'vitest';
import { sendJson, startServer } from '../test/helpers/server';

it('probe', async () => {
  const server = await startServer((_req, res) => sendJson(res, { ok: 1 }));
  const ac = new AbortController();
  console.log(typeof window, typeof document, document.visibilityState, AbortController.name, globalThis.fetch === fetch, typeof TextDecoder, typeof btoa);
  const r = await fetch(server.url, { signal: ac.signal, method: 'POST', body: '{}' });
  expect(await r.json()).toEqual({ ok: 1 });
  const r2 = await fetch(server.url);
  const reader = r2.body!.getReader();
  const chunk = await reader.read();
  console.log(chunk.value?.constructor.name, new TextDecoder().decode(chunk.value));
  await server.close();
});
