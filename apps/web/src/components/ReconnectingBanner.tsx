/**
 * Shown while the call recovers by itself: what is down, that it retries (and
 * which attempt), and a way out. Announced politely to screen readers.
 */
import { useEffect, useState } from 'react';
import './reconnecting-banner.css';
import type { Reconnecting } from '../call/call-state.js';
import { reconnectText } from './reconnect-text.js';

export function ReconnectingBanner({
  reconnecting,
  reason,
  onLeave,
}: {
  reconnecting: Reconnecting;
  reason: string | null;
  onLeave: () => void;
}) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (reconnecting.nextAttemptAt === null) return;
    const tick = () => setNow(Date.now());
    const first = setTimeout(tick, 0);
    const timer = setInterval(tick, 500);
    return () => {
      clearTimeout(first);
      clearInterval(timer);
    };
  }, [reconnecting.nextAttemptAt]);
  const text = reconnectText(reconnecting, reason, now);
  return (
    <div className="reconnecting" role="status" aria-live="polite" data-testid="reconnecting" data-cause={reconnecting.cause}>
      <span className="reconnecting__spinner" aria-hidden="true" />
      <div className="reconnecting__text">
        <strong className="reconnecting__title">{text.title}</strong>
        <span className="reconnecting__detail">{text.detail}</span>
        {text.progress && (
          <span className="reconnecting__progress" data-testid="reconnecting-progress">
            {text.progress}
          </span>
        )}
      </div>
      <button type="button" className="button reconnecting__leave" data-testid="reconnecting-leave" onClick={onLeave}>
        Leave
      </button>
    </div>
  );
}
