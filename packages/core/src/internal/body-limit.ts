// The one place that counts response bytes: the node poller, and the browser stores built by
// `createSnapshotStore` and `sseStream`. (Not in `createPollingSnapshotStore` itself: that store is the whole flag
// client of every React app, with a 2 KB gzip budget, and these bytes do not fit in it.)

/**
 * `response` with a body that errors with a RangeError once it passes `limit` bytes, which also cancels the
 * download. `response.text()` buffers whatever the server sends — a 300 MB answer took a client to a 4 GB peak —
 * while this holds at most `limit` bytes plus one chunk. Answers without a body (304, 204) are returned as they are.
 */
export function limitBody(response: Response, limit: number): Response {
  if (!response.body || response.status === 304) return response;
  let size = 0;
  const body = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        if ((size += chunk.length) > limit) throw new RangeError(`body over ${limit} bytes`);
        controller.enqueue(chunk);
      },
    }),
  );
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

/** A fetch whose answers' bodies are limited to `limit` bytes (see `limitBody`); `fetchImpl` defaults to the global one. */
export function limitFetch(fetchImpl: typeof fetch | undefined, limit: number): typeof fetch {
  return (input, init) => (fetchImpl ?? fetch)(input, init).then((response) => limitBody(response, limit));
}
