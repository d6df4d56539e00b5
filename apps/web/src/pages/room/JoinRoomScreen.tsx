/**
 * Before the call: the preview and name (JoinScreen), plus what this room
 * needs to be entered: its password, and the meeting passphrase when the
 * link carries no key, which must meet the strength floor
 * (e2ee-passphrase/passphrase-strength.ts) before the join button is enabled.
 * End-to-end encryption is always on: a browser that cannot transform frames
 * cannot join.
 */
import { useId } from 'react';
import type { FrameTransformSupport } from '@conclave/e2ee/media';
import { AccessError } from '../../api/room-access.js';
import { DeviceSelects } from '../../components/DeviceSettings.js';
import { JoinScreen } from '../../components/JoinScreen.js';
import { passphraseStrength } from '../../e2ee-passphrase/passphrase-strength.js';
import { PassphraseWeakHint } from '../../e2ee-passphrase/PassphraseWeakHint.js';
import { useDevices } from '../../hooks/useDevices.js';
import type { PreviewMedia } from '../../hooks/usePreviewMedia.js';
import type { MeetingSnapshot } from '../../meeting/meeting-state.js';

const UNSUPPORTED =
  'This browser cannot encrypt video frames end to end, so it cannot join a Conclave meeting. ' +
  'Use a current version of Chrome, Edge, Firefox or Safari.';

/** What the room asks for besides a name: kept by the page, so a second try need not type them again. */
export interface RoomSecrets {
  passphrase: string;
  roomPassword: string;
}

export interface JoinChoice extends RoomSecrets {
  name: string;
  micOn: boolean;
  cameraOn: boolean;
}

export interface JoinRoomScreenProps {
  roomId: string;
  snapshot: MeetingSnapshot;
  preview: PreviewMedia;
  support: FrameTransformSupport;
  secrets: RoomSecrets;
  onSecretsChange: (secrets: RoomSecrets) => void;
  onJoin: (choice: JoinChoice) => void;
}

export function JoinRoomScreen({ roomId, snapshot, preview, support, secrets, onSecretsChange, onJoin }: JoinRoomScreenProps) {
  const { passphrase, roomPassword } = secrets;
  const { stream } = preview;
  const devices = useDevices({
    videoTrack: stream?.getVideoTracks()[0] ?? null,
    audioTrack: stream?.getAudioTracks()[0] ?? null,
    refreshKey: stream,
    switchTo: preview.switchDevice,
  });
  const weakId = useId();
  const { room, linkKey } = snapshot;
  const needsPassphrase = linkKey !== null && linkKey.kind !== 'link';
  const strength = passphraseStrength(passphrase);
  const info = room instanceof AccessError ? null : room;
  const ready = linkKey !== null && info !== null && (!needsPassphrase || strength.ok) && (!info.hasPassword || roomPassword.length > 0);
  return (
    <JoinScreen
      roomId={roomId}
      roomName={info && info.name !== roomId ? info.name : undefined}
      videoTrack={stream?.getVideoTracks()[0] ?? null}
      audioTrack={stream?.getAudioTracks()[0] ?? null}
      mediaLoading={stream === null}
      problems={preview.problems}
      initialName={snapshot.displayName}
      joining={snapshot.joining !== false}
      error={snapshot.joinError}
      unavailable={support === 'none' ? UNSUPPORTED : null}
      ready={ready}
      onJoin={(name, micOn, cameraOn) => {
        if (stream && support !== 'none') onJoin({ name, micOn, cameraOn, passphrase, roomPassword });
      }}
      deviceSettings={<DeviceSelects lists={devices.lists} selected={devices.selected} onSelect={devices.onSelect} busy={devices.busy} />}
    >
      {info?.hasPassword && (
        <label className="field">
          <span>Room password</span>
          <input
            data-testid="room-password"
            type="password"
            value={roomPassword}
            autoComplete="off"
            placeholder="Given to you with the invitation"
            onChange={(e) => onSecretsChange({ ...secrets, roomPassword: e.target.value })}
          />
        </label>
      )}
      {info?.lobby && <p className="field__hint">A host lets people into this meeting: you will wait a moment after joining.</p>}
      {info?.locked && <p className="notice notice--warn">The meeting is locked: only its hosts can join right now.</p>}
      {room instanceof AccessError && <p className="notice notice--error">{room.message}</p>}
      {needsPassphrase && (
        <label className="field">
          <span>Meeting passphrase</span>
          <input
            data-testid="e2ee-passphrase"
            type="password"
            value={passphrase}
            autoComplete="off"
            placeholder="The passphrase you were given"
            aria-invalid={strength.problem ? true : undefined}
            aria-describedby={strength.problem ? weakId : undefined}
            onChange={(e) => onSecretsChange({ ...secrets, passphrase: e.target.value })}
          />
          <PassphraseWeakHint
            strength={strength}
            id={weakId}
            extra="If that is the passphrase you were given, ask whoever invited you for a stronger one."
          />
          <span className="field__hint">
            {linkKey?.kind === 'damaged'
              ? `The meeting key in this link is damaged (${linkKey.message}). Ask for the link again, or enter the passphrase.`
              : 'This link carries no meeting key. The passphrase encrypts the meeting end to end; it never leaves this browser.'}
          </span>
        </label>
      )}
    </JoinScreen>
  );
}
