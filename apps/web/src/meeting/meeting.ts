/**
 * One person's meeting, from the join screen to the end: the client's
 * composition root. It owns the join ticket and the signaling connection
 * (the lobby wait, rejoining when the connection or the media path is lost),
 * and hands each new connection and join answer to its three equal parts:
 * call media, end-to-end encryption and chat (and the local recording).
 * React renders its store and calls its methods; nothing here knows React.
 */
import { CloseCode, type JoinAnswer, type NotificationData, type PublicRoom } from '@conclave/protocol';
import { AccessError } from '../api/room-access.js';
import { CallMedia } from '../call/call-media.js';
import type { CreateDevice } from '../call/media-device.js';
import { ChatSession } from '../chat/chat-session.js';
import type { LinkKey } from '../e2ee/meeting-key.js';
import type { TrackSource } from '../media/local-media.js';
import { MeetingRecording } from '../recording/meeting-recording.js';
import { SignalingError } from '../signaling/signaling-client.js';
import type { Signaling } from '../signaling/signaling-port.js';
import { Store } from '../state/store.js';
import { composeMeeting } from './compose-snapshot.js';
import type { MeetingEncryption } from './meeting-encryption.js';
import { initialMeeting, initialStatus, type CallStatus, type MeetingSnapshot } from './meeting-state.js';
import { closedText, deniedText, lostText, noticeText, rejoinText } from './notice-text.js';
import { Rejoiner, systemClock, type Clock } from './rejoiner.js';
import { listenToRoom } from './room-events.js';

export interface MeetingDeps {
  roomId: string;
  /** The name last used in this browser. */
  savedName: string;
  rememberName(name: string): void;
  fetchRoom(roomId: string): Promise<PublicRoom>;
  readLinkKey(): Promise<LinkKey>;
  deriveKey(passphrase: string, roomId: string): Promise<Uint8Array>;
  /** A signaling connection with a fresh join ticket (a rejoin gives the last join's pass). */
  openSignaling(roomId: string, roomPassword: string | undefined, rejoinPass: string | null): Promise<Signaling>;
  createDevice: CreateDevice;
  createEncryption(roomId: string, secret: Uint8Array): MeetingEncryption;
  tracks: TrackSource;
  /** Calls back when the browser comes back online; returns what stops it. */
  onOnline(listener: () => void): () => void;
  clock?: Clock;
  random?: () => number;
}

export interface JoinRequest {
  name: string;
  micOn: boolean;
  cameraOn: boolean;
  /** The join screen's tracks: the call takes them over once it joins. */
  stream: MediaStream;
  passphrase: string;
  roomPassword: string;
}

/** The parts of one call, made when the person joins. */
export interface CallParts {
  media: CallMedia;
  e2ee: MeetingEncryption;
  chat: ChatSession;
  recording: MeetingRecording;
}

export type HostAction = 'lobbyAdmit' | 'lobbyDeny' | 'mutePeer' | 'removePeer' | 'lockRoom' | 'endMeeting';

export class Meeting {
  readonly store: Store<MeetingSnapshot>;
  private readonly status = new Store<CallStatus>(initialStatus);
  private parts: CallParts | null = null;
  private signaling: Signaling | null = null;
  private offConnection: Array<() => void> = [];
  private offParts: Array<() => void> = [];
  private readonly rejoiner: Rejoiner;
  private roomPassword: string | undefined;
  private rejoinPass: string | null = null;
  private inCall = false;
  private ended = false;
  /** The person cancelled the lobby wait, or the room closed under it: why the join stopped. */
  private stoppedJoin: { error: string | null } | null = null;
  private noticeId = 0;
  private iceRestarts = 0;

  constructor(private readonly deps: MeetingDeps) {
    this.store = new Store(initialMeeting(deps.savedName));
    this.status.subscribe(this.refresh);
    this.rejoiner = new Rejoiner({
      clock: deps.clock ?? systemClock,
      ...(deps.random ? { random: deps.random } : {}),
      attempt: () => this.connectAndJoin(),
      disconnect: () => this.disconnect(),
      status: this.status,
      notify: (text) => this.notify(text),
      giveUp: (error) => this.end(error),
      isOver: () => this.ended,
    });
  }

  get current(): CallParts | null {
    return this.parts;
  }

  /** Looks the room up and reads the link's meeting key, for the join screen. */
  start(): void {
    this.deps.readLinkKey().then(
      (linkKey) => this.store.update({ linkKey }),
      (err: unknown) => this.store.update({ linkKey: { kind: 'damaged', message: String(err) } }),
    );
    this.deps.fetchRoom(this.deps.roomId).then(
      (room) => this.setRoom(room),
      (err: unknown) => this.setRoom(err instanceof AccessError ? err : new AccessError('unknown', String(err))),
    );
  }

  /** Joins with the join screen's choices; resolves true once in the call (the call owns the tracks then). */
  async join(request: JoinRequest): Promise<boolean> {
    const snap = this.store.getSnapshot();
    if (this.parts || snap.joining !== false) return false;
    this.deps.rememberName(request.name);
    this.store.update({ displayName: request.name, joinError: null });
    let secret = snap.linkKey?.kind === 'link' ? snap.linkKey.secret : null;
    if (!secret) {
      this.store.update({ joining: 'key' });
      try {
        secret = await this.deps.deriveKey(request.passphrase, this.deps.roomId);
      } catch (err) {
        this.store.update({ joining: false, joinError: `Could not derive the meeting key: ${(err as Error).message}` });
        return false;
      }
    }
    const { stream } = request;
    for (const t of stream.getAudioTracks()) t.enabled = request.micOn;
    if (!request.cameraOn) {
      for (const t of stream.getVideoTracks()) {
        t.stop();
        stream.removeTrack(t);
      }
    }
    this.store.update({ joining: 'call', secret });
    this.makeParts(stream, secret, request.name);
    this.roomPassword = request.roomPassword || undefined;
    this.ended = false;
    this.stoppedJoin = null;
    this.status.set({ ...initialStatus, phase: 'connecting' });
    const offOnline = this.deps.onOnline(() => this.rejoiner.wake());
    try {
      await this.connectAndJoin();
      if (this.joinStopped()) throw new Error('The join was stopped.');
      this.inCall = true;
      this.offParts.push(offOnline);
      this.store.update({ joining: false });
      this.refresh();
      return true;
    } catch (err) {
      offOnline();
      const stopped = this.joinStopped();
      const error = stopped ? stopped.error : (err as Error).message;
      this.disconnect();
      this.dropParts();
      this.status.set(initialStatus);
      this.store.update({ joining: false, joinError: error });
      return false;
    }
  }

  /** Stops waiting in the lobby: back to the join screen, the tracks still previewing. */
  cancelWaiting(): void {
    if (this.inCall || !this.signaling) return;
    this.stoppedJoin = { error: null };
    const signaling = this.signaling;
    void signaling.request('leave', {}).catch(() => undefined).finally(() => signaling.close());
  }

  /** Leaves the call: the room hears it (and that a recording stopped), then everything is torn down. */
  async leave(): Promise<void> {
    if (!this.inCall || this.ended) return;
    this.ended = true;
    this.rejoiner.wake();
    const signaling = this.signaling;
    // The room hears the recording stopped (and the audit log gets it) before the person goes.
    if (signaling?.isOpen && this.status.getSnapshot().recording) {
      await signaling.request('setRecording', { recording: false }).catch(() => undefined);
    }
    if (signaling?.isOpen) await signaling.request('leave', {}).catch(() => undefined);
    this.end(null);
  }

  /** From the "call ended" screen back to the join screen. */
  backToJoin(): void {
    if (this.inCall && !this.ended) return;
    this.dropParts();
    this.inCall = false;
    this.status.set(initialStatus);
    this.refresh();
  }

  /** The page is gone: leave the call and forget every key. */
  dispose(): void {
    if (this.inCall && !this.ended) void this.leave().then(() => this.dropParts());
    else {
      this.cancelWaiting();
      this.dropParts();
    }
  }

  /** Host controls; the server refuses them for guests. Failures become a notice. */
  async host(action: HostAction, data: Record<string, unknown> = {}): Promise<void> {
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
    if (recording && (!signaling?.isOpen || this.status.getSnapshot().phase !== 'in-call')) {
      throw new Error('Not connected to the meeting: the others could not be told you are recording.');
    }
    const before = this.status.getSnapshot().recording;
    this.status.update({ recording });
    if (!signaling?.isOpen) return;
    try {
      await signaling.request('setRecording', { recording });
    } catch (err) {
      if (!recording) return; // stopping stands: the room learns when we leave or rejoin
      this.status.update({ recording: before });
      throw err;
    }
  }

  /** How the call has recovered so far, for window.conclave and the browser tests. */
  recovery(): { peerId: string | null; rejoins: number; iceRestarts: number; transports: { send: string | null; recv: string | null }; reconnecting: CallStatus['reconnecting'] } {
    const status = this.status.getSnapshot();
    return {
      peerId: status.selfId,
      rejoins: this.rejoiner.rejoins,
      iceRestarts: this.iceRestarts,
      transports: this.parts?.media.transportStates ?? { send: null, recv: null },
      reconnecting: status.reconnecting,
    };
  }

  private makeParts(stream: MediaStream, secret: Uint8Array, name: string): void {
    const notify = (text: string) => this.notify(text);
    const e2ee = this.deps.createEncryption(this.deps.roomId, secret);
    const media = new CallMedia({ stream, tracks: this.deps.tracks, createDevice: this.deps.createDevice, transforms: e2ee, notify });
    const chat = new ChatSession({ crypto: e2ee, nameOf: (peerId) => media.subscriber.nameOf(peerId) });
    const recording = new MeetingRecording(
      {
        getSnapshot: () => this.store.getSnapshot().call,
        subscribe: (listener) => this.store.subscribe(listener),
        setRecording: (on) => this.setRecording(on),
        get microphoneTrack() {
          return media.publisher.microphoneTrack;
        },
      },
      {
        selfName: () => name,
        roomName: () => this.status.getSnapshot().roomName ?? this.deps.roomId,
        isHidden: (peerId) => e2ee.store.getSnapshot().tiles[peerId]?.state === 'cannot-decrypt',
      },
    );
    this.parts = { media, e2ee, chat, recording };
    this.offParts = [media.publisher.store, media.subscriber.store, e2ee.store, chat.store, recording.store].map((s) => s.subscribe(this.refresh));
  }

  private dropParts(): void {
    const parts = this.parts;
    for (const off of this.offParts) off();
    this.offParts = [];
    this.parts = null;
    if (!parts) return;
    parts.e2ee.dispose();
    parts.chat.dispose();
    parts.recording.dispose();
    this.refresh();
  }

  /** One connection, from the ticket to media flowing. Rejects with words to show. */
  private async connectAndJoin(): Promise<void> {
    const parts = this.parts;
    if (!parts) throw new Error('not joining');
    const signaling = await this.deps.openSignaling(this.deps.roomId, this.roomPassword, this.rejoinPass);
    this.signaling = signaling;
    this.listen(signaling, parts);
    const joined = await this.requestJoin(signaling);
    this.status.update({ role: joined.role, roomName: joined.room.name, locked: joined.room.locked });
    await parts.media.connect(joined, {
      onLost: (why) => this.rejoiner.rejoin(why),
      onMediaDown: (down) => this.setMediaDown(down),
      onIceRestart: () => (this.iceRestarts += 1),
    });
    this.rejoinPass = joined.rejoinPass;
    this.status.update({ selfId: joined.peerId });
    await parts.e2ee.attach(signaling, joined);
    const recorders = joined.peers.filter((p) => p.recording).map((p) => p.displayName);
    if (recorders.length > 0) this.notify(noticeText.recorders(recorders));
    // After a rejoin the server has a new peer for us: tell the room again that we are still recording.
    if (this.status.getSnapshot().recording) await signaling.request('setRecording', { recording: true }).catch(() => undefined);
    await parts.media.publish();
    this.status.update({ phase: 'in-call', error: null, reconnecting: null });
    await parts.media.receive();
  }

  /** The join request, and the lobby's answer when the room has one. */
  private async requestJoin(signaling: Signaling): Promise<JoinAnswer> {
    const request = { roomId: this.deps.roomId, displayName: this.store.getSnapshot().displayName };
    const first = await signaling.request('join', request);
    if (first.status === 'joined') return first;
    this.status.update({ phase: 'waiting' });
    const decision = await new Promise<NotificationData<'lobbyDecision'>>((resolve, reject) => {
      const off = signaling.on('lobbyDecision', (d) => {
        off();
        resolve(d);
      });
      signaling.onClose(() => reject(new SignalingError('disconnected', lostText.whileWaiting)));
    });
    if (!decision.admitted) throw new SignalingError('denied', deniedText(decision.by));
    this.status.update({ phase: 'connecting' });
    const second = await signaling.request('join', request);
    if (second.status !== 'joined') throw new SignalingError('denied', deniedText(undefined));
    return second;
  }

  private listen(signaling: Signaling, parts: CallParts): void {
    parts.media.listen(signaling);
    parts.chat.attach(signaling);
    this.offConnection.push(
      ...listenToRoom(signaling, {
        status: this.status,
        notify: (text) => this.notify(text),
        selfName: this.store.getSnapshot().displayName,
        muteSelf: () => void parts.media.publisher.setMicEnabled(false),
      }),
      signaling.on('roomClosed', (data) => this.onRoomClosed(data)),
      signaling.onClose((code) => {
        if (this.signaling !== signaling || this.ended || !this.inCall) return;
        // An account signed out, deleted or demoted: the server closed this socket; a fresh ticket says who we are now.
        this.rejoiner.rejoin(code === CloseCode.AccountChanged ? lostText.accountChanged : lostText.connection);
      }),
    );
  }

  private onRoomClosed(data: NotificationData<'roomClosed'>): void {
    if (data.rejoin && this.inCall) this.rejoiner.rejoin(rejoinText(data.reason));
    else if (this.inCall) this.end(closedText(data));
    else {
      this.stoppedJoin = { error: closedText(data) };
      this.signaling?.close();
    }
  }

  /** The connection and its media are gone; the tracks, keys and chat stay for a rejoin. */
  private disconnect(): void {
    for (const off of this.offConnection) off();
    this.offConnection = [];
    this.parts?.media.disconnect();
    const old = this.signaling;
    this.signaling = null;
    old?.close();
    this.status.update({ activeSpeakerId: null });
  }

  /** The end of the call, however it came: the one teardown. */
  private end(error: string | null): void {
    this.ended = true;
    this.rejoiner.wake();
    this.disconnect();
    const parts = this.parts;
    parts?.media.stop();
    parts?.e2ee.dispose();
    parts?.chat.dispose();
    this.status.update({ phase: 'ended', lobby: [], error, reconnecting: null });
  }

  /** The media path of some transport is down (an ICE restart runs) or back: the banner shows meanwhile. */
  private setMediaDown(down: boolean): void {
    const status = this.status.getSnapshot();
    if (this.rejoiner.running || status.phase !== 'in-call') return;
    const reconnecting = down ? { cause: 'media' as const, attempt: 0, nextAttemptAt: null } : null;
    if ((reconnecting === null) !== (status.reconnecting === null)) this.status.update({ reconnecting });
  }

  /** Read through a method: it changes while join() awaits. */
  private joinStopped(): { error: string | null } | null {
    return this.stoppedJoin;
  }

  private notify(text: string): void {
    this.noticeId += 1;
    this.status.update({ notice: { id: this.noticeId, text } });
  }

  private setRoom(room: PublicRoom | AccessError): void {
    this.store.update({ room });
    this.refresh();
  }

  private readonly refresh = (): void => {
    this.store.set(composeMeeting(this.store.getSnapshot(), this.status.getSnapshot(), this.parts, this.inCall));
  };
}
