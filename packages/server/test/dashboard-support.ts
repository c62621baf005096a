import { call, type ApiResponse } from './helpers';

/** A browser's cookie jar, reduced to what the dashboard's session needs. */
export interface SessionCookies {
  session: string;
  csrf: string;
  /** The `Cookie` request header. */
  header: string;
  setCookie: string[];
}

export async function signIn(base: string, token: string, headers: Record<string, string> = {}): Promise<{ response: ApiResponse; cookies: SessionCookies }> {
  const response = await call(base, 'POST', '/api/v1/session', { body: { token }, headers });
  const setCookie = response.headers.getSetCookie();
  const value = (name: string) => setCookie.find((c) => c.startsWith(`${name}=`))?.split(';')[0]?.slice(name.length + 1) ?? '';
  const session = value('halyard_session');
  const csrf = value('halyard_csrf');
  return { response, cookies: { session, csrf, header: `halyard_session=${session}; halyard_csrf=${csrf}`, setCookie } };
}

/** A request as the dashboard's pages make it: the cookies, and on writes the CSRF header. */
export function withCookies(cookies: SessionCookies, write = false, extra: Record<string, string> = {}): Record<string, string> {
  return { cookie: cookies.header, ...(write ? { 'x-halyard-csrf': cookies.csrf } : {}), ...extra };
}

/** Reads `event: change` frames of GET /api/v1/stream. */
export class ChangeStream {
  readonly events: Array<{ id: string | undefined; data: any }> = [];
  status = 0;
  headers: Headers | undefined;
  ended = false;
  private readonly controller = new AbortController();

  static async open(base: string, headers: Record<string, string>): Promise<ChangeStream> {
    const stream = new ChangeStream();
    const response = await fetch(`${base}/api/v1/stream`, { headers, signal: stream.controller.signal });
    stream.status = response.status;
    stream.headers = response.headers;
    if (response.ok) void stream.read(response).catch(() => {});
    else stream.ended = true;
    return stream;
  }

  private async read(response: Response): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let index: number;
      while ((index = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, index);
        buffer = buffer.slice(index + 2);
        let event = '';
        let id: string | undefined;
        let data = '';
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) event = line.slice(7);
          else if (line.startsWith('id: ')) id = line.slice(4);
          else if (line.startsWith('data: ')) data += line.slice(6);
        }
        if (event === 'change') this.events.push({ id, data: JSON.parse(data) });
      }
    }
    this.ended = true;
  }

  async waitFor(predicate: (data: any) => boolean, timeoutMs = 5000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    for (let i = 0; Date.now() < deadline && i < 10_000; i++) {
      const found = this.events.find((e) => predicate(e.data));
      if (found) return found.data;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`no matching change event within ${timeoutMs} ms; got ${JSON.stringify(this.events.map((e) => e.data))}`);
  }

  async waitForEnd(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (!this.ended) throw new Error('the stream did not end');
  }

  close(): void {
    this.controller.abort();
  }
}
