import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { EvaluationContext } from '@halyard/core';
import type { RequestPayload, preParsingHookHandler } from 'fastify';
import type { DocumentHub } from '../document-hub';
import { parseJsonBody } from '../json-body';
import type { AuthFailureLimiter, KeyRing } from '../keys';
import { allows, extractToken } from './authentication';
import { JSON_TYPE, tagNotModified } from './conditional';
import { corsHeaders, type CorsOrigins } from './cors';

/*
 * `POST /sdk/v1/evaluate` straight on node:http, ahead of Fastify, for the well-formed common case: a cached key
 * that may evaluate, a cached document, `Content-Type: application/json`, a `Content-Length` within the limit and
 * a body that is `{}` or `{ "context": {…} | null }`. Fastify's pipeline (routing, hooks, the content-type parser,
 * validation, reply) cost several times the evaluation of 50 flags, so the endpoint did a quarter of the
 * definitions endpoint's req/s.
 *
 * Everything is decided by the same code as the Fastify route (routes/sdk.ts): key lookup and permission
 * (authentication.ts), CORS headers (cors.ts), the JSON boundary rules (json-body.ts), the snapshot
 * (`evaluateAllJson`) and If-None-Match (conditional.ts). Anything else is declined before a byte of the body is
 * read (auth before body), and Fastify answers it. A body the fast path read but does not accept (invalid JSON, a
 * boundary rule, another shape) is handed to Fastify with the bytes replayed (`replayedBody`, a preParsing hook),
 * so its errors — status, code, JSON path — are exactly the route's.
 */

const REPLAY = Symbol('halyard.evaluate.replay');

type ReplayableRequest = IncomingMessage & { [REPLAY]?: Buffer };

export interface EvaluateFastPathOptions {
  corsOrigins: CorsOrigins;
  /** The route's body limit (`evaluateBodyLimit`): larger declared bodies go to Fastify, which answers 413. */
  bodyLimit: number;
}

/** The route's `context`, or `undefined` for an absent/null one; `NOT_SIMPLE` when Fastify must decide. */
const NOT_SIMPLE = Symbol('not simple');

function contextOf(body: Buffer): EvaluationContext | undefined | typeof NOT_SIMPLE {
  let parsed: unknown;
  try {
    parsed = parseJsonBody(body.toString('utf8'));
  } catch {
    return NOT_SIMPLE;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return NOT_SIMPLE;
  let context: unknown;
  for (const name in parsed) {
    if (name !== 'context') return NOT_SIMPLE;
    context = (parsed as { context: unknown }).context;
  }
  if (context === undefined || context === null) return undefined;
  return typeof context === 'object' && !Array.isArray(context) ? (context as EvaluationContext) : NOT_SIMPLE;
}

/**
 * Returns true when it took the request (it then answers it, or hands it to `fallback` with the body replayed),
 * false when Fastify should handle it from the start.
 */
export function evaluateFastPath(
  keys: KeyRing,
  hub: DocumentHub,
  limiter: AuthFailureLimiter,
  addressOf: (req: IncomingMessage) => string,
  options: EvaluateFastPathOptions,
): (req: IncomingMessage, res: ServerResponse, fallback: (req: IncomingMessage, res: ServerResponse) => void) => boolean {
  return (req, res, fallback) => {
    if (req.method !== 'POST' || req.url !== '/sdk/v1/evaluate') return false;
    const headers = req.headers;
    const type = headers['content-type'];
    if (type !== 'application/json' && type !== 'application/json; charset=utf-8') return false;
    if (headers['transfer-encoding'] !== undefined || headers['content-encoding'] !== undefined) return false;
    const length = Number(headers['content-length']);
    if (!(length > 0 && length <= options.bodyLimit)) return false;
    if (limiter.anyBlocked() && limiter.blockedFor(addressOf(req)) > 0) return false;
    const token = extractToken(headers.authorization);
    if (token === undefined || token.length > 256) return false;
    const key = keys.lookup(token);
    if (key === undefined || !allows(key, 'evaluate')) return false;
    const entry = hub.peek(key.environment!);
    const evaluator = entry?.evaluator();
    if (evaluator === undefined) return false;

    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
    });
    req.on('end', () => {
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      const context = size === length ? contextOf(body) : NOT_SIMPLE;
      if (context === NOT_SIMPLE) {
        (req as ReplayableRequest)[REPLAY] = body;
        fallback(req, res);
        return;
      }
      const { version, json } = evaluator.evaluateAllJson(context);
      const answer: Record<string, string | number> = corsHeaders(options.corsOrigins, 'ETag', headers.origin);
      answer.etag = `"${version}"`;
      answer['cache-control'] = 'no-cache';
      if (tagNotModified(headers['if-none-match'], version)) {
        res.writeHead(304, answer);
        res.end();
        return;
      }
      answer['content-type'] = JSON_TYPE;
      answer['content-length'] = Buffer.byteLength(json);
      res.writeHead(200, answer);
      res.end(json);
    });
    // A failed socket is Node's to clean up; there is nobody left to answer.
    req.on('error', () => {});
    return true;
  };
}

/**
 * preParsing hook: a request the evaluate fast path read and handed over is parsed from its replayed bytes, so
 * Fastify answers it exactly as if it had read the body itself.
 */
export const replayedBody: preParsingHookHandler = (request, _reply, payload, done) => {
  const body = (request.raw as ReplayableRequest)[REPLAY];
  done(null, body === undefined ? payload : (Readable.from([body]) as unknown as RequestPayload));
};
