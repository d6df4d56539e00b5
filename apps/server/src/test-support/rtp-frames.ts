/**
 * Rebuilds encoded frames from RTP packets, as the SFU sees them: RTP header
 * parsing (RFC 3550, with CSRCs, extensions and padding) and VP8
 * depacketisation (RFC 7741 payload descriptor). Frames with a missing
 * packet are discarded rather than guessed at.
 */

export interface RtpPacket {
  marker: boolean;
  payloadType: number;
  sequence: number;
  timestamp: number;
  ssrc: number;
  payload: Buffer;
}

export function parseRtp(packet: Buffer): RtpPacket {
  if (packet.length < 12 || packet[0]! >> 6 !== 2) throw new Error('not an RTP packet');
  const padding = (packet[0]! & 0x20) !== 0;
  const extension = (packet[0]! & 0x10) !== 0;
  const csrcCount = packet[0]! & 0x0f;
  let offset = 12 + csrcCount * 4;
  if (extension) {
    const words = packet.readUInt16BE(offset + 2);
    offset += 4 + words * 4;
  }
  let end = packet.length;
  if (padding) end -= packet[packet.length - 1]!;
  if (offset > end) throw new Error('truncated RTP packet');
  return {
    marker: (packet[1]! & 0x80) !== 0,
    payloadType: packet[1]! & 0x7f,
    sequence: packet.readUInt16BE(2),
    timestamp: packet.readUInt32BE(4),
    ssrc: packet.readUInt32BE(8),
    payload: packet.subarray(offset, end),
  };
}

/** Splits a VP8 RTP payload into its descriptor's start-of-partition flag and the frame bytes it carries. */
export function vp8Payload(payload: Buffer): { start: boolean; partitionId: number; data: Buffer } {
  let i = 0;
  const b0 = payload[i++]!;
  const start = (b0 & 0x10) !== 0;
  const partitionId = b0 & 0x0f;
  if (b0 & 0x80) {
    const x = payload[i++]!;
    if (x & 0x80) i += payload[i]! & 0x80 ? 2 : 1; // PictureID, 7 or 15 bits
    if (x & 0x40) i += 1; // TL0PICIDX
    if (x & 0x30) i += 1; // TID / KEYIDX
  }
  return { start, partitionId, data: payload.subarray(i) };
}

/** Collects packets of one stream and yields whole frames (VP8: descriptors removed; Opus: one packet = one frame). */
export class FrameAssembler {
  private readonly pending = new Map<number, RtpPacket[]>();
  readonly frames: Buffer[] = [];
  discarded = 0;

  constructor(private readonly codec: 'vp8' | 'opus') {}

  push(raw: Buffer): void {
    const p = parseRtp(raw);
    if (this.codec === 'opus') {
      this.frames.push(Buffer.from(p.payload));
      return;
    }
    const list = this.pending.get(p.timestamp) ?? [];
    list.push(p);
    this.pending.set(p.timestamp, list);
    if (!p.marker) return;
    this.pending.delete(p.timestamp);
    list.sort((a, b) => ((a.sequence - b.sequence + 0x8000) & 0xffff) - 0x8000); // in 16-bit wrap-around order
    const contiguous = list.every((q, k) => k === 0 || ((q.sequence - list[k - 1]!.sequence) & 0xffff) === 1);
    const parts = list.map((q) => vp8Payload(q.payload));
    if (!contiguous || !parts[0]?.start || parts[0].partitionId !== 0) {
      this.discarded += 1;
      return;
    }
    this.frames.push(Buffer.concat(parts.map((x) => x.data)));
  }
}
