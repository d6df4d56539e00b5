import { describe, expect, it, vi } from 'vitest';
import { FakeDevice } from '../test-support/fake-media.js';
import { joinAnswer, roomSignaling } from '../test-support/fake-room.js';
import { MediaConnection } from './media-connection.js';

function open(device = new FakeDevice(), signaling = roomSignaling()) {
  const events = { onLost: vi.fn(), onMediaDown: vi.fn(), onIceRestart: vi.fn() };
  const joined = joinAnswer({ iceServers: [{ urls: 'turn:127.0.0.1:3478', username: 'u', credential: 'c' }], iceTransportPolicy: 'relay' });
  return {
    device,
    signaling,
    events,
    opening: MediaConnection.open(joined, {
      ...events,
      signaling,
      createDevice: () => device,
      peerConnectionSettings: { encodedInsertableStreams: true },
    }),
  };
}

describe('MediaConnection', () => {
  it('loads the device and makes a send then a receive transport with the join’s ICE settings', async () => {
    const { device, signaling, opening } = open();
    const connection = await opening;
    expect(device.loaded).toEqual({ codecs: [] });
    expect(signaling.sent('createTransport')).toEqual([{ direction: 'send' }, { direction: 'recv' }]);
    expect(connection.send.id).toBe('t1');
    expect(connection.recv.id).toBe('t2');
    expect(device.transport('send').settings).toEqual({
      iceServers: [{ urls: 'turn:127.0.0.1:3478', username: 'u', credential: 'c' }],
      iceTransportPolicy: 'relay',
      peerConnectionSettings: { encodedInsertableStreams: true },
    });
    await device.transport('recv').hooks.connect({ fingerprints: [] });
    expect(signaling.sent('connectTransport')).toEqual([{ transportId: 't2', dtlsParameters: { fingerprints: [] } }]);
    expect(device.transport('recv').hooks.produce).toBeUndefined();
  });

  it('refuses a browser that can send neither audio nor video, in words', async () => {
    const device = new FakeDevice();
    device.kinds = [];
    await expect(open(device).opening).rejects.toMatchObject({
      code: 'unsupported',
      message: 'This browser cannot send audio or video to the meeting.',
    });
  });

  it('closes the send transport if the receive one cannot be made', async () => {
    const signaling = roomSignaling();
    let made = 0;
    signaling.answer('createTransport', () => {
      if (++made === 2) throw new Error('no more transports');
      return { transportId: 't1', iceParameters: {}, iceCandidates: [], dtlsParameters: {} };
    });
    const { device, opening } = open(new FakeDevice(), signaling);
    await expect(opening).rejects.toThrow('no more transports');
    expect(device.transport('send').closed).toBe(true);
  });

  it('restarts ICE with fresh TURN credentials when the path fails, and asks for a rejoin when it cannot', async () => {
    vi.useFakeTimers();
    try {
      const signaling = roomSignaling().answer('restartIce', () => ({
        iceParameters: { usernameFragment: 'x' },
        iceServers: [{ urls: 'turn:127.0.0.1:3478' }],
      }));
      const { device, events, opening } = open(new FakeDevice(), signaling);
      await opening;
      const recv = device.transport('recv');
      recv.setState('connected');
      recv.setState('failed');
      await vi.advanceTimersByTimeAsync(0);
      expect(events.onMediaDown).toHaveBeenLastCalledWith(true);
      expect(events.onIceRestart).toHaveBeenCalledTimes(1);
      expect(recv.iceServers).toEqual([{ urls: 'turn:127.0.0.1:3478' }]);
      expect(recv.iceRestarts).toEqual([{ usernameFragment: 'x' }]);
      await vi.advanceTimersByTimeAsync(10_000);
      expect(events.onLost).toHaveBeenCalledWith('The media connection was lost.');
    } finally {
      vi.useRealTimers();
    }
  });

  it('close() closes both transports and stops watching them', async () => {
    const { device, events, opening } = open();
    const connection = await opening;
    connection.close();
    expect(device.transports.every((t) => t.closed)).toBe(true);
    device.transport('send').setState('failed');
    expect(events.onMediaDown).not.toHaveBeenCalled();
  });
});
