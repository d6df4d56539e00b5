/**
 * How good a connection looks from receive statistics over one interval:
 * packet loss, jitter, dropped frames and round-trip time, each against
 * thresholds that people notice (roughly: loss above 2% is audible and
 * visible, above 8% is bad; jitter above 30 ms is noticeable, above 80 ms
 * choppy; RTT above 300 ms makes talking over each other common).
 */

export type NetworkQuality = 'good' | 'fair' | 'poor';

/** Changes over one interval (not running totals). Missing values are unknown, not zero. */
export interface QualitySample {
  packetsReceived: number;
  packetsLost: number;
  /** Seconds (as WebRTC reports it). */
  jitter?: number | undefined;
  framesDecoded?: number | undefined;
  framesDropped?: number | undefined;
  /** Seconds. */
  roundTripTime?: number | undefined;
}

const RANK: Record<NetworkQuality, number> = { good: 0, fair: 1, poor: 2 };

function worst(a: NetworkQuality, b: NetworkQuality): NetworkQuality {
  return RANK[a] >= RANK[b] ? a : b;
}

function grade(value: number, fair: number, poor: number): NetworkQuality {
  if (value >= poor) return 'poor';
  if (value >= fair) return 'fair';
  return 'good';
}

/** The quality of one interval, or null when nothing was received and nothing can be said. */
export function networkQuality(s: QualitySample): NetworkQuality | null {
  const expected = s.packetsReceived + Math.max(0, s.packetsLost);
  const hasFrames = s.framesDecoded !== undefined && s.framesDecoded + (s.framesDropped ?? 0) > 0;
  if (expected === 0 && !hasFrames && s.roundTripTime === undefined) return null;
  let q: NetworkQuality = 'good';
  if (expected > 0) q = worst(q, grade(Math.max(0, s.packetsLost) / expected, 0.02, 0.08));
  if (s.jitter !== undefined) q = worst(q, grade(s.jitter, 0.03, 0.08));
  if (hasFrames) {
    const decoded = s.framesDecoded ?? 0;
    const dropped = s.framesDropped ?? 0;
    q = worst(q, grade(dropped / (decoded + dropped), 0.05, 0.15));
  }
  if (s.roundTripTime !== undefined) q = worst(q, grade(s.roundTripTime, 0.3, 0.6));
  return q;
}

/** Words for a screen reader and a tooltip. */
export const qualityText: Record<NetworkQuality, string> = {
  good: 'Good connection',
  fair: 'Unstable connection',
  poor: 'Poor connection',
};

/** Sums what several streams (audio and video of one person) saw in one interval. */
export function combineSamples(samples: QualitySample[]): QualitySample {
  const out: QualitySample = { packetsReceived: 0, packetsLost: 0 };
  for (const s of samples) {
    out.packetsReceived += s.packetsReceived;
    out.packetsLost += s.packetsLost;
    if (s.jitter !== undefined) out.jitter = Math.max(out.jitter ?? 0, s.jitter);
    if (s.framesDecoded !== undefined) out.framesDecoded = (out.framesDecoded ?? 0) + s.framesDecoded;
    if (s.framesDropped !== undefined) out.framesDropped = (out.framesDropped ?? 0) + s.framesDropped;
    if (s.roundTripTime !== undefined) out.roundTripTime = Math.max(out.roundTripTime ?? 0, s.roundTripTime);
  }
  return out;
}

/** Running totals as WebRTC reports them (counters only grow; jitter and RTT are current values). */
export interface QualityTotals {
  packetsReceived: number;
  packetsLost: number;
  jitter: number | undefined;
  framesDecoded: number;
  framesDropped: number;
  roundTripTime: number | undefined;
}

/** One interval's sample from two readings of the totals; a counter that went back (a new consumer) restarts from zero. */
export function sampleBetween(prev: QualityTotals | undefined, next: QualityTotals): QualitySample {
  const d = (a: number, b: number | undefined) => (b === undefined || a < b ? a : a - b);
  const framesDecoded = d(next.framesDecoded, prev?.framesDecoded);
  const framesDropped = d(next.framesDropped, prev?.framesDropped);
  return {
    packetsReceived: d(next.packetsReceived, prev?.packetsReceived),
    packetsLost: Math.max(0, next.packetsLost - (prev && next.packetsLost >= prev.packetsLost ? prev.packetsLost : 0)),
    jitter: next.jitter,
    ...(framesDecoded + framesDropped > 0 ? { framesDecoded, framesDropped } : {}),
    roundTripTime: next.roundTripTime,
  };
}

/** The sender's view, from what the receiving end reports back (RTCP): loss fraction, jitter, RTT. */
export function uplinkQuality(s: {
  fractionLost: number | undefined;
  jitter: number | undefined;
  roundTripTime: number | undefined;
}): NetworkQuality | null {
  if (s.fractionLost === undefined && s.jitter === undefined && s.roundTripTime === undefined) return null;
  let q: NetworkQuality = 'good';
  if (s.fractionLost !== undefined) q = worst(q, grade(s.fractionLost, 0.02, 0.08));
  if (s.jitter !== undefined) q = worst(q, grade(s.jitter, 0.03, 0.08));
  if (s.roundTripTime !== undefined) q = worst(q, grade(s.roundTripTime, 0.3, 0.6));
  return q;
}
