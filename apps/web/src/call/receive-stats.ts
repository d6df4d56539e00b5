/**
 * WebRTC statistics, read once: pure functions from getStats() entries to
 * the figures the call shows. A consumer's inbound-rtp entries are read in
 * one place (`readConsumer`); the diagnostics (window.conclave.stats) and the
 * network quality indicator both sum those readings.
 */
import type { MediaSource } from '@conclave/protocol';
import type { QualityTotals } from './network-quality.js';

/** The fields of RTCStats entries the call reads (absent fields are undefined). */
export interface RtcStat {
  type: string;
  kind?: string;
  frameWidth?: number;
  frameHeight?: number;
  packetsReceived?: number;
  packetsLost?: number;
  jitter?: number;
  framesDecoded?: number;
  framesDropped?: number;
  fractionLost?: number;
  roundTripTime?: number;
  currentRoundTripTime?: number;
  nominated?: boolean;
  /** Audio: the level of the last decoded sound, 0..1. */
  audioLevel?: number;
}

/** What one consumer's report says. */
export interface ConsumerReading {
  source: MediaSource;
  kind: 'audio' | 'video' | null;
  packetsReceived: number;
  packetsLost: number;
  jitter: number | undefined;
  framesDecoded: number;
  framesDropped: number;
  frameWidth: number | undefined;
  frameHeight: number | undefined;
  /** From the nominated candidate pair, when the report has one. */
  roundTripTime: number | undefined;
  /** Audio: the level of the last decoded sound, 0..1 (so the test of screen audio can tell sound from silence). */
  audioLevel: number | undefined;
}

/** Receive figures for one source (camera, screen, microphone, screen audio) of one participant. */
export interface SourceStats {
  framesDecoded: number;
  framesDropped: number;
  packetsReceived: number;
  /** Audio: the level of the last decoded sound, 0..1. */
  audioLevel?: number;
  /** Size of the last decoded frame (the simulcast layer received). */
  frameWidth?: number;
  frameHeight?: number;
}

/** One remote participant's figures, as window.conclave.stats() gives them. */
export interface PeerReceiveStats {
  peerId: string;
  displayName: string;
  framesDecoded: number;
  audioPacketsReceived: number;
  framesDropped: number;
  bySource: Partial<Record<MediaSource, SourceStats>>;
}

/** The uplink as the receiving end reports it back (RTCP). */
export interface SendReading {
  fractionLost: number | undefined;
  jitter: number | undefined;
  roundTripTime: number | undefined;
}

const maxOf = (a: number | undefined, b: number | undefined): number | undefined => (b === undefined ? a : Math.max(a ?? 0, b));

export function readConsumer(source: MediaSource, entries: Iterable<RtcStat>): ConsumerReading {
  const r: ConsumerReading = {
    source,
    kind: null,
    packetsReceived: 0,
    packetsLost: 0,
    jitter: undefined,
    framesDecoded: 0,
    framesDropped: 0,
    frameWidth: undefined,
    frameHeight: undefined,
    roundTripTime: undefined,
    audioLevel: undefined,
  };
  for (const s of entries) {
    if (s.type === 'inbound-rtp') {
      if (s.kind === 'audio' || s.kind === 'video') r.kind = s.kind;
      r.packetsReceived += s.packetsReceived ?? 0;
      r.packetsLost += s.packetsLost ?? 0;
      r.jitter = maxOf(r.jitter, s.jitter);
      if (s.kind === 'audio') r.audioLevel = maxOf(r.audioLevel, s.audioLevel);
      if (s.kind === 'video') {
        r.framesDecoded += s.framesDecoded ?? 0;
        r.framesDropped += s.framesDropped ?? 0;
        if (s.frameWidth !== undefined) r.frameWidth = s.frameWidth;
        if (s.frameHeight !== undefined) r.frameHeight = s.frameHeight;
      }
    } else if (s.type === 'candidate-pair' && s.nominated && s.currentRoundTripTime !== undefined) {
      r.roundTripTime = s.currentRoundTripTime;
    }
  }
  return r;
}

/** One participant's diagnostics figures: video totals, audio packets, and each video source on its own. */
export function peerReceiveStats(peerId: string, displayName: string, readings: readonly ConsumerReading[]): PeerReceiveStats {
  const out: PeerReceiveStats = { peerId, displayName, framesDecoded: 0, audioPacketsReceived: 0, framesDropped: 0, bySource: {} };
  for (const r of readings) {
    const mine = (out.bySource[r.source] ??= { framesDecoded: 0, framesDropped: 0, packetsReceived: 0 });
    mine.packetsReceived += r.packetsReceived;
    if (r.kind === 'video') {
      if (r.frameWidth !== undefined) mine.frameWidth = r.frameWidth;
      if (r.frameHeight !== undefined) mine.frameHeight = r.frameHeight;
      mine.framesDecoded += r.framesDecoded;
      mine.framesDropped += r.framesDropped;
      out.framesDecoded += r.framesDecoded;
      out.framesDropped += r.framesDropped;
    } else if (r.kind === 'audio') {
      out.audioPacketsReceived += r.packetsReceived;
      if (r.audioLevel !== undefined) mine.audioLevel = Math.max(mine.audioLevel ?? 0, r.audioLevel);
    }
  }
  return out;
}

/** One participant's running totals, for the network quality indicator. */
export function qualityTotals(readings: readonly ConsumerReading[]): QualityTotals {
  const t: QualityTotals = {
    packetsReceived: 0,
    packetsLost: 0,
    jitter: undefined,
    framesDecoded: 0,
    framesDropped: 0,
    roundTripTime: undefined,
  };
  for (const r of readings) {
    t.packetsReceived += r.packetsReceived;
    t.packetsLost += r.packetsLost;
    t.jitter = maxOf(t.jitter, r.jitter);
    t.framesDecoded += r.framesDecoded;
    t.framesDropped += r.framesDropped;
    if (r.roundTripTime !== undefined) t.roundTripTime = r.roundTripTime;
  }
  return t;
}

/** The send transport's report: the worst loss, jitter and RTT the receiving end reports, else the path's RTT. */
export function readSend(entries: Iterable<RtcStat>): SendReading {
  let fractionLost: number | undefined;
  let jitter: number | undefined;
  let reported: number | undefined;
  let path: number | undefined;
  for (const s of entries) {
    if (s.type === 'remote-inbound-rtp') {
      fractionLost = maxOf(fractionLost, s.fractionLost);
      jitter = maxOf(jitter, s.jitter);
      reported = maxOf(reported, s.roundTripTime);
    } else if (s.type === 'candidate-pair' && s.nominated && s.currentRoundTripTime !== undefined && path === undefined) {
      path = s.currentRoundTripTime;
    }
  }
  return { fractionLost, jitter, roundTripTime: reported ?? path };
}

/** The entries of a getStats() report, for the functions above. */
export function statsEntries(report: RTCStatsReport | null): RtcStat[] {
  return report ? ([...report.values()] as RtcStat[]) : [];
}
