/**
 * The MediaRecorder around a recording: the best container and codecs this
 * browser offers, data collected every second, and stop() that resolves
 * with the whole file once the last piece has arrived.
 */

/** Preferred first: WebM with VP8 and Opus plays everywhere Conclave runs; MP4 for browsers without WebM. */
export const MIME_PREFERENCE = [
  'video/webm;codecs=vp8,opus',
  'video/webm;codecs=vp9,opus',
  'video/webm',
  'video/mp4;codecs=avc1,mp4a.40.2',
  'video/mp4',
] as const;

/** The first type the browser can record, or null (then the browser picks its own). */
export function pickMimeType(isTypeSupported: (type: string) => boolean): string | null {
  for (const type of MIME_PREFERENCE) {
    try {
      if (isTypeSupported(type)) return type;
    } catch {
      // Some browsers throw for types they do not know: not supported.
    }
  }
  return null;
}

/** The file extension for a recorded type ('video/webm;codecs=…' → 'webm'). */
export function extensionFor(mimeType: string): 'webm' | 'mp4' {
  return /^video\/mp4/i.test(mimeType) ? 'mp4' : 'webm';
}

export interface MeetingRecorderOptions {
  /** Called once if the browser stops recording by itself, with what went wrong in words. */
  onError?: (message: string) => void;
  videoBitsPerSecond?: number;
  audioBitsPerSecond?: number;
}

export class MeetingRecorder {
  readonly mimeType: string;
  private readonly recorder: MediaRecorder;
  private readonly chunks: Blob[] = [];
  private bytes = 0;
  private stopped: Promise<Blob> | null = null;

  constructor(stream: MediaStream, options: MeetingRecorderOptions = {}) {
    const preferred = pickMimeType((t) => MediaRecorder.isTypeSupported(t));
    this.recorder = new MediaRecorder(stream, {
      ...(preferred ? { mimeType: preferred } : {}),
      videoBitsPerSecond: options.videoBitsPerSecond ?? 1_500_000,
      audioBitsPerSecond: options.audioBitsPerSecond ?? 128_000,
    });
    this.mimeType = this.recorder.mimeType || preferred || 'video/webm';
    this.recorder.addEventListener('dataavailable', (e) => {
      if (e.data.size === 0) return;
      this.chunks.push(e.data);
      this.bytes += e.data.size;
    });
    this.recorder.addEventListener('error', (e) => {
      const err = (e as Event & { error?: DOMException }).error;
      options.onError?.(err?.message || 'the browser stopped recording');
    });
  }

  /** Starts recording, handing over data every second. */
  start(): void {
    this.recorder.start(1000);
  }

  /** Bytes recorded so far. */
  get size(): number {
    return this.bytes;
  }

  get state(): RecordingState {
    return this.recorder.state;
  }

  /** Stops (once) and resolves with the recording. */
  stop(): Promise<Blob> {
    this.stopped ??= new Promise<Blob>((resolve) => {
      const done = () => resolve(new Blob(this.chunks, { type: this.mimeType.split(';')[0] }));
      if (this.recorder.state === 'inactive') return done();
      this.recorder.addEventListener('stop', done, { once: true });
      this.recorder.stop();
    });
    return this.stopped;
  }
}
