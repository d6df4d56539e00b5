/**
 * The recording's lifecycle with the browser parts replaced: the room is told
 * before anything is kept, a refusal leaves nothing running, and stopping,
 * leaving or the call ending saves one file with the meeting's name.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { initialSnapshot, type CallSnapshot } from '../call/call-state.js';

const events: string[] = [];

vi.mock('./recording-compositor.js', () => ({
  RecordingCompositor: class {
    track = { kind: 'video', id: 'canvas' };
    draw(scene: { tiles: Array<{ key: string }> }) {
      events.push(`draw ${scene.tiles.map((t) => t.key).join(',')}`);
    }
    dispose() {
      events.push('compositor disposed');
    }
  },
}));
vi.mock('./audio-mixer.js', () => ({
  AudioMixer: class {
    track = { kind: 'audio', id: 'mix' };
    async resume() {}
    update() {}
    dispose() {
      events.push('mixer disposed');
    }
  },
}));
vi.mock('./frame-clock.js', () => ({
  FrameClock: class {
    constructor() {
      events.push('clock started');
    }
    stop() {
      events.push('clock stopped');
    }
  },
}));
vi.mock('./meeting-recorder.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('./meeting-recorder.js')>()),
  MeetingRecorder: class {
    mimeType = 'video/mp4';
    start() {
      events.push('recorder started');
    }
    async stop() {
      events.push('recorder stopped');
      return new Blob([new Uint8Array(2048)], { type: 'video/mp4' });
    }
  },
}));

const { MeetingRecording, recordingUnsupportedReason } = await import('./meeting-recording.js');

class FakeCall {
  snapshot: CallSnapshot = { ...initialSnapshot, phase: 'in-call', selfId: 'me', cameraEnabled: false };
  readonly microphoneTrack = null;
  refuse: Error | null = null;
  private readonly listeners = new Set<() => void>();
  getSnapshot = () => this.snapshot;
  subscribe = (l: () => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };
  async setRecording(recording: boolean) {
    events.push(`told the room: ${recording}`);
    if (recording && this.refuse) throw this.refuse;
  }
  set(patch: Partial<CallSnapshot>) {
    this.snapshot = { ...this.snapshot, ...patch };
    for (const l of this.listeners) l();
  }
}

function setup() {
  const call = new FakeCall();
  const downloads: Array<{ fileName: string; bytes: number }> = [];
  const recording = new MeetingRecording(call, {
    selfName: () => 'Ada',
    roomName: () => 'Weekly sync',
    download: (saved) => downloads.push({ fileName: saved.fileName, bytes: saved.bytes }),
  });
  return { call, recording, downloads };
}

beforeEach(() => {
  events.length = 0;
  vi.stubGlobal('MediaRecorder', class {});
  vi.stubGlobal(
    'HTMLCanvasElement',
    class {
      captureStream() {}
    },
  );
  vi.stubGlobal('AudioContext', class {});
  vi.stubGlobal(
    'MediaStream',
    class {
      constructor(readonly tracks: unknown[]) {}
    },
  );
  vi.stubGlobal('window', { addEventListener: vi.fn(), removeEventListener: vi.fn() });
});
afterEach(() => vi.unstubAllGlobals());

describe('MeetingRecording', () => {
  it('tells the room before it keeps anything, then records until stopped and saves one file', async () => {
    const { recording, downloads } = setup();
    await recording.start();
    expect(events).toEqual(['draw self', 'told the room: true', 'recorder started', 'clock started']);
    expect(recording.store.getSnapshot()).toMatchObject({ status: 'recording', error: null });
    expect(recording.store.getSnapshot().startedAt).toBeGreaterThan(0);

    events.length = 0;
    await recording.stop();
    expect(events).toEqual(['clock stopped', 'told the room: false', 'recorder stopped', 'compositor disposed', 'mixer disposed']);
    expect(downloads).toHaveLength(1);
    expect(downloads[0]!.fileName).toMatch(/^conclave-weekly-sync-\d{4}-\d{2}-\d{2}-\d{6}\.mp4$/);
    expect(downloads[0]!.bytes).toBe(2048);
    const view = recording.store.getSnapshot();
    expect(view).toMatchObject({ status: 'idle', startedAt: null, error: null, saved: { fileName: downloads[0]!.fileName, bytes: 2048 } });
    expect(view.saved!.url).toMatch(/^blob:/);

    recording.dismiss();
    expect(recording.store.getSnapshot().saved).toBeNull();
  });

  it('records nothing when the room cannot be told, and says why', async () => {
    const { call, recording, downloads } = setup();
    call.refuse = new Error('recording was switched on and off too often: wait a few seconds');
    await recording.start();
    expect(events).not.toContain('recorder started');
    expect(events).toContain('compositor disposed');
    expect(events).toContain('mixer disposed');
    expect(recording.store.getSnapshot()).toMatchObject({
      status: 'idle',
      error: 'Recording did not start: recording was switched on and off too often: wait a few seconds',
    });
    expect(downloads).toEqual([]);
  });

  it('stops and saves when the call ends (leaving, or removed)', async () => {
    const { call, recording, downloads } = setup();
    await recording.start();
    call.set({ phase: 'reconnecting' });
    expect(recording.store.getSnapshot().status).toBe('recording');
    call.set({ phase: 'ended' });
    await vi.waitFor(() => expect(downloads).toHaveLength(1));
    expect(recording.store.getSnapshot().status).toBe('idle');
  });

  it('does not start outside a call, or in a browser that cannot record', async () => {
    const { call, recording } = setup();
    call.set({ phase: 'reconnecting' });
    await recording.start();
    expect(recording.store.getSnapshot()).toMatchObject({ status: 'idle', error: 'Recording can start once you are in the call.' });

    vi.stubGlobal('MediaRecorder', undefined);
    expect(recordingUnsupportedReason()).toMatch(/cannot record \(it has no MediaRecorder\)/);
    call.set({ phase: 'in-call' });
    await recording.start();
    expect(recording.store.getSnapshot().error).toMatch(/no MediaRecorder/);
    expect(events).toEqual([]);
  });
});
