import { describe, expect, it, vi } from 'vitest';
import { CAMERA_SIMULCAST_LAYERS } from '@conclave/protocol';
import { FakeDevice, FakeTrack, FakeTrackSource, fakeStream, type FakeTransport } from '../test-support/fake-media.js';
import { roomSignaling } from '../test-support/fake-room.js';
import { Publisher } from './publisher.js';

async function published(opts: { micOn?: boolean; cameraOn?: boolean } = {}) {
  const mic = new FakeTrack('audio', 'mic-1');
  const camera = new FakeTrack('video', 'cam-1');
  mic.enabled = opts.micOn ?? true;
  camera.enabled = opts.cameraOn ?? true;
  const tracks = new FakeTrackSource();
  const notify = vi.fn();
  const publisher = new Publisher(fakeStream(mic, camera), { tracks, notify });
  const signaling = roomSignaling();
  const device = new FakeDevice();
  const answer = await signaling.request('createTransport', { direction: 'send' });
  device.createTransport(
    'send',
    answer,
    { iceServers: [], iceTransportPolicy: 'all' },
    {
      connect: async () => undefined,
      produce: async ({ source }) => `p-${source}`,
      onStateChange: () => undefined,
    },
  );
  const transport: FakeTransport = device.transport('send');
  await publisher.attach({ signaling, device, transport });
  return { publisher, mic, camera, tracks, notify, signaling, transport, device };
}

describe('Publisher', () => {
  it('sends the microphone as Opus with DTX and FEC, and the camera as three VP8 simulcast layers', async () => {
    const { transport } = await published();
    const [mic, camera] = transport.producers;
    expect(mic?.options).toMatchObject({
      source: 'mic',
      codecMimeType: 'audio/opus',
      codecOptions: { opusDtx: true, opusFec: true, opusStereo: false },
    });
    expect(camera?.options).toMatchObject({ source: 'camera', codecMimeType: 'video/vp8' });
    expect(camera?.options.encodings).toHaveLength(CAMERA_SIMULCAST_LAYERS.length);
  });

  it('sends a muted microphone paused, and says so to the server', async () => {
    const { transport, signaling, publisher } = await published({ micOn: false });
    expect(transport.producers[0]?.paused).toBe(true);
    expect(signaling.sent('pauseProducer')).toHaveLength(1);
    await publisher.setMicEnabled(true);
    expect(transport.producers[0]?.paused).toBe(false);
    expect(signaling.sent('resumeProducer')).toHaveLength(1);
    expect(publisher.store.getSnapshot().micEnabled).toBe(true);
  });

  it('turning the camera off stops it and sends nothing; on again opens a new one on the same producer', async () => {
    const { publisher, camera, transport, tracks } = await published();
    await publisher.setCameraEnabled(false);
    expect(camera.readyState).toBe('ended');
    expect(transport.producers[1]?.track).toBeNull();
    expect(publisher.store.getSnapshot()).toMatchObject({ cameraEnabled: false, localVideoTrack: null });
    await publisher.setCameraEnabled(true);
    expect(transport.producers).toHaveLength(2);
    expect(transport.producers[1]?.track).toBe(tracks.opened[0]?.asTrack);
  });

  it('switches device keeping the mute state, stops the old track, and reports a device that will not open', async () => {
    const { publisher, mic, transport, tracks, notify } = await published({ micOn: false });
    expect(await publisher.switchDevice('audioinput', 'mic-1')).toBe(true);
    expect(tracks.opened).toHaveLength(0); // already that device
    expect(await publisher.switchDevice('audioinput', 'mic-2')).toBe(true);
    const next = tracks.opened[0]!;
    expect(next.enabled).toBe(false);
    expect(mic.readyState).toBe('ended');
    expect(transport.producers[0]?.track).toBe(next.asTrack);
    expect(publisher.microphoneTrack).toBe(next.asTrack);
    tracks.problems.video = 'device-busy';
    expect(await publisher.switchDevice('videoinput', 'cam-2')).toBe(false);
    expect(notify).toHaveBeenCalledWith('Your camera or microphone is in use by another application.');
  });

  it('shares the screen until the browser’s own "Stop sharing", then closes the producer', async () => {
    const { publisher, tracks, transport, signaling } = await published();
    const screen = new FakeTrack('video');
    tracks.screenResult = screen;
    await publisher.setScreenSharing(true);
    expect(transport.producers[2]?.options.source).toBe('screen');
    expect(publisher.store.getSnapshot().localScreenTrack).toBe(screen.asTrack);
    screen.end();
    await vi.waitFor(() => expect(signaling.sent('closeProducer')).toHaveLength(1));
    expect(transport.producers[2]?.closed).toBe(true);
    expect(publisher.store.getSnapshot().localScreenTrack).toBeNull();
  });

  it('sends the shared tab’s sound as screen-audio, and stops it with the share', async () => {
    const { publisher, tracks, transport, signaling, device } = await published();
    const video = new FakeTrack('video');
    const audio = new FakeTrack('audio');
    tracks.screenResult = { video, audio };
    await publisher.setScreenSharing(true);
    expect(transport.producers.slice(2).map((p) => [p.options.source, p.track])).toEqual([
      ['screen', video.asTrack],
      ['screen-audio', audio.asTrack],
    ]);
    // Again on a new connection (a rejoin), both.
    publisher.detach();
    await publisher.attach({ signaling, device, transport });
    expect(transport.producers.slice(-2).map((p) => p.options.source)).toEqual(['screen', 'screen-audio']);
    video.end();
    await vi.waitFor(() => expect(signaling.sent('closeProducer')).toHaveLength(2));
    expect(audio.readyState).toBe('ended');
  });

  it('keeps its tracks across a lost connection and stops them at the end of the call', async () => {
    const { publisher, mic, camera, transport } = await published();
    publisher.detach();
    expect(transport.producers.every((p) => p.closed)).toBe(true);
    expect([mic.readyState, camera.readyState]).toEqual(['live', 'live']);
    publisher.stop();
    expect([mic.readyState, camera.readyState]).toEqual(['ended', 'ended']);
  });
});
