/**
 * Packet layout of the synthetic RTP (run: tsx --test bench/lib/*.test.ts).
 * What mediasoup reads must be where it reads it: the RTP header and its
 * one-byte extensions, the VP8 payload descriptor (PictureID, TL0PICIDX,
 * TID, layer sync) and the key-frame bit; and the trailer must survive at
 * the end of every payload.
 */
/* eslint-disable @typescript-eslint/no-floating-promises -- node:test's describe/it return promises its runner awaits */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readTrailer, rtpPayloadRange } from './rtp-sink.js';
import {
  EXT_AUDIO_LEVEL,
  EXT_TRANSPORT_CC,
  KEY_FRAME_INTERVAL_MS,
  keyFrameRequests,
  OpusSource,
  Prng,
  readVp8Descriptor,
  SIMULCAST_LAYERS,
  speakingAt,
  splitStreamId,
  stampSendTime,
  STREAM_MIC,
  streamId,
  VIDEO_FPS,
  Vp8SimulcastSource,
  VP8_PT,
  OPUS_PT,
  type SpeakerRotation,
} from './synthetic-rtp.js';

/** One-byte header extensions of an RTP packet, by id. */
function extensions(buf: Buffer): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  assert.equal(buf[0]! & 0x10, 0x10, 'X bit');
  const o = 12 + (buf[0]! & 0x0f) * 4;
  assert.equal(buf.readUInt16BE(o), 0xbede);
  const end = o + 4 + buf.readUInt16BE(o + 2) * 4;
  let i = o + 4;
  while (i < end) {
    const b = buf[i]!;
    if (b === 0) {
      i += 1;
      continue;
    }
    const id = b >> 4;
    const len = (b & 0x0f) + 1;
    out.set(id, buf.subarray(i + 1, i + 1 + len));
    i += 1 + len;
  }
  return out;
}

const rotation: SpeakerRotation = { speakers: 3, turnMs: 4000, total: 10 };

describe('speaker rotation', () => {
  it('has exactly three speakers at any time, moving on each turn', () => {
    for (const t of [0, 3999, 4000, 9000, 39_000, 123_456]) {
      const speaking = Array.from({ length: 10 }, (_, p) => speakingAt(p, t, rotation));
      assert.equal(speaking.filter(Boolean).length, 3, `at ${t}`);
    }
    assert.deepEqual(
      [0, 1, 2].map((p) => speakingAt(p, 0, rotation)),
      [true, true, true],
    );
    assert.deepEqual(
      [3, 4, 5].map((p) => speakingAt(p, 4000, rotation)),
      [true, true, true],
    );
    assert.equal(speakingAt(0, 4000, rotation), false);
  });
});

describe('Opus packets', () => {
  it('are 20 ms apart while speaking (60–120 byte payloads), 400 ms apart in DTX, with a level and a transport-wide seq', () => {
    const speaker = new OpusSource(0, 0x1111, rotation, new Prng(1), 0);
    const times: number[] = [];
    const seqs: number[] = [];
    for (let i = 0; i < 210; i++) {
      times.push(speaker.nextAtMs);
      const buf = speaker.packet(1000 + i);
      assert.equal(buf[0]! >> 6, 2);
      assert.equal(buf[1]! & 0x7f, OPUS_PT);
      assert.equal(buf.readUInt32BE(8), 0x1111);
      seqs.push(buf.readUInt16BE(2));
      const ext = extensions(buf);
      assert.equal(ext.get(EXT_TRANSPORT_CC)!.readUInt16BE(0), 1000 + i);
      const level = ext.get(EXT_AUDIO_LEVEL)![0]!;
      const range = rtpPayloadRange(buf)!;
      const t = readTrailer(buf)!;
      assert.equal(t.stream, streamId(0, STREAM_MIC));
      assert.equal(t.seq, i);
      if (times[i]! < 4000) {
        assert.equal(level & 0x80, 0x80, 'voice activity while speaking');
        assert.ok(range.end - range.start >= 60 && range.end - range.start <= 120);
      } else {
        assert.equal(level, 127, 'silence in DTX');
        assert.ok(range.end - range.start <= 21);
      }
    }
    // Speaks during turn 0 (0–4 s): 200 packets 20 ms apart, then DTX every 400 ms.
    assert.equal(times[199], 3980);
    assert.equal(times[200], 4380);
    assert.equal(times[201]! - times[200], 400);
    for (let i = 1; i < seqs.length; i++) assert.equal(seqs[i], (seqs[i - 1]! + 1) & 0xffff);
  });

  it("come back to 20 ms at the start of the participant's next turn", () => {
    const p = new OpusSource(3, 1, rotation, new Prng(2), 0); // speaks from 4000 ms
    const times: number[] = [];
    while (p.nextAtMs <= 4040) {
      times.push(p.nextAtMs);
      p.packet(0);
    }
    assert.deepEqual(times, [0, 400, 800, 1200, 1600, 2000, 2400, 2800, 3200, 3600, 4000, 4020, 4040]);
  });
});

describe('VP8 simulcast packets', () => {
  const ssrcs = [0xa0, 0xa1, 0xa2];

  function twoSeconds(camera: Vp8SimulcastSource) {
    const frames = [];
    let tseq = 0;
    for (let f = 0; f < VIDEO_FPS * 2; f++) frames.push(camera.frameAt(() => tseq++));
    return frames;
  }

  it('carry PictureID, TL0PICIDX, TID in L1T3 order and the key-frame bit on the first frame of each layer', () => {
    const camera = new Vp8SimulcastSource(7, ssrcs, new Prng(3), 0);
    const frames = twoSeconds(camera);
    for (let layer = 0; layer < 3; layer++) {
      const firsts = frames.map((f) =>
        f.packets.find((b) => b.readUInt32BE(8) === ssrcs[layer] && readVp8Descriptor(b.subarray(rtpPayloadRange(b)!.start))!.start)!,
      );
      const d = firsts.map((b) => readVp8Descriptor(b.subarray(rtpPayloadRange(b)!.start))!);
      assert.deepEqual(
        d.slice(0, 8).map((x) => x.tid),
        [0, 2, 1, 2, 0, 2, 1, 2],
      );
      assert.deepEqual(
        d.slice(0, 4).map((x) => x.layerSync),
        [false, true, true, false],
      );
      assert.equal(d[0]!.keyFrame, true);
      assert.ok(
        d.slice(1).every((x) => !x.keyFrame),
        'one key frame in the first 2 s',
      );
      for (let i = 1; i < d.length; i++) {
        assert.equal(d[i]!.pictureId, (d[i - 1]!.pictureId + 1) & 0x7fff);
        assert.equal(d[i]!.tl0PicIdx, d[i]!.tid === 0 ? (d[i - 1]!.tl0PicIdx + 1) & 0xff : d[i - 1]!.tl0PicIdx);
      }
      // The key frame's payload has the start code and the layer's size.
      const payload = firsts[0]!.subarray(rtpPayloadRange(firsts[0]!)!.start + 6);
      assert.deepEqual([...payload.subarray(3, 6)], [0x9d, 0x01, 0x2a]);
      assert.equal(payload.readUInt16LE(6), SIMULCAST_LAYERS[layer]!.width);
      assert.equal(payload.readUInt16LE(8), SIMULCAST_LAYERS[layer]!.height);
    }
  });

  it("send about each layer's bitrate, a marker on each frame's last packet, consecutive RTP and trailer sequence numbers", () => {
    const camera = new Vp8SimulcastSource(7, ssrcs, new Prng(4), 0);
    const frames = [...twoSeconds(camera), ...twoSeconds(camera)];
    for (let layer = 0; layer < 3; layer++) {
      const packets = frames.flatMap((f) => f.packets.filter((b) => b.readUInt32BE(8) === ssrcs[layer]));
      const bytes = packets.reduce((n, b) => n + b.length, 0);
      const kbps = (bytes * 8) / 4 / 1000;
      const target = SIMULCAST_LAYERS[layer]!.bitrate / 1000;
      assert.ok(kbps > target * 0.95 && kbps < target * 1.2, `layer ${layer}: ${kbps} kbps vs ${target}`);
      assert.ok(
        packets.every((b) => b.length <= 1200),
        'packets fit an MTU',
      );
      for (let i = 1; i < packets.length; i++) {
        assert.equal(packets[i]!.readUInt16BE(2), (packets[i - 1]!.readUInt16BE(2) + 1) & 0xffff);
        assert.equal(readTrailer(packets[i]!)!.seq, readTrailer(packets[i - 1]!)!.seq + 1);
        assert.equal(splitStreamId(readTrailer(packets[i]!)!.stream).code, 1 + layer);
      }
      const perFrame = frames.map((f) => f.packets.filter((b) => b.readUInt32BE(8) === ssrcs[layer]));
      for (const fp of perFrame) {
        assert.ok(fp.slice(0, -1).every((b) => (b[1]! & 0x80) === 0));
        assert.equal(fp.at(-1)![1]! & 0x80, 0x80);
        assert.ok(
          fp.every((b) => b.readUInt32BE(4) === fp[0]!.readUInt32BE(4)),
          'one timestamp per frame',
        );
        assert.ok(fp.every((b) => (b[1]! & 0x7f) === VP8_PT));
      }
    }
  });

  it('make a key frame every 2 s and, on a PLI, at the next frame of that layer only', () => {
    const camera = new Vp8SimulcastSource(1, ssrcs, new Prng(5), 0);
    const frames = twoSeconds(camera);
    assert.deepEqual(frames[0]!.keyLayers, [0, 1, 2]);
    const periodic = camera.frameAt(() => 0);
    assert.equal(camera.nextAtMs, ((VIDEO_FPS * 2 + 1) * 1000) / VIDEO_FPS);
    assert.deepEqual(periodic.keyLayers, [0, 1, 2], `a key frame at ${KEY_FRAME_INTERVAL_MS} ms`);
    for (let i = 0; i < 5; i++) camera.frameAt(() => 0);
    // RTCP compound: a receiver report then a PLI for layer 1.
    const rr = Buffer.from([0x80, 201, 0, 1, 0, 0, 0, 9]);
    const pli = Buffer.alloc(12);
    pli[0] = 0x81;
    pli[1] = 206;
    pli.writeUInt16BE(2, 2);
    pli.writeUInt32BE(9, 4);
    pli.writeUInt32BE(ssrcs[1]!, 8);
    const requested = keyFrameRequests(Buffer.concat([rr, pli]));
    assert.deepEqual(requested, [ssrcs[1]]);
    assert.equal(camera.requestKeyFrame(requested[0]!), true);
    assert.equal(camera.requestKeyFrame(0xdead), false);
    const next = camera.frameAt(() => 0);
    assert.deepEqual(next.keyLayers, [1]);
    assert.deepEqual(next.requestedKeyLayers, [1]);
  });

  it('reads FIR entries too', () => {
    const fir = Buffer.alloc(28);
    fir[0] = 0x84;
    fir[1] = 206;
    fir.writeUInt16BE(6, 2);
    fir.writeUInt32BE(1, 12);
    fir.writeUInt32BE(2, 20);
    assert.deepEqual(keyFrameRequests(fir), [1, 2]);
  });
});

describe('sender reports', () => {
  it("map the wall clock onto each layer's RTP clock, with what was sent", () => {
    const camera = new Vp8SimulcastSource(1, [5, 6, 7], new Prng(9), 1000);
    const first = camera.frameAt(() => 0);
    const compound = camera.senderReports(1000 + 500, 1_700_000_000_250);
    assert.equal(compound.length, 3 * 28);
    for (let layer = 0; layer < 3; layer++) {
      const sr = compound.subarray(layer * 28, layer * 28 + 28);
      assert.deepEqual([sr[0], sr[1], sr.readUInt16BE(2)], [0x80, 200, 6]);
      assert.equal(sr.readUInt32BE(4), 5 + layer);
      assert.equal(sr.readUInt32BE(8), 1_700_000_000 + 2_208_988_800);
      assert.equal(sr.readUInt32BE(12), 0x4000_0000); // .25 s
      const packets = first.packets.filter((b) => b.readUInt32BE(8) === 5 + layer);
      // 500 ms after the frame at 1000 ms: 45,000 ticks of 90 kHz later than its timestamp.
      assert.equal(sr.readUInt32BE(16), packets[0]!.readUInt32BE(4) + 45_000);
      assert.equal(sr.readUInt32BE(20), packets.length);
      assert.equal(
        sr.readUInt32BE(24),
        packets.reduce((n, b) => n + b.length - 20, 0),
      );
    }
  });

  it('for Opus too, on the 48 kHz clock', () => {
    const mic = new OpusSource(0, 3, rotation, new Prng(1), 0);
    const p = mic.packet(0);
    const sr = mic.senderReport(100, 0);
    assert.equal(sr.readUInt32BE(16), p.readUInt32BE(4) + 4800);
    assert.equal(sr.readUInt32BE(20), 1);
  });
});

describe('the trailer', () => {
  it('carries the send time stamped at send', () => {
    const buf = new OpusSource(2, 5, rotation, new Prng(6), 0).packet(0);
    stampSendTime(buf, 123_456_789_012n);
    assert.equal(readTrailer(buf)!.sendNs, 123_456_789_012n);
  });
});
