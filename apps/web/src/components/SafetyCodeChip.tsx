/**
 * The verification code in the call header. Everyone in the meeting sees the
 * same code exactly when nobody is in between; people read it aloud to check.
 */
import { useState } from 'react';
import type { SafetyCode } from '@conclave/e2ee/keys';
import { LockIcon } from './icons.js';

export function SafetyCodeChip({ code }: { code: SafetyCode | null }) {
  const [open, setOpen] = useState(false);
  if (!code) {
    return (
      <span className="chip chip--muted" data-testid="safety-code" data-state="pending">
        Setting up encryption…
      </span>
    );
  }
  return (
    <div className="safety">
      <button
        type="button"
        className="chip chip--secure"
        data-testid="safety-code"
        data-state="ready"
        aria-expanded={open}
        aria-label={`Verification code ${code.digits}, ${code.emojiNames.join(', ')}`}
        title="Verification code: compare it with the others"
        onClick={() => setOpen((v) => !v)}
      >
        <LockIcon width={15} height={15} />
        <span className="safety__digits">{code.digits}</span>
        <span className="safety__emoji" aria-hidden="true">
          {code.emoji.join(' ')}
        </span>
      </button>
      {open && (
        <div className="popover" role="dialog" aria-label="Verify encryption">
          <h2>Verify this meeting</h2>
          <p>
            Read the code aloud. If everyone sees the same code, every frame is encrypted end to end between exactly the {code.memberCount}{' '}
            people in this meeting, and nobody (not even the server) is in between.
          </p>
          <p className="safety__big">
            <span>{code.digits}</span>
            <span>{code.emoji.join(' ')}</span>
          </p>
          <p className="muted">{code.emojiNames.join(' · ')}</p>
          <p className="muted">The code changes whenever someone joins or leaves.</p>
        </div>
      )}
    </div>
  );
}
