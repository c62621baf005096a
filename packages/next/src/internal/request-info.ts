import type { CookieReader, HeaderReader, RequestInfo } from '../types';

/** Cookies parsed from a raw `Cookie` header (what a plain `Request` offers). */
export function cookiesFromHeader(header: string | null | undefined): CookieReader {
  const map = new Map<string, string>();
  if (header) {
    for (const part of header.split(';')) {
      const eq = part.indexOf('=');
      if (eq === -1) continue;
      const name = part.slice(0, eq).trim();
      if (name === '' || map.has(name)) continue;
      let value = part.slice(eq + 1).trim();
      if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      try {
        value = decodeURIComponent(value);
      } catch {
        // Keep the raw value: a malformed escape must not make the cookie disappear.
      }
      map.set(name, value);
    }
  }
  return cookiesFromMap(map);
}

export function cookiesFromMap(map: ReadonlyMap<string, string>): CookieReader {
  return {
    get: (name) => {
      const value = map.get(name);
      return value === undefined ? undefined : { name, value };
    },
    has: (name) => map.has(name),
    getAll: () => [...map].map(([name, value]) => ({ name, value })),
  };
}

/**
 * RequestInfo of a `Request` / `NextRequest`. A NextRequest's own `cookies` are used when present, so cookies a
 * proxy set on the request (`request.cookies.set`) are seen.
 */
export function infoFromRequest(request: Request): RequestInfo {
  const own = (request as { cookies?: CookieReader }).cookies;
  const cookies = own !== undefined && typeof own.get === 'function' ? own : cookiesFromHeader(request.headers.get('cookie'));
  return { cookies, headers: request.headers };
}

/** RequestInfo of a Node `IncomingMessage` (Pages Router `req`), using Next's parsed `req.cookies` when present. */
export function infoFromIncoming(req: { headers: Record<string, string | string[] | undefined>; cookies?: Partial<Record<string, string>> }): RequestInfo {
  let cookies: CookieReader;
  if (req.cookies !== undefined && req.cookies !== null) {
    const map = new Map<string, string>();
    for (const [name, value] of Object.entries(req.cookies)) if (typeof value === 'string') map.set(name, value);
    cookies = cookiesFromMap(map);
  } else {
    const raw = req.headers.cookie;
    cookies = cookiesFromHeader(Array.isArray(raw) ? raw.join('; ') : raw);
  }
  const headers: HeaderReader = {
    get(name) {
      const value = req.headers[name.toLowerCase()];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(', ') : value;
    },
    has: (name) => req.headers[name.toLowerCase()] !== undefined,
  };
  return { cookies, headers };
}
