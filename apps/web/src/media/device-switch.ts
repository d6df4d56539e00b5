/**
 * Switching the camera or microphone to another device, the one way both the
 * join screen's preview and the call do it: the new device is opened, takes
 * over the old track's mute state, and the old track is stopped by the
 * caller once the new one is in place.
 */
import type { MediaProblem, TrackSource } from './local-media.js';

export type InputKind = 'audioinput' | 'videoinput';

/**
 * The track to use instead of `current` for `deviceId`: 'same' when `current`
 * already is that device, a MediaProblem when it cannot be opened.
 */
export async function openReplacement(
  tracks: TrackSource,
  kind: InputKind,
  current: MediaStreamTrack | null,
  deviceId: string,
): Promise<MediaStreamTrack | MediaProblem | 'same'> {
  if (current && current.readyState !== 'ended' && current.getSettings().deviceId === deviceId) return 'same';
  const track = kind === 'audioinput' ? await tracks.microphone(deviceId) : await tracks.camera(deviceId);
  if (typeof track === 'string') return track;
  if (current) track.enabled = current.enabled;
  return track;
}
