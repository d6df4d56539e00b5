/**
 * Getting back into the meeting after the connection or the media path was
 * lost: a fresh attempt (new ticket, new socket, new transports, new E2EE
 * membership) with a capped backoff for up to two minutes, at once when the
 * browser comes back online, and the end of the call with a clear message
 * when it cannot. The banner shows each attempt and the wait before the next.
 */
import { SignalingError } from '../signaling/signaling-client.js';
import { REJOIN_GIVE_UP_MS, RejoinBackoff } from './rejoin-backoff.js';
import type { CallStatusStore } from './call-status.js';
import { gaveUpText, noticeText } from '../notices/notice-text.js';

/** Time, for the backoff; unit tests give a fake one. */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Refusals a rejoin cannot get past by trying again: the call ends with the server's words. */
const FINAL_ERRORS = new Set(['not_found', 'denied', 'unsupported', 'room_locked', 'wrong_room_password']);

export interface RejoinerOptions {
  clock: Clock;
  random?: () => number;
  /** One attempt: connect and join from scratch; rejects with words to show. */
  attempt: () => Promise<void>;
  /** Drops what is left of the last connection before an attempt. */
  disconnect: () => void;
  /** The call's state: the banner's attempts, and "Reconnected". */
  status: CallStatusStore;
  /** Rejoining did not succeed: end the call with these words. */
  giveUp: (error: string) => void;
  /** The call ended meanwhile (left, or ended by a host): stop trying. */
  isOver: () => boolean;
}

export class Rejoiner {
  rejoins = 0;
  private busy = false;
  private wakeUp: (() => void) | null = null;

  constructor(private readonly options: RejoinerOptions) {}

  get running(): boolean {
    return this.busy;
  }

  /** Starts rejoining (once: a second loss while it runs changes nothing). */
  rejoin(reason: string): void {
    if (this.busy || this.options.isOver()) return;
    void this.run(reason);
  }

  /** Cuts the wait before the next attempt short (back online, or the call is over). */
  wake(): void {
    this.wakeUp?.();
  }

  private async run(reason: string): Promise<void> {
    const { clock, status } = this.options;
    this.busy = true;
    this.rejoins += 1;
    const backoff = new RejoinBackoff(clock.now(), this.options.random);
    let lastError = '';
    let refused = false;
    try {
      for (let step = backoff.next(clock.now()); step; step = backoff.next(clock.now())) {
        this.options.disconnect();
        const { attempt, delayMs } = step;
        status.update({
          phase: 'reconnecting',
          error: reason,
          reconnecting: { cause: 'server', attempt, nextAttemptAt: clock.now() + delayMs },
        });
        await this.sleep(delayMs);
        if (this.options.isOver()) return;
        status.update({ reconnecting: { cause: 'server', attempt, nextAttemptAt: null } });
        try {
          await this.options.attempt();
          status.notify(noticeText.reconnected);
          return;
        } catch (err) {
          if (this.options.isOver()) return;
          lastError = (err as Error).message;
          refused = err instanceof SignalingError && FINAL_ERRORS.has(err.code);
          if (refused) break;
        }
      }
      this.options.giveUp(gaveUpText(reason, lastError, refused, Math.round(REJOIN_GIVE_UP_MS / 60_000)));
    } finally {
      this.busy = false;
      this.wakeUp = null;
    }
  }

  private sleep(ms: number): Promise<void> {
    const { clock } = this.options;
    return new Promise<void>((resolve) => {
      const timer = clock.setTimeout(() => {
        this.wakeUp = null;
        resolve();
      }, ms);
      this.wakeUp = () => {
        clock.clearTimeout(timer);
        this.wakeUp = null;
        resolve();
      };
    });
  }
}
