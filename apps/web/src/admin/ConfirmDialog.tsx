/** "Are you sure?" for actions that cannot be undone, with the action's own error shown in place. */
import { useState, type ReactNode } from 'react';
import { errorText } from './api.js';
import { Dialog } from './Dialog.js';

export interface ConfirmDialogProps {
  title: string;
  body: ReactNode;
  confirmLabel: string;
  onConfirm: () => Promise<void>;
  onClose: () => void;
}

export function ConfirmDialog({ title, body, confirmLabel, onConfirm, onClose }: ConfirmDialogProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      onClose();
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };
  return (
    <Dialog title={title} description={body} onClose={onClose} tone="danger" testId="confirm-dialog">
      {error && (
        <p className="notice notice--error" role="alert">
          {error}
        </p>
      )}
      <div className="admin-dialog__actions">
        <button type="button" className="button" onClick={onClose} autoFocus>
          Cancel
        </button>
        <button type="button" className="button button--danger" data-testid="confirm-accept" disabled={busy} onClick={() => void confirm()}>
          {busy ? 'Working…' : confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
