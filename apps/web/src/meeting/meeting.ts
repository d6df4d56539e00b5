/**
 * One person's meeting, from the join screen to the end: the client's
 * composition root. It owns the join ticket and the signaling connection
 * (the lobby wait, rejoining when the connection or the media path is lost),
 * and hands each new connection and join answer to its three equal parts:
 * call media, end-to-end encryption and chat (and the local recording).
 * React renders its store and calls its methods; nothing here knows React.
 */
import type { MeetingSecret } from '@conclave/e2ee/group';
import type { JoinAnswer, NotificationData, RequestData } from '@conclave/protocol';
import type { Signaling } from '../signaling/signaling-port.js';
import { Store } from '../state/store.js';
import { applyJoinChoice, createCallParts, disposeCallParts, partStores, type CallParts } from './call-parts.js';
import { composeMeeting } from './compose-snapshot.js';
import { requestJoin } from './lobby.js';
import type { JoinRequest, MeetingDeps } from './meeting-deps.js';
import { initialStatus } from '../call/call-state.js';
import { initialMeeting, type MeetingSnapshot, type RecoveryStats } from './meeting-state.js';
import { CallStatusStore } from './call-status.js';
import { closedText, lostText, noticeText, rejoinText } from '../notices/notice-text.js';
import { Rejoiner, systemClock } from './rejoiner.js';
import { listenToRoom } from './room-events.js';
import { lookUpRoom } from './room-lookup.js';

export type { CallParts } from './call-parts.js';
export type { JoinRequest, MeetingDeps } from './meeting-deps.js';

export type HostAction = 'lobbyAdmit' | 'lobbyDeny' | 'mutePeer' | 'removePeer' | 'lockRoom' | 'endMeeting';

export class Meeting {
  readonly store: Store<MeetingSnapshot>;
  private readonly status = new CallStatusStore();
  private parts: CallParts | null = null;
  private signaling: Signaling | null = null;
  private offConnection: Array<() => void> = [];
  private offParts: Array<() => void> = [];
  private readonly rejoiner: Rejoiner;
  private roomPassword: string | undefined;
  private rejoinPass: string | null = null;
  /** The current connection's join answer (a mediaReset rebuilds the media from it). */
  private joined: JoinAnswer | null = null;
  private inCall = false;
  private ended = false;
  /** The person cancelled the lobby wait, or the room closed under it: why the join stopped. */
  private stoppedJoin: { error: string | null } | null = null;

  constructor(private readonly deps: MeetingDeps) {
    this.store = new Store(initialMeeting(deps.savedName));
    this.status.subscribe(this.refresh);
    this.rejoiner = new Rejoiner({
      clock: deps.clock ?? systemClock,
      ...(deps.random ? { random: deps.random } : {}),
      attempt: () => this.connectAndJoin(),
      disconnect: () => this.disconnect(),
      status: this.status,
      giveUp: (error) => this.end(error),
      isOver: () => this.ended,
    });
  }

  get current(): CallParts | null {
    return this.parts;
  }

  /** Looks the room up and reads the link's meeting key, for the join screen. */
  start(): void {
    const { linkKey, room } = lookUpRoom(this.deps);
    void linkKey.then((key) => this.store.update({ linkKey: key }));
    void room.then((info) => {
      this.store.update({ room: info });
      this.refresh(); // "no such room" is a screen of its own
    });
  }

  /** Joins with the join screen's choices; resolves true once in the call (the call owns the tracks then). */
  async join(request: JoinRequest): Promise<boolean> {
    const snap = this.store.getSnapshot();
    if (this.parts || snap.joining !== false) return false;
    this.deps.rememberName(request.name);
    this.store.update({ displayName: request.name, joinError: null });
    const secret: MeetingSecret =
      snap.linkKey?.kind === 'link' ? { kind: 'link', key: snap.linkKey.secret } : { kind: 'passphrase', passphrase: request.passphrase };
    const { stream } = request;
    applyJoinChoice(stream, request.micOn, request.cameraOn);
    this.store.update({ joining: 'call', secret });
    this.roomPassword = request.roomPassword || undefined;
    this.ended = false;
    this.stoppedJoin = null;
    this.status.set({ ...initialStatus, phase: 'connecting' });
    const offOnline = this.deps.onOnline(() => this.rejoiner.wake());
    try {
      this.makeParts(stream, secret, request.name);
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
    void signaling
      .request('leave', {})
      .catch(() => undefined)
      .finally(() => signaling.close());
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
    // A signed leave notice: the others commit our removal even if the server hid the leave.
    if (signaling?.isOpen) await this.parts?.e2ee.announceLeave().catch(() => undefined);
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
  async host<A extends HostAction>(action: A, data: RequestData<A>): Promise<void> {
    try {
      // A removal is first a Remove committed by our own client: out of the encryption even if the server then keeps them connected.
      if (action === 'removePeer') await this.parts?.e2ee.removeMember((data as RequestData<'removePeer'>).peerId);
      await this.signaling?.request(action, data);
    } catch (err) {
      this.status.notify((err as Error).message);
    }
  }

  /** Tells the room this participant started or stopped recording (the recording stays in this browser). */
  setRecording(recording: boolean): Promise<void> {
    return this.status.announceRecording(this.signaling, recording);
  }

  /** How the call has recovered so far, for window.conclave and the browser tests. */
  recovery(): RecoveryStats {
    const status = this.status.getSnapshot();
    return {
      peerId: status.selfId,
      rejoins: this.rejoiner.rejoins,
      iceRestarts: this.parts?.media.iceRestarts ?? 0,
      mediaResets: this.parts?.media.mediaResets ?? 0,
      transports: this.parts?.media.transportStates ?? { send: null, recv: null },
      reconnecting: status.reconnecting,
    };
  }

  private makeParts(stream: MediaStream, secret: MeetingSecret, selfName: string): void {
    const parts = createCallParts({
      deps: this.deps,
      stream,
      secret,
      selfName,
      notify: (text) => this.status.notify(text),
      call: {
        getSnapshot: () => this.store.getSnapshot().call,
        subscribe: (listener) => this.store.subscribe(listener),
        setRecording: (on) => this.setRecording(on),
      },
      roomName: () => this.status.getSnapshot().roomName ?? this.deps.roomId,
      selfId: () => this.joined?.peerId ?? null,
    });
    this.parts = parts;
    this.offParts = partStores(parts).map((s) => s.subscribe(this.refresh));
  }

  private dropParts(): void {
    const parts = this.parts;
    for (const off of this.offParts) off();
    this.offParts = [];
    this.parts = null;
    if (!parts) return;
    disposeCallParts(parts);
    this.refresh();
  }

  /** One connection, from the ticket to media flowing. Rejects with words to show. */
  private async connectAndJoin(): Promise<void> {
    const parts = this.parts;
    if (!parts) throw new Error('not joining');
    const signaling = await this.deps.openSignaling(this.deps.roomId, this.roomPassword, this.rejoinPass);
    this.signaling = signaling;
    this.listen(signaling, parts);
    const request = { roomId: this.deps.roomId, displayName: this.store.getSnapshot().displayName };
    const joined = await requestJoin(signaling, request, (phase) => this.status.update({ phase }));
    this.status.update({ role: joined.role, roomName: joined.room.name, locked: joined.room.locked });
    this.rejoinPass = joined.rejoinPass;
    this.joined = joined;
    this.status.update({ selfId: joined.peerId });
    // The MLS join (our KeyPackage out, a Welcome back) overlaps transport setup; no frame leaves before its key.
    await Promise.all([
      parts.media.connect(joined, this.mediaEvents),
      parts.e2ee.attach(signaling, joined, this.store.getSnapshot().displayName),
    ]);
    const recorders = joined.peers.filter((p) => p.recording).map((p) => p.displayName);
    if (recorders.length > 0) this.status.notify(noticeText.recorders(recorders));
    // After a rejoin the server has a new peer for us: tell the room again that we are still recording.
    if (this.status.getSnapshot().recording) await signaling.request('setRecording', { recording: true }).catch(() => undefined);
    await parts.media.publish();
    this.status.update({ phase: 'in-call', error: null, reconnecting: null });
    await parts.media.receive();
  }

  private readonly mediaEvents = {
    onLost: (why: string) => this.rejoiner.rejoin(why),
    onMediaDown: (down: boolean) => this.status.mediaDown(down, this.rejoiner.running),
  };

  /**
   * The server's media worker under us died (mediaReset): we are still in
   * the meeting with the same keys, so only the media is made again, on this
   * connection. If that fails, a full rejoin follows.
   */
  private async rebuildMedia(signaling: Signaling): Promise<void> {
    const parts = this.parts;
    const joined = this.joined;
    if (!parts || !joined || !this.inCall || this.ended || this.signaling !== signaling) return;
    try {
      await parts.media.rebuild(joined, this.mediaEvents);
    } catch (err) {
      console.warn('conclave: could not rebuild media after the server reset it; rejoining', err);
      if (this.signaling === signaling && !this.ended) this.rejoiner.rejoin(lostText.media);
    }
  }

  private listen(signaling: Signaling, parts: CallParts): void {
    parts.media.listen(signaling);
    parts.chat.attach(signaling);
    this.offConnection.push(
      signaling.on('mediaReset', () => void this.rebuildMedia(signaling)),
      ...listenToRoom(signaling, {
        status: this.status,
        notify: (text) => this.status.notify(text),
        selfName: this.store.getSnapshot().displayName,
        muteSelf: () => void parts.media.publisher.setMicEnabled(false),
        onRoomClosed: (data) => this.onRoomClosed(data),
        onLost: (why) => {
          if (this.signaling === signaling && !this.ended && this.inCall) this.rejoiner.rejoin(why);
        },
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

  /** Read through a method: it changes while join() awaits. */
  private joinStopped(): { error: string | null } | null {
    return this.stoppedJoin;
  }

  private readonly refresh = (): void => {
    this.store.set(composeMeeting(this.store.getSnapshot(), this.status.getSnapshot(), this.parts, this.inCall));
  };
}
