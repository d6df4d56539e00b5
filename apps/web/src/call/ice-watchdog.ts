/**
 * Watches one transport's connection state and repairs the media path the
 * way meeting apps do: a short "disconnected" blip is left to heal by itself;
 * if it lasts, or the state turns "failed", the ICE session is restarted
 * (new credentials, fresh candidate checks) over the still-open signaling
 * connection, and again every few seconds while media stays down (checks made
 * while the path was still broken are not retried by the browser); if that
 * cannot be done, or does not bring media back in time, the call is rejoined
 * from scratch.
 */

export type TransportConnectionState = 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';

/** How long "disconnected" may last before an ICE restart. */
export const DISCONNECTED_GRACE_MS = 2500;
/** How long ICE restarts may take to reconnect before the call is rejoined instead. */
export const ICE_RESTART_TIMEOUT_MS = 10_000;
/** While media stays down, ICE is restarted again this often. */
export const ICE_RESTART_RETRY_MS = 2500;

export interface IceWatchdogOptions {
  /** Restarts ICE (asks the server for new ICE parameters, hands them to the transport); rejects if it cannot. */
  restart: () => Promise<void>;
  /** The media path could not be repaired: rejoin the call. */
  giveUp: (why: string) => void;
  /** true once a restart begins (media is down), false once the transport is connected again. */
  onRecovering: (recovering: boolean) => void;
  graceMs?: number;
  restartTimeoutMs?: number;
  retryMs?: number;
}

export class IceWatchdog {
  private graceTimer: ReturnType<typeof setTimeout> | null = null;
  private deadline: ReturnType<typeof setTimeout> | null = null;
  private retryTimer: ReturnType<typeof setInterval> | null = null;
  private restartInFlight = false;
  private recovering = false;
  private disposed = false;
  private readonly graceMs: number;
  private readonly restartTimeoutMs: number;
  private readonly retryMs: number;

  constructor(private readonly options: IceWatchdogOptions) {
    this.graceMs = options.graceMs ?? DISCONNECTED_GRACE_MS;
    this.restartTimeoutMs = options.restartTimeoutMs ?? ICE_RESTART_TIMEOUT_MS;
    this.retryMs = options.retryMs ?? ICE_RESTART_RETRY_MS;
    if (!(this.graceMs >= 0) || !(this.restartTimeoutMs > 0) || !(this.retryMs > 0)) {
      throw new RangeError(
        `IceWatchdog: bad timing (grace ${this.graceMs} ms, restart timeout ${this.restartTimeoutMs} ms, retry ${this.retryMs} ms)`,
      );
    }
  }

  /** Whether an ICE restart is under way (media is down). */
  get isRecovering(): boolean {
    return this.recovering;
  }

  onState(state: TransportConnectionState): void {
    if (this.disposed) return;
    switch (state) {
      case 'connected':
        this.clearTimers();
        if (this.recovering) {
          this.recovering = false;
          this.options.onRecovering(false);
        }
        return;
      case 'disconnected':
        if (!this.recovering && !this.graceTimer) this.graceTimer = setTimeout(() => this.startRestart(), this.graceMs);
        return;
      case 'failed':
        // While recovering, the next retry (or the deadline) deals with it.
        if (!this.recovering) this.startRestart();
        return;
      case 'closed':
        this.dispose();
        return;
      default:
        return; // new, connecting: ICE is working on it
    }
  }

  /** Stops watching (the transport is closed, or the call is being rejoined). */
  dispose(): void {
    this.disposed = true;
    this.clearTimers();
    if (this.recovering) {
      this.recovering = false;
      this.options.onRecovering(false);
    }
  }

  private startRestart(): void {
    if (this.disposed) return;
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = null;
    this.recovering = true;
    this.options.onRecovering(true);
    this.deadline = setTimeout(() => this.fail('the media connection did not come back after ICE restarts'), this.restartTimeoutMs);
    this.retryTimer = setInterval(() => this.restartOnce(), this.retryMs);
    this.restartOnce();
  }

  private restartOnce(): void {
    if (this.restartInFlight || this.disposed) return;
    this.restartInFlight = true;
    this.options.restart().then(
      () => (this.restartInFlight = false),
      (err: unknown) => {
        this.restartInFlight = false;
        this.fail(`could not restart ICE (${(err as Error).message})`);
      },
    );
  }

  private fail(why: string): void {
    if (this.disposed || !this.recovering) return;
    this.dispose();
    this.options.giveUp(why);
  }

  private clearTimers(): void {
    if (this.graceTimer) clearTimeout(this.graceTimer);
    if (this.deadline) clearTimeout(this.deadline);
    if (this.retryTimer) clearInterval(this.retryTimer);
    this.graceTimer = null;
    this.deadline = null;
    this.retryTimer = null;
  }
}
