/** Give an account a new password (for someone who forgot theirs). */
import { useState, type FormEvent } from 'react';
import { NewPassword, type User } from '@conclave/protocol';
import { api, errorText } from './api.js';
import { Dialog } from './Dialog.js';
import { PasswordField } from './PasswordField.js';

export function ResetPasswordDialog({ user, onClose, onDone }: { user: User; onClose: () => void; onDone: () => void }) {
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!NewPassword.safeParse(password).success) return setError('Password: at least 10 characters.');
    setBusy(true);
    setError(null);
    try {
      await api.updateUser(user.id, { password });
      onDone();
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };
  return (
    <Dialog
      title={`Reset the password of ${user.username}`}
      onClose={onClose}
      testId="reset-password-form"
      description="The old password stops working at once. Give the new one to them privately."
    >
      <form className="admin-form" onSubmit={(e) => void submit(e)} noValidate>
        <PasswordField
          label="New password"
          testId="user-form-password"
          value={password}
          onChange={setPassword}
          autoFocus
          hint="At least 10 characters."
        />
        {error && (
          <p className="notice notice--error" role="alert">
            {error}
          </p>
        )}
        <div className="admin-dialog__actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button--primary" data-testid="user-form-submit" disabled={busy}>
            {busy ? 'Saving…' : 'Set password'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
