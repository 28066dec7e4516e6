import { useEffect, useId, useRef, type FormEvent, type ReactNode } from 'react';

export interface DialogProps {
  open: boolean;
  title: string;
  /** Escape, the backdrop's close or a Cancel button. */
  onClose: () => void;
  /** When given, the body is a form and submitting it calls this (Enter in a field submits). */
  onSubmit?: () => void;
  children: ReactNode;
  /** The buttons row, inside the form. */
  actions: ReactNode;
  className?: string;
}

/**
 * A modal native `<dialog>`: focus moves into it when it opens (the element marked `data-autofocus`, else
 * the first field or button) and back to whatever had it when it closes; Escape closes it.
 */
export function Dialog({
  open,
  title,
  onClose,
  onSubmit,
  children,
  actions,
  className,
}: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const onCloseRef = useRef(onClose);
  /** The next `close` event is ours (state said closed), not the browser's. */
  const closingByUs = useRef(false);
  const titleId = useId();

  useEffect(() => {
    onCloseRef.current = onClose;
  });

  // Open: remember who had focus, show it modal, focus inside. Closing (or unmounting while open,
  // or StrictMode's rehearsal unmount in development): close it and give focus back.
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog || !open) {
      return;
    }
    const returnTo = document.activeElement as HTMLElement | null;
    if (!dialog.open) {
      dialog.showModal();
    }
    dialog.querySelector<HTMLElement>('[data-autofocus], input, select, textarea, button')?.focus();
    return () => {
      if (dialog.open) {
        closingByUs.current = true;
        dialog.close();
      }
      if (returnTo?.isConnected) {
        returnTo.focus();
      }
    };
  }, [open]);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) {
      return;
    }
    // Escape fires `cancel`: let React state close it, so it stays the source of truth.
    const cancel = (e: Event) => {
      e.preventDefault();
      onCloseRef.current();
    };
    // Chromium may close a modal dialog on a repeated Escape despite `preventDefault`: follow it.
    const closed = () => {
      if (closingByUs.current) {
        closingByUs.current = false;
      } else {
        onCloseRef.current();
      }
    };
    dialog.addEventListener('cancel', cancel);
    dialog.addEventListener('close', closed);
    return () => {
      dialog.removeEventListener('cancel', cancel);
      dialog.removeEventListener('close', closed);
    };
  }, []);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit?.();
  };

  return (
    <dialog
      ref={ref}
      className={className ? `dialog ${className}` : 'dialog'}
      aria-labelledby={titleId}
      onClick={(e) => {
        // A click on the backdrop (the dialog element itself, outside its box) closes it.
        if (e.target === ref.current) {
          const r = ref.current.getBoundingClientRect();
          const inside =
            e.clientX >= r.left &&
            e.clientX <= r.right &&
            e.clientY >= r.top &&
            e.clientY <= r.bottom;
          if (!inside) {
            onClose();
          }
        }
      }}
    >
      {open && (
        <form method="dialog" onSubmit={submit}>
          <h2 id={titleId}>{title}</h2>
          <div className="dialog-body">{children}</div>
          <div className="dialog-actions">{actions}</div>
        </form>
      )}
    </dialog>
  );
}
