/**
 * The invite link with its meeting key (in the #fragment, which browsers
 * never send to a server), and a copy button. Shown open to the person who
 * created the meeting, until someone else arrives (it would cover their tile)
 * or it is closed (Done, Escape).
 */
import { useState } from 'react';
import { LinkIcon } from './icons.js';

export function InviteLink({ link, initiallyOpen, othersPresent }: { link: string; initiallyOpen: boolean; othersPresent: boolean }) {
  const [open, setOpen] = useState(initiallyOpen);
  const [copied, setCopied] = useState(false);
  // The first person to arrive closes the welcome popover; Invite opens it again.
  const [wereOthersPresent, setWereOthersPresent] = useState(othersPresent);
  if (othersPresent !== wereOthersPresent) {
    setWereOthersPresent(othersPresent);
    if (othersPresent) setOpen(false);
  }
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(link);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      // Clipboard refused (insecure page or permission): the link stays selectable in the box.
    }
  };
  return (
    <div className="invite">
      <button type="button" className="button button--small" aria-expanded={open} onClick={() => setOpen((v) => !v)}>
        <LinkIcon width={16} height={16} /> Invite
      </button>
      {open && (
        <div
          className="popover popover--wide"
          role="dialog"
          aria-label="Invite people"
          onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}
        >
          <h2>Your meeting is ready</h2>
          <p>Share this link with the people you want to meet. It carries the meeting key, so send it privately.</p>
          <div className="invite__row">
            <input readOnly value={link} data-testid="invite-link" aria-label="Invite link" onFocus={(e) => e.currentTarget.select()} />
            <button type="button" className="button button--primary" data-testid="copy-invite" onClick={() => void copy()}>
              {copied ? 'Copied' : 'Copy'}
            </button>
          </div>
          <button type="button" className="button button--small popover__close" onClick={() => setOpen(false)}>
            Done
          </button>
        </div>
      )}
    </div>
  );
}
