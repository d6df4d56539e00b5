/**
 * Getting the camera and microphone, and saying in words what went wrong
 * when we cannot: no camera, no microphone, permission denied, device busy,
 * or a page that is not a secure context. Whatever is available is kept, so
 * a person without a camera can still join with audio.
 */
import { savedDeviceId } from './devices.js';

export type MediaProblem = 'insecure-context' | 'unsupported' | 'permission-denied' | 'no-camera' | 'no-microphone' | 'device-busy';

export const problemText: Record<MediaProblem, string> = {
  'insecure-context': 'Camera and microphone need a secure page (https:// or http://localhost).',
  unsupported: 'This browser cannot use a camera or microphone.',
  'permission-denied': 'Camera and microphone access was denied. Allow it in your browser’s site settings, then reload.',
  'no-camera': 'No camera was found. You can still join; others will see your name.',
  'no-microphone': 'No microphone was found. You can still join and listen.',
  'device-busy': 'Your camera or microphone is in use by another application.',
};

export interface LocalMedia {
  stream: MediaStream;
  problems: MediaProblem[];
}

function classify(err: unknown, kind: 'audio' | 'video'): MediaProblem {
  const name = (err as { name?: string } | null)?.name;
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'permission-denied';
  if (name === 'NotReadableError' || name === 'AbortError') return 'device-busy';
  return kind === 'video' ? 'no-camera' : 'no-microphone';
}

export const videoConstraints: MediaTrackConstraints = {
  width: { ideal: 1280 },
  height: { ideal: 720 },
  frameRate: { ideal: 30, max: 30 },
};

export const audioConstraints: MediaTrackConstraints = {
  echoCancellation: true,
  noiseSuppression: true,
  autoGainControl: true,
};

/** The constraints for a kind, asking for the remembered (or given) device; `exact` when the person just chose it. */
function constraintsFor(kind: 'audio' | 'video', deviceId?: string): MediaTrackConstraints {
  const base = kind === 'video' ? videoConstraints : audioConstraints;
  if (deviceId) return { ...base, deviceId: { exact: deviceId } };
  const saved = savedDeviceId(kind === 'video' ? 'videoinput' : 'audioinput');
  return saved ? { ...base, deviceId: { ideal: saved } } : base;
}

async function getTrack(kind: 'audio' | 'video', deviceId?: string): Promise<MediaStreamTrack | MediaProblem> {
  try {
    const s = await navigator.mediaDevices.getUserMedia(
      kind === 'video' ? { video: constraintsFor('video', deviceId) } : { audio: constraintsFor('audio', deviceId) },
    );
    const track = s.getTracks()[0];
    return track ?? (kind === 'video' ? 'no-camera' : 'no-microphone');
  } catch (err) {
    return classify(err, kind);
  }
}

/** Asks for camera and microphone (one prompt where the browser allows), keeping whatever works. */
export async function getLocalMedia(): Promise<LocalMedia> {
  if (!window.isSecureContext) return { stream: new MediaStream(), problems: ['insecure-context'] };
  if (!navigator.mediaDevices?.getUserMedia) return { stream: new MediaStream(), problems: ['unsupported'] };
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: constraintsFor('audio'), video: constraintsFor('video') });
    return { stream, problems: [] };
  } catch (err) {
    if (classify(err, 'video') === 'permission-denied') return { stream: new MediaStream(), problems: ['permission-denied'] };
  }
  // One of the two failed: try each alone so the other still works.
  const [audio, video] = await Promise.all([getTrack('audio'), getTrack('video')]);
  const stream = new MediaStream();
  const problems = new Set<MediaProblem>();
  for (const t of [audio, video]) {
    if (typeof t === 'string') problems.add(t);
    else stream.addTrack(t);
  }
  return { stream, problems: [...problems] };
}

export async function getCameraTrack(deviceId?: string): Promise<MediaStreamTrack | MediaProblem> {
  if (!navigator.mediaDevices?.getUserMedia) return 'unsupported';
  return getTrack('video', deviceId);
}

export async function getMicrophoneTrack(deviceId?: string): Promise<MediaStreamTrack | MediaProblem> {
  if (!navigator.mediaDevices?.getUserMedia) return 'unsupported';
  return getTrack('audio', deviceId);
}

/** A screen capture: its video, and its sound when the browser offers it and the person chose to share it. */
export interface ScreenCapture {
  video: MediaStreamTrack;
  audio: MediaStreamTrack | null;
}

/**
 * The screen (getDisplayMedia), with the sound of a tab when the browser
 * offers it (Chromium's "Also share tab audio"; the person decides in the
 * picker). Null when the person cancelled the picker, or 'failed'.
 */
export async function getScreenCapture(): Promise<ScreenCapture | null | 'failed'> {
  try {
    const stream = await navigator.mediaDevices.getDisplayMedia({
      video: { frameRate: { ideal: 15, max: 30 } },
      // The tab's sound as it plays, not cleaned up like a voice.
      audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
    });
    const video = stream.getVideoTracks()[0];
    if (!video) return null;
    return { video, audio: stream.getAudioTracks()[0] ?? null };
  } catch (err) {
    return (err as Error).name === 'NotAllowedError' ? null : 'failed';
  }
}

/** Where tracks come from: the browser's devices, or a fake in unit tests. */
export interface TrackSource {
  microphone(deviceId?: string): Promise<MediaStreamTrack | MediaProblem>;
  camera(deviceId?: string): Promise<MediaStreamTrack | MediaProblem>;
  screen(): Promise<ScreenCapture | null | 'failed'>;
}

export const browserTracks: TrackSource = { microphone: getMicrophoneTrack, camera: getCameraTrack, screen: getScreenCapture };
