import { createFlagClient, staticSource } from '@halyard/core';
import { halyard } from '@halyard/express';
import express, { type Express, type Request } from 'express';

/** The example shop's five flags: a 50 % rollout, a 3-way split, a kill switch, a targeting rule, a constant. */
export const EXPRESS_FLAGS = {
  schemaVersion: 1 as const,
  version: 'bench',
  flags: {
    'new-checkout': {
      variants: { on: true, off: false },
      enabled: true,
      offVariant: 'off',
      defaultServe: { split: [{ variant: 'on', percentage: 50 }, { variant: 'off', percentage: 50 }] },
    },
    'button-color': {
      variants: { blue: 'blue', green: 'green', orange: 'orange' },
      enabled: true,
      offVariant: 'blue',
      defaultServe: { split: [{ variant: 'blue', weight: 1 }, { variant: 'green', weight: 1 }, { variant: 'orange', weight: 1 }] },
    },
    'ai-recommendations': { variants: { on: true, off: false }, enabled: false, offVariant: 'off', defaultServe: { variant: 'on' } },
    'beta-banner': {
      variants: { on: true, off: false },
      enabled: true,
      offVariant: 'off',
      rules: [{ conditions: [{ attribute: 'country', operator: 'in' as const, values: ['FR', 'DE', 'NL'] }], serve: { variant: 'on' } }],
      defaultServe: { variant: 'off' },
    },
    'page-size': { variants: { small: 10, large: 50 }, enabled: true, offVariant: 'small', defaultServe: { variant: 'large' } },
  },
};

export const APP_NAMES = ['bare', 'noop', 'middleware', 'reads'] as const;
export type AppName = (typeof APP_NAMES)[number];

/** The context every Halyard app derives from the request: who is asking, and from where. */
export const benchContext = (req: Request) => ({ userId: req.get('x-user-id'), country: req.get('x-country') });

/**
 * The four apps measured against each other. Each answers `GET /checkout` with the same JSON shape, so only the
 * flag work differs:
 * - bare:       constant flag values;
 * - noop:       the same behind an empty `(req, res, next) => next()`: what any middleware layer costs in Express;
 * - middleware: the same behind `halyard({ client, context })`, reading no flag;
 * - reads:      the values read from `req.flags` (3 × isEnabled, value, variant) for the requesting user.
 */
export function createApps(): Record<AppName, Express> {
  const client = createFlagClient({ source: staticSource(EXPRESS_FLAGS) });
  const constant = (req: Request) => ({ ok: true, path: req.path, checkout: false, ai: false, banner: true, size: 50, color: 'blue' });

  const bare = express();
  bare.get('/checkout', (req, res) => {
    res.json(constant(req));
  });

  const noop = express();
  noop.use((_req, _res, next) => next());
  noop.get('/checkout', (req, res) => {
    res.json(constant(req));
  });

  const middleware = express();
  middleware.use(halyard({ client, context: benchContext }));
  middleware.get('/checkout', (req, res) => {
    res.json(constant(req));
  });

  const reads = express();
  reads.use(halyard({ client, context: benchContext }));
  reads.get('/checkout', (req, res) => {
    const f = req.flags;
    res.json({
      ok: true,
      path: req.path,
      checkout: f.isEnabled('new-checkout'),
      ai: f.isEnabled('ai-recommendations'),
      banner: f.isEnabled('beta-banner'),
      size: f.getValue('page-size', 10),
      color: f.variant('button-color'),
    });
  });

  return { bare, noop, middleware, reads };
}
