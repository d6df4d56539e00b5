/**
 * The mediasoup Workers: one per configured slot, each with a WebRtcServer on
 * its own fixed UDP+TCP port (CONCLAVE_RTC_PORT + slot index), so a firewall
 * needs only a small fixed range.
 *
 * A Worker that dies is replaced in the same slot (same port) after its
 * routers are gone; the pool emits `workerDied` first so the rooms that lived
 * on it can tell their peers to rejoin. Those peers come straight back, often
 * before the replacement is up: `waitForWorker` lets their joins wait for it
 * rather than fail.
 */
import { EventEmitter } from 'node:events';
import { createWorker, type types } from 'mediasoup';
import type { Logger } from '../logger.js';

export interface WorkerPoolOptions {
  size: number;
  rtcPort: number;
  listenIp: string;
  announcedAddress: string;
  logger: Logger;
  /** Delay between attempts to restart a dead worker (its port may take a moment to free). */
  restartDelayMs?: number;
}

/** One Worker and its WebRtcServer. `worker` is replaced when it dies; the slot stays. */
export interface WorkerSlot {
  readonly index: number;
  readonly port: number;
  worker: types.Worker | null;
  webRtcServer: types.WebRtcServer | null;
  /** Rooms placed on this slot now; used to spread new rooms. */
  routerCount: number;
}

interface WorkerPoolEvents {
  workerDied: [slot: WorkerSlot, error: Error];
  workerReady: [slot: WorkerSlot];
}

export class WorkerPool extends EventEmitter<WorkerPoolEvents> {
  readonly slots: WorkerSlot[];
  private closed = false;
  private readonly restartDelayMs: number;

  private constructor(private readonly options: WorkerPoolOptions) {
    super();
    this.restartDelayMs = options.restartDelayMs ?? 500;
    this.slots = Array.from({ length: options.size }, (_, index) => ({
      index,
      port: options.rtcPort + index,
      worker: null,
      webRtcServer: null,
      routerCount: 0,
    }));
  }

  /** Starts every worker; rejects (after closing what started) if any cannot start. */
  static async start(options: WorkerPoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(options);
    try {
      await Promise.all(pool.slots.map((slot) => pool.startSlot(slot)));
    } catch (err) {
      pool.close();
      throw err;
    }
    return pool;
  }

  /** True when every slot has a live worker. */
  get ready(): boolean {
    return !this.closed && this.slots.every((s) => s.worker !== null && !s.worker.died);
  }

  /** The live slot with the fewest rooms, or null while none is up. */
  pick(): WorkerSlot | null {
    let best: WorkerSlot | null = null;
    for (const slot of this.slots) {
      if (!slot.worker || slot.worker.died || !slot.webRtcServer) continue;
      if (!best || slot.routerCount < best.routerCount) best = slot;
    }
    return best;
  }

  /**
   * A live slot as soon as there is one: now, or when a replacement worker
   * comes up within `timeoutMs`; null if none does (or the pool closes).
   */
  async waitForWorker(timeoutMs: number): Promise<WorkerSlot | null> {
    const now = this.pick();
    if (now || this.closed) return now;
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.off('workerReady', done);
        resolve(this.closed ? null : this.pick());
      };
      const timer = setTimeout(done, timeoutMs);
      timer.unref();
      this.on('workerReady', done);
    });
  }

  close(): void {
    this.closed = true;
    for (const slot of this.slots) {
      slot.worker?.close();
      slot.worker = null;
      slot.webRtcServer = null;
    }
  }

  private async startSlot(slot: WorkerSlot): Promise<void> {
    const { logger } = this.options;
    const worker = await createWorker({
      logLevel: 'warn',
      logTags: ['ice', 'dtls', 'srtp'],
      appData: { slot: slot.index },
    });
    try {
      const listen = (protocol: 'udp' | 'tcp'): types.TransportListenInfo => ({
        protocol,
        ip: this.options.listenIp,
        announcedAddress: this.options.announcedAddress,
        port: slot.port,
      });
      const webRtcServer = await worker.createWebRtcServer({ listenInfos: [listen('udp'), listen('tcp')] });
      slot.worker = worker;
      slot.webRtcServer = webRtcServer;
      slot.routerCount = 0;
    } catch (err) {
      worker.close();
      // eslint-disable-next-line preserve-caught-error -- the message carries the cause's already; a cause would repeat it in the log line
      throw new Error(`cannot listen for media on UDP/TCP port ${slot.port}: ${(err as Error).message}`);
    }
    worker.on('died', (error) => this.onDied(slot, worker, error));
    logger.info({ slot: slot.index, pid: worker.pid, port: slot.port }, 'mediasoup worker up');
    this.emit('workerReady', slot);
  }

  private onDied(slot: WorkerSlot, worker: types.Worker, error: Error): void {
    if (slot.worker !== worker) return;
    this.options.logger.error({ slot: slot.index, pid: worker.pid, err: error }, 'mediasoup worker died; replacing it');
    slot.worker = null;
    slot.webRtcServer = null;
    slot.routerCount = 0;
    this.emit('workerDied', slot, error);
    void this.restart(slot);
  }

  private async restart(slot: WorkerSlot, attempt = 1): Promise<void> {
    if (this.closed) return;
    await new Promise((r) => setTimeout(r, this.restartDelayMs));
    if (this.closed) return;
    try {
      await this.startSlot(slot);
    } catch (err) {
      this.options.logger.error({ slot: slot.index, attempt, err }, 'mediasoup worker restart failed; retrying');
      void this.restart(slot, attempt + 1);
    }
  }
}
