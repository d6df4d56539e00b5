/**
 * Sends the synthetic participants' RTP (synthetic-rtp.ts) to their
 * PlainTransports: one UDP socket per participant (its send transport,
 * connected, comedia), every stream paced by one timer wheel ticking every
 * `tickMs`, a tick's packets sent back to back. RTCP coming back on a
 * socket is read for PLI/FIR, which make that layer's next frame a key
 * frame.
 *
 * It also says whether it kept up: every item's lateness (when it was sent
 * vs when it was due), and at a window's end how many items were due but not
 * yet sent. A generator that falls behind must not be mistaken for a server
 * that does.
 */
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import {
  keyFrameRequests,
  OpusSource,
  Prng,
  stampSendTime,
  STREAM_DIRECT,
  streamId,
  TRAILER_BYTES,
  writeRtpHeader,
  writeTrailer,
  rtpHeaderLength,
  Vp8SimulcastSource,
  type SpeakerRotation,
} from './synthetic-rtp.js';
import { TimerWheel } from './timer-wheel.js';
import { Histogram } from './stats.js';

interface Sender {
  socket: Socket;
  transportSeq: number;
  camera: Vp8SimulcastSource | null;
}

type Item =
  | { kind: 'mic'; sender: Sender; source: OpusSource }
  | { kind: 'reports'; sender: Sender; mic: OpusSource; count: number }
  | { kind: 'camera'; sender: Sender; source: Vp8SimulcastSource }
  | { kind: 'direct'; socket: Socket; seq: number; stream: number };

export interface GeneratorWindow {
  seconds: number;
  packets: number;
  bytes: number;
  /** Packets by stream code (0 mic, 1–3 camera layers, 15 direct). */
  packetsByCode: Map<number, number>;
  /** Items (a mic packet, a camera frame of all layers) whose send was this late, ms. */
  lateness: { p50: number; p99: number; max: number };
  /** Items due more than BACKLOG_GRACE_MS before the window's end but not sent yet (a generator that keeps up has none). */
  backlog: number;
  itemsSent: number;
  keyFramesOnRequest: number;
  keyFrameRequests: number;
  sendErrors: number;
}

const DIRECT_INTERVAL_MS = 20;
/** An item this late is behind, not merely waiting for the next tick. */
export const BACKLOG_GRACE_MS = 20;
/** libwebrtc's RTCP intervals: about 1 s for video, 5 s for audio. */
const VIDEO_REPORT_MS = 1000;
const AUDIO_REPORT_EVERY = 5;

export class RtpGenerator {
  private readonly t0 = performance.now();
  private readonly wheel: TimerWheel<Item>;
  private readonly prng = new Prng(0xc0ffee);
  private readonly senders: Sender[] = [];
  private readonly bySsrc = new Map<number, Vp8SimulcastSource>();
  private timer: NodeJS.Timeout | null = null;
  private w = this.freshWindow();
  private windowStart = performance.now();

  constructor(
    private readonly rotation: SpeakerRotation,
    private readonly tickMs = 2,
  ) {
    this.wheel = new TimerWheel<Item>(1, 4096, 0);
  }

  /** Milliseconds since the generator was made (the media clock of every stream). */
  now(): number {
    return performance.now() - this.t0;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.tickMs);
  }

  /** A participant sending to its send transport on `port`: a microphone, and a camera if `cameraSsrcs`. */
  async addParticipant(p: { index: number; port: number; micSsrc: number; cameraSsrcs?: readonly number[] | undefined }): Promise<void> {
    const socket = createSocket('udp4');
    socket.bind(0, '127.0.0.1');
    await once(socket, 'listening');
    socket.connect(p.port, '127.0.0.1');
    await once(socket, 'connect');
    socket.setSendBufferSize(1 << 20);
    const sender: Sender = { socket, transportSeq: this.prng.int(0, 0xffff), camera: null };
    socket.on('message', (msg) => this.onRtcp(msg));
    socket.on('error', () => (this.w.sendErrors += 1));
    this.senders.push(sender);
    const now = this.now();
    const mic = new OpusSource(p.index, p.micSsrc, this.rotation, new Prng(p.micSsrc), now);
    this.wheel.schedule(mic.nextAtMs, { kind: 'mic', sender, source: mic });
    if (p.cameraSsrcs) {
      const camera = new Vp8SimulcastSource(p.index, p.cameraSsrcs, new Prng(p.cameraSsrcs[0]!), now);
      sender.camera = camera;
      for (const ssrc of camera.ssrcs) this.bySsrc.set(ssrc, camera);
      this.wheel.schedule(camera.nextAtMs, { kind: 'camera', sender, source: camera });
    }
    this.wheel.schedule(now + 50 + this.prng.next() * 200, { kind: 'reports', sender, mic, count: 0 });
  }

  /** A 50-pps stream straight to a sink on `port`, bypassing mediasoup: the measurement's own delay. */
  async addDirect(port: number, index: number): Promise<void> {
    const socket = createSocket('udp4');
    socket.bind(0, '127.0.0.1');
    await once(socket, 'listening');
    socket.connect(port, '127.0.0.1');
    await once(socket, 'connect');
    socket.on('error', () => (this.w.sendErrors += 1));
    this.senders.push({ socket, transportSeq: 0, camera: null });
    this.wheel.schedule(this.now(), { kind: 'direct', socket, seq: 0, stream: streamId(index, STREAM_DIRECT) });
  }

  /** Starts a measurement window (counters from now). */
  resetWindow(): void {
    this.w = this.freshWindow();
    this.windowStart = performance.now();
  }

  /** The window so far. */
  readWindow(): GeneratorWindow {
    const h = this.w.lateness;
    return {
      seconds: (performance.now() - this.windowStart) / 1000,
      packets: this.w.packets,
      bytes: this.w.bytes,
      packetsByCode: new Map(this.w.packetsByCode),
      lateness: { p50: h.quantile(0.5), p99: h.quantile(0.99), max: h.max },
      backlog: this.wheel.dueBy(this.now() - BACKLOG_GRACE_MS),
      itemsSent: this.w.items,
      keyFramesOnRequest: this.w.keyFramesOnRequest,
      keyFrameRequests: this.w.keyFrameRequests,
      sendErrors: this.w.sendErrors,
    };
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const s of this.senders) s.socket.close();
    this.senders.length = 0;
  }

  private freshWindow() {
    return {
      packets: 0,
      bytes: 0,
      items: 0,
      packetsByCode: new Map<number, number>(),
      lateness: new Histogram(0.1, 20_000),
      keyFramesOnRequest: 0,
      keyFrameRequests: 0,
      sendErrors: 0,
    };
  }

  private onRtcp(msg: Buffer): void {
    for (const ssrc of keyFrameRequests(msg)) {
      this.w.keyFrameRequests += 1;
      this.bySsrc.get(ssrc)?.requestKeyFrame(ssrc);
    }
  }

  private send(socket: Socket, buf: Buffer, code: number): void {
    stampSendTime(buf);
    socket.send(buf);
    this.w.packets += 1;
    this.w.bytes += buf.length;
    this.w.packetsByCode.set(code, (this.w.packetsByCode.get(code) ?? 0) + 1);
  }

  private tick(): void {
    const now = this.now();
    this.wheel.drain(now, (item, at) => {
      this.w.lateness.add(Math.max(0, this.now() - at));
      this.w.items += 1;
      if (item.kind === 'mic') {
        const s = item.sender;
        s.transportSeq = (s.transportSeq + 1) & 0xffff;
        this.send(s.socket, item.source.packet(s.transportSeq), 0);
        this.wheel.schedule(item.source.nextAtMs, item);
      } else if (item.kind === 'camera') {
        const s = item.sender;
        const frame = item.source.frameAt(() => (s.transportSeq = (s.transportSeq + 1) & 0xffff));
        this.w.keyFramesOnRequest += frame.requestedKeyLayers.length;
        for (const buf of frame.packets) this.send(s.socket, buf, buf.readUInt32BE(buf.length - TRAILER_BYTES + 4) & 0xf);
        this.wheel.schedule(item.source.nextAtMs, item);
      } else if (item.kind === 'reports') {
        // Sender reports: the camera's layers every second, the microphone's every fifth.
        const unixMs = performance.timeOrigin + this.t0 + this.now();
        const parts = [];
        if (item.count % AUDIO_REPORT_EVERY === 0) parts.push(item.mic.senderReport(this.now(), unixMs));
        if (item.sender.camera) parts.push(item.sender.camera.senderReports(this.now(), unixMs));
        if (parts.length > 0) item.sender.socket.send(Buffer.concat(parts));
        item.count += 1;
        this.wheel.schedule(at + VIDEO_REPORT_MS, item);
      } else {
        const buf = Buffer.alloc(rtpHeaderLength({}) + 1 + TRAILER_BYTES);
        writeRtpHeader(buf, {
          payloadType: 111,
          marker: false,
          sequenceNumber: item.seq,
          timestamp: item.seq * 960,
          ssrc: 1,
          transportSeq: item.seq,
        });
        writeTrailer(buf, item.stream, item.seq);
        item.seq += 1;
        this.send(item.socket, buf, 15);
        this.wheel.schedule(at + DIRECT_INTERVAL_MS, item);
      }
    });
  }
}
