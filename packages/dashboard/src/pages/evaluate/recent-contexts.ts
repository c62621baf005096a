import type { EvaluationContext } from '../../api/evaluate';

/** Contexts the user evaluated lately, newest first, kept in this browser only (localStorage), at most 10. */
const STORAGE_KEY = 'halyard.dashboard.recent-contexts';
export const MAX_RECENT = 10;
// Bounded: a context the user typed is small; a huge one is not worth keeping around.
const MAX_CONTEXT_CHARS = 10_000;

export interface RecentContext {
  context: EvaluationContext;
  /** When it was last used (ISO). */
  at: string;
}

function storage(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    return undefined; // Storage disabled (privacy mode): recent contexts are simply not kept.
  }
}

export function readRecentContexts(): RecentContext[] {
  const raw = storage()?.getItem(STORAGE_KEY);
  if (!raw) return [];
  try {
    const list = JSON.parse(raw) as unknown;
    if (!Array.isArray(list)) return [];
    return list
      .filter((item): item is RecentContext => typeof item === 'object' && item !== null && typeof (item as RecentContext).at === 'string' && typeof (item as RecentContext).context === 'object' && (item as RecentContext).context !== null)
      .slice(0, MAX_RECENT);
  } catch {
    return [];
  }
}

/** Puts `context` first (once: the same context used again moves up) and keeps the newest 10. */
export function rememberContext(context: EvaluationContext, now = new Date()): RecentContext[] {
  const text = JSON.stringify(context);
  const list = readRecentContexts().filter((item) => JSON.stringify(item.context) !== text);
  if (text.length <= MAX_CONTEXT_CHARS) list.unshift({ context, at: now.toISOString() });
  const kept = list.slice(0, MAX_RECENT);
  try {
    storage()?.setItem(STORAGE_KEY, JSON.stringify(kept));
  } catch {
    // Quota exceeded: keep going without remembering.
  }
  return kept;
}

/** A one-line label of a context for the picker: its unit and a few attributes. */
export function contextLabel(context: EvaluationContext): string {
  const text = Object.entries(context)
    .slice(0, 4)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(', ');
  return text.length > 80 ? `${text.slice(0, 77)}…` : text || '(empty context)';
}
