/**
 * The room's ActiveSpeakerObserver wiring with real mediasoup workers: a
 * microphone producer on a DirectTransport is fed RTP with loud
 * ssrc-audio-level values from the test, and every member is told that its
 * peer speaks; pausing that microphone tells them nobody does. The room
 * spans two workers and the microphone is on the second, so it reaches the
 * observer (on the first) through a pipe, as in a large room.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createWorker, type types } from 'mediasoup';
import type { ServerMessage } from '@conclave/protocol';
import type { WorkerSlot } from '../media/worker-pool.js';
import { Peer, type ProducerData } from './peer.js';
import { Room } from './room.js';
import { RoomMedia } from './room-media.js';
import { localRouter, localSlot } from '../test-support/local-media.js';

const AUDIO_LEVEL_URI = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';

function rtpWithLevel(seq: number, ssrc: number, level: number): Buffer {
  const header = Buffer.alloc(12);
  header[0] = 0x90; // version 2, extension bit
  header[1] = 100;
  header.writeUInt16BE(seq & 0xffff, 2);
  header.writeUInt32BE((seq * 960) >>> 0, 4);
  header.writeUInt32BE(ssrc, 8);
  // RFC 8285 one-byte extension: id 1, one byte: voice activity bit + level in -dBov.
  const ext = Buffer.from([0xbe, 0xde, 0x00, 0x01, 0x10, 0x80 | level, 0x00, 0x00]);
  return Buffer.concat([header, ext, Buffer.alloc(40, 0x55)]);
}

describe('Room active speaker', () => {
  let workers: types.Worker[] = [];

  beforeAll(async () => {
    workers = await Promise.all([createWorker({ logLevel: 'warn' }), createWorker({ logLevel: 'warn' })]);
  });
  afterAll(() => workers.forEach((w) => w.close()));

  it('tells everyone who speaks, and nobody once that microphone pauses', async () => {
    const slots: WorkerSlot[] = workers.map((worker, index) => ({
      index,
      port: 1,
      worker,
      // Only its presence matters here: placement takes slots whose WebRtcServer is up.
      webRtcServer: {} as types.WebRtcServer,
      routerCount: 0,
    }));
    const logger = pino({ level: 'silent' });
    const media = new RoomMedia('r-speaker', {
      pool: { slots, waitForWorker: () => Promise.resolve(null) },
      policy: { spread: 'even', softLimit: 65 },
      logger,
    });
    const room = new Room('r-speaker', media, logger);
    const inboxes: Record<string, ServerMessage[]> = { a: [], b: [] };
    const peers = Object.keys(inboxes).map((name) => {
      const peer = new Peer({
        id: `id-${name}`,
        displayName: name,
        senderIndex: room.nextSenderIndex(),
        role: 'guest',
        send: (m) => inboxes[name]!.push(m),
      });
      room.addPeer(peer);
      return peer;
    });
    // Spread evenly: b on the first worker (where the observer will be), a on the second.
    const homeB = await media.place();
    const homeA = await media.place();
    expect([localSlot(homeB).index, localSlot(homeA).index]).toEqual([0, 1]);
    const transport = await localRouter(homeA).createDirectTransport();
    const ssrc = 1111;
    const producer = await transport.produce<ProducerData>({
      kind: 'audio',
      rtpParameters: {
        codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
        encodings: [{ ssrc }],
        headerExtensions: [{ uri: AUDIO_LEVEL_URI, id: 1 }],
      },
      appData: { source: 'mic' },
    });
    media.addProducer(producer, peers[0]!.id, homeA);
    await room.watchSpeaker(producer, peers[0]!.id);
    expect(media.routerSlots).toEqual([0, 1]);

    const speakerNotices = (name: string) =>
      inboxes[name]!.filter((m) => 'method' in m && m.method === 'activeSpeaker').map(
        (m) => (m as { data: { peerId: string | null } }).data.peerId,
      );

    let seq = 0;
    const timer = setInterval(() => {
      for (let i = 0; i < 2; i++) producer.send(rtpWithLevel(seq++, ssrc, 5));
    }, 20);
    try {
      await expect.poll(() => speakerNotices('b'), { timeout: 8000, interval: 100 }).toContain('id-a');
      expect(speakerNotices('a')).toContain('id-a'); // the speaker is told too
    } finally {
      clearInterval(timer);
    }

    await producer.pause();
    await expect.poll(() => speakerNotices('b').at(-1), { timeout: 2000 }).toBeNull();
    room.close();
  });
});
