import type { NextContextFn } from '@halyard/next';

/** The cookie holding the visitor's stable id (assigned by proxy.ts on the first visit). */
export const UID_COOKIE = 'uid';

/**
 * Who is asking, from cookies only: the same function serves server components, the flags route, the Pages
 * Router page and the proxy. The browser never chooses its own userId (the flags route ignores client context).
 */
export const flagContext: NextContextFn = ({ cookies }) => ({ userId: cookies.get(UID_COOKIE)?.value });
