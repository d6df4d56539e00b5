/**
 * Who is in the meeting, raised hands first in the order they went up (a
 * host can lower any of them), then everyone else; and the button in the
 * call controls that opens it, with the number of hands up.
 */
import { useEffect, useId, useRef } from 'react';
import { UsersIcon } from './icons.js';
import { SidePanel } from './SidePanel.js';
import './gestures.css';

export interface PanelPerson {
  peerId: string;
  name: string;
  isSelf: boolean;
  host: boolean;
}

export function ParticipantsToggle({ open, hands, onToggle }: { open: boolean; hands: number; onToggle: () => void }) {
  const label = hands > 0 ? `Participants, ${hands} ${hands === 1 ? 'hand' : 'hands'} raised` : 'Participants';
  return (
    <button
      type="button"
      data-testid="toggle-participants"
      className={`control participants-toggle${open ? ' control--active' : ''}`}
      aria-expanded={open}
      aria-label={label}
      title={open ? 'Close participants' : 'Participants'}
      onClick={onToggle}
    >
      <UsersIcon />
      {hands > 0 && (
        <span className="chat-toggle__badge participants-toggle__badge" data-testid="hands-count" aria-hidden="true">
          {hands}
        </span>
      )}
    </button>
  );
}

export interface ParticipantsPanelProps {
  people: PanelPerson[];
  /** Peer ids with a hand up, in the order they went up. */
  hands: string[];
  /** Shown to hosts: lowers someone's hand. */
  onLowerHand?: ((peerId: string) => void) | undefined;
  onClose: () => void;
}

export function ParticipantsPanel({ people, hands, onLowerHand, onClose }: ParticipantsPanelProps) {
  const titleId = useId(); // the sections' headings
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => closeRef.current?.focus(), []);
  const byId = new Map(people.map((p) => [p.peerId, p]));
  const raised = hands.flatMap((id) => {
    const p = byId.get(id);
    return p ? [p] : [];
  });
  const nameOf = (p: PanelPerson) => (p.isSelf ? `${p.name} (you)` : p.name);
  return (
    <SidePanel
      title={`Participants (${people.length})`}
      testId="participants-panel"
      closeTestId="participants-close"
      what="participants"
      onClose={onClose}
      className="participants"
      closeRef={closeRef}
    >
      <div className="participants__body">
        <section aria-labelledby={`${titleId}-hands`}>
          <h3 id={`${titleId}-hands`} className="participants__section">
            Raised hands ({raised.length})
          </h3>
          {raised.length === 0 ? (
            <p className="participants__empty">No hands are up.</p>
          ) : (
            <ol className="participants__list" data-testid="raised-hands">
              {raised.map((p, i) => (
                <li key={p.peerId} className="participants__row" data-testid="raised-hand" data-peer-id={p.peerId} data-name={p.name}>
                  <span className="participants__order" aria-hidden="true">
                    {i + 1}
                  </span>
                  <span className="participants__name">{nameOf(p)}</span>
                  <span aria-hidden="true">✋</span>
                  {onLowerHand && !p.isSelf && (
                    <button
                      type="button"
                      className="participants__lower"
                      data-testid="lower-hand"
                      aria-label={`Lower ${p.name}'s hand`}
                      onClick={() => onLowerHand(p.peerId)}
                    >
                      Lower
                    </button>
                  )}
                </li>
              ))}
            </ol>
          )}
        </section>
        <section aria-labelledby={`${titleId}-all`}>
          <h3 id={`${titleId}-all`} className="participants__section">
            In the meeting
          </h3>
          <ul className="participants__list" data-testid="participants-list">
            {people.map((p) => (
              <li key={p.peerId} className="participants__row" data-testid="participant-entry" data-peer-id={p.peerId}>
                <span className="participants__name">{nameOf(p)}</span>
                {p.host && <span className="participants__role">Host</span>}
              </li>
            ))}
          </ul>
        </section>
      </div>
    </SidePanel>
  );
}
