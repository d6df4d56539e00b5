/** Before the call: camera preview, name, device toggles, and what is wrong with the devices, in words. */
import { useState, type FormEvent, type ReactNode } from 'react';
import { MAX_DISPLAY_NAME_LENGTH, cleanDisplayName } from '@conclave/protocol';
import { problemText, type MediaProblem } from '../media/local-media.js';
import { CameraIcon, CameraOffIcon, MicIcon, MicOffIcon } from './icons.js';
import { TrackVideo } from './MediaElements.js';
import { MicLevelMeter } from './MicLevelMeter.js';
import { initials } from './ParticipantTile.js';

export interface JoinScreenProps {
  roomId: string;
  /** The room's name, once known. */
  roomName?: string | undefined;
  videoTrack: MediaStreamTrack | null;
  audioTrack: MediaStreamTrack | null;
  mediaLoading: boolean;
  problems: MediaProblem[];
  initialName: string;
  joining: boolean;
  error: string | null;
  onJoin: (displayName: string, micOn: boolean, cameraOn: boolean) => void;
  /** Why this browser cannot join at all (shown instead of the join button's effect). */
  unavailable?: string | null;
  /** Whether the extra fields are filled in enough to join. */
  ready?: boolean;
  /** Extra fields above the join button (passphrase, room password). */
  children?: ReactNode;
  /** Camera, microphone and speaker choice, under the preview. */
  deviceSettings?: ReactNode;
}

export function JoinScreen(props: JoinScreenProps) {
  const { roomId, videoTrack, audioTrack, mediaLoading, problems, initialName, joining, error, onJoin, children } = props;
  const unavailable = props.unavailable ?? null;
  const ready = props.ready ?? true;
  const [name, setName] = useState(initialName);
  const [micOn, setMicOn] = useState(true);
  const [cameraOn, setCameraOn] = useState(true);
  // The name as the server will keep it (no invisible characters, no "(host)" at the end): what we show is what others see.
  const trimmed = cleanDisplayName(name);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (trimmed && ready && !mediaLoading && !unavailable && !joining) onJoin(trimmed, micOn && !!audioTrack, cameraOn && !!videoTrack);
  };

  return (
    <div className="join">
      <section className="join__preview" aria-label="Camera preview">
        <div className="preview">
          <TrackVideo
            track={videoTrack}
            className="preview__video tile__video--mirror"
            data-testid="preview-video"
            style={{ visibility: videoTrack && cameraOn ? 'visible' : 'hidden' }}
          />
          {(!videoTrack || !cameraOn) && (
            <div className="preview__placeholder">
              <div className="tile__avatar tile__avatar--static">
                <span>{trimmed ? initials(trimmed) : '?'}</span>
              </div>
              <p>{mediaLoading ? 'Starting your camera…' : videoTrack ? 'Your camera is off' : 'No camera'}</p>
            </div>
          )}
          <div className="preview__controls">
            <button
              type="button"
              className={`control${micOn && audioTrack ? '' : ' control--off'}`}
              disabled={!audioTrack}
              aria-pressed={!micOn}
              aria-label={micOn ? 'Join with microphone off' : 'Join with microphone on'}
              onClick={() => setMicOn((v) => !v)}
            >
              {micOn && audioTrack ? <MicIcon /> : <MicOffIcon />}
            </button>
            <button
              type="button"
              className={`control${cameraOn && videoTrack ? '' : ' control--off'}`}
              disabled={!videoTrack}
              aria-pressed={!cameraOn}
              aria-label={cameraOn ? 'Join with camera off' : 'Join with camera on'}
              onClick={() => setCameraOn((v) => !v)}
            >
              {cameraOn && videoTrack ? <CameraIcon /> : <CameraOffIcon />}
            </button>
          </div>
        </div>
        <div className="join__devices">
          <div className="join__mic-test">
            <span className="join__mic-label">Mic check</span>
            <MicLevelMeter track={audioTrack} active={micOn && !!audioTrack} />
          </div>
          {props.deviceSettings}
        </div>
        {problems.length > 0 && (
          <ul className="notice-list" data-testid="media-problems">
            {problems.map((p) => (
              <li key={p} className="notice notice--warn">
                {problemText[p]}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="join__form">
        <h1>Ready to join?</h1>
        <p className="muted">
          {props.roomName ? (
            <>
              {props.roomName} · <code>{roomId}</code>
            </>
          ) : (
            <>
              Meeting <code>{roomId}</code>
            </>
          )}
        </p>
        <form onSubmit={submit} className="form">
          <label className="field">
            <span>Your name</span>
            <input
              data-testid="display-name"
              value={name}
              maxLength={MAX_DISPLAY_NAME_LENGTH}
              autoComplete="name"
              autoFocus
              placeholder="How others will see you"
              onChange={(e) => setName(e.target.value)}
            />
          </label>
          {children}
          {unavailable && (
            <p className="notice notice--error" role="alert" data-testid="e2ee-unsupported">
              {unavailable}
            </p>
          )}
          {error && (
            <p className="notice notice--error" role="alert" data-testid="join-error">
              {error}
            </p>
          )}
          <button
            type="submit"
            className="button button--primary"
            data-testid="join-button"
            disabled={!trimmed || !ready || mediaLoading || !!unavailable || joining}
          >
            {joining ? 'Joining…' : mediaLoading ? 'Starting camera…' : 'Join meeting'}
          </button>
        </form>
      </section>
    </div>
  );
}
