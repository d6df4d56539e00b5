/**
 * Room-scale benchmark (prints figures; not a test): one room of N synthetic
 * participants over the server's mediasoup workers, driven in-process
 * through the server's own code: WorkerPool, WorkerLoad, RoomMedia with its
 * placement (`fill`, soft limit 65, by default) and its pipes.
 *
 * Each participant is place()d, gets a PlainTransport on its home router
 * with a microphone producer (all of them) and a VP8 3-layer simulcast
 * camera (every fifth), fed by the synthetic RTP of bench/lib, and a
 * PlainTransport consumer transport on its home router consuming every
 * other microphone and at most 9 cameras (the first cameras of the room, as
 * everyone sees the same speakers) at the 360p layer, each brought to its
 * router first with RoomMedia.bringTo. Most consumer transports use SRTP
 * (AEAD_AES_256_GCM, as with Chrome) so the worker encrypts as for WebRTC;
 * a few per worker ("probes") are plain and read each packet's send time
 * and sequence number.
 *
 * Per N: worker CPU from getResourceUsage deltas (the worker's own CPU time,
 * so the generator and sinks sharing the cores do not count), peers and
 * consumers per worker, forwarded packets, loss and one-way delay at the
 * probes (same worker, across the pipe, and a direct path without mediasoup
 * as the measurement's own floor), consumers per core, and whether the
 * generator and sinks kept up. Then the N at which a worker passes 80 % of
 * a core (measured, or extrapolated with a fitted cost model through the
 * server's own placement function).
 *
 * The bench checks itself: the generator's backlog (it kept up or not), the
 * counting receivers (never read by default: the kernel counts what reaches
 * them in /proc/net/udp, so they cost this machine nothing), and the
 * datagrams each worker's own sockets dropped (a worker that falls behind,
 * saturated or starved, is named, and its run is left out of the 80 % figure,
 * as its CPU time understates the load offered). A join that stalls (a
 * worker overloaded to the point of not answering its channel) is reported
 * with where it stalled, and that N fails rather than hangs.
 *
 * Not modelled, so the worker's cost is understated by: receivers' RTCP
 * (receiver reports, NACKs, transport-cc feedback and the bandwidth
 * estimation it drives), SRTP on the producers' side, RTX and padding
 * probes. Overstated by: loopback, where the receivers' kernel delivery is
 * charged to the worker's system time (see the kernel share), and the
 * worker build here without io_uring (one sendto per packet).
 *
 * Run: npm run bench -- room-scale [--n 10,25,50] [--window 10] …  (see --help)
 * Needs the server built (npm run build) and MEDIASOUP_WORKER_BIN (scripts/bench.sh sets both).
 */
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { createLogger } from '../apps/server/dist/logger.js';
import { chooseWorker, type PlacementPolicy, type SlotState } from '../apps/server/dist/media/placement.js';
import { WorkerLoad } from '../apps/server/dist/media/worker-load.js';
import { WorkerPool } from '../apps/server/dist/media/worker-pool.js';
import type { ProducerData } from '../apps/server/dist/rooms/peer.js';
import { LocalMediaHome } from '../apps/server/dist/media/local-media-home.js';
import { RoomMedia, type MediaHome } from '../apps/server/dist/rooms/room-media.js';
import { treeUsage } from './process-usage.js';
import { BACKLOG_GRACE_MS, RtpGenerator, type GeneratorWindow } from './lib/rtp-generator.js';
import { kernelDrops, missing, processUdpDrops, udpTable, type StreamTally } from './lib/rtp-sink.js';
import { SinkHost, type SinkReport } from './lib/sink-host.js';
import { leastSquares, percentile } from './lib/stats.js';
import {
  EXT_AUDIO_LEVEL,
  EXT_TRANSPORT_CC,
  OPUS_PT,
  SIMULCAST_LAYERS,
  splitStreamId,
  STREAM_DIRECT,
  STREAM_MIC,
  VP8_PT,
} from './lib/synthetic-rtp.js';

type Router = LocalMediaHome['router'];

/** A placement on this process's workers (the bench runs no cluster): its mediasoup router and slot. */
function localOf(home: MediaHome): LocalMediaHome {
  if (!(home instanceof LocalMediaHome)) throw new Error(`placed on another node (${home.key}): the bench runs one node`);
  return home;
}
type PlainTransport = Awaited<ReturnType<Router['createPlainTransport']>>;
type Consumer = Awaited<ReturnType<PlainTransport['consume']>>;
type RtpParameters = Parameters<PlainTransport['produce']>[0]['rtpParameters'];
type RtpCapabilities = Router['rtpCapabilities'];

// ---------------------------------------------------------------- options

const ALL_N = [10, 25, 50, 75, 100, 150, 200];
const { values: opt } = parseArgs({
  options: {
    n: { type: 'string', default: '10,25,50,75,100' },
    workers: { type: 'string', default: process.env.CONCLAVE_WORKERS ?? '2' },
    spread: { type: 'string', default: 'fill' },
    'soft-limit': { type: 'string', default: '65' },
    warmup: { type: 'string', default: '3' },
    window: { type: 'string', default: '10' },
    'join-rate': { type: 'string', default: '10' },
    probes: { type: 'string', default: '2' },
    cameras: { type: 'string', default: '0.2' },
    visible: { type: 'string', default: '9' },
    speakers: { type: 'string', default: '3' },
    turn: { type: 'string', default: '4' },
    sinks: { type: 'string', default: 'kernel' },
    help: { type: 'boolean', default: false },
  },
  // `npm run bench -- room-scale …` passes the name first.
  allowPositionals: true,
});
if (opt.help) {
  console.log(`room-scale options (defaults in brackets):
  --n LIST          participants per run, comma-separated, or "all" (${ALL_N.join(',')}) [10,25,50,75,100]
  --workers W       mediasoup workers [CONCLAVE_WORKERS or 2]
  --spread S        placement: fill | even [fill]
  --soft-limit P    fill's CPU soft limit, % of a core [65]
  --warmup S        seconds between the last join and the window [3]
  --window S        measurement window, seconds [10]
  --join-rate R     joins per second [10]
  --probes K        plain probe receivers per worker [2]
  --cameras F       fraction of participants with a camera [0.2]
  --visible V       cameras each receiver sees, at 360p [9]
  --speakers K      speakers at a time [3]; --turn S  seconds per turn [4]
  --sinks M         counting receivers: kernel (never read; the kernel counts what reaches them) | read [kernel]`);
  process.exit(0);
}
const num = (name: keyof typeof opt): number => {
  const v = Number(opt[name]);
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} must be a number`);
  return v;
};
const NS = opt.n === 'all' ? ALL_N : opt.n.split(',').map(Number);
if (NS.some((n) => !Number.isInteger(n) || n < 2)) throw new Error('--n: integers ≥ 2');
const WORKERS = num('workers');
if (opt.spread !== 'fill' && opt.spread !== 'even') throw new Error('--spread: fill or even');
const POLICY: PlacementPolicy = { spread: opt.spread, softLimit: num('soft-limit') };
const WARMUP_S = num('warmup');
const WINDOW_S = num('window');
const JOIN_RATE = num('join-rate');
const PROBES = num('probes');
const CAMERA_EVERY = Math.max(1, Math.round(1 / num('cameras')));
const VISIBLE = num('visible');
const ROTATION = { speakers: num('speakers'), turnMs: num('turn') * 1000 };
if (opt.sinks !== 'kernel' && opt.sinks !== 'read') throw new Error('--sinks: kernel or read');
const READ_SINKS = opt.sinks === 'read';
/** The 360p layer, all three temporal layers. */
const VIDEO_LAYERS = { spatialLayer: 1, temporalLayer: 2 };
const SRTP = 'AEAD_AES_256_GCM' as const;
/** A join slower than this aborts the run for that N (the machine, or the worker, cannot keep up). */
const JOIN_TIMEOUT_S = 180;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const logger = createLogger(process.env.BENCH_LOG_LEVEL ?? 'silent');

// ---------------------------------------------------------------- media parameters

function micParameters(ssrc: number, cname: string): RtpParameters {
  return {
    codecs: [
      {
        mimeType: 'audio/opus',
        payloadType: OPUS_PT,
        clockRate: 48000,
        channels: 2,
        parameters: { minptime: 10, useinbandfec: 1, usedtx: 1 },
        rtcpFeedback: [{ type: 'transport-cc' }],
      },
    ],
    headerExtensions: [
      { uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level', id: EXT_AUDIO_LEVEL },
      { uri: 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01', id: EXT_TRANSPORT_CC },
    ],
    encodings: [{ ssrc }],
    rtcp: { cname, reducedSize: true },
  };
}

function cameraParameters(ssrcs: readonly number[], cname: string): RtpParameters {
  return {
    codecs: [
      {
        mimeType: 'video/VP8',
        payloadType: VP8_PT,
        clockRate: 90000,
        rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }, { type: 'transport-cc' }],
      },
    ],
    headerExtensions: [{ uri: 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01', id: EXT_TRANSPORT_CC }],
    encodings: ssrcs.map((ssrc) => ({ ssrc, scalabilityMode: 'L1T3' })),
    rtcp: { cname, reducedSize: true },
  };
}

/**
 * The router's capabilities without transport-cc and REMB: our sinks send no
 * congestion feedback, and without it mediasoup's bandwidth estimator would
 * hold simulcast consumers at its initial estimate instead of the layer asked for.
 */
function receiveCapabilities(caps: RtpCapabilities): RtpCapabilities {
  return {
    codecs: caps.codecs?.map((c) => ({
      ...c,
      rtcpFeedback: c.rtcpFeedback?.filter((f) => f.type !== 'transport-cc' && f.type !== 'goog-remb'),
    })),
    headerExtensions: caps.headerExtensions?.filter((h) => !h.uri.includes('transport-wide-cc') && !h.uri.includes('abs-send-time')),
  };
}

// ---------------------------------------------------------------- helpers

/** W consecutive ports free on 127.0.0.1 for both UDP and TCP (the pool's WebRtcServers). */
async function freePorts(count: number): Promise<number> {
  const free = async (port: number): Promise<boolean> => {
    const tcp = createServer();
    const udp = createSocket('udp4');
    try {
      await new Promise<void>((resolve, reject) => tcp.once('error', reject).listen(port, '127.0.0.1', resolve));
      await new Promise<void>((resolve, reject) => udp.once('error', reject).bind(port, '127.0.0.1', resolve));
      return true;
    } catch {
      return false;
    } finally {
      tcp.close();
      try {
        udp.close();
      } catch {
        // never bound
      }
    }
  };
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 30000 + Math.floor(Math.random() * 25000);
    let ok = true;
    for (let i = 0; i < count && ok; i++) ok = await free(base + i);
    if (ok) return base;
  }
  throw new Error('no free port range for the workers');
}

const ms = (us: number) => (Number.isFinite(us) ? (us / 1000).toFixed(2) : 'n/a');
const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(x < 0.01 ? 3 : 1)} %` : 'n/a');
const fixed = (x: number, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
const loadavg = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');

// ---------------------------------------------------------------- one run

interface Participant {
  index: number;
  id: string;
  home: MediaHome;
  slot: number;
  probe: boolean;
  recv: PlainTransport;
  sinkPort: number;
  micId: string;
  cameraId: string | null;
  video: Consumer[];
  audio: number;
}

interface PathStats {
  streams: number;
  packets: number;
  lost: number;
  p50: number;
  p99: number;
}

interface RunResult {
  n: number;
  loadBefore: string;
  loadAfter: string;
  joinSeconds: number;
  windowSeconds: number;
  workers: {
    slot: number;
    peers: number;
    cpu: number;
    /** Of the CPU, the share in the kernel (sends, and on loopback the receivers' delivery too). */
    sysShare: number;
    audio: number;
    video: number;
    activeVideo: number;
    pipe: number;
    pps: number;
    mbps: number;
    drops: number;
    /** Datagrams dropped at the worker's own sockets in the window: it fell behind. */
    workerDrops: number;
    /** Context switches a second: involuntary (preempted: something else wanted the core) and voluntary (it waited for work). */
    preemptedPerS: number;
    sleptPerS: number;
    probes: number;
  }[];
  paths: Record<'direct' | 'sameAudio' | 'sameVideo' | 'crossAudio' | 'crossVideo' | 'same' | 'cross', PathStats>;
  generator: GeneratorWindow;
  generatorCpu: number;
  countSinkCpu: number;
  probeSinkCpu: number;
  sinkReceived: number;
  sinkDrops: number;
  videoAtTarget: number;
  /** Video consumers by current spatial layer ('-' for none yet). */
  videoLayers: Record<string, number>;
  videoTotal: number;
  layer1Pps: number;
  cameras: number;
  keptUp: { generator: boolean; sinks: boolean; workers: boolean };
}

async function runOnce(n: number): Promise<RunResult> {
  const loadBefore = loadavg();
  const pool = await WorkerPool.start({
    size: WORKERS,
    rtcPort: await freePorts(WORKERS),
    listenIp: '127.0.0.1',
    announcedAddress: '127.0.0.1',
    logger,
  });
  const load = new WorkerLoad(pool);
  await load.sample();
  load.start(); // as the server does: a sample every second, so placement sees the load growing while peers join
  const consumersOn = new Map<number, number>();
  const media = new RoomMedia('bench-room', { pool, policy: POLICY, load, consumersOn: (s) => consumersOn.get(s) ?? 0, logger });
  const countHost = await SinkHost.start();
  const probeHost = await SinkHost.start();
  // Counting receivers that nobody reads: the kernel counts what reaches them (and the bench spends no CPU on it).
  const heldPorts = READ_SINKS ? [] : await countHost.hold(n);
  const generator = new RtpGenerator({ ...ROTATION, total: n });
  generator.start();
  try {
    const probesOn = new Map<number, number>();
    const participants: Participant[] = [];
    const cameraOwners: Participant[] = [];
    let caps: RtpCapabilities | null = null;

    /** Where the joins are, for the watchdog. */
    const progress = { join: -1, stage: '', since: performance.now(), pending: 0 };
    const step = (stage: string) => {
      progress.stage = stage;
    };
    /** Consumes under way, by what they wait for: `bringTo|consume origin→viewer slot`. */
    const waiting = new Map<object, string>();
    const consume = async (viewer: Participant, producerId: string, video: boolean) => {
      progress.pending += 1;
      const token = {};
      const route = `${media.find(producerId)?.homeKey ?? '?'}→w:${viewer.slot} ${video ? 'video' : 'audio'}`;
      waiting.set(token, `bringTo ${route}`);
      await media.bringTo(viewer.home, producerId);
      waiting.set(token, `consume ${route}`);
      const consumer = await viewer.recv.consume({
        producerId,
        rtpCapabilities: caps!,
        paused: false,
        ...(video ? { preferredLayers: VIDEO_LAYERS } : {}),
      });
      progress.pending -= 1;
      waiting.delete(token);
      if (video) viewer.video.push(consumer);
      else viewer.audio += 1;
      consumersOn.set(viewer.slot, (consumersOn.get(viewer.slot) ?? 0) + 1);
    };

    const join = async (index: number) => {
      const id = `p${index}`;
      step('place');
      const home = await media.place();
      const slot = localOf(home).slot.index;
      caps ??= receiveCapabilities(home.router.rtpCapabilities);
      step('send transport and producers');
      const send = await localOf(home).router.createPlainTransport({
        listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
        rtcpMux: true,
        comedia: true,
      });
      const micSsrc = 0x10000000 + index * 8;
      const mic = await send.produce<ProducerData>({
        kind: 'audio',
        rtpParameters: micParameters(micSsrc, id),
        appData: { source: 'mic' },
      });
      media.addProducer(mic, id, home);
      void media.watchMic(mic.id); // as produce does for a microphone (the room's active speaker observer)
      let cameraSsrcs: number[] | undefined;
      let cameraId: string | null = null;
      if (index % CAMERA_EVERY === 0) {
        cameraSsrcs = [1, 2, 3].map((k) => micSsrc + k);
        const camera = await send.produce<ProducerData>({
          kind: 'video',
          rtpParameters: cameraParameters(cameraSsrcs, id),
          appData: { source: 'camera' },
        });
        media.addProducer(camera, id, home);
        cameraId = camera.id;
      }
      step('sink and receive transport');
      const probe = (probesOn.get(slot) ?? 0) < PROBES;
      if (probe) probesOn.set(slot, (probesOn.get(slot) ?? 0) + 1);
      const sinkPort = !probe && !READ_SINKS ? heldPorts.shift()! : (await (probe ? probeHost : countHost).open([{ key: id, probe }]))[id]!;
      const recv = await localOf(home).router.createPlainTransport({
        listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
        rtcpMux: true,
        comedia: false,
        enableSrtp: !probe,
        srtpCryptoSuite: SRTP,
      });
      await recv.connect({
        ip: '127.0.0.1',
        port: sinkPort,
        ...(probe ? {} : { srtpParameters: { cryptoSuite: SRTP, keyBase64: randomBytes(44).toString('base64') } }),
      });
      step('generator');
      await generator.addParticipant({ index, port: send.tuple.localPort, micSsrc, cameraSsrcs });
      const me: Participant = { index, id, home, slot, probe, recv, sinkPort, micId: mic.id, cameraId, video: [], audio: 0 };
      const work: Promise<void>[] = [];
      for (const other of participants) {
        work.push(consume(me, other.micId, false), consume(other, me.micId, false));
      }
      // Everyone sees the room's first cameras (the first VISIBLE + 1, so that their owners see VISIBLE others).
      if (cameraId) {
        cameraOwners.push(me);
        if (cameraOwners.length <= VISIBLE + 1)
          for (const other of participants) if (other.video.length < VISIBLE) work.push(consume(other, cameraId, true));
      }
      let mine = 0;
      for (const owner of cameraOwners.slice(0, VISIBLE + 1)) {
        if (owner === me || mine >= VISIBLE) continue;
        mine += 1;
        work.push(consume(me, owner.cameraId!, true));
      }
      participants.push(me);
      step(`${work.length} consumes`);
      await Promise.all(work);
    };

    // The direct (no-SFU) baseline: one stream straight into a probe sink, in the probe host with the others.
    const directPort = (await probeHost.open([{ key: 'direct', probe: true }]))['direct']!;
    await generator.addDirect(directPort, 0xfffff);

    const joinStart = performance.now();
    /** The watchdog's last word from each worker. */
    const workerAnswers: string[] = [];
    const watchdog = setInterval(() => {
      const s = (performance.now() - progress.since) / 1000;
      if (s <= 20) return;
      const by = new Map<string, number>();
      workerAnswers.length = 0;
      for (const w of waiting.values()) by.set(w, (by.get(w) ?? 0) + 1);
      console.error(
        `  … N = ${n}: join ${progress.join} has taken ${s.toFixed(0)} s so far (${progress.stage}; ${progress.pending} consumes pending: ${[...by].map(([k, v]) => `${v} at ${k}`).join(', ')})`,
      );
      // Do the workers still answer?
      for (const slot of pool.slots) {
        const worker = slot.worker;
        if (!worker) continue;
        const started = performance.now();
        const answer = worker.getResourceUsage().then(
          () => 'answers',
          () => 'closed',
        );
        void Promise.race([answer, sleep(5000).then(() => 'NO ANSWER in 5 s')]).then((r) => {
          const line = `worker ${slot.index} (pid ${worker.pid}): ${r} (${(performance.now() - started).toFixed(0)} ms)`;
          workerAnswers[slot.index] = line;
          console.error(`    ${line}`);
        });
      }
    }, 10_000);
    try {
      for (let i = 0; i < n; i++) {
        const due = joinStart + (i * 1000) / JOIN_RATE;
        if (performance.now() < due) await sleep(due - performance.now());
        Object.assign(progress, { join: i, since: performance.now() });
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new Error(
                  `join ${i} of ${n} did not finish in ${JOIN_TIMEOUT_S} s (${progress.stage}; ${progress.pending} consumes pending)${workerAnswers.length ? `; last check: ${workerAnswers.filter(Boolean).join('; ')}` : ''}`,
                ),
              ),
            JOIN_TIMEOUT_S * 1000,
          );
        });
        const joining = join(i);
        joining.catch(() => undefined); // if the timeout wins, its late failure is not an unhandled rejection
        await Promise.race([joining, timeout]).finally(() => clearTimeout(timer));
      }
    } finally {
      clearInterval(watchdog);
    }
    const joinSeconds = (performance.now() - joinStart) / 1000;
    await sleep(WARMUP_S * 1000);

    // ---- the window
    const sinkPorts = new Set(participants.map((p) => p.sinkPort));
    const snapshot = async () => ({
      at: performance.now(),
      cpuMs: await Promise.all(
        pool.slots.map(async (s) => {
          const u = await s.worker!.getResourceUsage();
          return { user: u.ru_utime, sys: u.ru_stime, voluntary: u.ru_nvcsw, involuntary: u.ru_nivcsw };
        }),
      ),
      self: process.cpuUsage(),
      countCpu: treeUsage(countHost.pid).cpuSeconds,
      probeCpu: treeUsage(probeHost.pid).cpuSeconds,
      ...udpCounts(),
      bytesSent: await Promise.all(participants.map(async (p) => (await p.recv.getStats()).reduce((sum, x) => sum + x.bytesSent, 0))),
    });
    const udpCounts = () => {
      const rows = udpTable();
      return { drops: kernelDrops(sinkPorts, rows), workerDrops: pool.slots.map((s) => processUdpDrops(s.worker!.pid, rows)) };
    };
    const fromNs = process.hrtime.bigint();
    await Promise.all([READ_SINKS ? countHost.reset(fromNs) : null, probeHost.reset(fromNs)]);
    generator.resetWindow();
    const a = await snapshot();
    await sleep(WINDOW_S * 1000);
    const b = await snapshot();
    const gen = generator.readWindow();
    const [counted, probed] = await Promise.all([READ_SINKS ? countHost.collect() : { counts: {}, probes: {} }, probeHost.collect()]);
    const loadAfter = loadavg();
    const seconds = (b.at - a.at) / 1000;

    // ---- after the window: what the workers hold
    const dumps = await Promise.all(
      pool.slots.map(async (s) => {
        const home = media.homeOn(s.index);
        return home ? localOf(home).router.dump() : null;
      }),
    );
    const result = summarize({
      n,
      participants,
      cameras: cameraOwners.length,
      seconds,
      a,
      b,
      gen,
      reports: [counted, probed],
      dumps: dumps.map((d) => d?.mapConsumerIdProducerId.length ?? 0),
    });

    return { ...result, loadBefore, loadAfter, joinSeconds };
  } finally {
    generator.stop();
    await Promise.all([countHost.close(), probeHost.close()]);
    media.close();
    load.stop();
    pool.close();
    await sleep(500);
  }
}

// ---------------------------------------------------------------- figures

interface Snapshot {
  at: number;
  cpuMs: { user: number; sys: number; voluntary: number; involuntary: number }[];
  self: NodeJS.CpuUsage;
  countCpu: number;
  probeCpu: number;
  drops: Map<number, number>;
  workerDrops: number[];
  /** Bytes each participant's receive transport sent (its stats), in `participants` order. */
  bytesSent: number[];
}

function pathStats(tallies: StreamTally[]): PathStats {
  const delays = tallies.flatMap((t) => t.delaysUs).sort((x, y) => x - y);
  const packets = tallies.reduce((s, t) => s + t.received, 0);
  const lost = tallies.reduce((s, t) => s + missing(t), 0);
  return { streams: tallies.length, packets, lost, p50: percentile(delays, 50), p99: percentile(delays, 99) };
}

function summarize(r: {
  n: number;
  participants: Participant[];
  cameras: number;
  seconds: number;
  a: Snapshot;
  b: Snapshot;
  gen: GeneratorWindow;
  reports: SinkReport[];
  dumps: number[];
}): Omit<RunResult, 'loadBefore' | 'loadAfter' | 'joinSeconds'> {
  const { participants, seconds, a, b, gen } = r;
  const byIndex = new Map(participants.map((p) => [p.index, p]));
  const counts = Object.assign({}, ...r.reports.map((x) => x.counts)) as SinkReport['counts'];
  const probes = Object.assign({}, ...r.reports.map((x) => x.probes)) as SinkReport['probes'];

  const workers = a.cpuMs.map((cpuA, slot) => {
    const here = participants.filter((p) => p.slot === slot);
    const audio = here.reduce((s, p) => s + p.audio, 0);
    const video = here.reduce((s, p) => s + p.video.length, 0);
    const activeVideo = here.reduce(
      (s, p) => s + p.video.filter((c) => !c.closed && !c.paused && !c.producerPaused && c.currentLayers).length,
      0,
    );
    let packets = 0;
    let bytes = 0;
    let drops = 0;
    participants.forEach((p, i) => {
      if (p.slot !== slot) return;
      packets += counts[p.id]?.packets ?? 0;
      bytes += b.bytesSent[i]! - (a.bytesSent[i] ?? 0);
      drops += (b.drops.get(p.sinkPort) ?? 0) - (a.drops.get(p.sinkPort) ?? 0);
    });
    return {
      slot,
      peers: here.length,
      cpu: (b.cpuMs[slot]!.user + b.cpuMs[slot]!.sys - cpuA.user - cpuA.sys) / (b.at - a.at),
      sysShare: (b.cpuMs[slot]!.sys - cpuA.sys) / Math.max(1e-9, b.cpuMs[slot]!.user + b.cpuMs[slot]!.sys - cpuA.user - cpuA.sys),
      audio,
      video,
      activeVideo,
      pipe: Math.max(0, (r.dumps[slot] ?? 0) - audio - video),
      pps: (packets + drops) / seconds,
      mbps: (bytes * 8) / seconds / 1e6,
      drops,
      workerDrops: b.workerDrops[slot]! - a.workerDrops[slot]!,
      preemptedPerS: (b.cpuMs[slot]!.involuntary - cpuA.involuntary) / seconds,
      sleptPerS: (b.cpuMs[slot]!.voluntary - cpuA.voluntary) / seconds,
      probes: here.filter((p) => p.probe).length,
    };
  });

  const groups: Record<keyof RunResult['paths'], StreamTally[]> = {
    direct: [],
    sameAudio: [],
    sameVideo: [],
    crossAudio: [],
    crossVideo: [],
    same: [],
    cross: [],
  };
  for (const [key, report] of Object.entries(probes)) {
    const probe = participants.find((p) => p.id === key);
    for (const t of report.tallies) {
      const { participant, code } = splitStreamId(t.stream);
      if (code === STREAM_DIRECT) {
        groups.direct.push(t);
        continue;
      }
      const source = byIndex.get(participant);
      if (!probe || !source) continue;
      const same = source.slot === probe.slot;
      const audio = code === STREAM_MIC;
      groups[same ? (audio ? 'sameAudio' : 'sameVideo') : audio ? 'crossAudio' : 'crossVideo'].push(t);
      groups[same ? 'same' : 'cross'].push(t);
    }
  }
  const paths = Object.fromEntries(Object.entries(groups).map(([k, v]) => [k, pathStats(v)])) as RunResult['paths'];

  const videoAll = participants.flatMap((p) => p.video);
  const sinkReceived = Object.values(counts).reduce((s, c) => s + c.packets, 0);
  // Held sinks drop everything by design; only a sink that reads can fall behind.
  const sinkDrops = participants.reduce(
    (s, p) => s + (READ_SINKS || p.probe ? (b.drops.get(p.sinkPort) ?? 0) - (a.drops.get(p.sinkPort) ?? 0) : 0),
    0,
  );
  const layer1Pps = (gen.packetsByCode.get(2) ?? 0) / gen.seconds / Math.max(1, r.cameras);
  return {
    n: r.n,
    windowSeconds: seconds,
    workers,
    paths,
    generator: gen,
    generatorCpu: (b.self.user + b.self.system - a.self.user - a.self.system) / 1000 / (b.at - a.at),
    countSinkCpu: (b.countCpu - a.countCpu) / seconds,
    probeSinkCpu: (b.probeCpu - a.probeCpu) / seconds,
    sinkReceived,
    sinkDrops,
    videoAtTarget: videoAll.filter((c) => c.currentLayers?.spatialLayer === VIDEO_LAYERS.spatialLayer).length,
    videoLayers: videoAll.reduce<Record<string, number>>((m, c) => {
      const k = c.currentLayers ? `${c.currentLayers.spatialLayer}` : '-';
      m[k] = (m[k] ?? 0) + 1;
      return m;
    }, {}),
    videoTotal: videoAll.length,
    layer1Pps,
    cameras: r.cameras,
    keptUp: {
      generator: gen.backlog <= Math.max(5, gen.itemsSent * 0.002) && gen.sendErrors === 0,
      sinks: sinkDrops <= sinkReceived * 0.001,
      workers: workers.every((w) => w.workerDrops <= w.pps * seconds * 0.001),
    },
  };
}

function printRun(r: RunResult): void {
  const cores = (x: number) => `${(x * 100).toFixed(1)} %`;
  console.log(
    `\n### N = ${r.n}: ${WORKERS} workers, ${POLICY.spread}${POLICY.spread === 'fill' ? ` (soft limit ${POLICY.softLimit} %)` : ''}`,
  );
  console.log(
    `load average (1/5/15 min) before ${r.loadBefore}, after ${r.loadAfter}; joins took ${r.joinSeconds.toFixed(1)} s; window ${r.windowSeconds.toFixed(1)} s; ${r.cameras} cameras\n`,
  );
  console.log(
    '| worker | peers | CPU (of one core; kernel share) | audio consumers | video consumers (active) | pipe consumers | datagrams/s to receivers | Mbit/s to receivers | dropped at its sockets | preempted / waited per s |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const w of r.workers) {
    console.log(
      `| ${w.slot} | ${w.peers} | ${cores(w.cpu)} (${w.peers ? pct(w.sysShare) : 'n/a'}) | ${w.audio} | ${w.video} (${w.activeVideo}) | ${w.pipe} | ${fixed(w.pps)} | ${w.mbps.toFixed(1)} | ${w.workerDrops} | ${fixed(w.preemptedPerS)} / ${fixed(w.sleptPerS)} |`,
    );
  }
  const t = r.workers.reduce(
    (s, w) => ({
      cpu: s.cpu + w.cpu,
      audio: s.audio + w.audio,
      video: s.video + w.video,
      active: s.active + w.activeVideo,
      pipe: s.pipe + w.pipe,
      pps: s.pps + w.pps,
      mbps: s.mbps + w.mbps,
      drops: s.drops + w.workerDrops,
    }),
    { cpu: 0, audio: 0, video: 0, active: 0, pipe: 0, pps: 0, mbps: 0, drops: 0 },
  );
  console.log(
    `| all | ${r.n} | ${cores(t.cpu)} | ${t.audio} | ${t.video} (${t.active}) | ${t.pipe} | ${fixed(t.pps)} | ${t.mbps.toFixed(1)} | ${t.drops} | |`,
  );

  console.log('\n| path (at probes) | streams | packets | loss | one-way p50 ms | p99 ms |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  const label: Record<keyof RunResult['paths'], string> = {
    direct: "direct, no SFU (the measurement's floor)",
    sameAudio: 'same worker, audio',
    sameVideo: 'same worker, video',
    crossAudio: 'cross worker (pipe), audio',
    crossVideo: 'cross worker (pipe), video',
    same: 'same worker, all',
    cross: 'cross worker, all',
  };
  for (const [k, p] of Object.entries(r.paths) as [keyof RunResult['paths'], PathStats][]) {
    console.log(
      `| ${label[k]} | ${p.streams} | ${p.packets} | ${p.packets ? pct(p.lost / (p.packets + p.lost)) : 'n/a'} | ${ms(p.p50)} | ${ms(p.p99)} |`,
    );
  }
  const added = r.paths.same.p50 - r.paths.direct.p50;
  console.log(
    `\nadded one-way delay (same worker p50 − direct p50): ${ms(added)} ms; cross-worker pipe's extra delay (cross p50 − same p50): ${r.paths.cross.packets ? `${ms(r.paths.cross.p50 - r.paths.same.p50)} ms` : 'n/a (no probe received from another worker)'}`,
  );
  // Consumers per core: the design's figure (active consumers ÷ worker CPU fraction, all the CPU charged to that kind),
  // and one apportioned by forwarded packets (the worker's CPU per packet × the packets one such consumer forwards).
  const perPacket = t.cpu / t.pps;
  console.log(
    `consumers per core: ${fixed(t.active / t.cpu)} active video consumers per core, ${fixed(t.audio / t.cpu)} audio consumers per core (each with all of the CPU charged to it); ` +
      `by forwarded packets (${(perPacket * 1e6).toFixed(2)} µs of worker CPU per packet): ${fixed(1 / (perPacket * r.layer1Pps))} 360p video consumers (${r.layer1Pps.toFixed(0)} pps each) or ${fixed(1 / (perPacket * 50))} speaking Opus consumers (50 pps) per core`,
  );
  console.log(
    `video consumers at the 360p layer: ${r.videoAtTarget}/${r.videoTotal} (by spatial layer now: ${Object.entries(r.videoLayers)
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ')})`,
  );
  const g = r.generator;
  console.log(
    `generator: ${g.packets} packets (${(g.packets / g.seconds).toFixed(0)} pps, ${((g.bytes * 8) / g.seconds / 1e6).toFixed(1)} Mbit/s), ${g.itemsSent} items (packets or frames) sent, ${g.backlog} more than ${BACKLOG_GRACE_MS} ms overdue at the end; ` +
      `pacing lateness p50 ${g.lateness.p50.toFixed(1)} / p99 ${g.lateness.p99.toFixed(1)} / max ${g.lateness.max.toFixed(1)} ms${g.lateness.p99 > 20 ? ' (bursty: the bench process is short of CPU)' : ''}; ${g.keyFrameRequests} PLI/FIR, ${g.keyFramesOnRequest} key frames on request; ` +
      `bench process CPU ${cores(r.generatorCpu)}; ${g.sendErrors} send errors → ${r.keptUp.generator ? 'kept up' : 'DID NOT KEEP UP: the figures above understate the load'}`,
  );
  console.log(
    `receivers: ${READ_SINKS ? `counting sinks read ${r.sinkReceived} RTP packets` : 'counting sinks never read (the kernel counted their datagrams)'}; ` +
      `${r.sinkDrops} dropped at sinks that read (behind); CPU: counting ${cores(r.countSinkCpu)}, probes ${cores(r.probeSinkCpu)} → ${r.keptUp.sinks ? 'kept up' : 'DID NOT KEEP UP (that loss is the bench, not the server)'}`,
  );
  if (!r.keptUp.workers) {
    const busy = r.workers.filter((w) => w.workerDrops > w.pps * r.windowSeconds * 0.001);
    const why = (w: RunResult['workers'][number]) =>
      w.sleptPerS < 10
        ? `it never waited for work: saturated at the CPU it got (${cores(w.cpu)} of a core; preempted ${fixed(w.preemptedPerS)}/s, so other processes took the rest)`
        : `it still waited for work ${fixed(w.sleptPerS)}/s: bursts outran it (${cores(w.cpu)} of a core; preempted ${fixed(w.preemptedPerS)}/s)`;
    console.log(
      `WORKERS BEHIND: ${busy.map((w) => `worker ${w.slot} dropped ${w.workerDrops} datagrams at its sockets; ${why(w)}`).join('. ')}. ` +
        `Its CPU figure understates what the offered load would cost, and the delay and loss above are queueing in front of a worker that cannot keep up (load average ${r.loadAfter}).`,
    );
  }
}

/**
 * The N at which a worker passes 80 %: the first measured N if one did;
 * else extrapolated: cpu_w = α·peers_w + β·peers_w·N (a peer's own media and
 * its cameras, plus its audio consumers, which grow with the room) fitted on
 * every (worker, N) measured, then the joins replayed through the server's
 * chooseWorker with the modelled loads.
 */
function crossing(results: RunResult[]): string {
  if (results.length === 0) return 'unknown: no run in which the workers and the generator kept up.';
  const hit = results.find((r) => r.workers.some((w) => w.cpu >= 0.8));
  if (hit) return `measured: at N = ${hit.n} a worker is at ${(Math.max(...hit.workers.map((w) => w.cpu)) * 100).toFixed(0)} % of a core.`;
  const samples = results.flatMap((r) => r.workers.filter((w) => w.peers > 0).map((w) => ({ n: r.n, peers: w.peers, cpu: w.cpu * 100 })));
  let model = leastSquares(
    samples.map((s) => [s.peers, s.peers * s.n]),
    samples.map((s) => s.cpu),
  );
  let form = 'α·peers_w + β·peers_w·N';
  if (!model || model.some((c) => c < 0)) {
    const beta = leastSquares(
      samples.map((s) => [s.peers * s.n]),
      samples.map((s) => s.cpu),
    );
    if (!beta) return 'not reached, and too few samples to extrapolate.';
    model = [0, beta[0]!];
    form = 'β·peers_w·N (one parameter: the samples could not separate α)';
  }
  const [alpha, beta] = model as [number, number];
  const cpuOf = (peers: number, n: number) => alpha * peers + beta * peers * n;
  for (let n = 2; n <= 5000; n++) {
    const peers = new Array<number>(WORKERS).fill(0);
    for (let k = 0; k < n; k++) {
      const slots: SlotState[] = peers.map((p, index) => ({
        index,
        live: true,
        load: cpuOf(p, k),
        consumers: 0,
        roomPeers: p,
        roomRouter: p > 0,
      }));
      peers[chooseWorker(slots, POLICY)!]! += 1;
    }
    const worst = Math.max(...peers.map((p) => cpuOf(p, n)));
    if (worst >= 80) {
      return `not reached up to N = ${Math.max(...results.map((r) => r.n))}; EXTRAPOLATED: about N = ${n} (peers per worker then ${peers.join('/')}), with cpu_w % = ${form}, α = ${alpha.toFixed(3)}, β = ${beta.toFixed(5)} fitted on ${samples.length} (worker, N) samples and placement replayed with chooseWorker (${POLICY.spread}).`;
    }
  }
  return 'not reached, and the extrapolation stays under 80 % up to N = 5000 (the model is not to be trusted that far).';
}

function printSummary(results: RunResult[]): void {
  console.log(
    `\n## Summary (${WORKERS} workers, ${POLICY.spread}${POLICY.spread === 'fill' ? `, soft limit ${POLICY.softLimit} %` : ''})\n`,
  );
  console.log(
    '| N | load avg (1 min) | peers per worker | CPU per worker | audio / video / pipe consumers | datagrams/s to receivers | loss at probes | same-worker p50 / p99 ms | cross-worker p50 / p99 ms | pipe extra p50 ms | active video consumers per core | generator / sinks / workers kept up |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of results) {
    const sum = (f: (w: RunResult['workers'][number]) => number) => r.workers.reduce((s, w) => s + f(w), 0);
    const lost = r.paths.same.lost + r.paths.cross.lost;
    const got = r.paths.same.packets + r.paths.cross.packets;
    console.log(
      `| ${r.n} | ${r.loadBefore.split(' / ')[0]} | ${r.workers.map((w) => w.peers).join(' / ')} | ${r.workers.map((w) => `${(w.cpu * 100).toFixed(0)} %`).join(' / ')} | ${sum((w) => w.audio)} / ${sum((w) => w.video)} / ${sum((w) => w.pipe)} | ${fixed(sum((w) => w.pps))} | ${got ? pct(lost / (got + lost)) : 'n/a'} | ${ms(r.paths.same.p50)} / ${ms(r.paths.same.p99)} | ${r.paths.cross.packets ? `${ms(r.paths.cross.p50)} / ${ms(r.paths.cross.p99)}` : 'n/a'} | ${r.paths.cross.packets ? ms(r.paths.cross.p50 - r.paths.same.p50) : 'n/a'} | ${fixed(sum((w) => w.activeVideo) / sum((w) => w.cpu))} | ${r.keptUp.generator ? 'ok' : 'BEHIND'} / ${r.keptUp.sinks ? 'ok' : 'BEHIND'} / ${r.keptUp.workers ? 'ok' : 'BEHIND'} |`,
    );
  }
  console.log(`\nA worker passes 80 % of a core: ${crossing(results.filter((r) => r.keptUp.workers && r.keptUp.generator))}`);
  const dropped = results.filter((r) => !r.keptUp.workers || !r.keptUp.generator).map((r) => r.n);
  if (dropped.length > 0)
    console.log(
      `(N = ${dropped.join(', ')} left out of that: a worker or the generator fell behind, so their CPU figures understate the load.)`,
    );
}

// ---------------------------------------------------------------- main

console.log(`# Room-scale benchmark`);
console.log(
  `${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), Node ${process.version}; profile: every microphone (Opus, DTX, ${ROTATION.speakers} speakers at a time, turns of ${ROTATION.turnMs / 1000} s), ` +
    `a camera for 1 in ${CAMERA_EVERY} (VP8 simulcast ${SIMULCAST_LAYERS.map((l) => `${l.height}p ${l.bitrate / 1000} kbps`).join(', ')}, L1T3), ` +
    `at most ${VISIBLE} cameras seen per receiver at 360p; SRTP (${SRTP}) to every receiver but ${PROBES} plain probes per worker; joins at ${JOIN_RATE}/s, ${WARMUP_S} s warm-up, ${WINDOW_S} s window.`,
);
const results: RunResult[] = [];
for (const n of NS) {
  try {
    const r = await runOnce(n);
    printRun(r);
    results.push(r);
  } catch (err) {
    console.log(`\n### N = ${n}: FAILED: ${(err as Error).message} (load average ${loadavg()})`);
  }
}
printSummary(results);
