/** One person in the call grid: their video (or initials), name and mute state. */
import type { ReactNode } from 'react';
import { MicOffIcon } from './icons.js';
import { TrackVideo } from './MediaElements.js';

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
}

export function ParticipantTile({ name, videoTrack, videoOff, audioMuted, isSelf, tileProps, videoTestId, badge, actions }: ParticipantTileProps) {
  const showVideo = videoTrack !== null && !videoOff;
  return (
    <figure className={`tile${isSelf ? ' tile--self' : ''}`} {...tileProps} aria-label={isSelf ? `${name} (you)` : name}>
      <TrackVideo
        track={videoTrack}
        className={`tile__video${isSelf ? ' tile__video--mirror' : ''}`}
        style={{ visibility: showVideo ? 'visible' : 'hidden' }}
        {...(videoTestId ? { 'data-testid': videoTestId } : {})}
      />
      {!showVideo && (
        <div className="tile__avatar" aria-hidden="true">
          <span>{initials(name)}</span>
        </div>
      )}
      {actions}
      <figcaption className="tile__label">
        {audioMuted && (
          <span className="tile__muted" title="Microphone off" aria-label="microphone off">
            <MicOffIcon width={16} height={16} />
          </span>
        )}
        <span className="tile__name">{isSelf ? `${name} (you)` : name}</span>
        {badge}
      </figcaption>
    </figure>
  );
}
