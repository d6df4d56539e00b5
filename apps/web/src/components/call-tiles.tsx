/**
 * The call's tiles before they are placed: this participant's camera and
 * screen, then each remote participant's camera and screen, with what the
 * app adds to a remote tile (encryption state, badges, host actions), then a
 * tile for each group member the server does not show.
 */
import type { ReactNode } from 'react';
import type { CallSnapshot, RemoteParticipant } from '../call/call-state.js';
import type { TileViewTracker } from '../call/tile-views.js';
import { ParticipantTile } from './ParticipantTile.js';

/** One tile on the stage, before it is placed in the grid, the speaker view's main area or its strip. */
export interface TileEntry {
  key: string;
  peerId: string | null;
  source: 'camera' | 'screen';
  node: (onTogglePin: () => void, pinned: boolean) => ReactNode;
}

/** What the app adds to a remote participant's tile. */
export interface RemoteDecoration {
  attrs?: Record<string, string>;
  badge?: ReactNode;
  hideVideo?: boolean;
  actions?: ReactNode;
  /** Over the video (reactions). */
  overlay?: ReactNode;
}

/** A member of the meeting's encrypted group whom the server does not show: it still gets a tile. */
export interface GroupOnlyMember {
  peerId: string;
  displayName: string;
}

export interface CallTilesInput {
  snapshot: CallSnapshot;
  groupOnly?: GroupOnlyMember[] | undefined;
  displayName: string;
  decorateRemote?: ((p: RemoteParticipant) => RemoteDecoration) | undefined;
  /** What the app adds to this participant's own camera tile (a raised hand, reactions). */
  decorateSelf?: (() => RemoteDecoration) | undefined;
  tileViews?: TileViewTracker | undefined;
}

export function callTiles({ snapshot, displayName, decorateRemote, decorateSelf, tileViews, groupOnly = [] }: CallTilesInput): TileEntry[] {
  const tiles: TileEntry[] = [];
  const speakingId = snapshot.activeSpeakerId;
  const own = decorateSelf?.();
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
        tileProps={{ 'data-testid': 'local-tile', ...own?.attrs }}
        badge={own?.badge}
        overlay={own?.overlay}
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
        <ParticipantTile
          key="self:screen"
          name={displayName}
          videoTrack={track}
          videoOff={false}
          audioMuted={false}
          isSelf
          source="screen"
          pinned={isPinned}
          onTogglePin={onTogglePin}
          tileProps={{ 'data-testid': 'local-screen-tile' }}
        />
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
          overlay={extra?.overlay}
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
  // Holds every key, so it must be seen: a member the server hides (a listener it slipped in) still has a tile.
  for (const m of groupOnly) {
    tiles.push({
      key: `group:${m.peerId}`,
      peerId: m.peerId,
      source: 'camera',
      node: (onTogglePin, isPinned) => (
        <ParticipantTile
          key={`group:${m.peerId}`}
          name={m.displayName}
          videoTrack={null}
          videoOff
          audioMuted
          pinned={isPinned}
          onTogglePin={onTogglePin}
          tileProps={{
            'data-testid': 'remote-tile',
            'data-peer-name': m.displayName,
            'data-peer-id': m.peerId,
            'data-e2ee': 'encrypted',
            'data-group-only': 'true',
          }}
          badge={
            <span
              className="e2ee-badge e2ee-badge--waiting-for-key"
              role="status"
              data-testid="no-media-member"
              title="In the encrypted meeting, but the server shows no media for them"
            >
              In the meeting, no media
            </span>
          }
        />
      ),
    });
  }

  return tiles;
}
