/** One person in the call grid: their video (or initials), name and mute state. */
import type { ReactNode } from 'react';
import { PinIcon, PinOffIcon } from './call-icons.js';
import { CameraOffIcon, MicOffIcon } from './icons.js';
import { TrackVideo } from './MediaElements.js';
import { TileRecordingMark } from './RecordingControls.js';

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? [parts[0]![0], parts[parts.length - 1]![0]] : [...(parts[0] ?? '?')].slice(0, 2);
  return letters.join('').toUpperCase();
}

export interface ParticipantTileProps {
  name: string;
  videoTrack: MediaStreamTrack | null;
  videoOff: boolean;
  audioMuted: boolean;
  isSelf?: boolean;
  /** Attributes for the tile root (test ids, data-*). */
  tileProps?: Record<string, string>;
  videoTestId?: string;
  badge?: ReactNode;
  /** Controls on the tile (host actions). */
  actions?: ReactNode;
  /** 'screen': a screen share (no mute or camera state, letterboxed not cropped). */
  source?: 'camera' | 'screen';
  /** The server says this person is speaking now. */
  speaking?: boolean;
  pinned?: boolean;
  /** Shows a pin button on the tile. */
  onTogglePin?: () => void;
  /** Gets the tile element, to report how big and whether on screen it is shown (simulcast). */
  viewRef?: ((el: HTMLElement | null) => void) | undefined;
  /** This person is recording the meeting: a REC mark on their tile. */
  recording?: boolean;
  /** Over the video (reactions). */
  overlay?: ReactNode;
}

export function ParticipantTile({
  name,
  videoTrack,
  videoOff,
  audioMuted,
  isSelf,
  tileProps,
  videoTestId,
  badge,
  actions,
  source = 'camera',
  speaking = false,
  pinned = false,
  onTogglePin,
  viewRef,
  recording = false,
  overlay,
}: ParticipantTileProps) {
  const showVideo = videoTrack !== null && !videoOff;
  const screen = source === 'screen';
  const label = screen ? (isSelf ? 'Your screen' : `${name}'s screen`) : isSelf ? `${name} (you)` : name;
  return (
    <figure
      ref={viewRef}
      className={`tile${isSelf ? ' tile--self' : ''}${screen ? ' tile--screen' : ''}`}
      data-source={source}
      data-speaking={speaking ? 'true' : 'false'}
      data-pinned={pinned ? 'true' : 'false'}
      data-recording={recording ? 'true' : 'false'}
      {...tileProps}
      aria-label={label}
    >
      <TrackVideo
        track={videoTrack}
        className={`tile__video${isSelf && !screen ? ' tile__video--mirror' : ''}`}
        style={{ visibility: showVideo ? 'visible' : 'hidden' }}
        {...(videoTestId ? { 'data-testid': videoTestId } : {})}
      />
      {!showVideo && (
        <div className="tile__avatar" aria-hidden="true">
          <span>{initials(name)}</span>
        </div>
      )}
      {overlay}
      {actions}
      {onTogglePin && (
        <button
          type="button"
          className={`tile__pin${pinned ? ' tile__pin--on' : ''}`}
          data-testid="pin-tile"
          aria-pressed={pinned}
          aria-label={pinned ? `Unpin ${label}` : `Pin ${label}`}
          title={pinned ? 'Unpin' : 'Pin: keep large'}
          onClick={onTogglePin}
        >
          {pinned ? <PinOffIcon width={18} height={18} /> : <PinIcon width={18} height={18} />}
        </button>
      )}
      <figcaption className="tile__label">
        {!screen && audioMuted && (
          <span className="tile__muted" title="Microphone off" aria-label="microphone off">
            <MicOffIcon width={16} height={16} />
          </span>
        )}
        {!screen && videoOff && (
          <span className="tile__video-off" title="Camera off" aria-label="camera off" data-testid="video-off">
            <CameraOffIcon width={16} height={16} />
          </span>
        )}
        <span className="tile__name">{label}</span>
        {recording && <TileRecordingMark name={name} />}
        {badge}
      </figcaption>
    </figure>
  );
}
