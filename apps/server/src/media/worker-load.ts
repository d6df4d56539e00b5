/**
 * How busy each worker is, for placing peers (media/placement.ts): the
 * worker's own CPU time (getResourceUsage), sampled every second and
 * smoothed, plus a reservation for each peer placed since the last sample.
 * The reservation keeps a burst of joins from all landing on the worker that
 * looked idle a moment ago (the health monitor's 5-s samples are too slow
 * for that).
 */
import type { WorkerPool } from './worker-pool.js';

/** CPU points (percent of one core) a freshly placed peer is assumed to cost until the next sample shows it. */
export const PEER_RESERVATION = 1;
/** Weight of the newest sample in the smoothed load. */
const SMOOTHING = 0.5;

interface SlotLoad {
  /** Smoothed CPU percent of one core. */
  cpu: number;
  /** Peers placed since the last sample. */
  reserved: number;
  last: { at: number; cpuMs: number; pid: number } | null;
}

export class WorkerLoad {
  private readonly slots: SlotLoad[];
  private timer: NodeJS.Timeout | null = null;
  private sampling = false;

  constructor(
    private readonly pool: Pick<WorkerPool, 'slots'>,
    private readonly intervalMs = 1000,
  ) {
    this.slots = pool.slots.map(() => ({ cpu: 0, reserved: 0, last: null }));
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** CPU percent of one core of the slot's worker, smoothed, with reservations. */
  load(index: number): number {
    const s = this.slots[index];
    return s ? s.cpu + s.reserved * PEER_RESERVATION : 0;
  }

  /** A peer was just placed on the slot. */
  reserve(index: number): void {
    const s = this.slots[index];
    if (s) s.reserved += 1;
  }

  /** Reads every worker's CPU time once (also called by tests and benchmarks instead of waiting for the timer). */
  async sample(): Promise<void> {
    if (this.sampling) return;
    this.sampling = true;
    try {
      await Promise.all(
        this.pool.slots.map(async (slot, i) => {
          const s = this.slots[i]!;
          const worker = slot.worker;
          if (!worker || worker.died || worker.closed) {
            s.cpu = 0;
            s.reserved = 0;
            s.last = null;
            return;
          }
          const usage = await worker.getResourceUsage().catch(() => null);
          if (!usage) return;
          const at = performance.now();
          const cpuMs = usage.ru_utime + usage.ru_stime;
          // A replacement worker starts its own count: its first sample only sets the baseline.
          if (s.last && s.last.pid === worker.pid && at > s.last.at) {
            const now = Math.max(0, ((cpuMs - s.last.cpuMs) / (at - s.last.at)) * 100);
            s.cpu = SMOOTHING * now + (1 - SMOOTHING) * s.cpu;
            s.reserved = 0;
          }
          s.last = { at, cpuMs, pid: worker.pid };
        }),
      );
    } finally {
      this.sampling = false;
    }
  }
}
