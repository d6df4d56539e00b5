/**
 * Where a page's media goes, and when it comes back, for the cluster test:
 * the server port each of its peer connections' selected ICE candidate pair
 * points at (each node's worker has a port of its own), and the moment a
 * page decodes someone again after their media went down.
 * No named functions inside page.evaluate: a transpiler could wrap them in a helper the page does not have.
 */
import type { Page } from '@playwright/test';
import { seenFrom, until, type Seen } from '../reconnection/call-probe.js';

/**
 * Keeps every RTCPeerConnection the page makes from now on (window.__pcs). Call on the join screen,
 * before joining: the app makes its connections when it joins, on the same document.
 */
export async function trackPeerConnections(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __pcs?: RTCPeerConnection[] };
    if (w.__pcs) return;
    const pcs: RTCPeerConnection[] = (w.__pcs = []);
    window.RTCPeerConnection = new Proxy(window.RTCPeerConnection, {
      construct: (target, args: unknown[], newTarget: new (...a: unknown[]) => RTCPeerConnection) => {
        const pc = Reflect.construct(target, args, newTarget) as RTCPeerConnection;
        pcs.push(pc);
        return pc;
      },
    });
  });
}

export interface PathSeen {
  state: RTCPeerConnectionState;
  /** The server's port of the selected candidate pair; null before one is selected. */
  port: number | null;
}

/** The page's open peer connections: their state and the server port their media goes to. */
export async function mediaPaths(page: Page): Promise<PathSeen[]> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __pcs?: RTCPeerConnection[] }).__pcs;
    if (!pcs) throw new Error('trackPeerConnections() was not called before joining');
    const out: Array<{ state: RTCPeerConnectionState; port: number | null }> = [];
    for (const pc of pcs) {
      if (pc.connectionState === 'closed') continue;
      // (RTCStatsReport is a map; the DOM typings here only give it forEach.)
      const stats = new Map<string, { type: string; selectedCandidatePairId?: string; remoteCandidateId?: string; port?: number }>();
      (await pc.getStats()).forEach((s: { id: string; type: string }) => stats.set(s.id, s));
      const transport = [...stats.values()].find((s) => s.type === 'transport' && s.selectedCandidatePairId);
      const pair = transport ? stats.get(transport.selectedCandidatePairId!) : undefined;
      const port = (pair?.remoteCandidateId ? stats.get(pair.remoteCandidateId)?.port : undefined) ?? null;
      out.push({ state: pc.connectionState, port });
    }
    return out;
  });
}

/**
 * Waits until `page` decodes `other` again after their media went down: the frames it decodes from them
 * first stall for a second or fall (their consumers replaced), then grow by more than 10 from the lowest
 * count, the tile saying "encrypted". Resolves with when (Date.now()) they first grew again.
 */
export async function decodingAgain(page: Page, viewer: string, other: string, timeoutMs: number): Promise<number> {
  let previous = (await seenFrom(page, [other]))[other]!;
  let lastGrowth = Date.now();
  let low: number | null = null;
  let grewAt: number | null = null;
  let last: Seen = previous;
  return until(
    () =>
      `${viewer} decodes ${other} again (${low === null ? 'never saw them stall' : `lowest ${low}`}; last seen ${JSON.stringify(last)})`,
    timeoutMs,
    async () => {
      const seen = (last = (await seenFrom(page, [other]))[other]!);
      const now = Date.now();
      if (seen.framesDecoded > previous.framesDecoded) lastGrowth = now;
      // Down: a count that falls (consumers gone), or one that stands still for a second.
      if (low === null && (seen.framesDecoded < previous.framesDecoded || now - lastGrowth >= 1000)) low = seen.framesDecoded;
      previous = seen;
      if (low === null) return null;
      if (seen.framesDecoded <= low) {
        low = seen.framesDecoded;
        grewAt = null;
        return null;
      }
      grewAt ??= now;
      return seen.framesDecoded > low + 10 && seen.e2ee === 'encrypted' ? grewAt : null;
    },
  );
}
