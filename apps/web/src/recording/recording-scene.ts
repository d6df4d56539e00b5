/**
 * What a recording shows and plays at one moment, read from the call's
 * snapshot: the tiles this participant sees (their own camera, every remote
 * camera, every screen share) and the audio they hear plus their own
 * microphone while it is on. Recomputed for every frame, so people joining,
 * leaving, muting or sharing during a recording are picked up at once.
 */
import type { CallSnapshot } from '../call/call-state.js';

export interface SceneTile {
  /** Stable across frames: 'self', 'self:screen', '<peerId>', '<peerId>:screen'. */
  key: string;
  /** The person's name as shown on their tile. */
  name: string;
  source: 'camera' | 'screen';
  self: boolean;
  /** The decrypted video to draw, or null (camera off, paused, or frames that cannot be decrypted). */
  track: MediaStreamTrack | null;
  /** Their microphone is off (camera tiles only). */
  muted: boolean;
  /** The server says they are speaking now. */
  speaking: boolean;
}

export interface RecordingScene {
  tiles: SceneTile[];
  /** Every audio track to mix: remote microphones and screen audio, and our microphone while it is on. */
  audio: MediaStreamTrack[];
}

export interface SceneInput {
  snapshot: CallSnapshot;
  selfName: string;
  /** The microphone track being sent (muted or not); included only while the microphone is on. */
  micTrack: MediaStreamTrack | null;
  /** True for a member whose frames cannot be decrypted: their tile shows no video (as in the call). */
  isHidden?: (peerId: string) => boolean;
}

const live = (track: MediaStreamTrack | null | undefined): track is MediaStreamTrack => !!track && track.readyState === 'live';

export function sceneFromSnapshot({ snapshot, selfName, micTrack, isHidden = () => false }: SceneInput): RecordingScene {
  const tiles: SceneTile[] = [];
  const audio: MediaStreamTrack[] = [];
  const speaking = snapshot.activeSpeakerId;
  const selfVideo = snapshot.cameraEnabled && live(snapshot.localVideoTrack) ? snapshot.localVideoTrack : null;
  tiles.push({
    key: 'self',
    name: selfName,
    source: 'camera',
    self: true,
    track: selfVideo,
    muted: !snapshot.micEnabled,
    speaking: speaking !== null && speaking === snapshot.selfId && snapshot.micEnabled,
  });
  if (live(snapshot.localScreenTrack)) {
    tiles.push({
      key: 'self:screen',
      name: selfName,
      source: 'screen',
      self: true,
      track: snapshot.localScreenTrack,
      muted: false,
      speaking: false,
    });
  }
  if (snapshot.micEnabled && live(micTrack)) audio.push(micTrack);

  for (const p of snapshot.participants) {
    const hidden = isHidden(p.peerId);
    const camera = p.media.find((m) => m.track.kind === 'video' && m.source === 'camera');
    const mic = p.media.find((m) => m.track.kind === 'audio' && m.source === 'mic');
    const screen = p.media.find((m) => m.track.kind === 'video' && m.source === 'screen');
    tiles.push({
      key: p.peerId,
      name: p.displayName,
      source: 'camera',
      self: false,
      track: camera && !camera.paused && !hidden && live(camera.track) ? camera.track : null,
      muted: !mic || mic.paused,
      speaking: speaking === p.peerId && !!mic && !mic.paused,
    });
    if (screen) {
      tiles.push({
        key: `${p.peerId}:screen`,
        name: p.displayName,
        source: 'screen',
        self: false,
        track: !screen.paused && !hidden && live(screen.track) ? screen.track : null,
        muted: false,
        speaking: false,
      });
    }
    if (!hidden) for (const m of p.media) if (m.track.kind === 'audio' && live(m.track)) audio.push(m.track);
  }
  return { tiles, audio };
}
