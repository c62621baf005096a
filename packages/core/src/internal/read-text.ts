// Shared by the node poller and the browser store, so it is in every app's bundle: keep it small.

/**
 * Reads a response body as text, rejecting with a RangeError once it passes `limit` bytes. `response.text()`
 * buffers whatever the server sends (a 300 MB answer took a client to a 4 GB peak); reading chunk by chunk holds at
 * most `limit` bytes plus one chunk. The caller aborts the request afterwards, which cancels the rest of the body.
 */
export async function readText(response: Response, limit: number): Promise<string> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (let chunk, size = 0; !(chunk = await reader.read()).done; text += decoder.decode(chunk.value, { stream: true })) {
    if ((size += chunk.value.length) > limit) throw RangeError(`body over ${limit} bytes`);
  }
  return text + decoder.decode();
}
