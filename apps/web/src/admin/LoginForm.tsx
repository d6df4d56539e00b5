/** Sign-in for administrators and hosts. */
import { useEffect, useState, type FormEvent } from 'react';
import type { User } from '@conclave/protocol';
import { api, ApiError, errorText } from './api.js';
import { AuthLayout } from './AuthLayout.js';

export function LoginForm({ onSignedIn, notice }: { onSignedIn: (user: User) => void; notice?: string | null }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [setupNeeded, setSetupNeeded] = useState(false);

  useEffect(() => {
    api.setupNeeded().then(setSetupNeeded, () => undefined);
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!username.trim() || !password) return setError('Enter your username and password.');
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await api.login(username.trim(), password));
    } catch (err) {
      setError(
        err instanceof ApiError && err.code === 'invalid_credentials'
          ? 'That username and password do not match an account.'
          : err instanceof ApiError && err.code === 'too_many_attempts'
            ? 'Too many attempts. Wait a minute before you try again.'
            : errorText(err),
      );
      setPassword('');
      setBusy(false);
    }
  };

  return (
    <AuthLayout title="Sign in" lead={<p className="muted">Manage rooms, people and the server.</p>}>
      {setupNeeded && (
        <p className="notice notice--info" data-testid="setup-needed">
          This server has no administrator yet. Open the one-time setup link printed in the server’s log (<code>/setup?token=…</code>).
        </p>
      )}
      {notice && (
        <p className="notice notice--warn" role="status">
          {notice}
        </p>
      )}
      <form className="admin-form" onSubmit={(e) => void submit(e)} noValidate>
        <label className="field">
          <span>Username</span>
          <input
            data-testid="login-username"
            name="username"
            value={username}
            autoComplete="username"
            autoFocus
            autoCapitalize="none"
            spellCheck={false}
            onChange={(e) => setUsername(e.target.value)}
          />
        </label>
        <label className="field">
          <span>Password</span>
          <input
            data-testid="login-password"
            name="password"
            type="password"
            value={password}
            autoComplete="current-password"
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {error && (
          <p className="notice notice--error" role="alert" data-testid="login-error">
            {error}
          </p>
        )}
        <button type="submit" className="button button--primary button--block" data-testid="login-submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p className="auth__footnote">
        Forgot your password? An administrator can reset it. Joining a meeting needs no account: <a href="/">start or join one</a>.
      </p>
    </AuthLayout>
  );
}
