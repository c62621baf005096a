/**
 * Next.js signals redirects, not-found, forbidden/unauthorized, dynamic-usage bailouts and prerender
 * interruptions by throwing. Those must reach Next untouched: a flag helper that caught them would turn a
 * redirect into a page rendered with default flags.
 */
let rethrow: ((error: unknown) => void) | undefined | null;

/** Loads `unstable_rethrow` once (lazily, so this package stays importable outside a Next app). */
export async function loadRethrow(): Promise<void> {
  if (rethrow !== undefined) return;
  try {
    const navigation = (await import('next/navigation')) as { unstable_rethrow?: (error: unknown) => void };
    rethrow = navigation.unstable_rethrow ?? null;
  } catch {
    rethrow = null;
  }
}

const DIGEST_PREFIXES = [
  'NEXT_REDIRECT',
  'NEXT_NOT_FOUND',
  'NEXT_HTTP_ERROR_FALLBACK',
  'DYNAMIC_SERVER_USAGE',
  'BAILOUT_TO_CLIENT_SIDE_RENDERING',
  'NEXT_PRERENDER_INTERRUPTED',
  'HANGING_PROMISE_REJECTION',
];

/** Whether `error` is one of Next's (or React's postpone) control-flow signals, judged by its digest. */
export function isNextControlFlow(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const digest = (error as { digest?: unknown }).digest;
  if (typeof digest === 'string' && DIGEST_PREFIXES.some((prefix) => digest.startsWith(prefix))) return true;
  return (error as { $$typeof?: unknown }).$$typeof === Symbol.for('react.postpone');
}

/** Throws `error` again if Next must handle it; returns otherwise (the caller then treats it as a flag problem). */
export function rethrowControlFlow(error: unknown): void {
  if (rethrow) rethrow(error);
  if (isNextControlFlow(error)) throw error;
}
