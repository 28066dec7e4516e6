import type { ReactNode } from 'react';
import { Dialog } from './Dialog';

export interface ConfirmDialogProps {
  open: boolean;
  title: string;
  message: ReactNode;
  /** The confirming button's text (its accessible name), e.g. "Delete" or "Restore". */
  confirmLabel: string;
  /** Styles the confirming button as destructive. */
  danger?: boolean;
  /** Disables the buttons while the action runs. */
  busy?: boolean;
  /** Why the action failed (shown in the dialog as an alert); the dialog stays open. */
  error?: string | null;
  onConfirm: () => void;
  onCancel: () => void;
}

/**
 * Asks before doing something: a modal native `<dialog>` (role "dialog") with the confirming button
 * and "Cancel". Focus starts on "Cancel" (the safe choice), Escape cancels, focus returns afterwards.
 */
export function ConfirmDialog({
  open,
  title,
  message,
  confirmLabel,
  danger = false,
  busy = false,
  error = null,
  onConfirm,
  onCancel,
}: ConfirmDialogProps) {
  return (
    <Dialog
      open={open}
      title={title}
      onClose={onCancel}
      onSubmit={onConfirm}
      className="confirm-dialog"
      actions={
        <>
          <button type="button" onClick={onCancel} disabled={busy} data-autofocus>
            Cancel
          </button>
          <button type="submit" className={danger ? 'danger-solid' : 'primary'} disabled={busy}>
            {confirmLabel}
          </button>
        </>
      }
    >
      {typeof message === 'string' ? <p>{message}</p> : message}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </Dialog>
  );
}
