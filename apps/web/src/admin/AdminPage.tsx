/**
 * /admin: asks the server who is signed in, shows the sign-in form or the
 * admin shell, and goes back to the form when the session ends (sign-out, or
 * any request answered 401).
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { User } from '@conclave/protocol';
import { AdminShell } from './AdminShell.js';
import { api, ApiError, errorText } from './api.js';
import { AuthLayout } from './AuthLayout.js';
import { LoginForm } from './LoginForm.js';
import { SessionContext, type AdminSession } from './session.js';
import { ToastProvider } from './Toasts.js';

type State =
  | { kind: 'loading' }
  | { kind: 'signed-out'; notice: string | null }
  | { kind: 'signed-in'; user: User }
  | { kind: 'error'; message: string };

export function AdminPage() {
  const [state, setState] = useState<State>({ kind: 'loading' });

  // Asks who is signed in; the state says 'loading' meanwhile (from the start, or set by whoever asks again).
  const ask = useCallback(() => {
    api.me().then(
      (user) => setState({ kind: 'signed-in', user }),
      (err: unknown) =>
        setState(
          err instanceof ApiError && err.status === 401 ? { kind: 'signed-out', notice: null } : { kind: 'error', message: errorText(err) },
        ),
    );
  }, []);
  useEffect(ask, [ask]);
  const check = useCallback(() => {
    setState({ kind: 'loading' });
    ask();
  }, [ask]);

  useEffect(() => {
    document.title = 'Conclave — administration';
  }, []);

  const onError = useCallback((err: unknown) => {
    if (err instanceof ApiError && err.code === 'unauthenticated') {
      setState({ kind: 'signed-out', notice: 'Your session has ended. Sign in again.' });
    }
  }, []);

  const session = useMemo<AdminSession | null>(() => (state.kind === 'signed-in' ? { user: state.user, onError } : null), [state, onError]);

  const logout = useCallback(async () => {
    try {
      await api.logout();
    } catch {
      // Signed out or not, the page forgets the session; the cookie is the server's to clear.
    }
    setState({ kind: 'signed-out', notice: null });
  }, []);

  if (state.kind === 'loading') {
    return (
      <div className="admin-loading" aria-busy="true" aria-label="Loading">
        <span className="spinner" />
      </div>
    );
  }
  if (state.kind === 'error') {
    return (
      <AuthLayout title="The server is not answering">
        <p className="notice notice--error" role="alert">
          {state.message}
        </p>
        <button type="button" className="button button--primary button--block" onClick={check}>
          Try again
        </button>
      </AuthLayout>
    );
  }
  if (state.kind === 'signed-out' || !session) {
    return (
      <LoginForm notice={state.kind === 'signed-out' ? state.notice : null} onSignedIn={(user) => setState({ kind: 'signed-in', user })} />
    );
  }
  return (
    <SessionContext.Provider value={session}>
      <ToastProvider>
        <AdminShell onLogout={logout} />
      </ToastProvider>
    </SessionContext.Provider>
  );
}
