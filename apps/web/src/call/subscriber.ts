/**
 * Everyone else's media: the remote participants the server announces, a
 * consumer for each of their producers on the current receive transport,
 * the simulcast layer each video gets, and the participant list the tiles
 * are drawn from. A rejoin starts it afresh (the server has new ids).
 */
import type { MediaSource, NotificationData, PeerInfo, ProducerInfo } from '@conclave/protocol';
import { noticeText } from '../notices/notice-text.js';
import { SignalingError } from '../signaling/signaling-client.js';
import type { Signaling } from '../signaling/signaling-port.js';
import { Store } from '../state/store.js';
import type { RemoteParticipant } from './call-state.js';
import type { MediaConsumer, MediaDevice, MediaTransport } from './media-device.js';
import type { MediaTransforms } from './media-transforms.js';
import type { QualityTotals } from './network-quality.js';
import {
  peerReceiveStats,
  qualityTotals,
  readConsumer,
  statsEntries,
  type ConsumerReading,
  type PeerReceiveStats,
} from './receive-stats.js';

export interface SubscriberState {
  participants: RemoteParticipant[];
}

interface RemotePeer {
  info: PeerInfo;
  producers: Map<string, ProducerInfo>;
  consumers: Map<string, MediaConsumer>; // by producerId
}

export interface SubscriberOptions {
  transforms?: MediaTransforms | undefined;
  notify: (text: string) => void;
}

export class Subscriber {
  readonly store = new Store<SubscriberState>({ participants: [] });
  private readonly remote = new Map<string, RemotePeer>();
  /** Test hook only (relabel): display name/source → the peer id whose stream it is passed off as. */
  private readonly relabels = new Map<string, string>();
  /** The simulcast layer the server says each video consumer gets (consumerLayers). */
  private readonly layers = new Map<string, { spatial: number; temporal: number } | null>();
  /** Consume requests under way, as recvTransportId/producerId. */
  private readonly consuming = new Set<string>();
  private signaling: Signaling | null = null;
  private receiving: { device: MediaDevice; transport: MediaTransport } | null = null;
  private unsubscribers: Array<() => void> = [];

  constructor(private readonly options: SubscriberOptions) {}

  /**
   * Listens on a new connection, before its join request: peers and
   * producers announced while the transports are being made are kept, and
   * consumed once `receiveOn` is given a transport.
   */
  listen(signaling: Signaling): void {
    this.signaling = signaling;
    this.unsubscribers.push(
      signaling.on('peerJoined', (peer) => {
        this.addPeer(peer);
        this.options.notify(noticeText.joined(peer.displayName));
      }),
      signaling.on('peerLeft', ({ peerId }) => this.removePeer(peerId)),
      signaling.on('producerAdded', (data) => this.onProducerAdded(data)),
      signaling.on('producerPaused', ({ peerId, producerId }) => this.setPaused(peerId, producerId, true)),
      signaling.on('producerResumed', ({ peerId, producerId }) => this.setPaused(peerId, producerId, false)),
      signaling.on('consumerClosed', ({ consumerId }) => this.onConsumerClosed(consumerId)),
      signaling.on('consumerLayers', ({ consumerId, spatialLayer, temporalLayer }) => {
        this.layers.set(consumerId, spatialLayer === null ? null : { spatial: spatialLayer, temporal: temporalLayer ?? 0 });
        this.publish();
      }),
      signaling.on('peerRecording', ({ peerId, recording }) => this.onPeerRecording(peerId, recording)),
    );
  }

  /** The room as the join answer gives it. */
  addPeers(peers: readonly PeerInfo[]): void {
    for (const peer of peers) this.addPeer(peer);
  }

  /** Consumes every known producer on this receive transport, and each new one from now on. */
  async receiveOn(device: MediaDevice, transport: MediaTransport): Promise<void> {
    this.receiving = { device, transport };
    await Promise.all([...this.remote.values()].flatMap((p) => [...p.producers.values()].map((pr) => this.consume(p.info.peerId, pr))));
  }

  /**
   * The media path is gone but the connection stays (the server's media
   * worker died: mediaReset): every consumer closes, the participants and
   * their producers stay, and `receiveOn` a new transport consumes them again.
   */
  dropMedia(): void {
    for (const peer of this.remote.values()) {
      for (const c of peer.consumers.values()) c.close();
      peer.consumers.clear();
    }
    this.layers.clear();
    this.receiving = null;
    this.publish();
  }

  /** The connection is gone: every consumer closes and the list empties until the next join. */
  reset(): void {
    for (const off of this.unsubscribers) off();
    this.unsubscribers = [];
    for (const peer of this.remote.values()) for (const c of peer.consumers.values()) c.close();
    this.remote.clear();
    this.layers.clear();
    this.signaling = null;
    this.receiving = null;
    this.publish();
  }

  nameOf(peerId: string): string | undefined {
    return this.remote.get(peerId)?.info.displayName;
  }

  /** A remote participant's role as the server gave it, if they are here. */
  roleOf(peerId: string): 'host' | 'guest' | undefined {
    return this.remote.get(peerId)?.info.role;
  }

  /** Receive figures per remote participant (window.conclave.stats). */
  async stats(): Promise<PeerReceiveStats[]> {
    return Promise.all([...this.remote.values()].map(async (p) => peerReceiveStats(p.info.peerId, p.info.displayName, await this.read(p))));
  }

  /** Running receive totals per remote participant, for the network quality indicator. */
  async qualityTotals(): Promise<Array<{ peerId: string; totals: QualityTotals }>> {
    return Promise.all([...this.remote.values()].map(async (p) => ({ peerId: p.info.peerId, totals: qualityTotals(await this.read(p)) })));
  }

  private async read(peer: RemotePeer): Promise<ConsumerReading[]> {
    const consumers = [...peer.consumers.values()];
    return Promise.all(consumers.map(async (c) => readConsumer(c.source, statsEntries(await c.getStats().catch(() => null)))));
  }

  private addPeer(info: PeerInfo): void {
    this.remote.set(info.peerId, { info, producers: new Map(info.producers.map((p) => [p.producerId, p])), consumers: new Map() });
    this.publish();
  }

  /**
   * Test hook (window.conclave.hideParticipant): forgets a participant as a
   * server that hides a member would, leaving encryption untouched.
   */
  hideParticipant(peerId: string): void {
    this.removePeer(peerId, false);
  }

  /**
   * Test hook (window.conclave.relabel): plays an SFU helping a forger. From
   * now on, the `source` of whoever joins as `forgerName` is decrypted and
   * checked as `victim`'s (as if the SFU said it was the victim's stream).
   * Frame-origin checks must catch what follows.
   */
  relabel(forgerName: string, victim: string, source: MediaSource): void {
    this.relabels.set(`${forgerName}/${source}`, victim);
  }

  private removePeer(peerId: string, announce = true): void {
    const peer = this.remote.get(peerId);
    if (!peer) return;
    for (const consumer of peer.consumers.values()) consumer.close();
    this.remote.delete(peerId);
    this.publish();
    if (announce) this.options.notify(noticeText.left(peer.info.displayName));
  }

  private onPeerRecording(peerId: string, recording: boolean): void {
    const peer = this.remote.get(peerId);
    if (!peer || peer.info.recording === recording) return;
    peer.info = { ...peer.info, recording };
    this.publish();
    this.options.notify(noticeText.recording(peer.info.displayName, recording));
  }

  private onProducerAdded(data: NotificationData<'producerAdded'>): void {
    const peer = this.remote.get(data.peerId);
    if (!peer) return;
    const info: ProducerInfo = { producerId: data.producerId, kind: data.kind, source: data.source, paused: data.paused };
    peer.producers.set(data.producerId, info);
    if (this.receiving) void this.consume(data.peerId, info);
  }

  private async consume(peerId: string, producer: ProducerInfo): Promise<void> {
    const signaling = this.signaling;
    const receiving = this.receiving;
    if (!signaling || !receiving) return;
    const { device, transport } = receiving;
    const peer = this.remote.get(peerId);
    // producerAdded and the end of a (re)join may both ask for the same producer: one consumer is enough.
    const asking = `${transport.id}/${producer.producerId}`;
    if (!peer || peer.consumers.has(producer.producerId) || this.consuming.has(asking)) return;
    this.consuming.add(asking);
    try {
      const answer = await signaling.request('consume', { producerId: producer.producerId, rtpCapabilities: device.recvRtpCapabilities });
      const transforms = this.options.transforms;
      const consumer = await transport.consume({
        answer,
        peerId,
        ...(transforms
          ? {
              onRtpReceiver: (r, mimeType) =>
                transforms.attachReceiver(
                  r,
                  this.relabels.get(`${peer.info.displayName}/${answer.source}`) ?? peerId,
                  answer.kind,
                  answer.source,
                  mimeType,
                ),
            }
          : {}),
      });
      const current = this.remote.get(peerId);
      if (!current || this.receiving?.transport !== transport) {
        consumer.close();
        return;
      }
      current.consumers.set(producer.producerId, consumer);
      current.producers.set(producer.producerId, { ...producer, paused: answer.producerPaused });
      this.publish();
      await signaling.request('resumeConsumer', { consumerId: consumer.id });
    } catch (err) {
      if (err instanceof SignalingError && err.code === 'not_found') {
        // The producer went away meanwhile (closed, or its server worker died): forget it until it is added again.
        this.remote.get(peerId)?.producers.delete(producer.producerId);
        return;
      }
      console.warn('conclave: could not receive media', err);
    } finally {
      this.consuming.delete(asking);
    }
  }

  private setPaused(peerId: string, producerId: string, paused: boolean): void {
    const peer = this.remote.get(peerId);
    const producer = peer?.producers.get(producerId);
    if (!peer || !producer) return;
    peer.producers.set(producerId, { ...producer, paused });
    this.publish();
  }

  private onConsumerClosed(consumerId: string): void {
    for (const peer of this.remote.values()) {
      for (const [producerId, consumer] of peer.consumers) {
        if (consumer.id !== consumerId) continue;
        consumer.close();
        peer.consumers.delete(producerId);
        peer.producers.delete(producerId);
        this.publish();
        return;
      }
    }
  }

  private publish(): void {
    const participants: RemoteParticipant[] = [...this.remote.values()].map((peer) => ({
      peerId: peer.info.peerId,
      displayName: peer.info.displayName,
      role: peer.info.role,
      senderIndex: peer.info.senderIndex,
      recording: peer.info.recording,
      media: [...peer.consumers.entries()].map(([producerId, consumer]) => ({
        producerId,
        consumerId: consumer.id,
        source: consumer.source,
        track: consumer.track,
        paused: peer.producers.get(producerId)?.paused ?? false,
        layer: this.layers.get(consumer.id) ?? null,
      })),
    }));
    this.store.set({ participants });
  }
}
