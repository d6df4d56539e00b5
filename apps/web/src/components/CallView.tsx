/** The call: a header, the grid of participants, the controls, and toasts. */
import { useState, type ReactNode } from 'react';
import { useElementSize } from '../hooks/useElementSize.js';
import { callTiles, type GroupOnlyMember, type RemoteDecoration, type TileEntry } from './call-tiles.js';
import { Toast } from './Toast.js';
import './call-layout.css';
import { GridIcon, ScreenShareIcon, ScreenShareOffIcon, SpeakerViewIcon } from './call-icons.js';
import { focusTileKey } from './stage-layout.js';
import type { CallSnapshot, RemoteParticipant } from '../call/call-state.js';
import { CallControls } from './CallControls.js';
import { bestGridLayout } from './grid-layout.js';
import { UsersIcon } from './icons.js';
import { TrackAudio } from './MediaElements.js';
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
  decorateRemote?: (p: RemoteParticipant) => RemoteDecoration;
  /** Extra attributes, badge and overlay for this participant's own tile (a raised hand, reactions). */
  decorateSelf?: () => RemoteDecoration;
  /** Floating panels over the call (the lobby, for hosts). */
  overlay?: ReactNode;
  /** A panel beside the participants (the chat); a full-screen sheet on phones. */
  sidePanel?: ReactNode;
  /** More buttons in the controls bar, before Leave. */
  controlsExtra?: ReactNode;
  /** Tells the server how each remote video is shown (simulcast layers, pausing unseen ones). */
  tileViews?: TileViewTracker | undefined;
  /** Members of the encrypted group the server does not show (each gets a tile). */
  groupOnly?: GroupOnlyMember[];
  /** How many people are in the meeting, as the encrypted group counts them (default: the server's list). */
  memberCount?: number | undefined;
}

type Layout = 'grid' | 'speaker';

const canShareScreen = typeof navigator !== 'undefined' && typeof navigator.mediaDevices?.getDisplayMedia === 'function';

export function CallView({
  roomId,
  displayName,
  snapshot,
  onToggleMic,
  onToggleCamera,
  onToggleScreen,
  onLeave,
  headerExtra,
  decorateRemote,
  decorateSelf,
  overlay,
  sidePanel,
  controlsExtra,
  tileViews,
  groupOnly,
  memberCount,
}: CallViewProps) {
  const [gridRef, size] = useElementSize<HTMLDivElement>();
  const count = memberCount ?? snapshot.participants.length + 1;
  const [chosenLayout, setChosenLayout] = useState<Layout>('grid');
  const [pinned, setPinned] = useState<string | null>(null);
  const [dismissedScreens, setDismissedScreens] = useState('');

  const speakingId = snapshot.activeSpeakerId;
  const tiles = callTiles({ snapshot, displayName, decorateRemote, decorateSelf, tileViews, groupOnly });

  // A remote screen share takes the main area while it is on (until the person switches to the
  // grid; a new share takes it again); pinning does too. Unpinning, or the share ending,
  // returns to the layout the person chose.
  const remoteScreens = tiles
    .filter((t) => t.source === 'screen' && t.peerId !== null)
    .map((t) => t.key)
    .join(' ');
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
          <span className="call__room" title={roomId}>
            {snapshot.roomName ?? roomId}
          </span>
          {snapshot.locked && (
            <span className="chip chip--muted" data-testid="room-locked">
              Locked
            </span>
          )}
          <span className="call__count" title="People in the encrypted meeting" data-testid="participant-count">
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
              style={{
                gridTemplateColumns: `repeat(${layout.cols}, ${Math.floor(layout.tileWidth)}px)`,
                gridAutoRows: `${Math.floor(layout.tileHeight)}px`,
              }}
            >
              {tiles.map(render)}
            </div>
          ) : (
            <div className="speaker-view">
              <div className="speaker-view__main" data-testid="speaker-main">
                {render(focus)}
              </div>
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
