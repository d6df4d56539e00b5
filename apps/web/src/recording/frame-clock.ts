/**
 * Calls `onTick` up to `fps` times a second, also while the tab is in the
 * background: the ticks come from a Worker (see frame-clock-worker.ts), or
 * from page timers where no Worker can be started. The next tick is asked
 * for only once `onTick` has returned, so a slow page never builds a queue.
 */
export class FrameClock {
  private worker: Worker | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private readonly interval: number;

  constructor(
    fps: number,
    private readonly onTick: () => void,
  ) {
    this.interval = Math.round(1000 / fps);
    try {
      const worker = new Worker(new URL('./frame-clock-worker.ts', import.meta.url), { type: 'module', name: 'conclave-recording-clock' });
      worker.onmessage = () => {
        this.run();
        if (this.worker === worker) worker.postMessage('done');
      };
      worker.onerror = () => {
        // The Worker could not start (or died): carry on with the page's timers.
        worker.terminate();
        if (this.worker === worker) this.worker = null;
        this.fallback();
      };
      worker.postMessage({ interval: this.interval });
      this.worker = worker;
    } catch {
      this.fallback();
    }
  }

  stop(): void {
    this.stopped = true;
    this.worker?.terminate();
    this.worker = null;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private run(): void {
    if (this.stopped) return;
    try {
      this.onTick();
    } catch (err) {
      console.warn('conclave: recording frame failed', err);
    }
  }

  private fallback(): void {
    if (this.stopped || this.timer !== null) return;
    const loop = () => {
      const started = performance.now();
      this.run();
      if (this.stopped) return;
      this.timer = setTimeout(loop, Math.max(8, this.interval - (performance.now() - started)));
    };
    this.timer = setTimeout(loop, this.interval);
  }
}
