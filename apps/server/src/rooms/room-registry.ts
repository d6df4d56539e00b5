/**
 * Where rooms live: created on first join, closed when their last peer
 * leaves. A room's media is spread over the workers by room-media.ts; when a
 * worker dies, only the peers on it rebuild their media.
 */
import type { Logger } from '../logger.js';
import type { PlacementPolicy } from '../media/placement.js';
import type { WorkerLoad } from '../media/worker-load.js';
import type { WorkerPool, WorkerSlot } from '../media/worker-pool.js';
import { localHomeKey } from '../media/media-home.js';
import { Room } from './room.js';
import { RoomMedia, type RemoteSites } from './room-media.js';
import type { PipeListen } from '../media/local-media-home.js';

export { NoWorkerError, WORKER_WAIT_MS } from './room-media.js';

export interface RoomRegistryOptions {
  policy?: PlacementPolicy;
  load?: WorkerLoad;
  /** UDP ports for the pipes between a room's workers (CONCLAVE_PIPE_PORT_MIN/MAX). */
  pipePorts?: { min: number; max: number } | null;
  /** Where this node's ends of pipes to other nodes listen (cluster mode). */
  pipeListen?: PipeListen | null;
  /** Told when a room has closed here (cluster mode gives its home back). */
  onRoomClosed?: (roomId: string) => void;
}

export class RoomRegistry {
  private readonly rooms = new Map<string, Room>();
  private readonly policy: PlacementPolicy;
  /** Cluster mode: other nodes' media, for rooms made from now on (set once the bus is up, before anyone joins). */
  remote: RemoteSites | null = null;

  constructor(
    private readonly pool: WorkerPool,
    private readonly logger: Logger,
    private readonly options: RoomRegistryOptions = {},
  ) {
    this.policy = options.policy ?? { spread: 'fill', softLimit: 65 };
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

  /** The open room with this id, creating it if needed (its routers open as peers are placed). */
  async getOrCreate(roomId: string): Promise<Room> {
    const existing = this.rooms.get(roomId);
    if (existing && !existing.isClosed) return existing;
    return this.create(roomId);
  }

  /** Participants in every room here. */
  get peerCount(): number {
    let n = 0;
    for (const room of this.rooms.values()) n += room.peers.size;
    return n;
  }

  /** Consumers on a worker slot, over every room (placement's tie-break). */
  consumersOn(slotIndex: number): number {
    let n = 0;
    for (const room of this.rooms.values()) {
      for (const peer of room.peers.values()) if (peer.home?.slot?.index === slotIndex) n += peer.consumers.size;
    }
    return n;
  }

  /** The server is stopping (a restart, an upgrade): everyone is told to rejoin once it is back. */
  closeAll(): void {
    for (const room of [...this.rooms.values()]) room.close({ reason: 'server-restart', rejoin: true });
  }

  private create(roomId: string): Room {
    const logger = this.logger.child({ roomId });
    const media = new RoomMedia(roomId, {
      pool: this.pool,
      policy: this.policy,
      load: this.options.load,
      consumersOn: (slot) => this.consumersOn(slot),
      pipePorts: this.options.pipePorts,
      pipeListen: this.options.pipeListen,
      remote: this.remote,
      logger,
    });
    const room = new Room(roomId, media, logger);
    this.rooms.set(roomId, room);
    const forget = () => {
      if (this.rooms.get(roomId) !== room) return;
      this.rooms.delete(roomId);
      this.options.onRoomClosed?.(roomId);
    };
    room.once('empty', () => room.close());
    room.once('closed', forget);
    this.logger.info({ roomId }, 'room created');
    return room;
  }

  private onWorkerDied(slot: WorkerSlot): void {
    for (const room of [...this.rooms.values()]) room.resetMediaOn(localHomeKey(slot.index));
  }
}
