/**
 * Local recording of a meeting, in this browser only: what the participant
 * sees (the tiles, drawn onto a canvas) and hears (every decrypted voice and
 * their own microphone, mixed), recorded with MediaRecorder and saved as a
 * file on their computer. Nothing of it goes to the server, which only
 * tells the others that this person is recording.
 *
 * It starts only once the room has been told, keeps recording while the tab
 * is in the background (a Worker keeps time), follows people joining,
 * leaving and sharing, and stops and saves when the person stops it, leaves
 * the call, or the call ends.
 */
import type { CallSnapshot } from '../call/call-state.js';
import { AudioMixer } from './audio-mixer.js';
import { FrameClock } from './frame-clock.js';
import { extensionFor, MeetingRecorder } from './meeting-recorder.js';
import { RecordingCompositor } from './recording-compositor.js';
import { recordingFileName } from './recording-file.js';
import { RECORDING_FPS } from './recording-layout.js';
import { sceneFromSnapshot } from './recording-scene.js';
import { Store } from '../state/store.js';
import { blobWithDuration } from './webm-duration.js';

/** What the recording needs of the call (the Meeting gives it). */
export interface RecordingCall {
  getSnapshot(): CallSnapshot;
  subscribe(listener: () => void): () => void;
  /** Tells the room; rejects with words to show when the room could not be told. */
  setRecording(recording: boolean): Promise<void>;
  readonly microphoneTrack: MediaStreamTrack | null;
}

export interface SavedRecording {
  /** An object URL of the file, valid until dismissed. */
  url: string;
  fileName: string;
  bytes: number;
  durationMs: number;
}

export interface RecordingView {
  status: 'idle' | 'starting' | 'recording' | 'stopping';
  /** When the recording started (Date.now()), while it runs. */
  startedAt: number | null;
  error: string | null;
  /** The last file saved, until dismissed. */
  saved: SavedRecording | null;
}

export interface MeetingRecordingOptions {
  /** The participant's name, on their own tile. */
  selfName: () => string;
  /** The meeting's name, for the file name. */
  roomName: () => string;
  /** Members whose frames cannot be decrypted: no video of theirs is recorded. */
  isHidden?: (peerId: string) => boolean;
  /** Hands the file to the person (default: the browser downloads it). */
  download?: (saved: SavedRecording) => void;
}

/** Why this browser cannot record, in words, or null when it can. */
export function recordingUnsupportedReason(): string | null {
  if (typeof MediaRecorder === 'undefined')
    return 'This browser cannot record (it has no MediaRecorder). Use a current Chrome, Edge or Firefox.';
  if (typeof HTMLCanvasElement === 'undefined' || typeof HTMLCanvasElement.prototype.captureStream !== 'function') {
    return 'This browser cannot record the call’s video (no canvas capture). Use a current Chrome, Edge or Firefox.';
  }
  if (typeof AudioContext === 'undefined') return 'This browser cannot mix the call’s audio for a recording (no Web Audio).';
  return null;
}

export function downloadFile({ url, fileName }: SavedRecording): void {
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
}

interface Running {
  compositor: RecordingCompositor;
  mixer: AudioMixer;
  recorder: MeetingRecorder;
  clock: FrameClock | null;
  startedAt: number;
  /** Frames drawn and the time spent drawing them, for the log when it ends. */
  frames: number;
  drawMs: number;
}

export const idleRecording: RecordingView = { status: 'idle', startedAt: null, error: null, saved: null };

export class MeetingRecording {
  readonly store = new Store<RecordingView>(idleRecording);
  private running: Running | null = null;
  private readonly unsubscribe: () => void;
  private disposed = false;

  constructor(
    private readonly call: RecordingCall,
    private readonly options: MeetingRecordingOptions,
  ) {
    // Leaving the call, or the call ending, stops the recording and saves it.
    this.unsubscribe = call.subscribe(() => {
      if (this.store.getSnapshot().status === 'recording' && call.getSnapshot().phase === 'ended') void this.stop();
    });
  }

  /** Starts recording (call it from the click: browsers start audio only then). */
  async start(): Promise<void> {
    if (this.store.getSnapshot().status !== 'idle' || this.disposed) return;
    const unsupported = recordingUnsupportedReason();
    if (unsupported) return this.update({ error: unsupported });
    if (this.call.getSnapshot().phase !== 'in-call') return this.update({ error: 'Recording can start once you are in the call.' });
    this.update({ status: 'starting', error: null });
    let running: Running;
    try {
      const mixer = new AudioMixer();
      const resumed = mixer.resume();
      const compositor = new RecordingCompositor();
      const stream = new MediaStream([compositor.track, mixer.track]);
      const recorder = new MeetingRecorder(stream, { onError: (message) => void this.stop(`The recording stopped: ${message}.`) });
      running = { compositor, mixer, recorder, clock: null, startedAt: 0, frames: 0, drawMs: 0 };
      this.running = running;
      this.tick();
      await resumed;
    } catch (err) {
      this.teardown();
      return this.update({ status: 'idle', error: `Recording could not start: ${(err as Error).message}` });
    }
    try {
      // Nobody is recorded without being told: the room hears it before the first frame is kept.
      await this.call.setRecording(true);
    } catch (err) {
      this.teardown();
      return this.update({ status: 'idle', error: `Recording did not start: ${(err as Error).message}` });
    }
    if (this.running !== running || this.disposed) {
      // Closed while the room was being told: take it back.
      this.teardown();
      void this.call.setRecording(false).catch(() => undefined);
      return;
    }
    running.recorder.start();
    running.startedAt = Date.now();
    running.clock = new FrameClock(RECORDING_FPS, () => this.tick());
    window.addEventListener('beforeunload', this.onBeforeUnload);
    this.update({ status: 'recording', startedAt: running.startedAt });
  }

  /** Stops recording and saves the file; `error` says why when it was not the person's choice. */
  async stop(error: string | null = null): Promise<void> {
    const running = this.running;
    if (this.store.getSnapshot().status !== 'recording' || !running) return;
    this.update({ status: 'stopping' });
    window.removeEventListener('beforeunload', this.onBeforeUnload);
    running.clock?.stop();
    running.clock = null;
    void this.call.setRecording(false).catch(() => undefined);
    let blob = await running.recorder.stop();
    const durationMs = Date.now() - running.startedAt;
    const mimeType = running.recorder.mimeType;
    console.info(
      `conclave: recording stopped after ${Math.round(durationMs / 1000)} s: ${blob.size} bytes of ${mimeType}, ` +
        `${running.frames} frames drawn (${(running.drawMs / Math.max(1, running.frames)).toFixed(1)} ms each)`,
    );
    this.teardown();
    if (blob.size === 0) {
      return this.update({ status: 'idle', startedAt: null, error: error ?? 'The recording is empty: the browser recorded nothing.' });
    }
    if (extensionFor(mimeType) === 'webm') blob = await blobWithDuration(blob, durationMs).catch(() => blob);
    const previous = this.store.getSnapshot().saved;
    if (previous) URL.revokeObjectURL(previous.url);
    const saved: SavedRecording = {
      url: URL.createObjectURL(blob),
      fileName: recordingFileName(this.options.roomName(), new Date(running.startedAt), extensionFor(mimeType)),
      bytes: blob.size,
      durationMs,
    };
    this.update({ status: 'idle', startedAt: null, error, saved });
    (this.options.download ?? downloadFile)(saved);
  }

  /** Forgets the saved file (its download link goes) and any error. */
  dismiss(): void {
    const previous = this.store.getSnapshot().saved;
    if (previous) URL.revokeObjectURL(previous.url);
    this.update({ saved: null, error: null });
  }

  /** Stops and saves a running recording; the last file's link stays valid a minute for its download. */
  dispose(): void {
    if (this.disposed) return;
    const saved = this.store.getSnapshot().saved;
    const finished = this.stop().finally(() => {
      this.disposed = true;
      this.unsubscribe();
      this.store.clear();
      const last = this.store.getSnapshot().saved;
      setTimeout(() => {
        if (saved) URL.revokeObjectURL(saved.url);
        if (last) URL.revokeObjectURL(last.url);
      }, 60_000);
    });
    void finished;
  }

  private tick(): void {
    const running = this.running;
    if (!running) return;
    const scene = sceneFromSnapshot({
      snapshot: this.call.getSnapshot(),
      selfName: this.options.selfName(),
      micTrack: this.call.microphoneTrack,
      ...(this.options.isHidden ? { isHidden: this.options.isHidden } : {}),
    });
    const started = performance.now();
    running.compositor.draw(scene);
    running.mixer.update(scene.audio);
    running.frames += 1;
    running.drawMs += performance.now() - started;
  }

  private teardown(): void {
    const running = this.running;
    this.running = null;
    if (!running) return;
    running.clock?.stop();
    running.compositor.dispose();
    running.mixer.dispose();
  }

  private readonly onBeforeUnload = (e: BeforeUnloadEvent): void => {
    // The recording lives in this tab until it is saved: ask before closing it.
    e.preventDefault();
    e.returnValue = '';
  };

  private update(patch: Partial<RecordingView>): void {
    this.store.update(patch);
  }
}
