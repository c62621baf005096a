import type { ReactNode } from 'react';

/**
 * A wide table that scrolls sideways inside its own box on narrow screens (the page never does). The box is a named,
 * focusable region so keyboard users can scroll it too (axe `scrollable-region-focusable`). Shared by the D4 admin pages.
 *
 * @example
 * <TableScroll label="Active API keys"><table className="admin-table wide">…</table></TableScroll>
 */
export function TableScroll({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label={label}>
      {children}
    </div>
  );
}
