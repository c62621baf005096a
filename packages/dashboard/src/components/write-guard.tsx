import { cloneElement, isValidElement, useId, type ReactElement, type ReactNode } from 'react';
import { useSession } from '../api/session';

/** What a guarded control needs: whether it is disabled, and the id of the text that says why. */
export interface WriteGuardState {
  disabled: boolean;
  /** Why writing is blocked (undefined when it is not). */
  reason: string | undefined;
  /** Put this in the control's aria-describedby (undefined when writing is allowed). */
  reasonId: string | undefined;
}

export interface WriteGuardProps {
  /** One control (gets `disabled` and `aria-describedby`), or a function of the guard state. */
  children: ReactElement<Record<string, unknown>> | ((guard: WriteGuardState) => ReactNode);
  /** Show the reason only to assistive technology (when the page already says it once, visibly). */
  hideReason?: boolean;
  /** Also disable the control for this reason of your own (e.g. the flag is archived). */
  blockedBecause?: string;
}

/**
 * Renders a write control disabled, with the reason beside it, for viewers (`useSession().writeBlockedReason`). The
 * API refuses viewers' writes anyway; this only says so before they try.
 *
 * @example
 * <WriteGuard><button onClick={save}>Save</button></WriteGuard>
 * <WriteGuard hideReason>{(guard) => <Switch.Root disabled={guard.disabled} aria-describedby={guard.reasonId} />}</WriteGuard>
 */
export function WriteGuard({ children, hideReason, blockedBecause }: WriteGuardProps) {
  const { writeBlockedReason } = useSession();
  const id = useId();
  const reason = writeBlockedReason ?? blockedBecause;
  const state: WriteGuardState = { disabled: reason !== undefined, reason, reasonId: reason === undefined ? undefined : `write-guard-${id}` };
  if (reason === undefined) return typeof children === 'function' ? <>{children(state)}</> : children;

  let control: ReactNode;
  if (typeof children === 'function') control = children(state);
  else if (isValidElement(children)) {
    const own = children.props['aria-describedby'];
    control = cloneElement(children, { disabled: true, 'aria-describedby': [typeof own === 'string' ? own : undefined, state.reasonId].filter(Boolean).join(' ') });
  } else control = children;
  return (
    <span className="write-guard">
      {control}
      <span id={state.reasonId} className={hideReason ? 'visually-hidden' : 'write-guard-reason'}>
        {reason}
      </span>
    </span>
  );
}
