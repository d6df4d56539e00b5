/**
 * Which worker a new peer of a room goes to: a pure decision over what each
 * worker slot carries now, so it can be tested without mediasoup.
 *
 * `fill` (the default) keeps a room on as few workers as it needs: a small
 * room never pays for pipes between routers. A room grows on its least-loaded
 * worker until that worker passes the CPU soft limit, then spills onto the
 * least-loaded worker it does not use yet, but only if that one is clearly
 * lighter (by `SPILL_MARGIN` points, edumeet's hysteresis), so two workers
 * near the limit do not see-saw. `even` spreads every room over all live
 * workers, fewest of the room's peers first (for operators who know a room
 * will be large, and for tests).
 */

export type WorkerSpread = 'fill' | 'even';

export interface PlacementPolicy {
  spread: WorkerSpread;
  /** Percent of one core (load below) past which `fill` spills a room onto another worker. */
  softLimit: number;
}

/** One worker slot as placement sees it. */
export interface SlotState {
  index: number;
  /** A worker is up in this slot and can take transports. */
  live: boolean;
  /** CPU percent of one core, smoothed, plus reservations for peers placed since the last sample. */
  load: number;
  /** Consumers on this worker, all rooms: the tie-break when loads are equal. */
  consumers: number;
  /** This room's peers placed on this worker. */
  roomPeers: number;
  /** This room has a router on this worker. */
  roomRouter: boolean;
}

/** How much lighter (CPU points) an unused worker must be before a room spills onto it. */
export const SPILL_MARGIN = 10;

const lighter = (a: SlotState, b: SlotState): boolean =>
  a.load !== b.load ? a.load < b.load : a.consumers !== b.consumers ? a.consumers < b.consumers : a.index < b.index;

function lightest(slots: readonly SlotState[]): SlotState | null {
  let best: SlotState | null = null;
  for (const s of slots) if (!best || lighter(s, best)) best = s;
  return best;
}

/** The slot index for the room's next peer, or null while no worker is live. */
export function chooseWorker(slots: readonly SlotState[], policy: PlacementPolicy): number | null {
  const live = slots.filter((s) => s.live);
  if (live.length === 0) return null;
  if (policy.spread === 'even') {
    let best: SlotState | null = null;
    for (const s of live) if (!best || s.roomPeers < best.roomPeers || (s.roomPeers === best.roomPeers && lighter(s, best))) best = s;
    return best!.index;
  }
  const used = lightest(live.filter((s) => s.roomRouter));
  if (!used) return lightest(live)!.index;
  if (used.load < policy.softLimit) return used.index;
  const fresh = lightest(live.filter((s) => !s.roomRouter));
  if (fresh && fresh.load <= used.load - SPILL_MARGIN) return fresh.index;
  return used.index;
}
