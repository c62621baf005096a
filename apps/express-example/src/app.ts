import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { FlagClient } from '@halyard/core';
import { flagsHandler, halyard, type HalyardOptions, type OverrideOptions } from '@halyard/express';
import { CART, PRODUCTS, RECOMMENDED, escapeHtml, layout, productCards } from './html';

export const UID_COOKIE = 'uid';

export interface AppOptions {
  client: FlagClient;
  /** Origins allowed to call the JSON API and the flags endpoint with cookies (e.g. the Vite dev server). */
  allowedOrigins?: readonly string[];
  /** Built React example to serve under /spa (same origin, same uid cookie). */
  spaDir?: string;
  /** Signed flag overrides for browser tests (never in production). */
  overrides?: OverrideOptions;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      uid: string;
    }
  }
}

function readUid(req: Request): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === UID_COOKIE && rest.length > 0) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

/** Every visitor gets a stable `uid` cookie: the unit of the 50 % rollout, shared with the Next.js example's name. */
function assignUid(req: Request, res: Response, next: NextFunction): void {
  let uid = readUid(req);
  if (uid === undefined) {
    uid = randomUUID();
    res.cookie(UID_COOKIE, uid, { path: '/', httpOnly: true, sameSite: 'lax', maxAge: 365 * 24 * 3600 * 1000 });
  }
  res.locals.uid = uid;
  next();
}

function cors(allowed: ReadonlySet<string>) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const origin = req.get('origin');
    if (origin !== undefined && allowed.has(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Access-Control-Allow-Headers', 'content-type, if-none-match, last-event-id');
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
      res.setHeader('Access-Control-Expose-Headers', 'ETag');
      res.vary('Origin');
      if (req.method === 'OPTIONS') {
        res.status(204).end();
        return;
      }
    }
    next();
  };
}

/**
 * The Express example: server-rendered pages and a JSON API reading `req.flags`, plus the flags endpoint the
 * React SPA polls. Built as a function of its client so tests can inject `createTestClient(...)`.
 */
export function createApp(options: AppOptions): express.Express {
  const flagOptions: HalyardOptions = {
    client: options.client,
    context: (req) => ({ userId: req.res?.locals.uid }),
    overrides: options.overrides,
  };
  const app = express();
  app.disable('x-powered-by');
  app.use(assignUid);
  app.use('/api', cors(new Set(options.allowedOrigins ?? [])));
  app.use(halyard(flagOptions));

  app.get('/', (req, res) => {
    const ai = req.flags.isEnabled('ai-recommendations');
    res.type('html').send(
      layout(
        'Products',
        `<h1>Rigging &amp; deck hardware</h1><p class="lead">Server-rendered by Express with <code>req.flags</code>.</p>
<div class="grid">${productCards(PRODUCTS)}</div>
${ai ? `<section data-testid="ai-recommendations"><h2>Recommended for you <span class="badge">AI</span></h2><div class="grid">${productCards(RECOMMENDED)}</div></section>` : ''}`,
      ),
    );
  });

  app.get('/checkout', (req, res) => {
    const flags = req.flags;
    const isNew = flags.isEnabled('new-checkout');
    const color = flags.getValue('button-color', 'blue');
    const total = CART.reduce((sum, p) => sum + p.price, 0);
    const pay = `<button class="pay ${escapeHtml(color)}" data-testid="pay-button" data-color="${escapeHtml(color)}">Pay €${total}</button>`;
    const form = isNew
      ? `<h2>Express checkout</h2><p class="lead">Everything on one page.</p>${pay}`
      : `<div class="steps"><div class="step active">1. Address</div><div class="step">2. Shipping</div><div class="step">3. Payment</div></div>${pay}`;
    res.type('html').send(
      layout(
        'Checkout',
        `<h1>Checkout</h1><div class="card" data-testid="checkout" data-variant="${isNew ? 'new' : 'old'}">${form}</div>
${flags.isEnabled('ai-recommendations') ? `<section data-testid="ai-recommendations"><h2>Recommended for you</h2><div class="grid">${productCards(RECOMMENDED)}</div></section>` : ''}
<p class="lead" data-testid="uid">visitor ${escapeHtml(res.locals.uid)}</p>`,
      ),
    );
  });

  /** The JSON API: what a native app or another service would call. */
  app.get('/api/checkout', (req, res) => {
    res.json({
      userId: res.locals.uid,
      checkout: req.flags.isEnabled('new-checkout') ? 'new' : 'old',
      buttonColor: req.flags.getValue('button-color', 'blue'),
      recommendations: req.flags.isEnabled('ai-recommendations') ? RECOMMENDED.map((p) => p.id) : [],
    });
  });

  /** What `<FlagProvider endpoint>` in the React example polls. */
  app.all('/api/flags', flagsHandler(flagOptions));

  if (options.spaDir !== undefined && existsSync(options.spaDir)) {
    app.use('/spa', express.static(options.spaDir));
  }
  return app;
}
