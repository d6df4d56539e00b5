/**
 * Where rooms live: created on first join (on the least-loaded worker),
 * closed when their last peer leaves, and ended with a rejoin hint when
 * their worker dies.
 */
import type { Logger } from '../logger.js';
import { mediaCodecs } from '../media/media-codecs.js';
import type { WorkerPool, WorkerSlot } from '../media/worker-pool.js';
import { Room } from './room.js';

/**
 * How long a join waits for a media worker while a dead one is replaced
 * (about half a second to a second here) before it is refused.
 */
export const WORKER_WAIT_MS = 5_000;

export class NoWorkerError extends Error {
  constructor() {
    super('no media worker is available right now');
  }
}

export class RoomRegistry {
  private readonly rooms = new Map<string, Room>();
  private readonly creating = new Map<string, Promise<Room>>();

  constructor(
    private readonly pool: WorkerPool,
    private readonly logger: Logger,
  ) {
    pool.on('workerDied', (slot) => this.onWorkerDied(slot));
  }

  get size(): number {
    return this.rooms.size;
  }

  get(roomId: string): Room | undefined {
    return this.rooms.get(roomId);
  }

  all(): IterableIterator<Room> {
    return this.rooms.values();
  }

  /** The open room with this id, creating it if needed. Concurrent callers share one creation. */
  async getOrCreate(roomId: string): Promise<Room> {
    const existing = this.rooms.get(roomId);
    if (existing && !existing.isClosed) return existing;
    const pending = this.creating.get(roomId);
    if (pending) return pending;
    const creation = this.create(roomId).finally(() => this.creating.delete(roomId));
    this.creating.set(roomId, creation);
    return creation;
  }

  /** The server is stopping (a restart, an upgrade): everyone is told to rejoin once it is back. */
  closeAll(): void {
    for (const room of [...this.rooms.values()]) room.close({ reason: 'server-restart', rejoin: true });
  }

  private async create(roomId: string): Promise<Room> {
    // After a worker death its rooms' members rejoin at once, usually before the replacement is up.
    const slot = await this.pool.waitForWorker(WORKER_WAIT_MS);
    if (!slot?.worker) throw new NoWorkerError();
    const router = await slot.worker.createRouter({ mediaCodecs, appData: { roomId } });
    const room = new Room(roomId, router, slot, this.logger.child({ roomId }));
    this.rooms.set(roomId, room);
    const forget = () => {
      if (this.rooms.get(roomId) === room) this.rooms.delete(roomId);
    };
    room.once('empty', () => room.close());
    room.once('closed', forget);
    this.logger.info({ roomId, slot: slot.index }, 'room created');
    return room;
  }

  private onWorkerDied(slot: WorkerSlot): void {
    for (const room of [...this.rooms.values()]) {
      if (room.slot === slot) room.close({ reason: 'media-restarted', rejoin: true });
    }
  }
}
