import { useRef, useState, type ReactNode } from 'react';
import { AlertDialog } from 'radix-ui';

export interface ConfirmDialogProps {
  /** Controlled open state; leave out (with `trigger`) to let the dialog manage it. */
  open?: boolean;
  onOpenChange?: (open: boolean) => void;
  /** The element that opens the dialog (rendered `asChild`, so pass a button); focus returns to it on close. */
  trigger?: ReactNode;
  title: ReactNode;
  /** What happens when the user confirms: say it plainly (the screen reader reads it as the dialog's description). */
  description: ReactNode;
  /** Extra content between the description and the buttons (e.g. a diff). */
  children?: ReactNode;
  confirmLabel: string;
  cancelLabel?: string;
  /** Styles the confirm button as destructive. */
  danger?: boolean;
  /**
   * Called on confirm. A returned promise keeps the dialog open ("Working…") until it settles: resolved closes it,
   * rejected shows the error inside the dialog and keeps it open so the user can retry or cancel.
   */
  onConfirm: () => void | Promise<unknown>;
}

/**
 * A confirmation before a consequential action (Radix AlertDialog: focus is trapped, Escape cancels, and focus returns
 * to the element that had it — the trigger, or whatever control opened a controlled dialog).
 *
 * @example
 * <ConfirmDialog
 *   trigger={<button type="button">Delete segment</button>}
 *   title="Delete segment beta-users?"
 *   description="Flags that use it stop matching it in production. This cannot be undone."
 *   confirmLabel="Delete segment"
 *   danger
 *   onConfirm={() => remove.mutateAsync()}
 * />
 */
export function ConfirmDialog(props: ConfirmDialogProps) {
  const [innerOpen, setInnerOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  // Radix returns focus to its Trigger only; a controlled dialog opened by another control (a switch, a menu
  // item) would leave focus on <body>, so remember what had focus when it opened and go back there.
  const opener = useRef<HTMLElement | null>(null);
  const open = props.open ?? innerOpen;
  const setOpen = (next: boolean) => {
    if (!next) setError(undefined);
    if (props.open === undefined) setInnerOpen(next);
    props.onOpenChange?.(next);
  };

  const confirm = (event: { preventDefault(): void }) => {
    const result = props.onConfirm();
    if (!(result instanceof Promise)) return; // AlertDialog.Action closes the dialog itself.
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    result.then(
      () => {
        setBusy(false);
        setOpen(false);
      },
      (failure: unknown) => {
        setBusy(false);
        setError(failure instanceof Error ? failure.message : String(failure));
      },
    );
  };

  return (
    <AlertDialog.Root open={open} onOpenChange={(next) => !busy && setOpen(next)}>
      {props.trigger !== undefined && <AlertDialog.Trigger asChild>{props.trigger}</AlertDialog.Trigger>}
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="dialog-overlay" />
        <AlertDialog.Content
          className="dialog-content"
          onOpenAutoFocus={() => {
            opener.current = document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : null;
          }}
          onCloseAutoFocus={(event) => {
            if (props.trigger !== undefined || opener.current === null || !opener.current.isConnected) return;
            event.preventDefault();
            opener.current.focus();
          }}
        >
          <AlertDialog.Title className="dialog-title">{props.title}</AlertDialog.Title>
          <AlertDialog.Description className="dialog-description">{props.description}</AlertDialog.Description>
          {props.children}
          {error !== undefined && (
            <p role="alert" className="error-text">
              {error}
            </p>
          )}
          <div className="dialog-actions">
            <AlertDialog.Cancel asChild>
              <button type="button" disabled={busy}>
                {props.cancelLabel ?? 'Cancel'}
              </button>
            </AlertDialog.Cancel>
            <AlertDialog.Action asChild>
              <button type="button" className={props.danger ? 'danger' : 'primary'} onClick={confirm} disabled={busy} aria-busy={busy}>
                {busy ? 'Working…' : props.confirmLabel}
              </button>
            </AlertDialog.Action>
          </div>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  );
}
