/** The call: a header, the grid of participants, the controls, and toasts. */
import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import type { CallSnapshot, RemoteParticipant } from '../call/call-state.js';
import { CallControls } from './CallControls.js';
import { bestGridLayout } from './grid-layout.js';
import { UsersIcon } from './icons.js';
import { TrackAudio } from './MediaElements.js';
import { ParticipantTile } from './ParticipantTile.js';

export interface CallViewProps {
  roomId: string;
  displayName: string;
  snapshot: CallSnapshot;
  onToggleMic: () => void;
  onToggleCamera: () => void;
  onLeave: () => void;
  /** Extra header content (invite link, verification code). */
  headerExtra?: ReactNode;
  /** Extra attributes and badge for a remote tile (E2EE state). */
  decorateRemote?: (p: RemoteParticipant) => { attrs?: Record<string, string>; badge?: ReactNode; hideVideo?: boolean; actions?: ReactNode };
  /** Floating panels over the call (the lobby, for hosts). */
  overlay?: ReactNode;
  /** A panel beside the participants (the chat); a full-screen sheet on phones. */
  sidePanel?: ReactNode;
  /** More buttons in the controls bar, before Leave. */
  controlsExtra?: ReactNode;
}

function useElementSize<T extends HTMLElement>(): [React.RefObject<T | null>, { width: number; height: number }] {
  const ref = useRef<T>(null);
  const [size, setSize] = useState({ width: 0, height: 0 });
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(([entry]) => {
      if (entry) setSize({ width: entry.contentRect.width, height: entry.contentRect.height });
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [ref, size];
}

function Toast({ notice }: { notice: CallSnapshot['notice'] }) {
  const [visible, setVisible] = useState<CallSnapshot['notice']>(null);
  useEffect(() => {
    if (!notice) return;
    setVisible(notice);
    const t = setTimeout(() => setVisible(null), 3500);
    return () => clearTimeout(t);
  }, [notice]);
  return (
    <div className="toast-region" role="status" aria-live="polite">
      {visible && <div className="toast" key={visible.id}>{visible.text}</div>}
    </div>
  );
}

export function CallView({ roomId, displayName, snapshot, onToggleMic, onToggleCamera, onLeave, headerExtra, decorateRemote, overlay, sidePanel, controlsExtra }: CallViewProps) {
  const [gridRef, size] = useElementSize<HTMLDivElement>();
  const count = snapshot.participants.length + 1;
  const layout = bestGridLayout(count, size.width, size.height);

  return (
    <div className="call">
      <header className="call__header">
        <div className="call__title">
          <span className="brand-dot" aria-hidden="true" />
          <span className="call__room" title={roomId}>{snapshot.roomName ?? roomId}</span>
          {snapshot.locked && <span className="chip chip--muted" data-testid="room-locked">Locked</span>}
          <span className="call__count" title="Participants">
            <UsersIcon width={16} height={16} /> {count}
          </span>
        </div>
        <div className="call__header-extra">{headerExtra}</div>
      </header>

      {snapshot.phase === 'reconnecting' && (
        <div className="banner banner--warn" role="alert" data-testid="reconnecting">
          {snapshot.error ?? 'Reconnecting…'}
        </div>
      )}

      <div className="call__body">
        <main className="call__stage" ref={gridRef}>
          <div
            className="grid"
            style={{ gridTemplateColumns: `repeat(${layout.cols}, ${Math.floor(layout.tileWidth)}px)`, gridAutoRows: `${Math.floor(layout.tileHeight)}px` }}
          >
            <ParticipantTile
              name={displayName}
              videoTrack={snapshot.localVideoTrack}
              videoOff={!snapshot.cameraEnabled}
              audioMuted={!snapshot.micEnabled}
              isSelf
              videoTestId="local-video"
            />
            {snapshot.participants.map((p) => {
              const video = p.media.find((m) => m.track.kind === 'video' && m.source === 'camera');
              const audio = p.media.find((m) => m.track.kind === 'audio' && m.source === 'mic');
              const extra = decorateRemote?.(p);
              return (
                <ParticipantTile
                  key={p.peerId}
                  name={p.displayName}
                  videoTrack={video?.track ?? null}
                  videoOff={!video || video.paused || extra?.hideVideo === true}
                  audioMuted={!audio || audio.paused}
                  tileProps={{ 'data-testid': 'remote-tile', 'data-peer-name': p.displayName, 'data-peer-id': p.peerId, ...extra?.attrs }}
                  badge={extra?.badge}
                  actions={extra?.actions}
                />
              );
            })}
          </div>
        </main>
        {sidePanel}
      </div>

      <div className="remote-audio" aria-hidden="true">
        {snapshot.participants.flatMap((p) =>
          p.media.filter((m) => m.track.kind === 'audio').map((m) => <TrackAudio key={m.consumerId} track={m.track} />),
        )}
      </div>

      <footer className="call__footer">
        <CallControls
          micEnabled={snapshot.micEnabled}
          cameraEnabled={snapshot.cameraEnabled}
          onToggleMic={onToggleMic}
          onToggleCamera={onToggleCamera}
          onLeave={onLeave}
          extra={controlsExtra}
        />
      </footer>
      {overlay}
      <Toast notice={snapshot.notice} />
    </div>
  );
}
