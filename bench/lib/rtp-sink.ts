/**
 * UDP sinks for PlainTransport consumers (the synthetic participants'
 * receive side).
 *
 * - CountingSink counts what arrives (RTP and RTCP datagrams, bytes). Its
 *   transport is usually SRTP, so it reads nothing inside.
 * - ProbeSink (a plain transport) reads every RTP packet's trailer
 *   (synthetic-rtp.ts): one-way delay = arrival − send time (same host, same
 *   monotonic clock) and, per stream, loss from the trailer's own sequence
 *   numbers, which mediasoup does not rewrite (it rewrites the RTP ones per
 *   consumer, and a simulcast consumer's output mixes layers).
 *
 * Only packets sent inside the measurement window count (`reset` opens it).
 */
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { TRAILER_BYTES, TRAILER_MAGIC, type Trailer } from './synthetic-rtp.js';

/** RTCP, not RTP, by the second byte (RFC 5761: packet types 192–223 when muxed). */
export function isRtcp(buf: Buffer): boolean {
  return buf.length >= 2 && buf[1]! >= 192 && buf[1]! <= 223;
}

/** Where an RTP packet's payload is (after CSRCs and header extensions, before padding); null if it is not RTP. */
export function rtpPayloadRange(buf: Buffer): { start: number; end: number } | null {
  if (buf.length < 12 || buf[0]! >> 6 !== 2 || isRtcp(buf)) return null;
  let start = 12 + (buf[0]! & 0x0f) * 4;
  if (buf[0]! & 0x10) {
    if (buf.length < start + 4) return null;
    start += 4 + buf.readUInt16BE(start + 2) * 4;
  }
  let end = buf.length;
  if (buf[0]! & 0x20) end -= buf[buf.length - 1]!;
  return start <= end ? { start, end } : null;
}

/** The benchmark's trailer at the end of an RTP payload; null for anything else (RTCP, padding-only probes, foreign RTP). */
export function readTrailer(buf: Buffer): Trailer | null {
  const range = rtpPayloadRange(buf);
  if (!range || range.end - range.start < TRAILER_BYTES) return null;
  const o = range.end - TRAILER_BYTES;
  if (buf.readUInt32BE(o) !== TRAILER_MAGIC) return null;
  return { stream: buf.readUInt32BE(o + 4), seq: buf.readUInt32BE(o + 8), sendNs: buf.readBigUInt64BE(o + 12) };
}

/** One stream at one probe over the window. */
export interface StreamTally {
  stream: number;
  received: number;
  minSeq: number;
  maxSeq: number;
  /** One-way delays, µs. */
  delaysUs: number[];
}

/** Packets missing in the sequence span received (tail losses are not seen; duplicates would hide losses, and mediasoup sends none without NACK). */
export function missing(t: Pick<StreamTally, 'received' | 'minSeq' | 'maxSeq'>): number {
  return t.received === 0 ? 0 : Math.max(0, t.maxSeq - t.minSeq + 1 - t.received);
}

/** Tallies RTP by stream, for the packets sent at or after `fromNs`. */
export class ProbeTally {
  private readonly streams = new Map<number, StreamTally>();
  private fromNs = 0n;
  /** Datagrams that were not ours (RTCP, or RTP without the trailer). */
  other = 0;
  /** Packets of ours sent before the window. */
  early = 0;

  reset(fromNs: bigint): void {
    this.streams.clear();
    this.fromNs = fromNs;
    this.other = 0;
    this.early = 0;
  }

  add(buf: Buffer, arrivalNs: bigint): void {
    const t = readTrailer(buf);
    if (!t) {
      this.other += 1;
      return;
    }
    if (t.sendNs < this.fromNs) {
      this.early += 1;
      return;
    }
    let s = this.streams.get(t.stream);
    if (!s) {
      s = { stream: t.stream, received: 0, minSeq: t.seq, maxSeq: t.seq, delaysUs: [] };
      this.streams.set(t.stream, s);
    }
    s.received += 1;
    if (t.seq < s.minSeq) s.minSeq = t.seq;
    if (t.seq > s.maxSeq) s.maxSeq = t.seq;
    s.delaysUs.push(Number(arrivalNs - t.sendNs) / 1000);
  }

  tallies(): StreamTally[] {
    return [...this.streams.values()];
  }
}

export interface SinkCounts {
  packets: number;
  bytes: number;
  rtcp: number;
}

/** A UDP socket on 127.0.0.1 that a consumer transport sends to. */
abstract class Sink {
  protected socket: Socket | null = null;

  /** `bufferBytes`: the receive buffer (capped by net.core.rmem_max; the kernel's minimum is a few KiB). */
  async open(bufferBytes = 4 << 20): Promise<number> {
    const socket = createSocket('udp4');
    socket.bind(0, '127.0.0.1');
    await once(socket, 'listening');
    // What overflows shows as the socket's kernel drops.
    socket.setRecvBufferSize(bufferBytes);
    socket.on('message', (msg) => this.onMessage(msg));
    this.socket = socket;
    return socket.address().port;
  }

  close(): void {
    this.socket?.close();
    this.socket = null;
  }

  protected abstract onMessage(msg: Buffer): void;
}

export class CountingSink extends Sink {
  counts: SinkCounts = { packets: 0, bytes: 0, rtcp: 0 };

  reset(): void {
    this.counts = { packets: 0, bytes: 0, rtcp: 0 };
  }

  protected onMessage(msg: Buffer): void {
    if (isRtcp(msg)) this.counts.rtcp += 1;
    else {
      this.counts.packets += 1;
      this.counts.bytes += msg.length;
    }
  }
}

export class ProbeSink extends Sink {
  readonly tally = new ProbeTally();
  counts: SinkCounts = { packets: 0, bytes: 0, rtcp: 0 };

  reset(fromNs: bigint): void {
    this.tally.reset(fromNs);
    this.counts = { packets: 0, bytes: 0, rtcp: 0 };
  }

  protected onMessage(msg: Buffer): void {
    const arrival = process.hrtime.bigint();
    if (isRtcp(msg)) {
      this.counts.rtcp += 1;
      return;
    }
    this.counts.packets += 1;
    this.counts.bytes += msg.length;
    this.tally.add(msg, arrival);
  }
}

/** One row of /proc/net/udp. */
export interface UdpSocketRow {
  port: number;
  inode: number;
  /** Datagrams dropped at this socket (its receive buffer was full). */
  drops: number;
}

export function udpTable(text = readFileSync('/proc/net/udp', 'utf8')): UdpSocketRow[] {
  const rows: UdpSocketRow[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 13) continue;
    rows.push({ port: parseInt(f[1]!.split(':')[1] ?? '', 16), inode: Number(f[9]), drops: Number(f[12]) });
  }
  return rows;
}

/**
 * Datagrams the kernel dropped at each of these local UDP ports (receive
 * buffer full): what a sink that fell behind did not count, or, for a sink
 * that never reads, everything that reached it.
 */
export function kernelDrops(ports: ReadonlySet<number>, rows: readonly UdpSocketRow[] = udpTable()): Map<number, number> {
  const drops = new Map<number, number>();
  for (const r of rows) if (ports.has(r.port)) drops.set(r.port, (drops.get(r.port) ?? 0) + r.drops);
  return drops;
}

/** Inodes of the sockets a process has open (/proc/<pid>/fd). */
export function socketInodes(pid: number): Set<number> {
  const inodes = new Set<number>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(Number(m[1]));
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

/**
 * Datagrams dropped at the UDP sockets of a process (a mediasoup worker: its
 * transports' and pipes' sockets): a worker that does not read its sockets
 * in time, saturated or starved of CPU, loses packets there.
 */
export function processUdpDrops(pid: number, rows: readonly UdpSocketRow[] = udpTable()): number {
  const inodes = socketInodes(pid);
  let drops = 0;
  for (const r of rows) if (inodes.has(r.inode)) drops += r.drops;
  return drops;
}
