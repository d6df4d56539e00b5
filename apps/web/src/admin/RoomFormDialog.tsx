/**
 * Create a room, or edit one: name, password (set, keep or remove), lobby,
 * size. Creating also chooses how the meeting is encrypted: a key in the link
 * (made here, shown once) or a passphrase people type. Neither the key nor
 * the passphrase is sent to the server; it is never told which was chosen.
 */
import { useId, useState, type FormEvent } from 'react';
import { ROOM_PASSWORD_MIN_LENGTH, RoomName, RoomPassword, type RoomSummary } from '@conclave/protocol';
import { passphraseStrength } from '../e2ee-passphrase/passphrase-strength.js';
import { PassphraseWeakHint } from '../e2ee-passphrase/PassphraseWeakHint.js';
import { api, errorText, type RoomInput } from './api.js';
import { CreatedRoomLink, type RoomKeyMode } from './CreatedRoomLink.js';
import { Dialog } from './Dialog.js';
import { roomLink, roomLinkWithNewKey } from './room-link.js';
import { Switch } from './Switch.js';

export interface RoomFormDialogProps {
  /** The room to edit; absent to create one. */
  room?: RoomSummary;
  onClose: () => void;
  /** Edited: the dialog is done. Created: the room exists, and the dialog stays open showing its link (once) until closed. */
  onSaved: (id: string, name: string) => void;
}

const MIN_SIZE = 2;
const MAX_SIZE = 100;
/** The server's default, shown so the choice is visible. */
const DEFAULT_SIZE = 50;

export function RoomFormDialog({ room, onClose, onSaved }: RoomFormDialogProps) {
  const editing = room !== undefined;
  const [name, setName] = useState(room?.name ?? '');
  const [password, setPassword] = useState('');
  const [removePassword, setRemovePassword] = useState(false);
  const [lobby, setLobby] = useState(room?.lobby ?? false);
  const [size, setSize] = useState(String(room?.maxParticipants ?? DEFAULT_SIZE));
  const [keyMode, setKeyMode] = useState<RoomKeyMode>('link');
  const [passphrase, setPassphrase] = useState('');
  const [showPassphrase, setShowPassphrase] = useState(false);
  const [created, setCreated] = useState<{ link: string; mode: RoomKeyMode; name: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const passphraseId = useId();
  const passphraseHintId = useId();
  const passphraseWeakId = useId();
  const strength = passphraseStrength(passphrase);
  const passphraseBlocks = !editing && keyMode === 'passphrase' && !strength.ok;

  const sizeNumber = size.trim() === '' ? undefined : Number(size);
  const sizeValid = sizeNumber === undefined || (Number.isInteger(sizeNumber) && sizeNumber >= MIN_SIZE && sizeNumber <= MAX_SIZE);
  const nameCheck = RoomName.safeParse(name);
  const passwordCheck = password === '' ? null : RoomPassword.safeParse(password);
  const passwordProblem =
    passwordCheck && !passwordCheck.success
      ? password.length < ROOM_PASSWORD_MIN_LENGTH
        ? `At least ${ROOM_PASSWORD_MIN_LENGTH} characters (${password.length} so far).`
        : 'At most 128 characters.'
      : null;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!nameCheck.success) return setError('Give the room a name.');
    if (passwordProblem) return setError(`Room password: ${passwordProblem}`);
    if (!sizeValid) return setError(`Maximum participants: a whole number from ${MIN_SIZE} to ${MAX_SIZE}.`);
    if (passphraseBlocks) return setError(strength.problem ?? 'Choose the meeting passphrase.');
    setBusy(true);
    setError(null);
    try {
      if (room) {
        const changes: RoomInput = {};
        if (nameCheck.data !== room.name) changes.name = nameCheck.data;
        if (removePassword) changes.password = null;
        else if (password) changes.password = password;
        if (lobby !== room.lobby) changes.lobby = lobby;
        if (sizeNumber !== undefined && sizeNumber !== room.maxParticipants) changes.maxParticipants = sizeNumber;
        if (Object.keys(changes).length > 0) await api.updateRoom(room.id, changes);
        onSaved(room.id, changes.name ?? room.name);
      } else {
        // Only what the server needs: never the meeting key or passphrase, nor which of the two the room uses.
        const input: RoomInput & { name: string } = { name: nameCheck.data, lobby };
        if (password) input.password = password;
        if (sizeNumber !== undefined) input.maxParticipants = sizeNumber;
        const id = await api.createRoom(input);
        const link = keyMode === 'link' ? await roomLinkWithNewKey(id) : roomLink(id);
        setPassphrase(''); // checked, not kept: the people invited type it themselves
        setCreated({ link, mode: keyMode, name: input.name });
        setBusy(false);
        onSaved(id, input.name);
      }
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };

  if (created)
    return (
      <Dialog title={`“${created.name}” is ready`} onClose={onClose} testId="room-form" closeOnBackdrop={false}>
        <CreatedRoomLink link={created.link} mode={created.mode} onDone={onClose} />
      </Dialog>
    );

  return (
    <Dialog
      title={editing ? `Edit “${room.name}”` : 'Create a room'}
      onClose={onClose}
      testId="room-form"
      description={editing ? undefined : 'A room is a fixed meeting address you can share ahead of time.'}
    >
      <form className="admin-form" onSubmit={(e) => void submit(e)} noValidate>
        <label className="field">
          <span>Name</span>
          <input
            data-testid="room-form-name"
            value={name}
            maxLength={80}
            autoFocus
            required
            autoComplete="off"
            placeholder="Weekly planning"
            onChange={(e) => setName(e.target.value)}
          />
        </label>

        {!editing && (
          <fieldset className="key-mode" data-testid="admin-room-key-mode">
            <legend>How the meeting is encrypted</legend>
            <label className="key-mode__option">
              <input
                type="radio"
                name="key-mode"
                value="link"
                data-testid="admin-room-key-mode-link"
                checked={keyMode === 'link'}
                onChange={() => setKeyMode('link')}
              />
              <span className="key-mode__text">
                <span className="key-mode__label">Key in the link</span>
                <span className="field__hint">
                  This browser makes a random key and puts it in the link, shown once. Whoever has the link can join.
                </span>
              </span>
            </label>
            <label className="key-mode__option">
              <input
                type="radio"
                name="key-mode"
                value="passphrase"
                data-testid="admin-room-key-mode-passphrase"
                checked={keyMode === 'passphrase'}
                onChange={() => setKeyMode('passphrase')}
              />
              <span className="key-mode__text">
                <span className="key-mode__label">Passphrase</span>
                <span className="field__hint">The link has no key; people type a passphrase you give them separately.</span>
              </span>
            </label>
          </fieldset>
        )}

        {!editing && keyMode === 'passphrase' && (
          <div className="field">
            <label htmlFor={passphraseId}>Meeting passphrase</label>
            <div className="input-with-actions">
              <input
                id={passphraseId}
                data-testid="admin-room-passphrase"
                type={showPassphrase ? 'text' : 'password'}
                value={passphrase}
                autoComplete="off"
                spellCheck={false}
                aria-invalid={strength.problem ? true : undefined}
                aria-describedby={strength.problem ? `${passphraseWeakId} ${passphraseHintId}` : passphraseHintId}
                onChange={(e) => setPassphrase(e.target.value)}
              />
              <button
                type="button"
                className="button button--small button--quiet"
                aria-pressed={showPassphrase}
                aria-label={showPassphrase ? 'Hide passphrase' : 'Show passphrase'}
                onClick={() => setShowPassphrase((v) => !v)}
              >
                {showPassphrase ? 'Hide' : 'Show'}
              </button>
            </div>
            <PassphraseWeakHint strength={strength} id={passphraseWeakId} />
            <span id={passphraseHintId} className="field__hint">
              Checked here and never sent: the server cannot see it, and this page does not keep it.
              {strength.problem
                ? ''
                : ' At least 12 characters with 3 of lower-case, upper-case, digits and symbols, or 20 of anything, such as several words.'}
            </span>
          </div>
        )}

        <div className="field">
          <label htmlFor="room-form-password">
            {editing && room.hasPassword ? 'New room password' : 'Room password'}
            <span className="field__optional"> (optional)</span>
          </label>
          <input
            id="room-form-password"
            data-testid="room-form-password"
            type="password"
            value={password}
            maxLength={128}
            autoComplete="new-password"
            disabled={removePassword}
            aria-invalid={passwordProblem ? true : undefined}
            placeholder={editing && room.hasPassword ? 'Leave empty to keep the current one' : 'Anyone with the link can join'}
            onChange={(e) => setPassword(e.target.value)}
          />
          <span className={`field__hint${passwordProblem ? ' field__hint--error' : ''}`}>
            {passwordProblem ??
              `At least ${ROOM_PASSWORD_MIN_LENGTH} characters, asked of everyone before they can enter. Separate from the meeting passphrase that encrypts the call.`}
          </span>
          {editing && room.hasPassword && (
            <label className="checkbox">
              <input
                type="checkbox"
                data-testid="room-form-password-remove"
                checked={removePassword}
                onChange={(e) => {
                  setRemovePassword(e.target.checked);
                  if (e.target.checked) setPassword('');
                }}
              />
              Remove the password: anyone with the link can join
            </label>
          )}
        </div>

        <Switch testId="room-form-lobby" checked={lobby} onChange={setLobby} label="Lobby" hint="Guests wait until a host lets them in." />

        <label className="field field--narrow">
          <span>Maximum participants</span>
          <input
            data-testid="room-form-max"
            type="number"
            inputMode="numeric"
            min={MIN_SIZE}
            max={MAX_SIZE}
            step={1}
            value={size}
            aria-invalid={sizeValid ? undefined : true}
            onChange={(e) => setSize(e.target.value)}
          />
          <span className={`field__hint${sizeValid ? '' : ' field__hint--error'}`}>
            From {MIN_SIZE} to {MAX_SIZE}.
          </span>
        </label>

        {error && (
          <p className="notice notice--error" role="alert" data-testid="room-form-error">
            {error}
          </p>
        )}
        <div className="admin-dialog__actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button--primary" data-testid="room-form-submit" disabled={busy || passphraseBlocks}>
            {busy ? 'Saving…' : editing ? 'Save changes' : 'Create room'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
