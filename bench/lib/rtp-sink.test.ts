/** The sinks' parsing and loss/delay tally (run: tsx --test bench/lib/*.test.ts). */
/* eslint-disable @typescript-eslint/no-floating-promises -- node:test's describe/it return promises its runner awaits */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import {
  CountingSink,
  isRtcp,
  kernelDrops,
  missing,
  ProbeSink,
  ProbeTally,
  processUdpDrops,
  readTrailer,
  rtpPayloadRange,
  udpTable,
} from './rtp-sink.js';
import { OpusSource, Prng, stampSendTime, streamId, STREAM_MIC } from './synthetic-rtp.js';

const rotation = { speakers: 1, turnMs: 60_000, total: 1 };

/** Our packet as mediasoup may forward it: another SSRC and sequence number, CSRC-free, with padding added. */
function rewritten(buf: Buffer, seq: number, padding = 0): Buffer {
  const out = Buffer.concat([buf, Buffer.alloc(padding)]);
  out.writeUInt16BE(seq, 2);
  out.writeUInt32BE(0xfeedbeef, 8);
  if (padding > 0) {
    out[0] = out[0]! | 0x20;
    out[out.length - 1] = padding;
  }
  return out;
}

describe('rtp-sink parsing', () => {
  it('finds the payload after header extensions and before padding, and reads the trailer there', () => {
    const src = new OpusSource(4, 77, rotation, new Prng(1), 0);
    const buf = src.packet(9);
    stampSendTime(buf, 42n);
    const padded = rewritten(buf, 1, 8);
    assert.deepEqual(rtpPayloadRange(padded), rtpPayloadRange(buf));
    assert.deepEqual(readTrailer(padded), { stream: streamId(4, STREAM_MIC), seq: 0, sendNs: 42n });
  });

  it('tells RTCP from RTP and ignores what is not ours', () => {
    assert.equal(isRtcp(Buffer.from([0x80, 200, 0, 6])), true);
    assert.equal(isRtcp(Buffer.from([0x80, 0xef, 0, 6])), false); // RTP, marker set, PT 111
    assert.equal(readTrailer(Buffer.from([0x80, 200, 0, 1, 0, 0, 0, 1])), null);
    const foreign = Buffer.alloc(60);
    foreign[0] = 0x80;
    foreign[1] = 96;
    assert.equal(readTrailer(foreign), null);
  });
});

describe('ProbeTally', () => {
  it('counts loss from the trailer sequence whatever the RTP sequence, and only packets sent in the window', () => {
    const src = new OpusSource(0, 1, rotation, new Prng(2), 0);
    const tally = new ProbeTally();
    tally.reset(1000n);
    const packets = Array.from({ length: 20 }, (_, i) => {
      const b = src.packet(i);
      stampSendTime(b, i < 2 ? 500n : 1000n + BigInt(i) * 1000n);
      return b;
    });
    // RTP sequence numbers rewritten and out of order; trailer seq 5 and 11 lost; 0 and 1 sent before the window.
    const delivered = packets.filter((_, i) => i !== 5 && i !== 11);
    delivered.reverse().forEach((b, k) => tally.add(rewritten(b, 60_000 + k), 1_000_000n + 2000n * BigInt(k)));
    tally.add(Buffer.from([0x80, 201, 0, 1, 0, 0, 0, 1]), 0n);
    const [s] = tally.tallies();
    assert.equal(tally.early, 2);
    assert.equal(tally.other, 1);
    assert.equal(s!.received, 16);
    assert.equal(s!.minSeq, 2);
    assert.equal(s!.maxSeq, 19);
    assert.equal(missing(s!), 2);
    assert.equal(s!.delaysUs.length, 16);
    assert.ok(s!.delaysUs.every((d) => d > 0));
  });
});

describe('sinks on sockets', () => {
  it('count what arrives; a probe measures a positive delay', async () => {
    const counting = new CountingSink();
    const probe = new ProbeSink();
    const [cp, pp] = [await counting.open(), await probe.open()];
    probe.reset(0n);
    const tx = createSocket('udp4');
    tx.bind(0, '127.0.0.1');
    await once(tx, 'listening');
    const src = new OpusSource(1, 2, rotation, new Prng(3), 0);
    for (let i = 0; i < 10; i++) {
      const b = src.packet(i);
      stampSendTime(b);
      tx.send(b, cp, '127.0.0.1');
      tx.send(b, pp, '127.0.0.1');
    }
    tx.send(Buffer.from([0x80, 200, 0, 1, 0, 0, 0, 1]), cp, '127.0.0.1');
    for (let i = 0; i < 100 && (counting.counts.packets < 10 || probe.counts.packets < 10 || counting.counts.rtcp < 1); i++)
      await new Promise((r) => setTimeout(r, 10));
    assert.equal(counting.counts.packets, 10);
    assert.equal(counting.counts.rtcp, 1);
    const [s] = probe.tally.tallies();
    assert.equal(s!.received, 10);
    assert.equal(missing(s!), 0);
    assert.ok(s!.delaysUs.every((d) => d > 0 && d < 1_000_000));
    assert.equal(kernelDrops(new Set([cp])).get(cp), 0, 'the sink is listed in /proc/net/udp with no drops');
    const mine = udpTable().filter((r) => r.port === cp || r.port === pp);
    assert.equal(mine.length, 2);
    assert.equal(processUdpDrops(process.pid, mine), 0, 'found by the inodes of this process');
    assert.equal(
      processUdpDrops(
        process.pid,
        mine.map((r) => ({ ...r, drops: 5 })),
      ),
      10,
    );
    tx.close();
    counting.close();
    probe.close();
  });

  it('counts what a never-read sink with a tiny buffer drops', async () => {
    // Run in a child that never reads: here the same, by holding this process's loop while packets arrive.
    const sink = new CountingSink();
    const port = await sink.open(1);
    const before = kernelDrops(new Set([port])).get(port)!;
    const tx = createSocket('udp4');
    tx.bind(0, '127.0.0.1');
    await once(tx, 'listening');
    tx.connect(port, '127.0.0.1');
    await once(tx, 'connect');
    const payload = Buffer.alloc(1000);
    // A burst sent synchronously (try-send): the sink cannot read before it is over.
    for (let i = 0; i < 50; i++) tx.send(payload);
    const spin = Date.now() + 50;
    while (Date.now() < spin); // the datagrams go through loopback while this loop is held
    const dropped = kernelDrops(new Set([port])).get(port)! - before;
    assert.ok(dropped >= 40 && dropped <= 50, `${dropped} dropped`);
    tx.close();
    sink.close();
  });

  it('reads drops from a /proc/net/udp table', () => {
    const table = [
      '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops',
      ' 1: 0100007F:1F90 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 1 2 0000000000000000 17',
      ' 2: 0100007F:1F91 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 1 2 0000000000000000 3',
    ].join('\n');
    assert.deepEqual(kernelDrops(new Set([0x1f90]), udpTable(table)), new Map([[0x1f90, 17]]));
    assert.deepEqual(udpTable(table)[1], { port: 0x1f91, inode: 1, drops: 3 });
  });
});
