/**
 * A meeting room: the peers in it, its media plane on this server
 * (room-media.ts: a router on each worker it uses, and the pipes between
 * them), and the Delivery Service of its MLS group (group-delivery.ts). The
 * Room hands out sender indexes, fans notifications out, tells its registry
 * when it has become empty, and keeps its peers in the meeting when a worker
 * under some of them dies (they rebuild their media; nobody rekeys).
 */
import { EventEmitter } from 'node:events';
import { notification, type NotificationData, type ServerMessage } from '@conclave/protocol';
import type { Logger } from '../logger.js';
import { GroupDelivery } from './group-delivery.js';
import type { Peer, PeerProducer } from './peer.js';
import type { MediaHome, RoomMedia } from './room-media.js';

interface RoomEvents {
  empty: [];
  closed: [];
}

export class Room extends EventEmitter<RoomEvents> {
  readonly peers = new Map<string, Peer>();
  /** The Delivery Service of the meeting's MLS group: what the server keeps of the E2EE, in memory only. */
  readonly group = new GroupDelivery((peerId, message) => this.peers.get(peerId)?.send(message));
  private closed = false;
  /** Where peers who left had their media (peer id → home key), for their return after a drop: the last 200. */
  private readonly formerHomes = new Map<string, string>();
  /** Microphone producer id → its peer, for the observer's answers. */
  private readonly micOwners = new Map<string, string>();
  private activeSpeakerId: string | null = null;

  constructor(
    readonly id: string,
    readonly media: RoomMedia,
    readonly logger: Logger,
  ) {
    super();
    media.onDominantSpeaker = (producerId) => {
      const owner = this.micOwners.get(producerId);
      if (owner) this.setActiveSpeaker(owner);
    };
    media.onHomeLost = (homeKey) => this.resetMediaOn(homeKey, 'node-lost');
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
    if (peer.home) {
      this.formerHomes.set(peerId, peer.home.key);
      if (this.formerHomes.size > 200) this.formerHomes.delete(this.formerHomes.keys().next().value!);
      this.media.release(peer.home);
    }
    peer.home = null;
    this.broadcast(notification('peerLeft', { peerId }));
    // After peerLeft: a peer that founds the group anew has been told who went first.
    this.group.leave(peerId);
    if (this.activeSpeakerId === peerId) this.setActiveSpeaker(null);
    this.logger.info({ peerId, peers: this.peers.size }, 'peer left');
    if (this.peers.size === 0) this.emit('empty');
  }

  /** Where a peer that left had its media (a worker here, or a node), if the room remembers. */
  formerHomeOf(peerId: string | null): string | null {
    return peerId === null ? null : (this.formerHomes.get(peerId) ?? null);
  }

  /**
   * Where the peer's transports go: its home, or a new placement when it has
   * none (its worker died). Concurrent callers share one placement.
   */
  async homeOf(peer: Peer): Promise<MediaHome> {
    if (peer.home) return peer.home;
    peer.placing ??= this.media
      .place()
      .then((home) => {
        if (peer.isClosed || this.peers.get(peer.id) !== peer) {
          this.media.release(home);
          throw new Error('left the room');
        }
        peer.home = home;
        return home;
      })
      .finally(() => (peer.placing = null));
    return peer.placing;
  }

  /**
   * The worker under a home died (`w:<slot>`: a worker of this node; `n:<node>`:
   * the room's router on another node, whose worker or whole node died). Its
   * peers stay in the meeting (same peer id, sender index and MLS membership:
   * no rekey) and are told to rebuild their media; everyone else's media goes
   * on. Their producers went with the worker: the others were told by
   * consumerClosed. Returns how many peers were reset.
   */
  resetMediaOn(homeKey: string, why: 'worker-died' | 'node-lost' = 'worker-died'): number {
    let reset = 0;
    for (const peer of this.peers.values()) {
      if (peer.home?.key !== homeKey) continue;
      this.media.release(peer.home);
      peer.dropMedia();
      if (this.activeSpeakerId === peer.id) this.setActiveSpeaker(null);
      peer.send(notification('mediaReset', { reason: 'worker-restarted' }));
      reset += 1;
    }
    if (reset > 0)
      this.logger.warn(
        { home: homeKey, peers: reset },
        why === 'node-lost'
          ? 'media on another node lost: its peers rebuild their media'
          : 'media worker died: its peers rebuild their media',
      );
    return reset;
  }

  /**
   * Feeds a microphone producer to the room's ActiveSpeakerObserver. Everyone
   * is told who speaks (`activeSpeaker`); when that person's microphone is
   * paused or closed, nobody is.
   */
  async watchSpeaker(producer: PeerProducer, peerId: string): Promise<void> {
    if (producer.closed) return;
    this.micOwners.set(producer.id, peerId);
    producer.observer.on('pause', () => {
      if (this.activeSpeakerId === peerId) this.setActiveSpeaker(null);
    });
    producer.observer.once('close', () => {
      this.micOwners.delete(producer.id);
      if (this.activeSpeakerId === peerId) this.setActiveSpeaker(null);
    });
    await this.media.watchMic(producer.id);
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
    this.media.close();
    this.logger.info({ reason: reason?.reason ?? 'empty' }, 'room closed');
    this.emit('closed');
  }
}
