import type { ReactNode } from 'react';
import { Dialog } from './Dialog';

export interface FormDialogProps {
  open: boolean;
  title: string;
  /** The submit button's text (its accessible name), e.g. "Create" or "Save". */
  submitLabel: string;
  /** Whether the fields hold something worth sending; the button is disabled otherwise. */
  canSubmit: boolean;
  busy?: boolean;
  /** Why the last try failed, shown as an alert under the fields. */
  error?: string | null;
  onClose: () => void;
  onSubmit: () => void;
  children: ReactNode;
}

/** A dialog of a few fields with "Cancel" and one submit button (Enter in a field submits). */
export function FormDialog({
  open,
  title,
  submitLabel,
  canSubmit,
  busy = false,
  error = null,
  onClose,
  onSubmit,
  children,
}: FormDialogProps) {
  return (
    <Dialog
      open={open}
      title={title}
      onClose={onClose}
      onSubmit={() => canSubmit && !busy && onSubmit()}
      actions={
        <>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy || !canSubmit}>
            {submitLabel}
          </button>
        </>
      }
    >
      {children}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </Dialog>
  );
}
