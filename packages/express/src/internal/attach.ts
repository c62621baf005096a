import { IncomingMessage } from 'node:http';
import { RequestServerFlags, ServerFlagsState } from '@halyard/core/adapter';
import type { ServerFlags } from '@halyard/core';
import type { Request } from 'express';
import type { Shared } from './shared';

/*
 * Why `req.flags` is not a plain property. Express 5 calls `Object.setPrototypeOf(req, app.request)` on every
 * request, after which V8 caches no hidden-class transition for that object: every property a middleware ADDS to
 * `req` builds a new map for that one request (`node --log-maps` shows one more map per request for
 * `req.flags = …`; Express itself adds ~11). Counted with valgrind's callgrind, that one property cost ~21,000
 * instructions per request, about 3 % of a whole bare Express request.
 *
 * So `flags` is an accessor on Express's base request prototype (shared by every app and sub-app, like Express's
 * own `req.query`), and requests live in a WeakMap. What the middleware stores there is the long-lived `Shared`
 * of its halyard() instance; the per-request state is created on the first `req.flags` access. That state must
 * not point back at its request: a WeakMap value referencing its key survives V8's young-generation GC (that
 * variant cost ~130,000 instructions per request), so each access returns a small view joining the two.
 *
 * Objects that are not Express requests over Node's IncomingMessage (hand-made requests in unit tests, other
 * frameworks) get an own property, as before.
 */
const values = new WeakMap<object, Shared | ServerFlagsState<Request>>();
/** Per request prototype: whether `flags` is served by the accessor on its Express base. */
const verdicts = new WeakMap<object, boolean>();
const hasOwn = Object.prototype.hasOwnProperty;
let lastAccepted: object | null = null;

const accessor: PropertyDescriptor = {
  configurable: true,
  enumerable: false,
  get(this: Request): ServerFlags | undefined {
    const value = values.get(this);
    if (value === undefined) return undefined;
    if (value instanceof ServerFlagsState) return new RequestServerFlags(this, value);
    const state = new ServerFlagsState(value.host);
    values.set(this, state);
    return new RequestServerFlags(this, state);
  },
  // An assignment (e.g. forceFlags() from @halyard/testing) makes a plain own property, as it would be without
  // the accessor: what is assigned may well point back at the request.
  set(this: object, value: ServerFlags): void {
    Object.defineProperty(this, 'flags', { value, writable: true, enumerable: true, configurable: true });
  },
};

/** Makes `req.flags` read this request's flags, at the price of one WeakMap entry. */
export function attachFlags(req: Request, shared: Shared): void {
  const prototype = Object.getPrototypeOf(req) as object | null;
  // An own `flags` (assigned before the accessor existed, or by a non-Express object) would shadow the accessor.
  if ((prototype === lastAccepted || accepts(prototype)) && !hasOwn.call(req, 'flags')) values.set(req, shared);
  else req.flags = new RequestServerFlags(req, new ServerFlagsState(shared.host));
}

function accepts(prototype: object | null): boolean {
  if (prototype === null) return false;
  let verdict = verdicts.get(prototype);
  if (verdict === undefined) {
    verdict = install(prototype);
    verdicts.set(prototype, verdict);
  }
  if (verdict) lastAccepted = prototype;
  return verdict;
}

function install(prototype: object): boolean {
  const base = expressBase(prototype);
  if (base === undefined) return false;
  const existing = Object.getOwnPropertyDescriptor(base, 'flags');
  if (existing === undefined) Object.defineProperty(base, 'flags', accessor);
  // Someone else's `flags` on the base (another copy of this module keeps its own WeakMap): leave it alone.
  else if (existing.get !== accessor.get) return false;
  return true;
}

/**
 * Express's base request: the prototype directly above `http.IncomingMessage.prototype` that each app's
 * `app.request` inherits from (never the request's own prototype, so plain Node requests are left alone).
 * Found by walking the chain, so any copy of Express in the process works.
 */
function expressBase(prototype: object): object | undefined {
  let current: object | null = prototype;
  for (let depth = 0; current !== null && depth < 8; depth++) {
    const parent = Object.getPrototypeOf(current) as object | null;
    if (parent === IncomingMessage.prototype) return current === prototype ? undefined : current;
    current = parent;
  }
  return undefined;
}
