import { Dialog } from 'radix-ui';
import type { FlagDefinition } from '@halyard/core';
import { DiffView } from '../../components/diff-view';
import type { LastChange, StoredFlag } from '../../api/flag';

export interface Conflict {
  lastChange?: LastChange;
  currentVersion?: number;
  /** The flag as it is now (fetched after the 412). */
  current?: StoredFlag;
  /** The definition the user tried to save. */
  mine: FlagDefinition;
}

export interface ConflictDialogProps {
  conflict: Conflict | undefined;
  onClose(): void;
  onReloadTheirs(): void;
  onReapplyMine(): void;
  busy: boolean;
  error?: string;
}

const when = (at: string) => {
  const date = new Date(at);
  return Number.isNaN(date.getTime()) ? at : date.toLocaleString();
};

/** The 412 view: who changed the flag and when, the diff between their version and this edit, and the two ways out. */
export function ConflictDialog({ conflict, onClose, onReloadTheirs, onReapplyMine, busy, error }: ConflictDialogProps) {
  return (
    <Dialog.Root open={conflict !== undefined} onOpenChange={(open) => !open && !busy && onClose()}>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog-content conflict-dialog">
          <Dialog.Title className="dialog-title">Someone else changed this flag</Dialog.Title>
          <Dialog.Description className="dialog-description">
            {conflict?.lastChange ? (
              <>
                <strong className="conflict-actor">{conflict.lastChange.actor}</strong> saved a change ({conflict.lastChange.action}) at{' '}
                <time dateTime={conflict.lastChange.at}>{when(conflict.lastChange.at)}</time>
              </>
            ) : (
              'The flag was changed'
            )}
            {conflict?.currentVersion !== undefined && <> — it is now version {conflict.currentVersion}</>}, after you opened it. Your edit was not saved.
          </Dialog.Description>
          {conflict?.current ? (
            <DiffView before={conflict.current.definition} after={conflict.mine} caption="Their current version (before) and your edit (after)" />
          ) : (
            <p role="status">Loading the current version…</p>
          )}
          {error !== undefined && (
            <p role="alert" className="error-text">
              {error}
            </p>
          )}
          <div className="dialog-actions">
            <Dialog.Close asChild>
              <button type="button" disabled={busy}>
                Keep editing
              </button>
            </Dialog.Close>
            <button type="button" disabled={busy || !conflict?.current} onClick={onReloadTheirs}>
              Reload theirs
            </button>
            <button type="button" className="primary" disabled={busy || !conflict?.current} onClick={onReapplyMine} aria-busy={busy}>
              {busy ? 'Saving…' : 'Re-apply mine'}
            </button>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
