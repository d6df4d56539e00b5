/** Create an account: username, first password, role. */
import { useState, type FormEvent } from 'react';
import { NewPassword, Username, type Role, type User } from '@conclave/protocol';
import { api, ApiError, errorText } from './api.js';
import { Dialog } from './Dialog.js';
import { PasswordField } from './PasswordField.js';
import { RoleSelect } from './RoleSelect.js';

export function UserFormDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (user: User) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('host');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [touched, setTouched] = useState(false);

  const nameCheck = Username.safeParse(username);
  const passwordCheck = NewPassword.safeParse(password);
  const nameProblem = touched && username !== '' && !nameCheck.success ? (nameCheck.error.issues[0]?.message ?? null) : null;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!nameCheck.success) return setError(`Username: ${nameCheck.error.issues[0]?.message.replace(/^username: /, '') ?? 'not valid'}.`);
    if (!passwordCheck.success) return setError('Password: at least 10 characters.');
    setBusy(true);
    setError(null);
    try {
      onCreated(await api.createUser(nameCheck.data, password, role));
    } catch (err) {
      setError(
        err instanceof ApiError && err.code === 'conflict' ? `There is already an account called “${nameCheck.data}”.` : errorText(err),
      );
      setBusy(false);
    }
  };

  return (
    <Dialog
      title="Add a user"
      onClose={onClose}
      testId="user-form"
      description="Hosts create and run their own rooms. Administrators manage every room, every account and the server."
    >
      <form className="admin-form" onSubmit={(e) => void submit(e)} noValidate>
        <label className="field">
          <span>Username</span>
          <input
            data-testid="user-form-username"
            value={username}
            maxLength={40}
            autoFocus
            autoComplete="off"
            spellCheck={false}
            autoCapitalize="none"
            placeholder="e.g. grace.h"
            aria-invalid={nameProblem ? true : undefined}
            onBlur={() => setTouched(true)}
            onChange={(e) => setUsername(e.target.value)}
          />
          <span className={`field__hint${nameProblem ? ' field__hint--error' : ''}`}>
            {nameProblem ?? 'Letters, digits, dot, dash and underscore.'}
          </span>
        </label>
        <PasswordField
          label="Password"
          testId="user-form-password"
          value={password}
          onChange={setPassword}
          hint="At least 10 characters. Give it to them privately; they can sign in at /admin."
        />
        <RoleSelect testId="user-form-role" value={role} onChange={setRole} />
        {error && (
          <p className="notice notice--error" role="alert" data-testid="user-form-error">
            {error}
          </p>
        )}
        <div className="admin-dialog__actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button--primary" data-testid="user-form-submit" disabled={busy}>
            {busy ? 'Adding…' : 'Add user'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
