/**
 * Logs a kind of event at a bounded rate: the first `burst` events of each
 * interval are logged in full, the rest only counted, and when an interval
 * that dropped some ends, one summary line says how many. A stranger sending
 * thousands of refused upgrades a second thus costs a dozen log lines a
 * minute, not gigabytes of disk.
 */
export interface LogRateLimiterOptions {
  /** Events logged in full per interval. */
  burst: number;
  intervalMs: number;
  /** Writes the summary line for `dropped` events not logged during the interval that just ended. */
  summary: (dropped: number, intervalMs: number) => void;
}

export class LogRateLimiter {
  private windowStart = -Infinity;
  private inWindow = 0;
  private dropped = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: LogRateLimiterOptions) {}

  /** Call for each event: true when this one may be logged in full. */
  allow(): boolean {
    const now = Date.now();
    if (now - this.windowStart >= this.options.intervalMs) {
      this.flush();
      this.windowStart = now;
      this.inWindow = 0;
    }
    this.inWindow += 1;
    if (this.inWindow <= this.options.burst) return true;
    this.dropped += 1;
    if (!this.timer) {
      // The summary is written when the interval ends, even if no event comes after it.
      this.timer = setTimeout(() => this.flush(), this.windowStart + this.options.intervalMs - now);
      this.timer.unref();
    }
    return false;
  }

  /** Writes the summary for events dropped so far, if any (also on shutdown). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.dropped === 0) return;
    const dropped = this.dropped;
    this.dropped = 0;
    this.options.summary(dropped, this.options.intervalMs);
  }
}
