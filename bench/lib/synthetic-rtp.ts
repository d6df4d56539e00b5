/**
 * RTP that is generated, not encoded, for the room-scale benchmark: packets
 * shaped like a browser's (sizes, rates, headers, VP8 payload descriptors)
 * so that mediasoup does the same work on them as on real media, without a
 * codec in the loop.
 *
 * - Microphones: Opus at 48 kHz, 20-ms packets of 60–120 bytes at 50 pps
 *   while "speaking", one small packet per 400 ms in DTX; a few speakers at a
 *   time, rotating (`speakingAt`). The ssrc-audio-level extension says which.
 * - Cameras: VP8 simulcast of three SSRCs (180p/360p/720p at ~150/500/1200
 *   kbps, 30 fps each), L1T3 as browsers send it: TID 0,2,1,2, TL0PICIDX
 *   counting TL0 frames, a 15-bit PictureID, the layer-sync bit on the first
 *   TL1/TL2 frames after a TL0 frame, the key-frame bit (P = 0 in the frame
 *   tag, then the start code and the size) on key frames, which come every
 *   2 s and when mediasoup asks by PLI or FIR (`keyFrameRequests`).
 * - Every packet carries the transport-wide sequence number extension (as
 *   Chrome sends, so the worker runs its transport-cc feedback for it) and,
 *   in its last TRAILER_BYTES, a trailer: a magic number, the stream, a
 *   sequence number of our own (mediasoup rewrites the RTP one per consumer)
 *   and the send time (process.hrtime, ns), written just before the send.
 */

/** Bytes at the end of every payload: magic u32, stream u32, sequence u32, send time u64 (ns). */
export const TRAILER_BYTES = 20;
export const TRAILER_MAGIC = 0x434e4231; // 'CNB1'

/** One-byte header extension ids this generator declares in its producers' RTP parameters. */
export const EXT_AUDIO_LEVEL = 10;
export const EXT_TRANSPORT_CC = 5;

export const OPUS_PT = 111;
export const VP8_PT = 96;

/** Stream codes, the low 4 bits of a stream id: the microphone, the camera's three layers, the direct (no-SFU) baseline. */
export const STREAM_MIC = 0;
export const STREAM_DIRECT = 15;
export const streamOfLayer = (layer: number): number => 1 + layer;

export function streamId(participant: number, code: number): number {
  return ((participant << 4) | (code & 0xf)) >>> 0;
}

export function splitStreamId(id: number): { participant: number; code: number } {
  return { participant: id >>> 4, code: id & 0xf };
}

/** A small deterministic PRNG (xorshift32), so that a run's packet sizes can be reproduced. */
export class Prng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }
  /** In [0, 1). */
  next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 0x1_0000_0000;
  }
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
}

// ---------------------------------------------------------------- RTP header

export interface RtpFields {
  payloadType: number;
  marker: boolean;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  /** Transport-wide sequence number (extension EXT_TRANSPORT_CC). */
  transportSeq: number;
  /** ssrc-audio-level (extension EXT_AUDIO_LEVEL): voice activity and level in -dBov (0–127). */
  audioLevel?: { voice: boolean; level: number } | undefined;
}

/** Bytes of the RTP header with its one-byte-header extensions for these fields. */
export function rtpHeaderLength(f: Pick<RtpFields, 'audioLevel'>): number {
  const elements = 3 + (f.audioLevel ? 2 : 0); // transport-cc: id/len + 2 bytes; audio level: id/len + 1 byte
  return 12 + 4 + Math.ceil(elements / 4) * 4;
}

/** Writes the header at the start of `buf`; returns its length. */
export function writeRtpHeader(buf: Buffer, f: RtpFields): number {
  buf[0] = 0x90; // V=2, P=0, X=1, CC=0
  buf[1] = (f.marker ? 0x80 : 0) | (f.payloadType & 0x7f);
  buf.writeUInt16BE(f.sequenceNumber & 0xffff, 2);
  buf.writeUInt32BE(f.timestamp >>> 0, 4);
  buf.writeUInt32BE(f.ssrc >>> 0, 8);
  const length = rtpHeaderLength(f);
  buf.writeUInt16BE(0xbede, 12);
  buf.writeUInt16BE((length - 16) / 4, 14);
  let o = 16;
  buf[o++] = (EXT_TRANSPORT_CC << 4) | 1;
  buf.writeUInt16BE(f.transportSeq & 0xffff, o);
  o += 2;
  if (f.audioLevel) {
    buf[o++] = EXT_AUDIO_LEVEL << 4;
    buf[o++] = (f.audioLevel.voice ? 0x80 : 0) | (f.audioLevel.level & 0x7f);
  }
  buf.fill(0, o, length); // padding of the extension block
  return length;
}

export interface Trailer {
  stream: number;
  seq: number;
  sendNs: bigint;
}

/** Writes the trailer (send time 0 until `stampSendTime`) in the last TRAILER_BYTES of `buf`. */
export function writeTrailer(buf: Buffer, stream: number, seq: number): void {
  const o = buf.length - TRAILER_BYTES;
  buf.writeUInt32BE(TRAILER_MAGIC, o);
  buf.writeUInt32BE(stream >>> 0, o + 4);
  buf.writeUInt32BE(seq >>> 0, o + 8);
  buf.writeBigUInt64BE(0n, o + 12);
}

/** Sets the send time in a packet's trailer; call it right before the send. */
export function stampSendTime(buf: Buffer, ns: bigint = process.hrtime.bigint()): void {
  buf.writeBigUInt64BE(ns, buf.length - 8);
}

// ---------------------------------------------------------------- RTCP

/** SSRCs for which an RTCP (compound) packet asks a key frame: PLI (PSFB FMT 1) and FIR (PSFB FMT 4). */
export function keyFrameRequests(buf: Buffer): number[] {
  const ssrcs: number[] = [];
  let o = 0;
  while (o + 4 <= buf.length) {
    if (buf[o]! >> 6 !== 2) break;
    const fmt = buf[o]! & 0x1f;
    const pt = buf[o + 1]!;
    const end = o + (buf.readUInt16BE(o + 2) + 1) * 4;
    if (end > buf.length) break;
    if (pt === 206 && fmt === 1 && o + 12 <= end) ssrcs.push(buf.readUInt32BE(o + 8));
    if (pt === 206 && fmt === 4) for (let f = o + 12; f + 8 <= end; f += 8) ssrcs.push(buf.readUInt32BE(f));
    o = end;
  }
  return ssrcs;
}

/** Seconds from the NTP epoch (1900) to the Unix epoch. */
const NTP_UNIX_OFFSET_S = 2_208_988_800;

/**
 * An RTCP sender report (RFC 3550 §6.4.1, no report blocks): the wall clock
 * (`unixMs`) and the RTP timestamp of the same instant, packets and payload
 * octets sent. mediasoup needs them before it switches a simulcast consumer
 * between layers (to map one layer's timestamps onto another's).
 */
export function senderReport(ssrc: number, unixMs: number, rtpTimestamp: number, packets: number, octets: number): Buffer {
  const buf = Buffer.alloc(28);
  buf[0] = 0x80;
  buf[1] = 200;
  buf.writeUInt16BE(6, 2);
  buf.writeUInt32BE(ssrc >>> 0, 4);
  const seconds = Math.floor(unixMs / 1000);
  buf.writeUInt32BE((seconds + NTP_UNIX_OFFSET_S) >>> 0, 8);
  buf.writeUInt32BE(Math.floor(((unixMs - seconds * 1000) / 1000) * 0x1_0000_0000) >>> 0, 12);
  buf.writeUInt32BE(rtpTimestamp >>> 0, 16);
  buf.writeUInt32BE(packets >>> 0, 20);
  buf.writeUInt32BE(octets >>> 0, 24);
  return buf;
}

/** What a source has sent on one SSRC, for its sender reports. */
interface SentCounts {
  packets: number;
  octets: number;
}

// ---------------------------------------------------------------- audio

export const OPUS_PTIME_MS = 20;
export const DTX_INTERVAL_MS = 400;

export interface SpeakerRotation {
  /** Speakers at a time. */
  speakers: number;
  /** How long a set of speakers speaks before the next set. */
  turnMs: number;
  /** Participants the speakers are chosen from (0 … total-1). */
  total: number;
}

/** Whether participant `p` speaks at `tMs` (from the run's start): `speakers` consecutive participants a turn, moving on each turn. */
export function speakingAt(p: number, tMs: number, r: SpeakerRotation): boolean {
  if (r.total <= 0) return false;
  const turn = Math.floor(Math.max(0, tMs) / r.turnMs);
  const first = (turn * r.speakers) % r.total;
  return (p - first + r.total) % r.total < Math.min(r.speakers, r.total);
}

/** A microphone's stream: which packet comes when, and its bytes. */
export class OpusSource {
  private seq: number;
  private trailerSeq = 0;
  private readonly sent: SentCounts = { packets: 0, octets: 0 };
  /** Media time of the next packet (ms from the run's start), on the 20-ms grid. */
  nextAtMs: number;

  constructor(
    readonly participant: number,
    readonly ssrc: number,
    private readonly rotation: SpeakerRotation,
    private readonly prng: Prng,
    startMs: number,
  ) {
    this.seq = prng.int(0, 0xffff);
    this.nextAtMs = Math.ceil(startMs / OPUS_PTIME_MS) * OPUS_PTIME_MS;
  }

  get stream(): number {
    return streamId(this.participant, STREAM_MIC);
  }

  /** 48 kHz from the run's start, plus a per-stream base. */
  rtpTimestampAt(ms: number): number {
    return Math.round(ms * 48) + this.ssrc;
  }

  /** The sender report for media time `nowMs`, wall clock `unixMs`. */
  senderReport(nowMs: number, unixMs: number): Buffer {
    return senderReport(this.ssrc, unixMs, this.rtpTimestampAt(nowMs), this.sent.packets, this.sent.octets);
  }

  /** The packet due at `nextAtMs`; moves `nextAtMs` on (20 ms while speaking, else up to 400 ms, earlier if a turn starts). */
  packet(transportSeq: number): Buffer {
    const at = this.nextAtMs;
    const voice = speakingAt(this.participant, at, this.rotation);
    const audioLevel = voice ? { voice: true, level: this.prng.int(20, 45) } : { voice: false, level: 127 };
    const headerLength = rtpHeaderLength({ audioLevel });
    // Opus payload: 60–120 bytes speaking; a DTX frame is a TOC byte (plus our trailer).
    const payload = voice ? this.prng.int(60, 120) : 1 + TRAILER_BYTES;
    const buf = Buffer.alloc(headerLength + payload);
    writeRtpHeader(buf, {
      payloadType: OPUS_PT,
      marker: false,
      sequenceNumber: this.seq,
      timestamp: this.rtpTimestampAt(at),
      ssrc: this.ssrc,
      transportSeq,
      audioLevel,
    });
    buf[headerLength] = 0x78; // TOC: config 15 (CELT FB 20 ms), mono, one frame
    buf.fill(0x5a, headerLength + 1, buf.length - TRAILER_BYTES);
    writeTrailer(buf, this.stream, this.trailerSeq);
    this.seq = (this.seq + 1) & 0xffff;
    this.trailerSeq += 1;
    this.sent.packets += 1;
    this.sent.octets += payload;
    const next = at + OPUS_PTIME_MS;
    if (speakingAt(this.participant, next, this.rotation)) this.nextAtMs = next;
    else {
      const turnEnd = (Math.floor(next / this.rotation.turnMs) + 1) * this.rotation.turnMs;
      const wake = Math.ceil(turnEnd / OPUS_PTIME_MS) * OPUS_PTIME_MS;
      this.nextAtMs = Math.min(at + DTX_INTERVAL_MS, speakingAt(this.participant, wake, this.rotation) ? wake : Infinity);
    }
    return buf;
  }
}

// ---------------------------------------------------------------- video

export interface SimulcastLayer {
  bitrate: number;
  width: number;
  height: number;
}

/** Chrome's three layers for a 720p camera. */
export const SIMULCAST_LAYERS: readonly SimulcastLayer[] = [
  { bitrate: 150_000, width: 320, height: 180 },
  { bitrate: 500_000, width: 640, height: 360 },
  { bitrate: 1_200_000, width: 1280, height: 720 },
];
export const VIDEO_FPS = 30;
export const KEY_FRAME_INTERVAL_MS = 2000;
/** A key frame is this many times an average frame. */
export const KEY_FRAME_FACTOR = 6;
/** VP8 bytes per packet at most (Chrome's packets are ~1,200 bytes with headers). */
export const MAX_VP8_BYTES = 1100;
/** L1T3: the temporal layer of each frame in a group of four, and the frame-size weight of each layer (mean 1 over the group). */
const TEMPORAL_PATTERN = [0, 2, 1, 2] as const;
const TEMPORAL_WEIGHT = [1.6, 0.7, 1.0] as const;
/** A key frame asked for within this long of the last one is coalesced into it. */
const KEY_REQUEST_HOLDOFF_MS = 100;

export interface Vp8Descriptor {
  start: boolean;
  pictureId: number;
  tl0PicIdx: number;
  tid: number;
  layerSync: boolean;
}

export const VP8_DESCRIPTOR_BYTES = 6;

/** The VP8 payload descriptor (RFC 7741) browsers send with L1T3: X, S, PID 0; I (15-bit PictureID), L, T. */
export function writeVp8Descriptor(buf: Buffer, o: number, d: Vp8Descriptor): number {
  buf[o] = 0x80 | (d.start ? 0x10 : 0);
  buf[o + 1] = 0xe0; // I, L, T
  buf[o + 2] = 0x80 | ((d.pictureId >> 8) & 0x7f);
  buf[o + 3] = d.pictureId & 0xff;
  buf[o + 4] = d.tl0PicIdx & 0xff;
  buf[o + 5] = ((d.tid & 3) << 6) | (d.layerSync ? 0x20 : 0);
  return o + VP8_DESCRIPTOR_BYTES;
}

/** Reads a descriptor written by writeVp8Descriptor (or any with I, L and T), and whether the frame is a key frame. */
export function readVp8Descriptor(payload: Buffer): (Vp8Descriptor & { keyFrame: boolean; length: number }) | null {
  if (payload.length < 1) return null;
  let o = 0;
  const b0 = payload[o++]!;
  const start = (b0 & 0x10) !== 0 && (b0 & 0x07) === 0;
  let pictureId = -1;
  let tl0PicIdx = -1;
  let tid = -1;
  let layerSync = false;
  if (b0 & 0x80) {
    const b1 = payload[o++];
    if (b1 === undefined) return null;
    if (b1 & 0x80) {
      const p = payload[o++];
      if (p === undefined) return null;
      if (p & 0x80) {
        const q = payload[o++];
        if (q === undefined) return null;
        pictureId = ((p & 0x7f) << 8) | q;
      } else pictureId = p & 0x7f;
    }
    if (b1 & 0x40) {
      const t = payload[o++];
      if (t === undefined) return null;
      tl0PicIdx = t;
    }
    if (b1 & 0x30) {
      const t = payload[o++];
      if (t === undefined) return null;
      tid = t >> 6;
      layerSync = (t & 0x20) !== 0;
    }
  }
  const keyFrame = start && o < payload.length && (payload[o]! & 0x01) === 0;
  return { start, pictureId, tl0PicIdx, tid, layerSync, keyFrame, length: o };
}

/** The VP8 frame tag (3 bytes) and, on a key frame, the start code and size (7 bytes). */
function writeFrameHeader(buf: Buffer, o: number, key: boolean, frameBytes: number, layer: SimulcastLayer): number {
  const firstPartition = Math.min(frameBytes, 0x7ffff);
  // size (19 bits) | show_frame (1) | version (3) | P (1): P = 0 on a key frame.
  const tag = (firstPartition << 5) | 0x10 | (key ? 0 : 1);
  buf[o] = tag & 0xff;
  buf[o + 1] = (tag >> 8) & 0xff;
  buf[o + 2] = (tag >> 16) & 0xff;
  if (!key) return o + 3;
  buf[o + 3] = 0x9d;
  buf[o + 4] = 0x01;
  buf[o + 5] = 0x2a;
  buf.writeUInt16LE(layer.width & 0x3fff, o + 6);
  buf.writeUInt16LE(layer.height & 0x3fff, o + 8);
  return o + 10;
}

interface LayerState {
  ssrc: number;
  seq: number;
  trailerSeq: number;
  pictureId: number;
  tl0PicIdx: number;
  /** Frames since the last key frame (the position in the temporal pattern). */
  sinceKey: number;
  lastKeyAtMs: number;
  keyRequested: boolean;
  sent: SentCounts;
}

/** What a camera sent in one frame, for the generator's accounting. */
export interface FrameSent {
  packets: Buffer[];
  /** Layers sent as a key frame in this frame. */
  keyLayers: number[];
  /** Of those, the ones a PLI/FIR asked for (not the periodic key frame). */
  requestedKeyLayers: number[];
}

/** A simulcast camera: all its layers' packets for one capture instant at a time. */
export class Vp8SimulcastSource {
  private readonly layers: LayerState[];
  private frame = 0;
  /** Capture time (ms from the run's start) of the next frame. */
  nextAtMs: number;
  private readonly startMs: number;

  constructor(
    readonly participant: number,
    ssrcs: readonly number[],
    private readonly prng: Prng,
    startMs: number,
    readonly spec: readonly SimulcastLayer[] = SIMULCAST_LAYERS,
  ) {
    if (ssrcs.length !== spec.length) throw new Error('one SSRC per simulcast layer');
    this.startMs = startMs;
    this.nextAtMs = startMs;
    this.layers = ssrcs.map((ssrc) => ({
      ssrc,
      seq: prng.int(0, 0xffff),
      trailerSeq: 0,
      pictureId: prng.int(0, 0x7fff),
      tl0PicIdx: prng.int(0, 0xff),
      sinceKey: 0,
      lastKeyAtMs: -Infinity,
      keyRequested: true, // the first frame of every layer is a key frame
      sent: { packets: 0, octets: 0 },
    }));
  }

  get ssrcs(): number[] {
    return this.layers.map((l) => l.ssrc);
  }

  /** 90 kHz from the camera's start, plus a per-stream base (the SSRC). */
  private rtpTimestampAt(l: LayerState, ms: number): number {
    return Math.round((ms - this.startMs) * 90) + l.ssrc;
  }

  /** Every layer's sender report for media time `nowMs`, wall clock `unixMs`, as one compound packet. */
  senderReports(nowMs: number, unixMs: number): Buffer {
    return Buffer.concat(
      this.layers.map((l) => senderReport(l.ssrc, unixMs, this.rtpTimestampAt(l, nowMs), l.sent.packets, l.sent.octets)),
    );
  }

  /** A PLI or FIR for one of our SSRCs: that layer's next frame is a key frame. Returns whether the SSRC is ours. */
  requestKeyFrame(ssrc: number): boolean {
    const layer = this.layers.find((l) => l.ssrc === ssrc);
    if (!layer) return false;
    layer.keyRequested = true;
    return true;
  }

  /** Packets of the frame due at `nextAtMs`, every layer; moves `nextAtMs` on by one frame. */
  frameAt(nextTransportSeq: () => number): FrameSent {
    const at = this.nextAtMs;
    const packets: Buffer[] = [];
    const keyLayers: number[] = [];
    const requestedKeyLayers: number[] = [];
    const framesPerKey = Math.round((KEY_FRAME_INTERVAL_MS / 1000) * VIDEO_FPS);
    for (let i = 0; i < this.layers.length; i++) {
      const l = this.layers[i]!;
      const spec = this.spec[i]!;
      const periodic = at - l.lastKeyAtMs >= KEY_FRAME_INTERVAL_MS - 1;
      const asked = l.keyRequested && at - l.lastKeyAtMs >= KEY_REQUEST_HOLDOFF_MS;
      const key = periodic || asked;
      if (key) {
        l.sinceKey = 0;
        l.lastKeyAtMs = at;
        l.keyRequested = false;
        keyLayers.push(i);
        if (!periodic) requestedKeyLayers.push(i);
      }
      const tid = TEMPORAL_PATTERN[l.sinceKey % TEMPORAL_PATTERN.length]!;
      const position = l.sinceKey % TEMPORAL_PATTERN.length;
      if (tid === 0) l.tl0PicIdx = (l.tl0PicIdx + 1) & 0xff;
      const average = spec.bitrate / 8 / VIDEO_FPS;
      // Keep the mean at the layer's bitrate: delta frames pay for the periodic key frame.
      const deltaScale = (framesPerKey - KEY_FRAME_FACTOR) / (framesPerKey - 1);
      const jitter = 0.85 + 0.3 * this.prng.next();
      const frameBytes = Math.max(
        TRAILER_BYTES + 16,
        Math.round(key ? average * KEY_FRAME_FACTOR * jitter : average * deltaScale * TEMPORAL_WEIGHT[tid] * jitter),
      );
      const count = Math.ceil(frameBytes / MAX_VP8_BYTES);
      const timestamp = this.rtpTimestampAt(l, at);
      let left = frameBytes;
      for (let k = 0; k < count; k++) {
        const bytes = Math.max(TRAILER_BYTES + 12, Math.ceil(left / (count - k)));
        left -= bytes;
        const headerLength = rtpHeaderLength({});
        const buf = Buffer.alloc(headerLength + VP8_DESCRIPTOR_BYTES + bytes);
        writeRtpHeader(buf, {
          payloadType: VP8_PT,
          marker: k === count - 1,
          sequenceNumber: l.seq,
          timestamp,
          ssrc: l.ssrc,
          transportSeq: nextTransportSeq(),
        });
        let o = writeVp8Descriptor(buf, headerLength, {
          start: k === 0,
          pictureId: l.pictureId,
          tl0PicIdx: l.tl0PicIdx,
          tid,
          layerSync: tid !== 0 && position <= 2,
        });
        if (k === 0) o = writeFrameHeader(buf, o, key, frameBytes, spec);
        buf.fill(0x42, o, buf.length - TRAILER_BYTES);
        writeTrailer(buf, streamId(this.participant, streamOfLayer(i)), l.trailerSeq);
        l.seq = (l.seq + 1) & 0xffff;
        l.trailerSeq += 1;
        l.sent.packets += 1;
        l.sent.octets += buf.length - headerLength;
        packets.push(buf);
      }
      l.pictureId = (l.pictureId + 1) & 0x7fff;
      l.sinceKey += 1;
    }
    this.frame += 1;
    this.nextAtMs = this.startMs + (this.frame * 1000) / VIDEO_FPS;
    return { packets, keyLayers, requestedKeyLayers };
  }
}
