/**
 * /setup?token=…: the first start's one-time link (printed in the server log)
 * lets whoever runs the server choose the first administrator's username and
 * password; then they are signed in and go to /admin.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { NewPassword, Username } from '@conclave/protocol';
import { navigate } from '../navigation.js';
import { api, ApiError, errorText } from './api.js';
import { AuthLayout } from './AuthLayout.js';
import { PasswordField } from './PasswordField.js';

export function SetupPage() {
  const [token] = useState(() => new URLSearchParams(window.location.search).get('token') ?? '');
  const [needed, setNeeded] = useState<boolean | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [username, setUsername] = useState('admin');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api.setupNeeded().then(setNeeded, (err: unknown) => setLoadError(errorText(err)));
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const name = Username.safeParse(username);
    if (!name.success) return setError(`Username: ${name.error.issues[0]?.message.replace(/^username: /, '') ?? 'not valid'}.`);
    if (!NewPassword.safeParse(password).success) return setError('Password: at least 10 characters.');
    if (password !== confirm) return setError('The two passwords are not the same.');
    setBusy(true);
    setError(null);
    try {
      await api.setup(token, name.data, password);
      navigate('/admin');
    } catch (err) {
      if (err instanceof ApiError && err.code === 'setup_not_available') {
        const stillNeeded = await api.setupNeeded().catch(() => true);
        setError(
          stillNeeded
            ? 'This setup link is not valid. Copy the whole link from the server’s log: each start of the server prints a new one.'
            : 'The server already has an administrator: this link has been used. Sign in at /admin instead.',
        );
      } else setError(errorText(err));
      setBusy(false);
    }
  };

  if (loadError) {
    return (
      <AuthLayout title="Set up Conclave">
        <p className="notice notice--error" role="alert">
          Cannot reach the server: {loadError}
        </p>
      </AuthLayout>
    );
  }
  if (needed === null)
    return (
      <AuthLayout title="Set up Conclave">
        <p className="muted" aria-busy="true">
          Checking…
        </p>
      </AuthLayout>
    );
  if (!needed) {
    return (
      <AuthLayout title="Already set up" lead={<p className="muted">This server has an administrator. Setup links work only once.</p>}>
        <a
          className="button button--primary button--block"
          href="/admin"
          data-testid="setup-go-admin"
          onClick={(e) => {
            e.preventDefault();
            navigate('/admin');
          }}
        >
          Go to sign-in
        </a>
      </AuthLayout>
    );
  }
  if (!token) {
    return (
      <AuthLayout title="Set up Conclave">
        <p className="notice notice--warn" role="alert" data-testid="setup-no-token">
          This address needs the setup token. Open the complete link printed in the server’s log when it first started: it looks like{' '}
          <code>/setup?token=…</code>.
        </p>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout
      title="Set up Conclave"
      lead={
        <p className="muted">
          Choose the administrator account. You will use it to sign in at <code>/admin</code>, create rooms and add hosts.
        </p>
      }
    >
      <form className="admin-form" onSubmit={(e) => void submit(e)} noValidate>
        <label className="field">
          <span>Administrator username</span>
          <input
            data-testid="setup-username"
            value={username}
            maxLength={40}
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            onChange={(e) => setUsername(e.target.value)}
          />
        </label>
        <PasswordField
          label="Password"
          testId="setup-password"
          value={password}
          onChange={setPassword}
          autoFocus
          generate={false}
          hint="At least 10 characters. A password manager’s generated password is best."
        />
        <label className="field">
          <span>Repeat the password</span>
          <input
            data-testid="setup-password-confirm"
            type="password"
            value={confirm}
            autoComplete="new-password"
            onChange={(e) => setConfirm(e.target.value)}
          />
        </label>
        {error && (
          <p className="notice notice--error" role="alert" data-testid="setup-error">
            {error}
          </p>
        )}
        <button type="submit" className="button button--primary button--block" data-testid="setup-submit" disabled={busy}>
          {busy ? 'Creating the account…' : 'Create administrator and sign in'}
        </button>
      </form>
    </AuthLayout>
  );
}
