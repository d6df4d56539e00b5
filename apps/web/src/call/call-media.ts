/**
 * The call's media for one meeting, across rejoins: the publisher (own
 * tracks) and subscriber (everyone else's) for the whole call, and a new
 * MediaConnection (device and transports) for each signaling connection.
 * The Meeting drives it; it knows nothing of tickets, lobbies or keys.
 */
import type { JoinAnswer, TileView } from '@conclave/protocol';
import type { TrackSource } from '../media/local-media.js';
import type { Signaling } from '../signaling/signaling-port.js';
import { MediaConnection, type MediaConnectionEvents } from './media-connection.js';
import type { CreateDevice } from './media-device.js';
import type { MediaTransforms } from './media-transforms.js';
import type { QualityTotals } from './network-quality.js';
import { Publisher } from './publisher.js';
import type { PeerReceiveStats, SendReading } from './receive-stats.js';
import { Subscriber } from './subscriber.js';

export interface CallMediaOptions {
  stream: MediaStream;
  tracks: TrackSource;
  createDevice: CreateDevice;
  transforms?: MediaTransforms | undefined;
  notify: (text: string) => void;
}

export class CallMedia {
  readonly publisher: Publisher;
  readonly subscriber: Subscriber;
  private connection: MediaConnection | null = null;
  private signaling: Signaling | null = null;
  /** ICE restarts over the whole call, for window.conclave.recovery. */
  iceRestarts = 0;
  /** Media rebuilt on the same connection after the server's media worker died (mediaReset). */
  mediaResets = 0;

  constructor(private readonly options: CallMediaOptions) {
    this.publisher = new Publisher(options.stream, { tracks: options.tracks, transforms: options.transforms, notify: options.notify });
    this.subscriber = new Subscriber({ transforms: options.transforms, notify: options.notify });
  }

  /** A new signaling connection, before its join request: remote media notifications are heard from now on. */
  listen(signaling: Signaling): void {
    this.signaling = signaling;
    this.subscriber.listen(signaling);
  }

  /** The join answer: who is here, then a device and transports for this connection. */
  async connect(joined: JoinAnswer, events: Omit<MediaConnectionEvents, 'onIceRestart'>): Promise<void> {
    const signaling = this.signaling;
    if (!signaling) throw new Error('CallMedia.connect before listen');
    // Known at once, so that their producerAdded and peerLeft, which may come while the transports are being
    // made (everyone rejoins at once after a server restart), are not lost; their media is consumed in receive().
    this.subscriber.addPeers(joined.peers);
    this.connection = await MediaConnection.open(joined, {
      ...events,
      onIceRestart: () => (this.iceRestarts += 1),
      signaling,
      createDevice: this.options.createDevice,
      peerConnectionSettings: this.options.transforms?.peerConnectionSettings,
    });
  }

  /**
   * The server dropped this connection's media (its media worker died:
   * mediaReset) but we are still in the meeting, with the same keys: new
   * transports, then our tracks sent and everyone's media received again.
   * No rejoin, no rekey.
   */
  async rebuild(joined: JoinAnswer, events: Omit<MediaConnectionEvents, 'onIceRestart'>): Promise<void> {
    const signaling = this.signaling;
    if (!signaling) throw new Error('CallMedia.rebuild without a connection');
    this.connection?.close();
    this.connection = null;
    this.publisher.detach();
    this.subscriber.dropMedia();
    this.mediaResets += 1;
    const connection = await MediaConnection.open(joined, {
      ...events,
      onIceRestart: () => (this.iceRestarts += 1),
      signaling,
      createDevice: this.options.createDevice,
      peerConnectionSettings: this.options.transforms?.peerConnectionSettings,
    });
    // The connection went while the transports were being made (a rejoin started): they go with it.
    if (this.signaling !== signaling) return connection.close();
    this.connection = connection;
    await this.publish();
    await this.receive();
  }

  /** Sends this participant's tracks on the connection. */
  async publish(): Promise<void> {
    const { connection, signaling } = this;
    if (connection && signaling) await this.publisher.attach({ signaling, device: connection.device, transport: connection.send });
  }

  /** Receives everyone's media on the connection. */
  async receive(): Promise<void> {
    const connection = this.connection;
    if (connection) await this.subscriber.receiveOn(connection.device, connection.recv);
  }

  /** The connection is gone (a rejoin follows, or the call ends): its transports close, the tracks stay. */
  disconnect(): void {
    this.connection?.close();
    this.connection = null;
    this.publisher.detach();
    this.subscriber.reset();
    this.signaling = null;
  }

  /** The call is over: the tracks stop too. */
  stop(): void {
    this.disconnect();
    this.publisher.stop();
  }

  /** Tells the server how this client shows the videos it receives (see tile-views.ts). */
  reportViews(views: TileView[]): void {
    if (views.length === 0 || !this.connection) return;
    this.signaling?.request('setViews', { views }).catch(() => undefined);
  }

  /** The transports' states, for window.conclave.recovery. */
  get transportStates(): { send: string | null; recv: string | null } {
    return this.connection?.states ?? { send: null, recv: null };
  }

  stats(): Promise<PeerReceiveStats[]> {
    return this.subscriber.stats();
  }

  qualityTotals(): Promise<Array<{ peerId: string; totals: QualityTotals }>> {
    return this.subscriber.qualityTotals();
  }

  async sendReading(): Promise<SendReading | null> {
    return (await this.connection?.sendReading()) ?? null;
  }
}
