/** The people in a live meeting: name, role, what they send, their E2EE state, and a way to remove them. */
import { useState } from 'react';
import type { LiveParticipant } from '@conclave/protocol';
import { errorText } from './api.js';
import { E2eeStateBadge } from './E2eeStateBadge.js';
import { formatBitrate, formatElapsed, initials } from './format.js';
import { UserMinusIcon } from './icons.js';

export interface ParticipantListProps {
  participants: LiveParticipant[];
  waiting: number;
  now: number;
  onKick: (p: LiveParticipant) => Promise<void>;
}

export function ParticipantList({ participants, waiting, now, onKick }: ParticipantListProps) {
  const [kicking, setKicking] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const kick = async (p: LiveParticipant) => {
    setKicking(p.peerId);
    setError(null);
    try {
      await onKick(p);
    } catch (err) {
      setError(`Could not remove ${p.displayName}: ${errorText(err)}`);
    } finally {
      setKicking(null);
    }
  };

  return (
    <div className="participants">
      {participants.length === 0 ? (
        <p className="participants__empty">Nobody is in this meeting right now.</p>
      ) : (
        <ul className="participants__list" aria-label="People in the meeting">
          {participants.map((p) => (
            <li
              key={p.peerId}
              className="participant"
              data-testid="admin-participant"
              data-peer-id={p.peerId}
              data-name={p.displayName}
              data-e2ee={p.e2ee}
            >
              <span className="avatar avatar--small" aria-hidden="true">
                {initials(p.displayName)}
              </span>
              <span className="participant__who">
                <span className="participant__name">{p.displayName}</span>
                <span className={`role-tag role-tag--${p.role}`}>{p.role === 'host' ? 'Host' : 'Guest'}</span>
              </span>
              <span className="participant__stats">
                <span className="participant__stat" title="Sending, as the server measures it">
                  <span className="participant__stat-label">Sending</span>
                  <span data-testid="admin-participant-bitrate">{formatBitrate(p.bitrateKbps)}</span>
                </span>
                <span className="participant__stat" title="Time in the meeting">
                  <span className="participant__stat-label">In call</span>
                  <span>{formatElapsed(p.joinedAt, now)}</span>
                </span>
              </span>
              <E2eeStateBadge state={p.e2ee} />
              <button
                type="button"
                className="button button--small button--ghost-danger"
                data-testid="admin-kick"
                aria-label={`Remove ${p.displayName} from the meeting`}
                disabled={kicking === p.peerId}
                onClick={() => void kick(p)}
              >
                <UserMinusIcon width={15} height={15} /> <span>{kicking === p.peerId ? 'Removing…' : 'Remove'}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {waiting > 0 && (
        <p className="participants__waiting" data-testid="admin-room-waiting">
          {waiting === 1 ? '1 person is' : `${waiting} people are`} waiting in the lobby. A host in the meeting can let them in.
        </p>
      )}
      {error && (
        <p className="notice notice--error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
