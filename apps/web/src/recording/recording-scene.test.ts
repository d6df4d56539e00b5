import { describe, expect, it } from 'vitest';
import { initialSnapshot, type CallSnapshot, type RemoteMedia, type RemoteParticipant } from '../call/call-state.js';
import { sceneFromSnapshot } from './recording-scene.js';

let seq = 0;
const track = (kind: 'audio' | 'video', readyState: MediaStreamTrackState = 'live') =>
  ({ id: `t${++seq}`, kind, readyState }) as unknown as MediaStreamTrack;
const media = (source: RemoteMedia['source'], t: MediaStreamTrack, paused = false): RemoteMedia => ({
  producerId: `p-${t.id}`,
  consumerId: `c-${t.id}`,
  source,
  track: t,
  paused,
});
const person = (peerId: string, displayName: string, m: RemoteMedia[]): RemoteParticipant => ({
  peerId,
  displayName,
  role: 'guest',
  senderIndex: 1,
  media: m,
  recording: false,
});

function snapshot(patch: Partial<CallSnapshot>): CallSnapshot {
  return { ...initialSnapshot, phase: 'in-call', selfId: 'me', micEnabled: true, cameraEnabled: true, ...patch };
}

describe('sceneFromSnapshot', () => {
  it("shows our camera and everyone's, and mixes every voice with our microphone", () => {
    const cam = track('video');
    const mic = track('audio');
    const adaCam = track('video');
    const adaMic = track('audio');
    const graceMic = track('audio');
    const scene = sceneFromSnapshot({
      snapshot: snapshot({
        localVideoTrack: cam,
        activeSpeakerId: 'ada',
        participants: [
          person('ada', 'Ada', [media('camera', adaCam), media('mic', adaMic)]),
          person('grace', 'Grace', [media('mic', graceMic, true)]),
        ],
      }),
      selfName: 'Linus',
      micTrack: mic,
    });
    expect(scene.tiles.map((t) => [t.key, t.name, t.source, t.self, t.track?.id ?? null, t.muted, t.speaking])).toEqual([
      ['self', 'Linus', 'camera', true, cam.id, false, false],
      ['ada', 'Ada', 'camera', false, adaCam.id, false, true],
      ['grace', 'Grace', 'camera', false, null, true, false],
    ]);
    expect(scene.audio.map((t) => t.id)).toEqual([mic.id, adaMic.id, graceMic.id]);
  });

  it('leaves our microphone out while it is off, and our video while the camera is off', () => {
    const scene = sceneFromSnapshot({
      snapshot: snapshot({ micEnabled: false, cameraEnabled: false, localVideoTrack: track('video'), activeSpeakerId: 'me' }),
      selfName: 'Linus',
      micTrack: track('audio'),
    });
    expect(scene.audio).toEqual([]);
    expect(scene.tiles).toEqual([{ key: 'self', name: 'Linus', source: 'camera', self: true, track: null, muted: true, speaking: false }]);
  });

  it('adds screen shares as tiles of their own, ours and theirs', () => {
    const mine = track('video');
    const theirs = track('video');
    const screenAudio = track('audio');
    const scene = sceneFromSnapshot({
      snapshot: snapshot({
        localScreenTrack: mine,
        participants: [person('ada', 'Ada', [media('screen', theirs), media('screen-audio', screenAudio)])],
      }),
      selfName: 'Linus',
      micTrack: null,
    });
    expect(scene.tiles.map((t) => [t.key, t.source, t.track?.id ?? null])).toEqual([
      ['self', 'camera', null],
      ['self:screen', 'screen', mine.id],
      ['ada', 'camera', null],
      ['ada:screen', 'screen', theirs.id],
    ]);
    expect(scene.audio.map((t) => t.id)).toEqual([screenAudio.id]);
  });

  it('shows no video for paused or ended tracks, and nothing of someone whose frames cannot be decrypted', () => {
    const paused = track('video');
    const ended = track('video', 'ended');
    const hiddenCam = track('video');
    const hiddenMic = track('audio');
    const scene = sceneFromSnapshot({
      snapshot: snapshot({
        localVideoTrack: ended,
        participants: [
          person('ada', 'Ada', [media('camera', paused, true)]),
          person('eve', 'Eve', [media('camera', hiddenCam), media('mic', hiddenMic)]),
        ],
      }),
      selfName: 'Linus',
      micTrack: track('audio', 'ended'),
      isHidden: (peerId) => peerId === 'eve',
    });
    expect(scene.tiles.map((t) => [t.key, t.track])).toEqual([
      ['self', null],
      ['ada', null],
      ['eve', null],
    ]);
    expect(scene.audio).toEqual([]);
  });
});
