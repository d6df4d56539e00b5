/** The landing page: start a new meeting, or join one from a link or code. */
import { useEffect, useState, type FormEvent } from 'react';
import { LockIcon } from '../components/icons.js';
import { navigate } from '../navigation.js';
import { newMeetingFragment } from '../e2ee/meeting-key.js';
import { roomIdFromInput } from '../room-id.js';

interface Me {
  username: string;
  role: 'admin' | 'host';
}

/** Who is signed in (null: nobody), and whether the server still waits for its first admin. */
function useAccount(): { me: Me | null | undefined; setupNeeded: boolean } {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [setupNeeded, setSetupNeeded] = useState(false);
  useEffect(() => {
    fetch('/api/auth/me', { credentials: 'same-origin' })
      .then(async (r) => setMe(r.ok ? ((await r.json()) as { user: Me }).user : null))
      .catch(() => setMe(null));
    fetch('/api/setup')
      .then(async (r) => setSetupNeeded(r.ok && ((await r.json()) as { needed: boolean }).needed))
      .catch(() => undefined);
  }, []);
  return { me, setupNeeded };
}

export function HomePage() {
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const { me, setupNeeded } = useAccount();

  const startMeeting = async () => {
    if (!me) return navigate('/admin');
    setCreating(true);
    setError(null);
    try {
      const res = await fetch('/api/rooms', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: `${me.username}'s meeting` }),
      });
      const body = (await res.json()) as { id?: string; error?: { message: string } };
      if (!res.ok || !body.id) throw new Error(body.error?.message ?? `the server refused (${res.status})`);
      navigate(`/r/${body.id}${await newMeetingFragment()}`, { created: true });
    } catch (err) {
      setError(`Could not start a meeting: ${(err as Error).message}`);
      setCreating(false);
    }
  };

  const join = (e: FormEvent) => {
    e.preventDefault();
    const roomId = roomIdFromInput(code);
    if (!roomId) return setError('That is not a meeting link or code.');
    const hash = /#.*/.exec(code.trim())?.[0] ?? '';
    navigate(`/r/${roomId}${hash}`);
  };

  return (
    <div className="home">
      <header className="home__brand">
        <span className="brand-dot" aria-hidden="true" /> Conclave
        <span className="home__account">
          {me ? (
            <a
              href="/admin"
              onClick={(e) => {
                e.preventDefault();
                navigate('/admin');
              }}
            >
              {me.username} · Rooms
            </a>
          ) : me === null ? (
            <a
              href="/admin"
              data-testid="sign-in-link"
              onClick={(e) => {
                e.preventDefault();
                navigate('/admin');
              }}
            >
              Sign in
            </a>
          ) : null}
        </span>
      </header>
      <main className="home__main">
        <h1>Private video meetings.</h1>
        <p className="home__lead">Every frame is encrypted in your browser before it leaves. The server relays what it cannot read.</p>
        <div className="home__actions">
          <button
            type="button"
            className="button button--primary button--large"
            data-testid="new-meeting"
            disabled={me === undefined || creating}
            onClick={() => void startMeeting()}
          >
            {me === null ? 'Sign in to start a meeting' : creating ? 'Starting…' : 'New meeting'}
          </button>
          <form className="home__join" onSubmit={join}>
            <input
              aria-label="Meeting link or code"
              data-testid="join-code"
              placeholder="Paste a link or code"
              value={code}
              onChange={(e) => {
                setCode(e.target.value);
                setError(null);
              }}
            />
            <button type="submit" className="button" disabled={!code.trim()}>
              Join
            </button>
          </form>
        </div>
        {error && (
          <p className="notice notice--error" role="alert">
            {error}
          </p>
        )}
        {setupNeeded && (
          <p className="notice notice--info" data-testid="setup-needed">
            Welcome! This server has no accounts yet. Open the one-time setup link printed in the server’s log (where you ran{' '}
            <code>npm start</code>) to create the first admin, then start a meeting.
          </p>
        )}
        <p className="home__footnote">
          <LockIcon width={16} height={16} /> End-to-end encrypted with the SFrame standard (RFC 9605).
        </p>
      </main>
    </div>
  );
}
