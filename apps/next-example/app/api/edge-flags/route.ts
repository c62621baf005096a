import type { FlagsDocument } from '@halyard/core';
import { evaluateInMiddleware } from '@halyard/next/middleware';
import { flagContext } from '@/lib/context';
import bundled from '../../../flags.json';

/**
 * Proof that `evaluateInMiddleware` runs in Next's edge runtime (the sandbox without Node built-ins). Next 16's
 * proxy.ts is Node-only, and the edge runtime is deprecated but still supported for route handlers, so this
 * route is where the example exercises it. The edge sandbox cannot watch files: it evaluates the flags.json
 * bundled at build time, so edits show up here only after a rebuild (the rest of the app follows the live file).
 */
export const runtime = 'edge';

export async function GET(request: Request): Promise<Response> {
  const flags = await evaluateInMiddleware(request, { definitions: bundled as FlagsDocument, context: flagContext });
  return Response.json(
    {
      runtime: typeof (globalThis as { EdgeRuntime?: unknown }).EdgeRuntime === 'string' ? 'edge' : 'nodejs',
      userId: flags.context().userId ?? null,
      newCheckout: flags.isEnabled('new-checkout'),
      buttonColor: flags.variant('button-color') ?? null,
    },
    { headers: { 'cache-control': 'private, no-store' } },
  );
}
