/** Every 2 s: each remote participant's receive quality, and our own uplink's, from WebRTC statistics. */
import { useEffect, useState } from 'react';
import type { CallMedia } from '../call/call-media.js';
import { networkQuality, sampleBetween, uplinkQuality, type NetworkQuality, type QualityTotals } from '../call/network-quality.js';

export interface NetworkQualities {
  peers: Record<string, NetworkQuality | null>;
  self: NetworkQuality | null;
}

const INTERVAL_MS = 2000;

export function useNetworkQuality(media: CallMedia | null, active: boolean): NetworkQualities {
  const [qualities, setQualities] = useState<NetworkQualities>({ peers: {}, self: null });
  useEffect(() => {
    if (!media || !active) return;
    let alive = true;
    let previous = new Map<string, QualityTotals>();
    const tick = async () => {
      const [received, sent] = await Promise.all([media.qualityTotals().catch(() => []), media.sendReading().catch(() => null)]);
      if (!alive) return;
      const next = new Map<string, QualityTotals>();
      const peers: Record<string, NetworkQuality | null> = {};
      for (const { peerId, totals } of received) {
        next.set(peerId, totals);
        const prev = previous.get(peerId);
        // The first reading has no interval to judge yet.
        peers[peerId] = prev ? networkQuality(sampleBetween(prev, totals)) : null;
      }
      previous = next;
      const self = sent ? uplinkQuality(sent) : null;
      setQualities((old) =>
        old.self === self &&
        Object.keys(peers).length === Object.keys(old.peers).length &&
        Object.entries(peers).every(([k, v]) => old.peers[k] === v)
          ? old
          : { peers, self },
      );
    };
    void tick();
    const timer = setInterval(() => void tick(), INTERVAL_MS);
    return () => {
      alive = false;
      clearInterval(timer);
    };
  }, [media, active]);
  return qualities;
}
