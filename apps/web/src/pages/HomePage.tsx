/** The landing page: start a new meeting, or join one from a link or code. */
import { useState, type FormEvent } from 'react';
import { LockIcon } from '../components/icons.js';
import { navigate } from '../navigation.js';
import { newMeetingFragment } from '../e2ee/meeting-key.js';
import { newRoomId, roomIdFromInput } from '../room-id.js';

export function HomePage() {
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);

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
      </header>
      <main className="home__main">
        <h1>Private video meetings.</h1>
        <p className="home__lead">
          Every frame is encrypted in your browser before it leaves. The server relays what it cannot read.
        </p>
        <div className="home__actions">
          <button type="button" className="button button--primary button--large" data-testid="new-meeting"
            onClick={() => void newMeetingFragment().then((key) => navigate(`/r/${newRoomId()}${key}`, { created: true }))}>
            New meeting
          </button>
          <form className="home__join" onSubmit={join}>
            <input aria-label="Meeting link or code" data-testid="join-code" placeholder="Paste a link or code"
              value={code} onChange={(e) => { setCode(e.target.value); setError(null); }} />
            <button type="submit" className="button" disabled={!code.trim()}>Join</button>
          </form>
        </div>
        {error && <p className="notice notice--error" role="alert">{error}</p>}
        <p className="home__footnote"><LockIcon width={16} height={16} /> End-to-end encrypted with the SFrame standard (RFC 9605).</p>
      </main>
    </div>
  );
}
