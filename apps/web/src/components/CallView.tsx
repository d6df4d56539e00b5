/** The call: a header, the grid of participants, the controls, and toasts. */
import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import './call-layout.css';
import { GridIcon, ScreenShareIcon, ScreenShareOffIcon, SpeakerViewIcon } from './call-icons.js';
import { focusTileKey } from './stage-layout.js';
import type { CallSnapshot, RemoteParticipant } from '../call/call-state.js';
import { CallControls } from './CallControls.js';
import { bestGridLayout } from './grid-layout.js';
import { UsersIcon } from './icons.js';
import { TrackAudio } from './MediaElements.js';
import { ParticipantTile } from './ParticipantTile.js';
import type { TileViewTracker } from '../call/tile-views.js';
import { ReconnectingBanner } from './ReconnectingBanner.js';

export interface CallViewProps {
  roomId: string;
  displayName: string;
  snapshot: CallSnapshot;
  onToggleMic: () => void;
  onToggleCamera: () => void;
  /** Starts or stops sharing the screen; no button when absent (or unsupported). */
  onToggleScreen?: () => void;
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
  /** Tells the server how each remote video is shown (simulcast layers, pausing unseen ones). */
  tileViews?: TileViewTracker | undefined;
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
  // Each notice shows for 3.5 s, or until the next one.
  const [expired, setExpired] = useState<number | null>(null);
  useEffect(() => {
    if (!notice) return;
    const t = setTimeout(() => setExpired(notice.id), 3500);
    return () => clearTimeout(t);
  }, [notice]);
  const visible = notice && notice.id !== expired ? notice : null;
  return (
    <div className="toast-region" role="status" aria-live="polite">
      {visible && <div className="toast" key={visible.id}>{visible.text}</div>}
    </div>
  );
}

type Layout = 'grid' | 'speaker';

/** One tile on the stage, before it is placed in the grid, the speaker view's main area or its strip. */
interface TileEntry {
  key: string;
  peerId: string | null;
  source: 'camera' | 'screen';
  node: (onTogglePin: () => void, pinned: boolean) => ReactNode;
}

const canShareScreen = typeof navigator !== 'undefined' && typeof navigator.mediaDevices?.getDisplayMedia === 'function';

export function CallView({ roomId, displayName, snapshot, onToggleMic, onToggleCamera, onToggleScreen, onLeave, headerExtra, decorateRemote, overlay, sidePanel, controlsExtra, tileViews }: CallViewProps) {
  const [gridRef, size] = useElementSize<HTMLDivElement>();
  const count = snapshot.participants.length + 1;
  const [chosenLayout, setChosenLayout] = useState<Layout>('grid');
  const [pinned, setPinned] = useState<string | null>(null);
  const [dismissedScreens, setDismissedScreens] = useState('');

  const tiles: TileEntry[] = [];
  const speakingId = snapshot.activeSpeakerId;
  tiles.push({
    key: 'self',
    peerId: null,
    source: 'camera',
    node: (onTogglePin, isPinned) => (
      <ParticipantTile
        key="self"
        name={displayName}
        videoTrack={snapshot.localVideoTrack}
        videoOff={!snapshot.cameraEnabled}
        audioMuted={!snapshot.micEnabled}
        isSelf
        videoTestId="local-video"
        recording={snapshot.recording}
        speaking={speakingId !== null && speakingId === snapshot.selfId && snapshot.micEnabled}
        pinned={isPinned}
        onTogglePin={onTogglePin}
        tileProps={{ 'data-testid': 'local-tile' }}
      />
    ),
  });
  if (snapshot.localScreenTrack) {
    const track = snapshot.localScreenTrack;
    tiles.push({
      key: 'self:screen',
      peerId: null,
      source: 'screen',
      node: (onTogglePin, isPinned) => (
        <ParticipantTile key="self:screen" name={displayName} videoTrack={track} videoOff={false} audioMuted={false} isSelf source="screen"
          pinned={isPinned} onTogglePin={onTogglePin} tileProps={{ 'data-testid': 'local-screen-tile' }} />
      ),
    });
  }
  for (const p of snapshot.participants) {
    const video = p.media.find((m) => m.track.kind === 'video' && m.source === 'camera');
    const audio = p.media.find((m) => m.track.kind === 'audio' && m.source === 'mic');
    const screen = p.media.find((m) => m.track.kind === 'video' && m.source === 'screen');
    const extra = decorateRemote?.(p);
    const attrs = { 'data-testid': 'remote-tile', 'data-peer-name': p.displayName, 'data-peer-id': p.peerId, ...extra?.attrs };
    // The simulcast layer the server sends now ('none' while paused because unseen).
    const layerOf = (m: typeof video) => ({ 'data-video-layer': m?.layer ? String(m.layer.spatial) : 'none' });
    tiles.push({
      key: p.peerId,
      peerId: p.peerId,
      source: 'camera',
      node: (onTogglePin, isPinned) => (
        <ParticipantTile
          key={p.peerId}
          name={p.displayName}
          videoTrack={video?.track ?? null}
          videoOff={!video || video.paused || extra?.hideVideo === true}
          audioMuted={!audio || audio.paused}
          speaking={speakingId === p.peerId && !!audio && !audio.paused}
          recording={p.recording}
          pinned={isPinned}
          onTogglePin={onTogglePin}
          tileProps={{ ...attrs, ...layerOf(video) }}
          badge={extra?.badge}
          actions={extra?.actions}
          viewRef={video && tileViews ? tileViews.ref(video.consumerId) : undefined}
        />
      ),
    });
    if (screen) {
      tiles.push({
        key: `${p.peerId}:screen`,
        peerId: p.peerId,
        source: 'screen',
        node: (onTogglePin, isPinned) => (
          <ParticipantTile
            key={`${p.peerId}:screen`}
            name={p.displayName}
            videoTrack={screen.track}
            videoOff={screen.paused || extra?.hideVideo === true}
            audioMuted={false}
            source="screen"
            pinned={isPinned}
            onTogglePin={onTogglePin}
            tileProps={{ ...attrs, ...layerOf(screen) }}
            badge={extra?.badge}
            viewRef={tileViews?.ref(screen.consumerId)}
          />
        ),
      });
    }
  }

  // A remote screen share takes the main area while it is on (until the person switches to the
  // grid; a new share takes it again); pinning does too. Unpinning, or the share ending,
  // returns to the layout the person chose.
  const remoteScreens = tiles.filter((t) => t.source === 'screen' && t.peerId !== null).map((t) => t.key).join(' ');
  const pinnedKey = pinned && tiles.some((t) => t.key === pinned) ? pinned : null;
  const mode: Layout = pinnedKey || (remoteScreens && remoteScreens !== dismissedScreens) ? 'speaker' : chosenLayout;
  const focusKey = mode === 'speaker' ? focusTileKey(tiles, pinnedKey, speakingId, snapshot.selfId) : null;
  const render = (t: TileEntry) => t.node(() => setPinned((cur) => (cur === t.key ? null : t.key)), pinnedKey === t.key);
  const focus = tiles.find((t) => t.key === focusKey);
  const strip = tiles.filter((t) => t.key !== focusKey);

  const layout = bestGridLayout(tiles.length, size.width, size.height);
  const sharing = snapshot.localScreenTrack !== null;
  const layoutToggle = (
    <button
      type="button"
      className="chip layout-toggle"
      data-testid="toggle-layout"
      data-layout={mode}
      aria-label={mode === 'grid' ? 'Switch to speaker view' : 'Switch to grid view'}
      title={mode === 'grid' ? 'Speaker view' : 'Grid view'}
      onClick={() => {
        if (mode === 'speaker') {
          setPinned(null);
          setChosenLayout('grid');
          setDismissedScreens(remoteScreens);
        } else setChosenLayout('speaker');
      }}
    >
      {mode === 'grid' ? <SpeakerViewIcon width={18} height={18} /> : <GridIcon width={18} height={18} />}
      <span className="layout-toggle__text">{mode === 'grid' ? 'Speaker' : 'Grid'}</span>
    </button>
  );

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
          {layoutToggle}
        </div>
        <div className="call__header-extra">{headerExtra}</div>
      </header>

      {snapshot.reconnecting && <ReconnectingBanner reconnecting={snapshot.reconnecting} reason={snapshot.error} onLeave={onLeave} />}

      <div className="call__body">
        <main className={`call__stage call__stage--${mode}`} ref={gridRef} data-testid="call-stage" data-layout={mode}>
          {mode === 'grid' || !focus ? (
            <div
              className="grid"
              style={{ gridTemplateColumns: `repeat(${layout.cols}, ${Math.floor(layout.tileWidth)}px)`, gridAutoRows: `${Math.floor(layout.tileHeight)}px` }}
            >
              {tiles.map(render)}
            </div>
          ) : (
            <div className="speaker-view">
              <div className="speaker-view__main" data-testid="speaker-main">{render(focus)}</div>
              {strip.length > 0 && (
                <div className="speaker-view__strip" data-testid="speaker-strip">
                  {strip.map(render)}
                </div>
              )}
            </div>
          )}
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
          extra={
            <>
              {onToggleScreen && canShareScreen && (
                <button
                  type="button"
                  data-testid="toggle-screen"
                  className={`control${sharing ? ' control--active' : ''}`}
                  aria-pressed={sharing}
                  aria-label={sharing ? 'Stop sharing your screen' : 'Share your screen'}
                  title={sharing ? 'Stop sharing your screen' : 'Share your screen'}
                  onClick={onToggleScreen}
                >
                  {sharing ? <ScreenShareOffIcon /> : <ScreenShareIcon />}
                </button>
              )}
              {controlsExtra}
            </>
          }
        />
      </footer>
      {overlay}
      <Toast notice={snapshot.notice} />
    </div>
  );
}
