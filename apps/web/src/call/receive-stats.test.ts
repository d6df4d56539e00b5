import { describe, expect, it } from 'vitest';
import { peerReceiveStats, qualityTotals, readConsumer, readSend } from './receive-stats.js';

describe('receive statistics', () => {
  it('reads a video consumer: frames, size, loss, the worst jitter and the nominated pair’s RTT', () => {
    const r = readConsumer('screen', [
      {
        type: 'inbound-rtp',
        kind: 'video',
        packetsReceived: 100,
        packetsLost: 3,
        jitter: 0.01,
        framesDecoded: 50,
        framesDropped: 2,
        frameWidth: 1280,
        frameHeight: 720,
      },
      { type: 'candidate-pair', nominated: false, currentRoundTripTime: 9 },
      { type: 'candidate-pair', nominated: true, currentRoundTripTime: 0.05 },
      { type: 'codec' },
    ]);
    expect(r).toEqual({
      source: 'screen',
      kind: 'video',
      packetsReceived: 100,
      packetsLost: 3,
      jitter: 0.01,
      framesDecoded: 50,
      framesDropped: 2,
      frameWidth: 1280,
      frameHeight: 720,
      roundTripTime: 0.05,
    });
  });

  it('counts audio packets apart from video, and keeps camera and screen apart', () => {
    const readings = [
      readConsumer('mic', [{ type: 'inbound-rtp', kind: 'audio', packetsReceived: 40, jitter: 0.02 }]),
      readConsumer('camera', [{ type: 'inbound-rtp', kind: 'video', packetsReceived: 10, framesDecoded: 5 }]),
      readConsumer('screen', [{ type: 'inbound-rtp', kind: 'video', packetsReceived: 7, framesDecoded: 3 }]),
    ];
    const stats = peerReceiveStats('p', 'Linus', readings);
    expect(stats).toMatchObject({ framesDecoded: 8, audioPacketsReceived: 40 });
    expect(stats.bySource.camera?.framesDecoded).toBe(5);
    expect(stats.bySource.screen?.framesDecoded).toBe(3);
    expect(stats.bySource.mic).toEqual({ framesDecoded: 0, framesDropped: 0, packetsReceived: 40 });
    expect(qualityTotals(readings)).toMatchObject({ packetsReceived: 57, framesDecoded: 8, jitter: 0.02 });
  });

  it('reads the uplink from what the receiving end reports, else the path’s RTT', () => {
    expect(
      readSend([
        { type: 'candidate-pair', nominated: true, currentRoundTripTime: 0.2 },
        { type: 'remote-inbound-rtp', fractionLost: 0.1, jitter: 0.01, roundTripTime: 0.08 },
        { type: 'remote-inbound-rtp', fractionLost: 0.02, jitter: 0.03 },
      ]),
    ).toEqual({ fractionLost: 0.1, jitter: 0.03, roundTripTime: 0.08 });
    expect(readSend([{ type: 'candidate-pair', nominated: true, currentRoundTripTime: 0.2 }])).toEqual({
      fractionLost: undefined,
      jitter: undefined,
      roundTripTime: 0.2,
    });
  });
});
