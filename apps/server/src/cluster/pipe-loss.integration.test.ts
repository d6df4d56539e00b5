/**
 * A pipe between two nodes' routers of a meeting over a lossy link: RTX
 * recovers what the link drops.
 *
 * The two pipe ends (PipeTransports with SRTP and RTX, as room-media.ts
 * makes them between nodes, on two mediasoup workers) reach each other only
 * through a UDP relay that drops 10 % of the packets each way (seeded, so a
 * failure can be replayed). A camera sends VP8 with NACK on one end; the
 * other end's copy notices the gaps and asks again (NACK), the first end
 * sends the packets again (RTX), and the consumer of the copy receives
 * nearly all of them though the link lost one in ten.
 *
 * Why a relay and not `tc netem` in a network namespace: this suite's
 * kernels may lack sch_netem (this machine's has it unset: `tc qdisc add …
 * netem` answers "Specified qdisc kind is unknown"), as the lossy-network
 * browser test explains; the relay drops packets the same way netem's
 * `loss` does, independently per packet.
 */
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import type { types } from 'mediasoup';
import { seededRandom } from '../hostile/seeded-random.js';
import { freePort } from '../hostile/server-process.js';
import { mediaCodecs } from '../media/media-codecs.js';
import { LocalMediaHome } from '../media/local-media-home.js';
import type { PipeAddress, PipeEnd } from '../media/media-home.js';
import { WorkerPool } from '../media/worker-pool.js';
import { syntheticCamera } from '../test-support/synthetic-camera.js';

const logger = pino({ level: 'silent' });
const LOSS = 0.1;
const SEED = Number(process.env.PIPE_LOSS_SEED ?? 20261127);

const SENT = 400;

/** A pipe end on a PipeTransport made here (the control's, without RTX). */
function bareEnd(t: types.PipeTransport): PipeEnd {
  return {
    id: t.id,
    get closed() {
      return t.closed;
    },
    address: { ip: t.tuple.localAddress, port: t.tuple.localPort, srtpParameters: t.srtpParameters! },
    connect: (remote) => t.connect(remote),
    consume: async (producerId) => {
      const c = await t.consume({ producerId });
      return {
        feed: { kind: c.kind, rtpParameters: c.rtpParameters, paused: c.producerPaused },
        flow: { pause: () => c.pause(), resume: () => c.resume() },
      };
    },
    produce: ({ id, feed, appData }) => t.produce({ id, kind: feed.kind, rtpParameters: feed.rtpParameters, paused: feed.paused, appData }),
    close: () => t.close(),
  };
}

/** Two sockets, one facing each pipe end, forwarding between them and dropping LOSS of the packets each way. */
async function lossyLink(random: () => number) {
  const bind = async () => {
    const s: Socket = createSocket('udp4');
    s.bind(0, '127.0.0.1');
    await once(s, 'listening');
    return s;
  };
  const [facingA, facingB] = [await bind(), await bind()];
  let endA: { address: string; port: number } | null = null;
  let endB: { address: string; port: number } | null = null;
  const counts = { forwarded: 0, dropped: 0 };
  const forward = (to: Socket, dest: () => { address: string; port: number } | null) => (msg: Buffer) => {
    const d = dest();
    if (!d) return;
    if (random() < LOSS) {
      counts.dropped += 1;
      return;
    }
    counts.forwarded += 1;
    to.send(msg, d.port, d.address);
  };
  facingA.on('message', (msg, from) => {
    endA = from; // the pipe end on A sends from where it listens
    forward(facingB, () => endB)(msg);
  });
  facingB.on('message', (msg, from) => {
    endB = from;
    forward(facingA, () => endA)(msg);
  });
  return {
    /** Where pipe end A must send (it believes this is B). */
    forA: facingA.address(),
    forB: facingB.address(),
    learn(a: PipeAddress, b: PipeAddress) {
      endA = { address: a.ip, port: a.port };
      endB = { address: b.ip, port: b.port };
    },
    counts,
    close: () => (facingA.close(), facingB.close()),
  };
}

describe('a pipe between two nodes over a link that loses 10 % of its packets', () => {
  let poolA: WorkerPool;
  let poolB: WorkerPool;

  beforeAll(async () => {
    const start = async () =>
      WorkerPool.start({ size: 1, rtcPort: await freePort(), listenIp: '127.0.0.1', announcedAddress: '127.0.0.1', logger });
    [poolA, poolB] = await Promise.all([start(), start()]);
  });
  afterAll(() => {
    poolA?.close();
    poolB?.close();
  });

  /**
   * Sends 400 packets of a camera on node A through a pipe to node B over the lossy link, and measures what
   * a consumer on node B gets. `ends` makes the two pipe ends: as room-media.ts does (RTX), or without RTX.
   */
  async function across(ends: (a: types.Router, b: types.Router) => Promise<[PipeEnd, PipeEnd]>) {
    const routerA = await poolA.slots[0]!.worker!.createRouter({ mediaCodecs });
    const routerB = await poolB.slots[0]!.worker!.createRouter({ mediaCodecs });
    const [pipeA, pipeB] = await ends(routerA, routerB);
    const link = await lossyLink(seededRandom(SEED));
    link.learn(pipeA.address, pipeB.address);
    // Each end is told the relay's address for the other; the SRTP keys are the other end's own.
    await pipeA.connect({ ip: link.forA.address, port: link.forA.port, srtpParameters: pipeB.address.srtpParameters });
    await pipeB.connect({ ip: link.forB.address, port: link.forB.port, srtpParameters: pipeA.address.srtpParameters });

    // A camera on node A (the test plays the browser), piped to node B.
    const camera = await syntheticCamera(routerA, 7777, { send: false });
    const { producer } = camera;
    const { feed } = await pipeA.consume(producer.id);
    const rtx = feed.rtpParameters.codecs.some((c) => c.mimeType.toLowerCase() === 'video/rtx');
    await pipeB.produce({ id: producer.id, feed, appData: { source: 'camera' } });

    // A consumer on node B, to a socket of the test's that records the sequence numbers it gets.
    const sink = createSocket('udp4');
    sink.bind(0, '127.0.0.1');
    await once(sink, 'listening');
    const out = await routerB.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: false });
    await out.connect({ ip: '127.0.0.1', port: sink.address().port });
    const consumer = await out.consume({ producerId: producer.id, rtpCapabilities: routerB.rtpCapabilities });
    const seen = new Set<number>();
    const consumerSsrc = consumer.rtpParameters.encodings![0]!.ssrc!;
    sink.on('message', (msg) => {
      // The consumer's RTP (not RTCP, second byte 192–223 on a muxed port; not another stream).
      if (msg.length >= 12 && (msg[1]! < 192 || msg[1]! > 223) && msg.readUInt32BE(8) === consumerSsrc) seen.add(msg.readUInt16BE(2));
    });

    // 400 packets at 100 per second, then two seconds for the last retransmissions.
    for (let seq = 0; seq < SENT; seq++) {
      camera.sendOne(seq);
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, 2000));

    // The copy's stream on node B, as received through the pipe (a consumer's stats carry its producer's too).
    const copy = (await consumer.getStats()).find((x) => x.type === 'inbound-rtp') as types.RtpStreamRecvStats;
    const dropped = link.counts.dropped / (link.counts.dropped + link.counts.forwarded);
    const received = seen.size / SENT;
    console.log(
      `pipe ${rtx ? 'with' : 'WITHOUT'} RTX over a ${LOSS * 100} % lossy link (seed ${SEED}): the link dropped ${(dropped * 100).toFixed(1)} % ` +
        `of ${link.counts.dropped + link.counts.forwarded} packets; the copy on node B lost ${copy.packetsLost} on the way, sent ` +
        `${copy.nackCount} NACKs and had ${copy.packetsRepaired} repaired; the consumer on node B got ${seen.size} of ${SENT} ` +
        `(${(received * 100).toFixed(1)} %)`,
    );
    camera.stop();
    sink.close();
    link.close();
    routerA.close();
    routerB.close();
    return { rtx, dropped, received, copy };
  }

  it('recovers the lost packets by NACK and RTX across the pipe', async () => {
    const { rtx, dropped, received, copy } = await across(async (a, b) => {
      const homeA = new LocalMediaHome(poolA.slots[0]!, a, { ip: '127.0.0.1' });
      const homeB = new LocalMediaHome(poolB.slots[0]!, b, { ip: '127.0.0.1' });
      return Promise.all([homeA.openPipe(), homeB.openPipe()]);
    });
    expect(rtx, 'the pipe sends with RTX').toBe(true);
    expect(dropped, 'the link did lose packets').toBeGreaterThan(0.05);
    expect(copy.nackCount, 'node B asked for the lost packets').toBeGreaterThan(0);
    expect(copy.packetsRepaired, 'node A sent them again').toBeGreaterThan(0);
    expect(received, 'RTX recovered what the link lost').toBeGreaterThanOrEqual(0.98);
  });

  it('loses them without RTX (the control: the measure above can fail)', async () => {
    const { rtx, dropped, received } = await across(async (a, b) => {
      const bare = (router: types.Router) =>
        router
          .createPipeTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, enableSrtp: true, enableRtx: false })
          .then((t) => bareEnd(t));
      return Promise.all([bare(a), bare(b)]);
    });
    expect(rtx).toBe(false);
    expect(dropped).toBeGreaterThan(0.05);
    expect(received, 'about one packet in ten is missing').toBeLessThan(0.95);
  });
});
