/**
 * Shown once, right after a room is created: its link, a copy button, and
 * what the admin must know about it. With a meeting key (`#k=…`, made in this
 * browser and never sent), the link cannot be shown again: the server never
 * had the key. With a passphrase, the link has no key and the passphrase,
 * which never left this browser either, is shared separately.
 */
import { useId, useRef, useState } from 'react';

export type RoomKeyMode = 'link' | 'passphrase';

export interface CreatedRoomLinkProps {
  link: string;
  mode: RoomKeyMode;
  onDone: () => void;
}

export function CreatedRoomLink({ link, mode, onDone }: CreatedRoomLinkProps) {
  const inputId = useId();
  const noteId = useId();
  const input = useRef<HTMLTextAreaElement>(null);
  const [copied, setCopied] = useState<'not yet' | 'copied' | 'select'>('not yet');

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(link);
      setCopied('copied');
    } catch {
      // No clipboard access (permission, insecure origin): select it for Ctrl+C / ⌘C instead.
      input.current?.focus();
      input.current?.select();
      setCopied('select');
    }
  };

  return (
    <div className="admin-form created-link" data-testid="admin-room-created" data-key-mode={mode}>
      <div className="field">
        <label htmlFor={inputId}>{mode === 'link' ? 'Meeting link, with its key' : 'Meeting link'}</label>
        <div className="input-with-actions">
          {/* A text area, so the whole link, key included, is visible: it wraps instead of scrolling out of sight. */}
          <textarea
            ref={input}
            id={inputId}
            className="created-link__url"
            data-testid="admin-room-link"
            readOnly
            rows={3}
            value={link}
            spellCheck={false}
            aria-describedby={noteId}
            onFocus={(e) => e.currentTarget.select()}
          />
          <button type="button" className="button button--primary" data-testid="admin-room-link-copy" autoFocus onClick={() => void copy()}>
            {copied === 'copied' ? 'Copied' : 'Copy'}
          </button>
        </div>
        <span className="field__hint" role="status">
          {copied === 'copied' ? 'Copied to the clipboard.' : copied === 'select' ? 'Selected: press Ctrl+C (⌘C on a Mac) to copy it.' : ''}
        </span>
      </div>
      {mode === 'link' ? (
        <div className="notice notice--warn" id={noteId} data-testid="admin-room-link-once">
          <p>
            <strong>Shown only this once.</strong> The part after <code>#k=</code> is the meeting key. Your browser made it and did not send
            it to the server, which does not keep it, so this link cannot be shown again: copy it now.
          </p>
          <p>Whoever has this link can join the meeting. Share it only with the people you invite.</p>
        </div>
      ) : (
        <div className="notice notice--info" id={noteId} data-testid="admin-room-link-once">
          <p>
            This link has no meeting key: people who open it type the passphrase you chose. The passphrase was not sent to the server and is
            not kept anywhere, so give it to them yourself, separately from the link (not in the same message).
          </p>
        </div>
      )}
      <div className="admin-dialog__actions">
        <button type="button" className="button" data-testid="admin-room-link-done" onClick={onDone}>
          Done
        </button>
      </div>
    </div>
  );
}
