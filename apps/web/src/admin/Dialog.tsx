/**
 * A modal dialog on the native <dialog> element: focus moves in and is
 * trapped by the browser, Escape closes, and focus returns to whatever opened
 * it. Mounted to open, unmounted to close.
 */
import { useEffect, useId, useRef, type ReactNode } from 'react';
import { useLatest } from '../hooks/useLatest.js';
import { CloseIcon } from './icons.js';

export interface DialogProps {
  title: string;
  description?: ReactNode;
  onClose: () => void;
  children: ReactNode;
  testId?: string;
  /** "danger" gives the dialog a red accent (confirmations of destructive actions). */
  tone?: 'default' | 'danger';
  /** Whether a press on the backdrop closes it (not while it shows something that cannot be shown again). */
  closeOnBackdrop?: boolean;
}

export function Dialog({ title, description, onClose, children, testId, tone = 'default', closeOnBackdrop = true }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descId = useId();
  const onCloseRef = useLatest(onClose);

  useEffect(() => {
    const dialog = ref.current;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (dialog && !dialog.open) dialog.showModal();
    return () => {
      if (dialog?.open) dialog.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  return (
    <dialog
      ref={ref}
      className={`admin-dialog admin-dialog--${tone}`}
      aria-labelledby={titleId}
      aria-describedby={description ? descId : undefined}
      data-testid={testId}
      onCancel={(e) => {
        e.preventDefault();
        onCloseRef.current();
      }}
      onMouseDown={(e) => {
        // A press on the backdrop (the dialog element itself, outside its card) closes it.
        if (closeOnBackdrop && e.target === e.currentTarget) onCloseRef.current();
      }}
    >
      <div className="admin-dialog__card">
        <header className="admin-dialog__header">
          <h2 id={titleId}>{title}</h2>
          <button type="button" className="icon-button icon-button--plain" aria-label="Close" onClick={() => onCloseRef.current()}>
            <CloseIcon />
          </button>
        </header>
        {description && (
          <div id={descId} className="admin-dialog__description">
            {description}
          </div>
        )}
        {children}
      </div>
    </dialog>
  );
}
