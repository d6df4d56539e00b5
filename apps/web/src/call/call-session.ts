/**
 * One person's presence in one meeting: the signaling connection, the
 * mediasoup-client Device, a send and a receive transport, the local
 * producers and a consumer for every remote producer.
 *
 * It owns no UI. React reads `getSnapshot()` through `subscribe()`. When the
 * server says the room was restarted, or the connection drops, it rejoins by
 * itself with the same name and tracks.
 */
import { Device } from 'mediasoup-client';
import type { types as msTypes } from 'mediasoup-client';
import { CloseCode } from '@conclave/protocol';
import type { MediaSource, NotificationData, TileView, PeerInfo, ProducerInfo, ResponseData } from '@conclave/protocol';
import { SignalingClient, SignalingError } from '../signaling/signaling-client.js';
import { initialSnapshot, type CallSnapshot, type RemoteParticipant } from './call-state.js';
import type { MediaTransforms } from './media-transforms.js';
import { getCameraTrack, getMicrophoneTrack, problemText } from '../media/local-media.js';
import type { QualityTotals } from './network-quality.js';
import { simulcastEncodings } from './simulcast.js';
import { IceWatchdog } from './ice-watchdog.js';
import { REJOIN_GIVE_UP_MS, RejoinBackoff } from './rejoin-backoff.js';
import { rejoinText } from './rejoin-text.js';

/** Receive figures for one kind of video (camera or screen) of one participant. */
export interface SourceStats {
  framesDecoded: number;
  framesDropped: number;
  packetsReceived: number;
  /** Size of the last decoded frame (the simulcast layer received). */
  frameWidth?: number;
  frameHeight?: number;
}

interface RtcStat {
  type: string;
  frameWidth?: number;
  frameHeight?: number;
  kind?: string;
  packetsReceived?: number;
  packetsLost?: number;
  jitter?: number;
  framesDecoded?: number;
  framesDropped?: number;
  fractionLost?: number;
  roundTripTime?: number;
  currentRoundTripTime?: number;
  nominated?: boolean;
}

type Consumer = msTypes.Consumer;
type Producer = msTypes.Producer;
type Transport = msTypes.Transport;

export interface CallSessionOptions {
  roomId: string;
  displayName: string;
  /** Tracks from the join screen; the session takes ownership. */
  stream: MediaStream;
  transforms?: MediaTransforms;
  /**
   * Opens the signaling socket (with a fresh join ticket). On a rejoin it is
   * given the pass the last join returned, which gets a dropped participant
   * back into a meeting locked since.
   */
  connect?: (rejoinPass: string | null) => Promise<SignalingClient>;
  /** Called after each (re)join with the server's answer, before media flows. */
  onJoined?: (joined: Joined, signaling: SignalingClient) => void | Promise<void>;
}

type Joined = Extract<ResponseData<'join'>, { status: 'joined' }>;

/** Refusals a rejoin cannot get past by trying again: the call ends with the server's words. */
const FINAL_REJOIN_ERRORS = new Set(['not_found', 'denied', 'unsupported', 'room_locked', 'wrong_room_password']);

/** How the call has recovered so far, for window.conclave and the browser tests. */
export interface RecoveryStats {
  peerId: string | null;
  rejoins: number;
  iceRestarts: number;
  transports: { send: string | null; recv: string | null };
  reconnecting: CallSnapshot['reconnecting'];
}

/** Why the room closed, in words, for the "call ended" screen. */
function closedText({ reason, by }: NotificationData<'roomClosed'>): string {
  switch (reason) {
    case 'ended-by-host':
      return `${by ?? 'The host'} ended the meeting.`;
    case 'removed':
      return `${by ?? 'A host'} removed you from the meeting.`;
    case 'deleted':
      return 'This meeting room was deleted.';
    default:
      return 'The meeting was closed by the server.';
  }
}

function hostActionText({ action, by, target }: NotificationData<'hostAction'>): string {
  const who = target ?? 'someone';
  switch (action) {
    case 'mute':
      return `${by} muted ${who}`;
    case 'remove':
      return `${by} removed ${who} from the meeting`;
    case 'lock':
      return `${by} locked the meeting: nobody new can join`;
    case 'unlock':
      return `${by} unlocked the meeting`;
    case 'end':
      return `${by} ended the meeting`;
    case 'admit':
      return `${by} let ${who} in`;
    case 'deny':
      return `${by} turned ${who} away`;
  }
}

/** VP8 for camera video (every browser decodes it; simulcast-ready); Opus for audio. */
const PREFERRED_CODEC = { video: 'video/vp8', audio: 'audio/opus' } as const;

interface RemotePeerState {
  info: PeerInfo;
  producers: Map<string, ProducerInfo>;
  consumers: Map<string, Consumer>; // by producerId
}

export class CallSession {
  private snapshot: CallSnapshot = initialSnapshot;
  private readonly listeners = new Set<() => void>();
  private signaling: SignalingClient | null = null;
  private device: Device | null = null;
  private sendTransport: Transport | null = null;
  private recvTransport: Transport | null = null;
  private readonly producers = new Map<MediaSource, Producer>();
  private readonly remote = new Map<string, RemotePeerState>();
  /** The simulcast layer the server says each video consumer gets (consumerLayers). */
  private readonly layers = new Map<string, { spatial: number; temporal: number } | null>();
  private micTrack: MediaStreamTrack | null;
  private cameraTrack: MediaStreamTrack | null;
  private screenTrack: MediaStreamTrack | null = null;
  private left = false;
  private noticeId = 0;
  private unsubscribers: Array<() => void> = [];
  private rejoining = false;
  /** Cuts the wait before the next rejoin attempt short (the browser is back online). */
  private wakeRejoin: (() => void) | null = null;
  private readonly watchdogs = new Map<string, IceWatchdog>();
  private readonly mediaDown = new Set<string>();
  /** Consume requests under way, as recvTransportId/producerId. */
  private readonly consuming = new Set<string>();
  private rejoins = 0;
  /** From the last join: lets this participant back in if the connection drops (see connect). */
  private rejoinPass: string | null = null;
  private iceRestarts = 0;
  private readonly onOnline = (): void => this.wakeRejoin?.();

  constructor(private readonly options: CallSessionOptions) {
    this.micTrack = options.stream.getAudioTracks()[0] ?? null;
    this.cameraTrack = options.stream.getVideoTracks()[0] ?? null;
    this.update({
      micEnabled: this.micTrack?.enabled ?? false,
      cameraEnabled: this.cameraTrack?.enabled ?? false,
      localVideoTrack: this.cameraTrack,
    });
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): CallSnapshot => this.snapshot;

  get peerId(): string | null {
    return this.snapshot.selfId;
  }

  /** The microphone track being sent (or held while muted), for the device settings. */
  get microphoneTrack(): MediaStreamTrack | null {
    return this.micTrack;
  }

  /** Joins the room; rejects with a SignalingError whose message can be shown as is. */
  async join(): Promise<void> {
    this.update({ phase: 'connecting', error: null });
    window.addEventListener('online', this.onOnline);
    try {
      await this.connectAndJoin();
    } catch (err) {
      window.removeEventListener('online', this.onOnline);
      this.teardownMedia();
      this.update({ phase: 'ended', error: (err as Error).message });
      throw err;
    }
  }

  async leave(): Promise<void> {
    if (this.left) return;
    this.left = true;
    window.removeEventListener('online', this.onOnline);
    this.wakeRejoin?.();
    const signaling = this.signaling;
    // The room hears the recording stopped (and the audit log gets it) before the person goes.
    if (signaling?.isOpen && this.snapshot.recording) await signaling.request('setRecording', { recording: false }).catch(() => undefined);
    if (signaling?.isOpen) await signaling.request('leave', {}).catch(() => undefined);
    this.teardownMedia();
    signaling?.close();
    this.micTrack?.stop();
    this.cameraTrack?.stop();
    this.screenTrack?.stop();
    this.screenTrack = null;
    this.update({ phase: 'ended', participants: [], error: null, localVideoTrack: null, localScreenTrack: null });
  }

  async setMicEnabled(enabled: boolean): Promise<void> {
    if (enabled && !this.micTrack) {
      const track = await getMicrophoneTrack();
      if (typeof track === 'string') return this.notify(problemText[track]);
      this.micTrack = track;
      await this.produce('mic', track);
    }
    await this.setProducerEnabled('mic', this.micTrack, enabled);
    this.update({ micEnabled: enabled });
  }

  /** Turning the camera off stops it (its light goes out); turning it on asks for a new track. */
  async setCameraEnabled(enabled: boolean): Promise<void> {
    const producer = this.producers.get('camera');
    if (enabled) {
      const track = await getCameraTrack();
      if (typeof track === 'string') return this.notify(problemText[track]);
      this.cameraTrack?.stop();
      this.cameraTrack = track;
      if (producer) await producer.replaceTrack({ track });
      else await this.produce('camera', track);
      await this.setProducerEnabled('camera', track, true);
      this.update({ cameraEnabled: true, localVideoTrack: track });
    } else {
      await this.setProducerEnabled('camera', this.cameraTrack, false);
      this.cameraTrack?.stop();
      this.cameraTrack = null;
      if (producer) await producer.replaceTrack({ track: null });
      this.update({ cameraEnabled: false, localVideoTrack: null });
    }
  }

  /**
   * Shares the screen (getDisplayMedia), end-to-end encrypted like the camera.
   * Stopping it here, or with the browser's own "Stop sharing", closes the producer.
   */
  async setScreenSharing(enabled: boolean): Promise<void> {
    if (!enabled) return this.stopScreenShare();
    if (this.screenTrack) return;
    let track: MediaStreamTrack | undefined;
    try {
      const stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15, max: 30 } }, audio: false });
      track = stream.getVideoTracks()[0];
    } catch (err) {
      if ((err as Error).name !== 'NotAllowedError') this.notify('Could not share the screen.');
      return; // cancelled in the picker: nothing to say
    }
    if (!track) return;
    if ('contentHint' in track) track.contentHint = 'detail';
    this.screenTrack = track;
    track.addEventListener('ended', () => void this.stopScreenShare(track));
    this.update({ localScreenTrack: track });
    try {
      await this.produce('screen', track);
    } catch (err) {
      console.warn('conclave: could not share the screen', err);
      this.notify('Could not share the screen.');
      await this.stopScreenShare(track);
    }
  }

  private async stopScreenShare(which?: MediaStreamTrack): Promise<void> {
    const track = this.screenTrack;
    if (!track || (which && which !== track)) return;
    this.screenTrack = null;
    track.stop();
    this.update({ localScreenTrack: null });
    const producer = this.producers.get('screen');
    if (!producer) return;
    this.producers.delete('screen');
    producer.close();
    await this.signaling?.request('closeProducer', { producerId: producer.id }).catch(() => undefined);
  }

  /**
   * Receive-side statistics per remote participant, for quality indicators and
   * tests. The totals count every video; `bySource` splits them by camera and screen.
   */
  async stats(): Promise<
    Array<{
      peerId: string;
      displayName: string;
      framesDecoded: number;
      audioPacketsReceived: number;
      framesDropped: number;
      bySource: Partial<Record<MediaSource, SourceStats>>;
    }>
  > {
    const out = [];
    for (const peer of this.remote.values()) {
      let framesDecoded = 0;
      let framesDropped = 0;
      let audioPacketsReceived = 0;
      const bySource: Partial<Record<MediaSource, SourceStats>> = {};
      for (const consumer of peer.consumers.values()) {
        const report = await consumer.getStats().catch(() => null);
        const source = (consumer.appData['source'] as MediaSource) ?? 'camera';
        const mine = (bySource[source] ??= { framesDecoded: 0, framesDropped: 0, packetsReceived: 0 });
        report?.forEach((s: RtcStat) => {
          if (s.type !== 'inbound-rtp') return;
          mine.packetsReceived += s.packetsReceived ?? 0;
          if (s.kind === 'video') {
            if (s.frameWidth !== undefined) mine.frameWidth = s.frameWidth;
            if (s.frameHeight !== undefined) mine.frameHeight = s.frameHeight;
            framesDecoded += s.framesDecoded ?? 0;
            framesDropped += s.framesDropped ?? 0;
            mine.framesDecoded += s.framesDecoded ?? 0;
            mine.framesDropped += s.framesDropped ?? 0;
          } else if (s.kind === 'audio') audioPacketsReceived += s.packetsReceived ?? 0;
        });
      }
      out.push({ peerId: peer.info.peerId, displayName: peer.info.displayName, framesDecoded, audioPacketsReceived, framesDropped, bySource });
    }
    return out;
  }

  /** Tells the server how this client shows the videos it receives (see tile-views.ts). */
  reportViews(views: TileView[]): void {
    if (this.snapshot.phase !== 'in-call' || views.length === 0) return;
    this.signaling?.request('setViews', { views }).catch(() => undefined);
  }

  /**
   * Switches the camera or microphone to another device without renegotiating:
   * the producer's track is replaced, the mute state kept, the old track stopped.
   * A device that is off now is simply used the next time it is turned on.
   */
  async switchDevice(kind: 'audioinput' | 'videoinput', deviceId: string): Promise<boolean> {
    const isMic = kind === 'audioinput';
    const current = isMic ? this.micTrack : this.cameraTrack;
    if (!current || current.readyState === 'ended') return true;
    if (current.getSettings().deviceId === deviceId) return true;
    const track = isMic ? await getMicrophoneTrack(deviceId) : await getCameraTrack(deviceId);
    if (typeof track === 'string') {
      this.notify(problemText[track]);
      return false;
    }
    // The person may have left or turned the device off while the browser was opening the new one.
    if (this.left || (isMic ? this.micTrack : this.cameraTrack) !== current) {
      track.stop();
      return true;
    }
    track.enabled = current.enabled;
    const producer = this.producers.get(isMic ? 'mic' : 'camera');
    if (producer && !producer.closed) await producer.replaceTrack({ track });
    if (isMic) this.micTrack = track;
    else this.cameraTrack = track;
    current.stop();
    if (!isMic) this.update({ localVideoTrack: track });
    return true;
  }

  /**
   * Running receive totals per remote participant, summed over their consumers,
   * for the network quality indicator (which takes the differences itself).
   */
  async receiveStats(): Promise<Array<{ peerId: string; totals: QualityTotals }>> {
    const out = [];
    for (const peer of this.remote.values()) {
      const totals: QualityTotals = { packetsReceived: 0, packetsLost: 0, jitter: undefined, framesDecoded: 0, framesDropped: 0, roundTripTime: undefined };
      for (const consumer of peer.consumers.values()) {
        const report = await consumer.getStats().catch(() => null);
        report?.forEach((s: RtcStat) => {
          if (s.type === 'inbound-rtp') {
            totals.packetsReceived += s.packetsReceived ?? 0;
            totals.packetsLost += s.packetsLost ?? 0;
            if (s.jitter !== undefined) totals.jitter = Math.max(totals.jitter ?? 0, s.jitter);
            totals.framesDecoded += s.framesDecoded ?? 0;
            totals.framesDropped += s.framesDropped ?? 0;
          } else if (s.type === 'candidate-pair' && s.nominated && s.currentRoundTripTime !== undefined) {
            totals.roundTripTime = s.currentRoundTripTime;
          }
        });
      }
      out.push({ peerId: peer.info.peerId, totals });
    }
    return out;
  }

  /** What the server reports back about our own sending (loss, jitter, RTT), for the uplink indicator. */
  async sendStats(): Promise<{ fractionLost: number | undefined; jitter: number | undefined; roundTripTime: number | undefined } | null> {
    const transport = this.sendTransport;
    if (!transport || transport.closed) return null;
    const report = await transport.getStats().catch(() => null);
    if (!report) return null;
    let fractionLost: number | undefined;
    let jitter: number | undefined;
    let roundTripTime: number | undefined;
    report.forEach((s: RtcStat) => {
      if (s.type === 'remote-inbound-rtp') {
        if (s.fractionLost !== undefined) fractionLost = Math.max(fractionLost ?? 0, s.fractionLost);
        if (s.jitter !== undefined) jitter = Math.max(jitter ?? 0, s.jitter);
        if (s.roundTripTime !== undefined) roundTripTime = Math.max(roundTripTime ?? 0, s.roundTripTime);
      } else if (s.type === 'candidate-pair' && s.nominated && s.currentRoundTripTime !== undefined && roundTripTime === undefined) {
        roundTripTime = s.currentRoundTripTime;
      }
    });
    return { fractionLost, jitter, roundTripTime };
  }

  // ---------------------------------------------------------------- joining

  private async connectAndJoin(): Promise<void> {
    const signaling = await (this.options.connect ?? (() => SignalingClient.connect()))(this.rejoinPass);
    this.signaling = signaling;
    this.listen(signaling);
    let joined = await signaling.request('join', { roomId: this.options.roomId, displayName: this.options.displayName });
    if (joined.status === 'waiting') {
      this.update({ phase: 'waiting' });
      const decision = await new Promise<NotificationData<'lobbyDecision'>>((resolve, reject) => {
        const off = signaling.on('lobbyDecision', (d) => {
          off();
          resolve(d);
        });
        signaling.onClose(() => reject(new SignalingError('disconnected', 'The connection to the meeting server was lost while waiting.')));
      });
      if (!decision.admitted) {
        this.left = true;
        throw new SignalingError('denied', `${decision.by ?? 'The host'} did not let you in.`);
      }
      this.update({ phase: 'connecting' });
      joined = await signaling.request('join', { roomId: this.options.roomId, displayName: this.options.displayName });
      if (joined.status !== 'joined') throw new SignalingError('denied', 'The host did not let you in.');
    }
    this.update({ role: joined.role, roomName: joined.room.name, locked: joined.room.locked });
    // Known at once, so that their producerAdded and peerLeft, which may come while the transports are being
    // made (everyone rejoins at once after a server restart), are not lost; their media is consumed below.
    for (const peer of joined.peers) this.addRemotePeer(peer);
    const device = new Device();
    await device.load({ routerRtpCapabilities: joined.routerRtpCapabilities as msTypes.RtpCapabilities });
    if (!device.canProduce('audio') && !device.canProduce('video')) {
      throw new SignalingError('unsupported', 'This browser cannot send audio or video to the meeting.');
    }
    this.device = device;
    const iceServers = joined.iceServers as RTCIceServer[];
    this.sendTransport = await this.createTransport('send', iceServers, joined.iceTransportPolicy);
    this.recvTransport = await this.createTransport('recv', iceServers, joined.iceTransportPolicy);
    this.rejoinPass = joined.rejoinPass;
    this.update({ selfId: joined.peerId });
    await this.options.onJoined?.(joined, signaling);
    const recorders = joined.peers.filter((p) => p.recording).map((p) => p.displayName);
    if (recorders.length > 0) this.notify(`${recorders.join(', ')} ${recorders.length === 1 ? 'is' : 'are'} recording this meeting`);
    // After a rejoin the server has a new peer for us: tell the room again that we are still recording.
    if (this.snapshot.recording) await signaling.request('setRecording', { recording: true }).catch(() => undefined);
    if (this.micTrack) await this.produce('mic', this.micTrack);
    if (this.cameraTrack) await this.produce('camera', this.cameraTrack);
    if (this.screenTrack) await this.produce('screen', this.screenTrack).catch(() => this.stopScreenShare());
    this.update({ phase: 'in-call', error: null, reconnecting: null });
    await Promise.all(
      [...this.remote.values()].flatMap((p) => [...p.producers.values()].map((pr) => this.consume(p.info.peerId, pr))),
    );
  }

  private async createTransport(
    direction: 'send' | 'recv',
    iceServers: RTCIceServer[],
    iceTransportPolicy: RTCIceTransportPolicy,
  ): Promise<Transport> {
    const signaling = this.signaling!;
    const params = await signaling.request('createTransport', { direction });
    const options = {
      id: params.transportId,
      iceParameters: params.iceParameters as unknown as msTypes.IceParameters,
      iceCandidates: params.iceCandidates as unknown as msTypes.IceCandidate[],
      dtlsParameters: params.dtlsParameters as unknown as msTypes.DtlsParameters,
      iceServers,
      iceTransportPolicy,
      ...(this.options.transforms?.peerConnectionSettings
        ? { additionalSettings: this.options.transforms.peerConnectionSettings }
        : {}),
    };
    const transport =
      direction === 'send' ? this.device!.createSendTransport(options) : this.device!.createRecvTransport(options);
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      signaling
        .request('connectTransport', { transportId: transport.id, dtlsParameters: dtlsParameters as unknown as Record<string, unknown> })
        .then(() => callback(), errback);
    });
    if (direction === 'send') {
      transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
        signaling
          .request('produce', {
            transportId: transport.id,
            kind,
            rtpParameters: rtpParameters as unknown as Record<string, unknown>,
            source: appData['source'] as MediaSource,
          })
          .then(({ producerId }) => callback({ id: producerId }), errback);
      });
    }
    const watchdog = new IceWatchdog({
      restart: () => this.restartIce(transport),
      giveUp: (why) => {
        console.warn(`conclave: ${direction} transport: ${why}; rejoining`);
        void this.rejoin('The media connection was lost.');
      },
      onRecovering: (down) => this.setMediaDown(transport.id, down),
    });
    this.watchdogs.set(transport.id, watchdog);
    transport.on('connectionstatechange', (state) => watchdog.onState(state));
    return transport;
  }

  /** New ICE credentials from the server for `transport`: the browser checks candidates afresh. */
  private async restartIce(transport: Transport): Promise<void> {
    const signaling = this.signaling;
    if (!signaling?.isOpen || transport.closed || this.rejoining) throw new Error('not connected to the meeting server');
    this.iceRestarts += 1;
    const { iceParameters, iceServers } = await signaling.request('restartIce', { transportId: transport.id });
    // TURN credentials live minutes: relay candidates gathered for this restart need the fresh ones.
    if (iceServers) await transport.updateIceServers({ iceServers: iceServers as RTCIceServer[] });
    await transport.restartIce({ iceParameters: iceParameters as unknown as msTypes.IceParameters });
  }

  /** The media path of one transport is down (an ICE restart runs) or back; the banner shows meanwhile. */
  private setMediaDown(transportId: string, down: boolean): void {
    if (down) this.mediaDown.add(transportId);
    else this.mediaDown.delete(transportId);
    if (this.rejoining || this.snapshot.phase !== 'in-call') return;
    const reconnecting = this.mediaDown.size > 0 ? { cause: 'media' as const, attempt: 0, nextAttemptAt: null } : null;
    if ((reconnecting === null) !== (this.snapshot.reconnecting === null)) this.update({ reconnecting });
  }

  /** How the call has recovered so far (rejoins, ICE restarts) and the transports' states now. */
  recovery(): RecoveryStats {
    return {
      peerId: this.snapshot.selfId,
      rejoins: this.rejoins,
      iceRestarts: this.iceRestarts,
      transports: { send: this.sendTransport?.connectionState ?? null, recv: this.recvTransport?.connectionState ?? null },
      reconnecting: this.snapshot.reconnecting,
    };
  }

  private listen(signaling: SignalingClient): void {
    this.unsubscribers.push(
      signaling.on('peerJoined', (peer) => {
        this.addRemotePeer(peer);
        this.notify(`${peer.displayName} joined`);
      }),
      signaling.on('peerLeft', ({ peerId }) => this.removeRemotePeer(peerId, true)),
      signaling.on('producerAdded', (data) => this.onProducerAdded(data)),
      signaling.on('producerPaused', ({ peerId, producerId }) => this.setRemotePaused(peerId, producerId, true)),
      signaling.on('producerResumed', ({ peerId, producerId }) => this.setRemotePaused(peerId, producerId, false)),
      signaling.on('consumerClosed', ({ consumerId }) => this.onConsumerClosed(consumerId)),
      signaling.on('consumerLayers', ({ consumerId, spatialLayer, temporalLayer }) => {
        this.layers.set(consumerId, spatialLayer === null ? null : { spatial: spatialLayer, temporal: temporalLayer ?? 0 });
        this.publishParticipants();
      }),
      signaling.on('roomClosed', (data) => this.onRoomClosed(data)),
      signaling.on('youWereMuted', ({ by }) => {
        void this.setMicEnabled(false);
        this.notify(`${by} turned your microphone off`);
      }),
      signaling.on('hostAction', (data) => {
        if (data.action !== 'mute' || data.target !== this.options.displayName) this.notify(hostActionText(data));
      }),
      signaling.on('roomUpdated', ({ locked }) => this.update({ locked })),
      signaling.on('peerRecording', ({ peerId, recording }) => this.onPeerRecording(peerId, recording)),
      signaling.on('activeSpeaker', ({ peerId }) => this.update({ activeSpeakerId: peerId })),
      // The whole lobby when we join as a host; each change after that.
      signaling.on('lobbyWaiting', ({ waiting }) => this.update({ lobby: waiting })),
      signaling.on('lobbyEntered', (w) => {
        if (!this.snapshot.lobby.some((x) => x.requestId === w.requestId)) this.update({ lobby: [...this.snapshot.lobby, w] });
      }),
      signaling.on('lobbyLeft', ({ requestId }) => this.update({ lobby: this.snapshot.lobby.filter((x) => x.requestId !== requestId) })),
      signaling.onClose((code) => {
        if (this.signaling !== signaling || this.left) return;
        // An account signed out, deleted or demoted: the server closed this socket; a fresh ticket says who we are now.
        const why = code === CloseCode.AccountChanged ? 'Your account changed (signed out, removed, or its role or password changed).' : 'The connection to the meeting server was lost.';
        void this.rejoin(why);
      }),
    );
  }

  // ---------------------------------------------------------------- local media

  private async produce(source: 'mic' | 'camera' | 'screen', track: MediaStreamTrack): Promise<void> {
    const transport = this.sendTransport;
    if (!transport || !this.device?.canProduce(track.kind as 'audio' | 'video')) return;
    const transforms = this.options.transforms;
    const kind = track.kind as 'audio' | 'video';
    // Name the codec, so the frame transform knows the clear-byte rule before the first frame.
    const codec = this.device.rtpCapabilities.codecs?.find((c) => c.mimeType.toLowerCase() === PREFERRED_CODEC[kind]);
    const producer = await transport.produce({
      track,
      stopTracks: false,
      appData: { source },
      ...(codec ? { codec } : {}),
      ...(source === 'mic' ? { codecOptions: { opusStereo: false, opusDtx: true, opusFec: true } } : {}),
      // The camera goes out as three simulcast layers; the server sends each viewer the one its tile needs.
      ...(source === 'camera' && codec?.mimeType.toLowerCase() === 'video/vp8'
        ? { encodings: simulcastEncodings(), codecOptions: { videoGoogleStartBitrate: 1000 } }
        : {}),
      ...(transforms ? { onRtpSender: (s: RTCRtpSender) => transforms.attachSender(s, kind, source, codec?.mimeType) } : {}),
    });
    this.producers.set(source, producer);
    producer.on('transportclose', () => this.producers.delete(source));
    if (!track.enabled) await this.setProducerEnabled(source, track, false);
  }

  private async setProducerEnabled(source: MediaSource, track: MediaStreamTrack | null, enabled: boolean): Promise<void> {
    if (track) track.enabled = enabled;
    const producer = this.producers.get(source);
    if (!producer || producer.closed || producer.paused === !enabled) return;
    if (enabled) producer.resume();
    else producer.pause();
    await this.signaling
      ?.request(enabled ? 'resumeProducer' : 'pauseProducer', { producerId: producer.id })
      .catch(() => undefined);
  }

  // ---------------------------------------------------------------- remote media

  private addRemotePeer(info: PeerInfo): void {
    this.remote.set(info.peerId, {
      info,
      producers: new Map(info.producers.map((p) => [p.producerId, p])),
      consumers: new Map(),
    });
    this.publishParticipants();
  }

  private onPeerRecording(peerId: string, recording: boolean): void {
    const peer = this.remote.get(peerId);
    if (!peer || peer.info.recording === recording) return;
    peer.info = { ...peer.info, recording };
    this.publishParticipants();
    this.notify(`${peer.info.displayName} ${recording ? 'started' : 'stopped'} recording`);
  }

  private removeRemotePeer(peerId: string, announce: boolean): void {
    const peer = this.remote.get(peerId);
    if (!peer) return;
    for (const consumer of peer.consumers.values()) consumer.close();
    this.remote.delete(peerId);
    this.publishParticipants();
    if (announce) this.notify(`${peer.info.displayName} left`);
  }

  private onProducerAdded(data: NotificationData<'producerAdded'>): void {
    const peer = this.remote.get(data.peerId);
    if (!peer) return;
    const info: ProducerInfo = { producerId: data.producerId, kind: data.kind, source: data.source, paused: data.paused };
    peer.producers.set(data.producerId, info);
    if (this.recvTransport) void this.consume(data.peerId, info);
  }

  private async consume(peerId: string, producer: ProducerInfo): Promise<void> {
    const signaling = this.signaling;
    const transport = this.recvTransport;
    const device = this.device;
    if (!signaling || !transport || !device) return;
    const peer = this.remote.get(peerId);
    // producerAdded and the end of a (re)join may both ask for the same producer: one consumer is enough.
    const asking = `${transport.id}/${producer.producerId}`;
    if (!peer || peer.consumers.has(producer.producerId) || this.consuming.has(asking)) return;
    this.consuming.add(asking);
    try {
      const params = await signaling.request('consume', {
        producerId: producer.producerId,
        rtpCapabilities: device.recvRtpCapabilities as unknown as Record<string, unknown>,
      });
      const transforms = this.options.transforms;
      const mimeType = (params.rtpParameters as { codecs?: Array<{ mimeType?: string }> }).codecs?.[0]?.mimeType;
      const consumer = await transport.consume({
        id: params.consumerId,
        producerId: params.producerId,
        kind: params.kind,
        rtpParameters: params.rtpParameters as unknown as msTypes.RtpParameters,
        appData: { peerId, source: params.source },
        ...(transforms
          ? { onRtpReceiver: (r: RTCRtpReceiver) => transforms.attachReceiver(r, peerId, params.kind, params.source, mimeType) }
          : {}),
      });
      const current = this.remote.get(peerId);
      if (!current || this.recvTransport !== transport) {
        consumer.close();
        return;
      }
      current.consumers.set(producer.producerId, consumer);
      current.producers.set(producer.producerId, { ...producer, paused: params.producerPaused });
      this.publishParticipants();
      await signaling.request('resumeConsumer', { consumerId: consumer.id });
    } catch (err) {
      if (err instanceof SignalingError && err.code === 'not_found') return; // producer went away meanwhile
      console.warn('conclave: could not receive media', err);
    } finally {
      this.consuming.delete(asking);
    }
  }

  private setRemotePaused(peerId: string, producerId: string, paused: boolean): void {
    const peer = this.remote.get(peerId);
    const producer = peer?.producers.get(producerId);
    if (!peer || !producer) return;
    peer.producers.set(producerId, { ...producer, paused });
    this.publishParticipants();
  }

  private onConsumerClosed(consumerId: string): void {
    for (const peer of this.remote.values()) {
      for (const [producerId, consumer] of peer.consumers) {
        if (consumer.id !== consumerId) continue;
        consumer.close();
        peer.consumers.delete(producerId);
        peer.producers.delete(producerId);
        this.publishParticipants();
        return;
      }
    }
  }

  private publishParticipants(): void {
    const participants: RemoteParticipant[] = [...this.remote.values()].map((peer) => ({
      peerId: peer.info.peerId,
      displayName: peer.info.displayName,
      role: peer.info.role,
      senderIndex: peer.info.senderIndex,
      recording: peer.info.recording,
      media: [...peer.consumers.entries()].map(([producerId, consumer]) => ({
        producerId,
        consumerId: consumer.id,
        source: (consumer.appData['source'] as MediaSource) ?? 'camera',
        track: consumer.track,
        paused: peer.producers.get(producerId)?.paused ?? false,
        layer: this.layers.get(consumer.id) ?? null,
      })),
    }));
    this.update({ participants });
  }

  // ---------------------------------------------------------------- recovery

  private onRoomClosed(data: NotificationData<'roomClosed'>): void {
    if (data.rejoin) void this.rejoin(rejoinText(data.reason));
    else {
      this.left = true;
      window.removeEventListener('online', this.onOnline);
      this.teardownMedia();
      this.signaling?.close();
      this.micTrack?.stop();
      this.cameraTrack?.stop();
      this.screenTrack?.stop();
      this.screenTrack = null;
      this.update({ phase: 'ended', participants: [], lobby: [], error: closedText(data), localVideoTrack: null, localScreenTrack: null });
    }
  }

  // ---------------------------------------------------------------- host controls

  /** Host controls; the server refuses them for guests. Failures become a notice. */
  async host(
    action: 'lobbyAdmit' | 'lobbyDeny' | 'mutePeer' | 'removePeer' | 'lockRoom' | 'endMeeting',
    data: Record<string, unknown> = {},
  ): Promise<void> {
    try {
      await this.signaling?.request(action, data as never);
    } catch (err) {
      this.notify((err as Error).message);
    }
  }

  /**
   * Tells the room this participant started or stopped recording the meeting
   * (the recording itself stays in this browser). Starting needs the room to
   * hear it: it rejects, with words to show, when the server cannot be told.
   */
  async setRecording(recording: boolean): Promise<void> {
    const signaling = this.signaling;
    if (recording && (!signaling?.isOpen || this.snapshot.phase !== 'in-call')) {
      throw new Error('Not connected to the meeting: the others could not be told you are recording.');
    }
    const before = this.snapshot.recording;
    this.update({ recording });
    if (!signaling?.isOpen) return;
    try {
      await signaling.request('setRecording', { recording });
    } catch (err) {
      if (!recording) return; // stopping stands: the room learns when we leave or rejoin
      this.update({ recording: before });
      throw err;
    }
  }

  /** Tells the server what this client sees of encryption (shown on the admin page). */
  reportStatus(e2ee: 'encrypted' | 'waiting-for-key' | 'cannot-decrypt'): void {
    if (this.snapshot.phase === 'in-call') this.signaling?.request('reportStatus', { e2ee }).catch(() => undefined);
  }

  /**
   * Joins the room again from scratch (new socket with a fresh ticket, new
   * transports, new E2EE identity through onJoined), keeping the name and
   * tracks. Tries with a capped backoff for up to two minutes, at once when
   * the browser comes back online, and ends the call with a clear message
   * if it cannot.
   */
  private async rejoin(reason: string): Promise<void> {
    if (this.rejoining || this.left) return;
    this.rejoining = true;
    this.rejoins += 1;
    const backoff = new RejoinBackoff(Date.now());
    let lastError = '';
    let refused = false;
    try {
      for (let step = backoff.next(Date.now()); step; step = backoff.next(Date.now())) {
        this.teardownMedia();
        const old = this.signaling;
        this.signaling = null;
        old?.close();
        this.update({
          phase: 'reconnecting',
          error: reason,
          reconnecting: { cause: 'server', attempt: step.attempt, nextAttemptAt: Date.now() + step.delayMs },
        });
        await new Promise<void>((wake) => {
          const timer = setTimeout(wake, step!.delayMs);
          this.wakeRejoin = () => {
            clearTimeout(timer);
            wake();
          };
        });
        this.wakeRejoin = null;
        if (this.left) return;
        this.update({ reconnecting: { cause: 'server', attempt: step.attempt, nextAttemptAt: null } });
        try {
          await this.connectAndJoin();
          this.notify('Reconnected');
          return;
        } catch (err) {
          if (this.left) return;
          lastError = (err as Error).message;
          refused = err instanceof SignalingError && FINAL_REJOIN_ERRORS.has(err.code);
          if (refused) break;
        }
      }
      this.teardownMedia();
      this.signaling?.close();
      this.signaling = null;
      window.removeEventListener('online', this.onOnline);
      const minutes = Math.round(REJOIN_GIVE_UP_MS / 60_000);
      this.update({
        phase: 'ended',
        reconnecting: null,
        error: refused
          ? `${reason} ${lastError}`
          : `${reason} Reconnecting did not succeed for ${minutes} minutes${lastError ? ` (${lastError.replace(/\.$/, '')})` : ''}. Check your connection, then rejoin.`,
      });
    } finally {
      this.rejoining = false;
      this.wakeRejoin = null;
    }
  }

  private teardownMedia(): void {
    for (const dog of this.watchdogs.values()) dog.dispose();
    this.watchdogs.clear();
    this.mediaDown.clear();
    for (const off of this.unsubscribers) off();
    this.unsubscribers = [];
    for (const peer of this.remote.values()) for (const c of peer.consumers.values()) c.close();
    this.remote.clear();
    this.layers.clear();
    for (const p of this.producers.values()) p.close();
    this.producers.clear();
    this.sendTransport?.close();
    this.recvTransport?.close();
    this.sendTransport = null;
    this.recvTransport = null;
    this.device = null;
    this.update({ participants: [], activeSpeakerId: null });
  }

  private notify(text: string): void {
    this.noticeId += 1;
    this.update({ notice: { id: this.noticeId, text } });
  }

  private update(patch: Partial<CallSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...patch };
    for (const l of this.listeners) l();
  }
}
