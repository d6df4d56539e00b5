/**
 * When to try rejoining after the connection to the meeting server is lost:
 * soon at first, then less often (capped, so a server that comes back is
 * found within seconds), with a little jitter so that a whole room does not
 * knock at the same instant after a server restart, and giving up after a
 * while with a clear message rather than trying forever.
 */

/**
 * The waits before attempts 1, 2, 3…; later attempts wait the last one. About
 * one a second for the first seconds: a server restarting (a few seconds) is
 * found within about a second of being back, which keeps "back in the room
 * within 10 s" with room to spare. A failed attempt against a server that is
 * down costs it one refused connection.
 */
export const REJOIN_DELAYS_MS = [250, 500, 1000, 1000, 1000, 1000, 1500, 2000, 3000, 4000, 5000] as const;
/** No attempt starts later than this after the connection was lost. */
export const REJOIN_GIVE_UP_MS = 120_000;
/** ± this fraction of each wait, at random. */
const JITTER = 0.2;

export interface RejoinStep {
  /** 1 for the first attempt. */
  attempt: number;
  delayMs: number;
}

export class RejoinBackoff {
  private attempts = 0;

  /**
   * @param startedAt when the connection was lost (ms, same clock as `next`'s `now`)
   * @param random a source of numbers in [0, 1), for the jitter
   */
  constructor(
    private readonly startedAt: number,
    private readonly random: () => number = Math.random,
    private readonly giveUpMs: number = REJOIN_GIVE_UP_MS,
  ) {
    if (!Number.isFinite(startedAt)) throw new RangeError(`RejoinBackoff: startedAt must be a finite time, not ${startedAt}`);
    if (!(giveUpMs > 0)) throw new RangeError(`RejoinBackoff: giveUpMs must be positive, not ${giveUpMs}`);
  }

  /** The next attempt and how long to wait before it, or null once the time for trying is up. */
  next(now: number): RejoinStep | null {
    const base = REJOIN_DELAYS_MS[Math.min(this.attempts, REJOIN_DELAYS_MS.length - 1)]!;
    const r = this.random();
    if (!(r >= 0 && r < 1)) throw new RangeError(`RejoinBackoff: random() must return a number in [0, 1), not ${r}`);
    const delayMs = Math.round(base * (1 - JITTER + 2 * JITTER * r));
    if (now + delayMs - this.startedAt > this.giveUpMs) return null;
    this.attempts += 1;
    return { attempt: this.attempts, delayMs };
  }
}
