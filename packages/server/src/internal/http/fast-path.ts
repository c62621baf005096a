import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DocumentHub } from '../document-hub';
import type { AuthFailureLimiter, KeyRing } from '../keys';
import { extractToken } from './authentication';
import { JSON_TYPE, acceptsGzip, documentNotModified } from './conditional';

/**
 * `GET /sdk/v1/definitions` straight on node:http, ahead of Fastify's routing: the hottest endpoint, answered
 * from memory only (cached key, cached pre-serialised document). Anything else — unknown or wrong key, an uncached
 * document, HEAD, an address under the failed-auth limit — returns false and goes through the full Fastify route
 * (routes/sdk.ts), which produces the same answers plus every error. Only the limited address loses the fast
 * path: `addressOf` is Fastify's `request.ip` (client-address.ts), computed only while some address is limited.
 */
export function definitionsFastPath(
  keys: KeyRing,
  hub: DocumentHub,
  limiter: AuthFailureLimiter,
  addressOf: (req: IncomingMessage) => string,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    if (req.method !== 'GET' || req.url !== '/sdk/v1/definitions') return false;
    if (limiter.anyBlocked() && limiter.blockedFor(addressOf(req)) > 0) return false;
    const token = extractToken(req.headers.authorization);
    if (token === undefined || token.length > 256) return false;
    const key = keys.lookup(token);
    if (key === undefined || key.type !== 'sdk') return false;
    const entry = hub.peek(key.environment!);
    if (entry === undefined) return false;
    const gzip = acceptsGzip(req.headers['accept-encoding']);
    const etag = gzip ? entry.gzipEtag : entry.etag;
    if (documentNotModified(req.headers['if-none-match'], entry)) {
      res.writeHead(304, { etag, 'cache-control': 'no-cache', vary: 'Accept-Encoding' });
      res.end();
      return true;
    }
    const body = gzip ? entry.gzipBody : entry.body;
    res.writeHead(
      200,
      gzip
        ? { etag, 'cache-control': 'no-cache', vary: 'Accept-Encoding', 'content-type': JSON_TYPE, 'content-encoding': 'gzip', 'content-length': body.length }
        : { etag, 'cache-control': 'no-cache', vary: 'Accept-Encoding', 'content-type': JSON_TYPE, 'content-length': body.length },
    );
    res.end(body);
    return true;
  };
}
