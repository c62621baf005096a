import type { EvaluationContext } from '@halyard/core';
import { isoOrMs } from './internal/constraints';
import { toHalyardAttribute } from './internal/keys';
import { HOSTNAME_ATTRIBUTE } from './internal/model';

/** An Unleash SDK context. */
export interface UnleashContext {
  userId?: string;
  sessionId?: string;
  remoteAddress?: string;
  environment?: string;
  appName?: string;
  currentTime?: Date | string | number;
  properties?: Record<string, unknown>;
  [field: string]: unknown;
}

export interface UnleashContextOptions {
  /** "Now" for date constraints when the context has no `currentTime`. Default: the current time. */
  now?: Date | number;
  /** The server's host name, for `applicationHostname` strategies (Unleash reads it from the OS). */
  hostname?: string;
}

function define(out: Record<string, unknown>, key: string, value: unknown): void {
  // defineProperty: a "__proto__" field must stay an own data property.
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Maps an Unleash context to the Halyard EvaluationContext that imported flags read.
 *
 * Like Unleash's `resolveContextValue`, top-level fields win over `properties` and every value is compared as
 * `String(value)`; both end up as top-level string attributes (names with "." are escaped, see
 * `importUnleash`). Empty strings are dropped: Unleash treats an empty id as absent when it picks a stickiness
 * id. `currentTime` becomes an ISO string, defaulting to now, because Unleash's date constraints use now when the
 * context has no time.
 *
 * @example
 * unleashContext({ userId: '42', properties: { plan: 'pro' } }, { now: Date.UTC(2025, 0, 1) });
 * // { plan: 'pro', userId: '42', currentTime: '2025-01-01T00:00:00.000Z' }
 */
export function unleashContext(context?: UnleashContext | null, options: UnleashContextOptions = {}): EvaluationContext {
  const out: Record<string, unknown> = {};
  const ctx: Record<string, unknown> = typeof context === 'object' && context !== null ? (context as Record<string, unknown>) : {};
  const set = (name: string, value: unknown, clearWhenEmpty: boolean): void => {
    if (value === undefined || value === null || typeof value === 'symbol' || typeof value === 'function') return;
    const attr = toHalyardAttribute(name);
    if (attr === undefined) return;
    let text: string;
    try {
      text = String(value);
    } catch {
      return;
    }
    if (text === '') {
      if (clearWhenEmpty) delete out[attr];
      return;
    }
    define(out, attr, text);
  };
  try {
    const props = ctx.properties;
    if (typeof props === 'object' && props !== null) for (const k of Object.keys(props)) set(k, (props as Record<string, unknown>)[k], false);
    for (const k of Object.keys(ctx)) if (k !== 'properties' && k !== 'currentTime') set(k, ctx[k], true);
    const raw = ctx.currentTime;
    const now = options.now instanceof Date ? options.now.getTime() : (options.now ?? Date.now());
    // Unleash: `context.currentTime ? new Date(context.currentTime) : new Date()`.
    const t = raw ? new Date(raw as string).getTime() : now;
    define(out, 'currentTime', Number.isFinite(t) ? isoOrMs(t) : String(raw));
    if (typeof options.hostname === 'string' && options.hostname !== '') define(out, HOSTNAME_ATTRIBUTE, options.hostname);
  } catch {
    // A hostile context (throwing getters) maps to what could be read.
  }
  return out as EvaluationContext;
}
