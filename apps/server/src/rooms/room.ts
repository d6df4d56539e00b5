/**
 * A meeting room: one mediasoup Router on one worker slot, and the peers in
 * it. The Room hands out sender indexes, fans notifications out, and tells
 * its registry when it has become empty.
 */
import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import { notification, type NotificationData, type ServerMessage } from '@conclave/protocol';
import type { Logger } from '../logger.js';
import type { WorkerSlot } from '../media/worker-pool.js';
import type { Peer } from './peer.js';

interface RoomEvents {
  empty: [];
  closed: [];
}

export class Room extends EventEmitter<RoomEvents> {
  readonly peers = new Map<string, Peer>();
  private closed = false;

  constructor(
    readonly id: string,
    readonly router: types.Router,
    readonly slot: WorkerSlot,
    readonly logger: Logger,
  ) {
    super();
    slot.routerCount += 1;
    router.observer.once('close', () => {
      slot.routerCount = Math.max(0, slot.routerCount - 1);
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** The smallest sender index no current peer holds. */
  nextSenderIndex(): number {
    const used = new Set([...this.peers.values()].map((p) => p.senderIndex));
    let i = 0;
    while (used.has(i)) i += 1;
    return i;
  }

  addPeer(peer: Peer): void {
    this.broadcast(notification('peerJoined', peer.info()), peer.id);
    this.peers.set(peer.id, peer);
    this.logger.info({ peerId: peer.id, peers: this.peers.size }, 'peer joined');
  }

  /** Removes and closes the peer, tells the others, and emits `empty` when it was the last. */
  removePeer(peerId: string): void {
    const peer = this.peers.get(peerId);
    if (!peer) return;
    this.peers.delete(peerId);
    peer.close();
    this.broadcast(notification('peerLeft', { peerId }));
    this.logger.info({ peerId, peers: this.peers.size }, 'peer left');
    if (this.peers.size === 0) this.emit('empty');
  }

  /** Sends to the hosts in the room only. */
  toHosts(message: ServerMessage): void {
    for (const peer of this.peers.values()) if (peer.role === 'host') peer.send(message);
  }

  broadcast(message: ServerMessage, exceptPeerId?: string): void {
    for (const peer of this.peers.values()) if (peer.id !== exceptPeerId) peer.send(message);
  }

  /**
   * Ends the room: each remaining peer is told why (when a reason is given),
   * then all media is closed and the router released.
   */
  close(reason?: NotificationData<'roomClosed'>): void {
    if (this.closed) return;
    this.closed = true;
    const message = reason ? notification('roomClosed', reason) : null;
    for (const peer of this.peers.values()) {
      if (message) peer.send(message);
      peer.close();
    }
    this.peers.clear();
    if (!this.router.closed) this.router.close();
    this.logger.info({ reason: reason?.reason ?? 'empty' }, 'room closed');
    this.emit('closed');
  }
}
