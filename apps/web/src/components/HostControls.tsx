/** In the call header, for hosts: lock the meeting against new joins, or end it for everyone. */
import { LockIcon } from './icons.js';

export function HostControls({ locked, onLock, onEnd }: { locked: boolean; onLock: (locked: boolean) => void; onEnd: () => void }) {
  return (
    <div className="host-controls">
      <button
        type="button"
        className={`button button--small${locked ? ' button--active' : ''}`}
        data-testid="host-lock"
        aria-pressed={locked}
        onClick={() => onLock(!locked)}
      >
        <LockIcon width={15} height={15} /> {locked ? 'Locked' : 'Lock'}
      </button>
      <button
        type="button"
        className="button button--small button--danger"
        data-testid="host-end"
        onClick={() => {
          if (window.confirm('End the meeting for everyone?')) onEnd();
        }}
      >
        End for all
      </button>
    </div>
  );
}
