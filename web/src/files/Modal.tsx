import { useEffect, useId, useRef, type FormEvent, type ReactNode } from 'react';

interface ModalProps {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
}

/**
 * A native modal `<dialog>`: focus moves into it, Escape closes it, and focus returns to what had it
 * before. (The features' own small dialog, so the files, versions and admin panels need nothing else.)
 */
export function Modal({ open, title, onClose, children }: ModalProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const onCloseRef = useRef(onClose);
  useEffect(() => {
    onCloseRef.current = onClose;
  });

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog || !open) {
      return;
    }
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) {
      dialog.showModal();
    }
    const onCancel = (e: Event) => {
      e.preventDefault();
      onCloseRef.current();
    };
    // The browser may close a modal by itself (a second Escape past a prevented cancel): follow it.
    const onClosed = () => onCloseRef.current();
    dialog.addEventListener('cancel', onCancel);
    dialog.addEventListener('close', onClosed);
    return () => {
      dialog.removeEventListener('cancel', onCancel);
      dialog.removeEventListener('close', onClosed);
      if (dialog.open) {
        dialog.close();
      }
      if (before?.isConnected) {
        before.focus();
      }
    };
  }, [open]);

  return (
    <dialog ref={ref} className="modal" aria-labelledby={titleId}>
      {open && (
        <>
          <h2 id={titleId} className="modal-title">
            {title}
          </h2>
          {children}
        </>
      )}
    </dialog>
  );
}

interface ConfirmProps {
  open: boolean;
  title: string;
  message: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  error?: string | null;
  onConfirm: () => void;
  onCancel: () => void;
}

/** Asks before something that cannot be taken back by accident (delete, restore, discard). */
export function ConfirmDialog({
  open,
  title,
  message,
  confirmLabel,
  danger,
  busy,
  error,
  onConfirm,
  onCancel,
}: ConfirmProps) {
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onConfirm();
  };
  return (
    <Modal open={open} title={title} onClose={onCancel}>
      <form method="dialog" onSubmit={submit} className="modal-body">
        <div className="modal-message">{message}</div>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <div className="modal-actions">
          <button type="button" onClick={onCancel} autoFocus={danger}>
            Cancel
          </button>
          <button
            type="submit"
            className={danger ? 'danger' : 'primary'}
            disabled={busy}
            autoFocus={!danger}
          >
            {confirmLabel}
          </button>
        </div>
      </form>
    </Modal>
  );
}
