/**
 * The verification code in the call header, from the MLS group's epoch
 * authenticator: everyone sees the same code exactly when they share the
 * group state (same members, same epoch). The chip shows the emoji and the
 * first group of digits for a glance; the popover has all 25 digits to read
 * aloud. `data-code` carries the full digits, `data-epoch` the epoch.
 */
import { useState } from 'react';
import type { MeetingSecret, RefusalReason, SafetyCode } from '@conclave/e2ee/group';
import { LockIcon } from './icons.js';

/** Why we are not in the encrypted meeting, in words. */
export function refusedText(reason: RefusalReason | null, kind: MeetingSecret['kind'] | null): string {
  const secret = kind === 'passphrase' ? 'passphrase' : 'meeting key';
  if (reason === 'wrong-secret') return `Not let in: the ${secret} does not match`;
  if (reason === 'too-many-attempts') return 'Not let in: too many failed attempts, try again in a minute';
  return 'Not let into the encryption';
}

export function SafetyCodeChip({
  code,
  refused = false,
  refusedReason = null,
  secretKind = null,
}: {
  code: SafetyCode | null;
  refused?: boolean;
  refusedReason?: RefusalReason | null;
  secretKind?: MeetingSecret['kind'] | null;
}) {
  const [open, setOpen] = useState(false);
  if (!code && refused) {
    return (
      <span
        className="chip chip--danger"
        data-testid="safety-code"
        data-state="refused"
        data-reason={refusedReason ?? 'no-answer'}
        title="No member added you to the encrypted meeting: is your meeting key (the link's #k=, or the passphrase) the same as theirs?"
      >
        {refusedText(refusedReason, secretKind)}
      </span>
    );
  }
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
        data-code={code.digits}
        data-epoch={code.epoch.toString()}
        aria-expanded={open}
        aria-label={`Verification code ${code.digits}, ${code.emojiNames.join(', ')}`}
        title="Verification code: compare it with the others"
        onClick={() => setOpen((v) => !v)}
      >
        <LockIcon width={15} height={15} />
        <span className="safety__emoji" aria-hidden="true">
          {code.emoji.join(' ')}
        </span>
        <span className="safety__digits">{code.digits.split(' ')[0]}…</span>
      </button>
      {open && (
        <div className="popover" role="dialog" aria-label="Verify encryption">
          <h2>Verify this meeting</h2>
          <p>
            Read the code aloud. If everyone sees the same code, every frame is encrypted end to end between exactly the {code.memberCount}{' '}
            members of this meeting&rsquo;s encrypted group, and nobody (not even the server) is in between.
          </p>
          <p className="safety__big" data-testid="safety-code-full">
            <span>{code.digits}</span>
            <span>{code.emoji.join(' ')}</span>
          </p>
          <p className="muted">{code.emojiNames.join(' · ')}</p>
          <p className="muted">The code changes whenever the group changes: someone joins or leaves, or keys are renewed.</p>
        </div>
      )}
    </div>
  );
}
