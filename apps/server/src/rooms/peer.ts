/**
 * A participant in a room: who they are, how to reach their connection, and
 * the mediasoup objects they own. Closing a Peer closes its transports, which
 * closes its producers and consumers (and, through mediasoup, everyone else's
 * consumers of its producers).
 */
import type { E2eeStatus, ParticipantRole, PeerInfo, ServerMessage, TransportDirection } from '@conclave/protocol';
import { ConsumerViews, type ViewLog } from '../media/consumer-views.js';
import type { PeerConsumer, PeerProducer, PeerTransport } from '../media/media-objects.js';
import type { MediaHome } from './room-media.js';

export type { ConsumerData, PeerConsumer, PeerProducer, PeerTransport, PeerTransportData, ProducerData } from '../media/media-objects.js';

export class Peer {
  readonly transports = new Map<string, PeerTransport>();
  readonly producers = new Map<string, PeerProducer>();
  readonly consumers = new Map<string, PeerConsumer>();
  /** How this peer shows the videos it consumes, steering their layers and pausing unseen ones. */
  readonly views: ConsumerViews;
  /**
   * The worker and router this peer's transports live on; null after its
   * worker died, until it makes a transport again (room.ts rehomes it).
   */
  home: MediaHome | null;
  /** A placement under way for this peer (see Room.homeOf). */
  placing: Promise<MediaHome> | null = null;
  /** Encryption as the peer's own client reports it (for the admin page). */
  e2ee: E2eeStatus | 'unknown' = 'unknown';
  /** The peer says it is recording the meeting in its own browser (told to everyone, shown on its tile). */
  recording = false;
  readonly joinedAt = new Date();
  readonly id: string;
  readonly displayName: string;
  readonly senderIndex: number;
  readonly role: ParticipantRole;
  /** Who this is in words for logs and the audit trail ("Ada", or "Ada (admin)"). */
  readonly account: string | null;
  readonly ip: string;
  private readonly sendFn: (message: ServerMessage) => void;
  private readonly disconnectFn: () => void;
  private closed = false;

  constructor(o: {
    id: string;
    displayName: string;
    senderIndex: number;
    role: ParticipantRole;
    account?: string | null;
    ip?: string;
    send: (message: ServerMessage) => void;
    disconnect?: () => void;
    /** Where steering this peer's consumers to its tile views is reported. */
    log?: ViewLog;
    /** Where its media goes (a placement the room made for it); none yet if omitted. */
    home?: MediaHome | null;
  }) {
    this.home = o.home ?? null;
    this.id = o.id;
    this.displayName = o.displayName;
    this.senderIndex = o.senderIndex;
    this.role = o.role;
    this.account = o.account ?? null;
    this.ip = o.ip ?? '';
    this.sendFn = o.send;
    this.disconnectFn = o.disconnect ?? (() => undefined);
    this.views = new ConsumerViews((m) => this.send(m), o.log);
  }

  /** Closes the peer's signaling connection (after it has been told why). */
  disconnect(): void {
    this.disconnectFn();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  send(message: ServerMessage): void {
    if (!this.closed) this.sendFn(message);
  }

  /** The transport of the given direction this peer created last, if any. */
  transportFor(direction: TransportDirection): PeerTransport | undefined {
    let found: PeerTransport | undefined;
    for (const t of this.transports.values()) if (t.appData.direction === direction) found = t;
    return found;
  }

  info(): PeerInfo {
    return {
      peerId: this.id,
      displayName: this.displayName,
      role: this.role,
      senderIndex: this.senderIndex,
      producers: [...this.producers.values()].map((p) => ({
        producerId: p.id,
        kind: p.kind,
        source: p.appData.source,
        paused: p.paused,
      })),
      recording: this.recording,
    };
  }

  /**
   * Its media is gone (its worker died): the transports, producers and
   * consumers are forgotten, the peer stays in the room with its identity
   * and keys, and makes new transports on the worker it is placed on next.
   */
  dropMedia(): void {
    for (const transport of this.transports.values()) if (!transport.closed) transport.close();
    this.transports.clear();
    this.producers.clear();
    this.consumers.clear();
    this.home = null;
  }

  /** Idempotent. Closes every transport (and so every producer and consumer). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const transport of this.transports.values()) transport.close();
    this.transports.clear();
    this.producers.clear();
    this.consumers.clear();
  }
}
