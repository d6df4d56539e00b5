/**
 * A meeting room: one mediasoup Router on one worker slot, the peers in it,
 * and the Delivery Service of its MLS group (group-delivery.ts). The Room
 * hands out sender indexes, fans notifications out, and tells its registry
 * when it has become empty.
 */
import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import { notification, type NotificationData, type ServerMessage } from '@conclave/protocol';
import type { Logger } from '../logger.js';
import type { WorkerSlot } from '../media/worker-pool.js';
import { GroupDelivery } from './group-delivery.js';
import type { Peer } from './peer.js';

interface RoomEvents {
  empty: [];
  closed: [];
}

export class Room extends EventEmitter<RoomEvents> {
  readonly peers = new Map<string, Peer>();
  /** The Delivery Service of the meeting's MLS group: what the server keeps of the E2EE, in memory only. */
  readonly group = new GroupDelivery((peerId, message) => this.peers.get(peerId)?.send(message));
  private closed = false;
  /** One ActiveSpeakerObserver per router, made when the first microphone arrives. */
  private speakerObserver: Promise<types.ActiveSpeakerObserver | null> | null = null;
  /** Microphone producer id → its peer, for the observer's answers. */
  private readonly micOwners = new Map<string, string>();
  private activeSpeakerId: string | null = null;

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
    if (this.activeSpeakerId) peer.send(notification('activeSpeaker', { peerId: this.activeSpeakerId }));
    this.logger.info({ peerId: peer.id, peers: this.peers.size }, 'peer joined');
  }

  /** Removes and closes the peer, tells the others, and emits `empty` when it was the last. */
  removePeer(peerId: string): void {
    const peer = this.peers.get(peerId);
    if (!peer) return;
    this.peers.delete(peerId);
    peer.close();
    this.broadcast(notification('peerLeft', { peerId }));
    // After peerLeft: a peer that founds the group anew has been told who went first.
    this.group.leave(peerId);
    if (this.activeSpeakerId === peerId) this.setActiveSpeaker(null);
    this.logger.info({ peerId, peers: this.peers.size }, 'peer left');
    if (this.peers.size === 0) this.emit('empty');
  }

  /**
   * Feeds a microphone producer to the room's ActiveSpeakerObserver. Everyone
   * is told who speaks (`activeSpeaker`); when that person's microphone is
   * paused or closed, nobody is.
   */
  async watchSpeaker(producer: types.Producer, peerId: string): Promise<void> {
    this.speakerObserver ??= this.router
      .createActiveSpeakerObserver({ interval: 300 })
      .then((observer) => {
        observer.on('dominantspeaker', ({ producer: speaking }) => {
          const owner = this.micOwners.get(speaking.id);
          if (owner && !speaking.paused) this.setActiveSpeaker(owner);
        });
        return observer;
      })
      .catch((err: unknown) => {
        this.logger.warn({ err }, 'no active speaker detection');
        return null;
      });
    const observer = await this.speakerObserver;
    if (!observer || observer.closed || producer.closed) return;
    this.micOwners.set(producer.id, peerId);
    producer.observer.on('pause', () => {
      if (this.activeSpeakerId === peerId) this.setActiveSpeaker(null);
    });
    producer.observer.once('close', () => {
      this.micOwners.delete(producer.id);
      if (this.activeSpeakerId === peerId) this.setActiveSpeaker(null);
    });
    await observer.addProducer({ producerId: producer.id }).catch(() => undefined);
  }

  private setActiveSpeaker(peerId: string | null): void {
    if (this.closed || this.activeSpeakerId === peerId) return;
    this.activeSpeakerId = peerId;
    this.broadcast(notification('activeSpeaker', { peerId }));
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
    this.group.clear();
    if (!this.router.closed) this.router.close();
    this.logger.info({ reason: reason?.reason ?? 'empty' }, 'room closed');
    this.emit('closed');
  }
}
