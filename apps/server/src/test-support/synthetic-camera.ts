/**
 * A camera the test plays itself, for tests below the browser: VP8 key-frame
 * RTP packets (with NACK and PLI, as browsers offer), sent every 10 ms into a
 * PlainTransport producer on a router; and a sink that counts what a
 * PlainTransport consumer of it receives.
 */
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import type { types } from 'mediasoup';
import type { ProducerData } from '../media/media-objects.js';

export const VP8 = {
  mimeType: 'video/VP8',
  payloadType: 101,
  clockRate: 90000,
  rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
};

/** One RTP packet of a VP8 key frame: a 12-byte header, the payload descriptor and key-frame header, then filler. */
export function vp8Packet(seq: number, ssrc: number): Buffer {
  const header = Buffer.alloc(12);
  header[0] = 0x80;
  header[1] = VP8.payloadType;
  header.writeUInt16BE(seq & 0xffff, 2);
  header.writeUInt32BE((seq * 3000) >>> 0, 4);
  header.writeUInt32BE(ssrc, 8);
  // VP8: payload descriptor (extended, a PictureID, start of partition 0; mediasoup needs the PictureID to see
  // a key frame), a key frame's tag, start code and 320x180, then filler.
  const vp8 = Buffer.from([0x90, 0x80, seq & 0x7f, 0x00, 0x00, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xb4, 0x00]);
  return Buffer.concat([header, vp8, Buffer.alloc(100, 0x42)]);
}

/** A PlainTransport producer on `router` the test feeds (`send: false`: the test sends the packets itself). */
export async function syntheticCamera(router: types.Router, ssrc: number, o: { send?: boolean } = {}) {
  const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: true });
  const producer = await transport.produce<ProducerData>({
    kind: 'video',
    rtpParameters: { codecs: [VP8], encodings: [{ ssrc }] },
    appData: { source: 'camera' },
  });
  const socket = createSocket('udp4');
  let seq = 0;
  const sendOne = (n = seq++) => socket.send(vp8Packet(n, ssrc), transport.tuple.localPort, '127.0.0.1');
  const timer = o.send === false ? null : setInterval(() => sendOne(), 10);
  return {
    producer,
    /** Sends packet number `n` now (for a test that paces the camera itself). */
    sendOne,
    stop: () => {
      if (timer) clearInterval(timer);
      socket.close();
      transport.close();
    },
  };
}

/** Counts the RTP of `producerId` that `router` sends to a PlainTransport consumer. */
export async function countingSink(router: types.Router, producerId: string) {
  const socket: Socket = createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: false });
  await transport.connect({ ip: '127.0.0.1', port: socket.address().port });
  const consumer = await transport.consume({ producerId, rtpCapabilities: router.rtpCapabilities });
  let packets = 0;
  socket.on('message', () => (packets += 1));
  return { consumer, count: () => packets, stop: () => (socket.close(), transport.close()) };
}
