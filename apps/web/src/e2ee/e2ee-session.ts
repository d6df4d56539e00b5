/**
 * End-to-end encryption for one person in one meeting: this browser's part
 * in the meeting's MLS group (GroupAgent, over the server as Delivery
 * Service), each epoch's SFrame keys handed to the media Worker, and the
 * Worker's transform on every sender and receiver. Its store holds the
 * verification code, the group's members and each remote participant's
 * state; it tells the server, in one word, what it sees (for the admin page).
 *
 * Every (re)join is a new member: a fresh KeyPackage and signature key, and
 * the Worker forgets every old key first.
 */
import type { E2eeStatus, JoinAnswer, MediaKind, MediaSource } from '@conclave/protocol';
import {
  GroupAgent,
  type AdmissionFailure,
  type EpochKeys,
  type GroupMember,
  type MeetingSecret,
  type RefusalReason,
  type Rejection,
  type SafetyCode,
} from '@conclave/e2ee/group';
import { fromBase64url, sodiumReady, toBase64url } from '@conclave/e2ee/keys';
import {
  MediaEncryption,
  type FrameTransformSupport,
  type OriginFailure,
  type OriginStatus,
  type ReceiveStatus,
} from '@conclave/e2ee/media';
import type { MediaTransforms } from '../call/media-transforms.js';
import type { ChatCrypto, ChatDecryptOutcome } from '../chat/chat-session.js';
import type { GestureCrypto } from '../gestures/gesture-session.js';
import type { Signaling } from '../signaling/signaling-port.js';
import { Store } from '../state/store.js';
import { deliveryPort } from './delivery-port.js';
import { groupChat } from './group-chat.js';
import { e2eeSummary } from './e2ee-summary.js';
import { originOf, tileE2ee, type OriginView, type TileE2eeView } from './tile-e2ee.js';

/** Delay before our frames switch to a new epoch's key, so the others have processed the commit. */
export const ACTIVATION_DELAY_MS = 250;
/** How long we wait to be added before telling people nobody let us in (a different meeting key, most likely). */
export const ADMISSION_WAIT_MS = 8000;
/** Where a forging member's counters start (the impersonate test hook): far above any the victim has used. */
const FORGER_FIRST_COUNTER = 1n << 32n;
/** How long the previous epoch's keys of members still in the group stay usable (late frames). */
export const EPOCH_GRACE_MS = 1000;

export interface GroupMemberView {
  peerId: string;
  displayName: string;
}

export interface E2eeSnapshot {
  safetyCode: SafetyCode | null;
  /** Whether our own frames are leaving encrypted (false: held back for want of a key). */
  sending: boolean;
  /** Whether we are in the meeting's group (false while our Welcome is on its way). */
  inGroup: boolean;
  /** Nobody added us within ADMISSION_WAIT_MS, or the member who ran our admission said no. */
  refused: boolean;
  /** Why, when the member who ran our admission said so. */
  refusedReason: RefusalReason | null;
  /** Whether this meeting's secret is a link key or a passphrase (for the words we show). */
  secretKind: MeetingSecret['kind'] | null;
  /** Failed attempts to join that we saw or were told of by a member (a wrong link key or passphrase). */
  admissionFailures: { count: number; lastName: string } | null;
  /** The group epoch our frames use now, and when (Date.now()) the Worker switched to it. */
  activeEpoch: string | null;
  activeSince: number | null;
  /** When (Date.now()) the server's announcement of the latest leave reached us. */
  lastLeaveAt: number | null;
  /** The group's other members, by peer id: the roster people see. */
  members: Record<string, GroupMemberView>;
  /** Per remote participant (group members and peers the server shows). */
  tiles: Record<string, TileE2eeView>;
}

/** Before the first join: no code, nothing sent, nobody known. */
export const idleE2ee: E2eeSnapshot = {
  safetyCode: null,
  sending: false,
  inGroup: false,
  refused: false,
  refusedReason: null,
  secretKind: null,
  admissionFailures: null,
  tiles: {},
  members: {},
  activeEpoch: null,
  activeSince: null,
  lastLeaveAt: null,
};

interface FrameStatus {
  status: ReceiveStatus;
  reason?: string;
}

export class E2eeSession implements MediaTransforms, ChatCrypto, GestureCrypto {
  readonly store = new Store<E2eeSnapshot>(idleE2ee);
  /** The word last reported to the server on this connection. */
  private reported: E2eeStatus | null = null;
  private readonly frames = new Map<string, Partial<Record<MediaKind, FrameStatus>>>();
  /** Per remote participant and source: are its frames shown to be theirs (signed batches). */
  private readonly origins = new Map<string, Map<MediaSource, OriginView>>();
  private readonly media: MediaEncryption;
  private agent: GroupAgent | null = null;
  private signaling: Signaling | null = null;
  private selfId: string | null = null;
  private unsubscribe: Array<() => void> = [];
  /** Peers the server shows in the room now (ourselves excluded). */
  private readonly serverPeers = new Set<string>();
  /** What the Worker holds: per peer, the epochs installed. */
  private readonly installed = new Map<string, Set<bigint>>();
  private members: GroupMember[] = [];
  private ownLeaf: number | null = null;
  private admissionTimer: ReturnType<typeof setTimeout> | null = null;
  private sendKey: { epoch: string; leaf: number; baseKey: Uint8Array } | null = null;
  /** Test hook: from the next epoch on, our frames go out under this member's KID and key (a forger's). */
  private impersonating: string | null = null;
  private readonly chat = groupChat(() => this.agent);
  private readonly signalListeners = new Set<(from: string, body: Uint8Array) => void>();
  private readonly memberListeners = new Set<Parameters<GestureCrypto['onMembersChanged']>[0]>();

  constructor(
    private readonly roomId: string,
    private readonly secret: MeetingSecret,
    support: Exclude<FrameTransformSupport, 'none'>,
    /** Words for the person: someone was refused, we were removed. */
    private readonly notify: (text: string) => void = () => undefined,
  ) {
    const worker = new Worker(new URL('./media-worker.ts', import.meta.url), { type: 'module', name: 'conclave-media' });
    this.media = new MediaEncryption(worker, support, {
      onReceiveStatus: (peerId, kind, status, reason) => {
        this.frames.set(peerId, { ...this.frames.get(peerId), [kind]: { status, ...(reason ? { reason } : {}) } });
        this.publish();
      },
      onSendStatus: (sending) => this.update({ sending }),
      onSendKeyActive: (epoch) => this.update({ activeEpoch: epoch.toString(), activeSince: Date.now() }),
      onOriginBatch: (batch) => this.signOrigin(batch),
      onOriginStatus: (peerId, source, status, reason) => this.onOriginStatus(peerId, source, status, reason),
    });
    // Frames whose origin fails (forged, or never signed in time) stop being shown.
    this.media.enforceOrigin(true);
  }

  /** RTCPeerConnection settings the transform path needs (the createEncodedStreams fallback). */
  get peerConnectionSettings(): Record<string, unknown> | undefined {
    return this.media.needsInsertableStreams ? { encodedInsertableStreams: true } : undefined;
  }

  attachSender(sender: RTCRtpSender, kind: MediaKind, source: MediaSource, mimeType?: string): void {
    this.media.attachSender(sender, kind, source, mimeType);
  }

  attachReceiver(receiver: RTCRtpReceiver, peerId: string, kind: MediaKind, source: MediaSource, mimeType?: string): void {
    this.media.attachReceiver(receiver, peerId, kind, source, mimeType);
  }

  /**
   * A (re)join: a new member with a fresh KeyPackage on the new connection,
   * offered to the group; a committer adds us. Called by the Meeting after
   * each join answer; media setup runs alongside.
   */
  async attach(signaling: Signaling, joined: JoinAnswer, displayName = 'Someone'): Promise<void> {
    this.stop();
    this.media.reset();
    this.frames.clear();
    this.origins.clear();
    this.installed.clear();
    this.members = [];
    this.ownLeaf = null;
    this.serverPeers.clear();
    for (const p of joined.peers) this.serverPeers.add(p.peerId);
    this.store.set({ ...idleE2ee, secretKind: this.secret.kind });
    await sodiumReady(); // base64url
    const agent = new GroupAgent({
      roomId: this.roomId,
      secret: this.secret,
      self: { peerId: joined.peerId, displayName: displayName.slice(0, 64) || 'Someone' },
      port: deliveryPort(signaling),
      events: {
        onEpoch: (keys, members, code) => this.onEpoch(keys, members, code),
        onRejected: (r) => this.onRejected(r),
        onRemoved: () => this.onRemoved(),
        onAdmissionFailed: (f) => this.onAdmissionFailed(f),
        onRefused: (reason) => {
          this.update({ refused: true, refusedReason: reason });
          this.publish();
        },
      },
    });
    this.agent = agent;
    this.signaling = signaling;
    this.selfId = joined.peerId;
    this.reported = null;
    const swallow = (p: Promise<unknown>) => void p.catch((err: unknown) => console.warn('conclave e2ee:', err));
    this.unsubscribe.push(
      signaling.on('groupJoinRequest', (r) =>
        swallow(agent.onJoinRequest({ peerId: r.peerId, keyPackage: fromBase64url(r.keyPackage), pake: fromBase64url(r.pake) })),
      ),
      signaling.on('groupAdmit', (a) => swallow(agent.onAdmit(a.from, fromBase64url(a.message)))),
      signaling.on('groupMessage', (m) => swallow(this.openGroupMessage(agent, m.from, m.message))),
      signaling.on('groupCommit', (c) => swallow(agent.onCommit(c.from, c.epoch, fromBase64url(c.commit)))),
      signaling.on('groupWelcome', (w) => swallow(agent.onWelcome(w.from, fromBase64url(w.welcome)))),
      signaling.on('groupFound', (f) =>
        swallow(
          agent.onFound(f.waiting.map((r) => ({ peerId: r.peerId, keyPackage: fromBase64url(r.keyPackage), pake: fromBase64url(r.pake) }))),
        ),
      ),
      signaling.on('peerJoined', (p) => {
        this.serverPeers.add(p.peerId);
        this.publish();
      }),
      signaling.on('peerLeft', ({ peerId }) => {
        this.serverPeers.delete(peerId);
        this.update({ lastLeaveAt: Date.now() });
        this.frames.delete(peerId);
        this.origins.delete(peerId);
        swallow(agent.onPeerLeft(peerId));
        this.publish();
      }),
    );
    await agent.start();
    if (this.ownLeaf === null) {
      this.admissionTimer = setTimeout(() => {
        if (this.ownLeaf !== null || this.agent !== agent) return;
        this.update({ refused: true });
        this.publish();
      }, ADMISSION_WAIT_MS);
    }
    this.report();
  }

  /** Meeting over: forget every key. */
  dispose(): void {
    this.stop();
    this.media.dispose();
  }

  /**
   * Before leaving: a signed notice, so the others commit our removal even
   * if the server hides the leave. Best effort; resolves quickly.
   */
  async announceLeave(): Promise<void> {
    const agent = this.agent;
    const signaling = this.signaling;
    if (!agent || !signaling) return;
    const sealed = await agent.sealLeaving().catch(() => null);
    if (sealed) await signaling.request('groupMessage', { message: toBase64url(sealed) }).catch(() => undefined);
  }

  /** A host's removal: our own client commits the Remove first; the server is asked to disconnect after. */
  async removeMember(peerId: string): Promise<void> {
    if (!this.agent) throw new Error('not in the meeting');
    await this.agent.remove(peerId);
  }

  /** A chat message sealed as an MLS application message (base64url), or null while we are not in the group. */
  encryptChat(text: string): Promise<string | null> {
    return this.chat.encryptChat(text);
  }

  /** Opens a chat message the server says `from` sent. `retry` while we may still get the keys for it. */
  decryptChat(from: string, message: string): Promise<ChatDecryptOutcome> {
    return this.chat.decryptChat(from, message);
  }

  /** A meeting signal (a raised hand, a reaction) sealed by the group and relayed; false while we are not in the group. */
  async sendSignal(body: Uint8Array): Promise<boolean> {
    const agent = this.agent;
    const signaling = this.signaling;
    if (!agent || !signaling) return false;
    const sealed = await agent.sealSignal(body);
    if (!sealed) return false;
    await signaling.request('groupMessage', { message: toBase64url(sealed) });
    return true;
  }

  onSignal(listener: (from: string, body: Uint8Array) => void): () => void {
    this.signalListeners.add(listener);
    return () => this.signalListeners.delete(listener);
  }

  onMembersChanged(listener: Parameters<GestureCrypto['onMembersChanged']>[0]): () => void {
    this.memberListeners.add(listener);
    return () => this.memberListeners.delete(listener);
  }

  /**
   * Test hook (window.conclave.impersonate): plays a member who forges
   * another's frames. From the next epoch on, our frames carry `peerId`'s
   * KID and are encrypted with its base key, which every member can derive;
   * our signed origin batches still name only our own leaf.
   */
  debugImpersonate(peerId: string): void {
    this.impersonating = peerId;
  }

  /** Test hook (window.conclave.rekey): commits an update of our leaf, for a new epoch now. */
  debugRekey(): Promise<void> {
    return this.agent?.refresh() ?? Promise.resolve();
  }

  /** For the diagnostics hook used by tests: the epoch and key our own frames use now. */
  debugSendKey(): { epoch: string; leaf: number; baseKey: Uint8Array } | null {
    return this.sendKey;
  }

  private stop(): void {
    if (this.admissionTimer) clearTimeout(this.admissionTimer);
    this.admissionTimer = null;
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    this.agent?.dispose();
    this.agent = null;
    this.signaling = null;
    this.sendKey = null;
  }

  private onEpoch(keys: EpochKeys, members: GroupMember[], code: SafetyCode): void {
    const firstEpoch = this.ownLeaf === null;
    const previous = new Map(this.members.map((m) => [m.peerId, m]));
    this.members = members;
    this.ownLeaf = keys.ownLeaf;
    const victim = this.impersonating === null ? undefined : members.find((m) => m.peerId === this.impersonating);
    const sendLeaf = victim?.leaf ?? keys.ownLeaf;
    const own = keys.baseKeys.get(sendLeaf);
    if (own) {
      // A forger (the test hook) counts from a range the victim has not used: its frames must not be dropped as
      // replays before the origin check sees them, as a real forger would make sure of.
      const forgedFrom = victim ? FORGER_FIRST_COUNTER : undefined;
      this.media.setSendKey(keys.epoch, sendLeaf, own, firstEpoch ? 0 : ACTIVATION_DELAY_MS, forgedFrom);
      this.sendKey = { epoch: keys.epoch.toString(), leaf: sendLeaf, baseKey: own };
    }
    const present = new Set<string>();
    for (const m of members) {
      if (m.leaf === keys.ownLeaf) continue;
      present.add(m.peerId);
      const key = keys.baseKeys.get(m.leaf);
      if (!key) continue;
      this.media.addReceiveKey(m.peerId, keys.epoch, m.leaf, key);
      const epochs = this.installed.get(m.peerId) ?? new Set<bigint>();
      // Earlier epochs of a member still in the group: usable a moment longer, for frames already on their way.
      for (const e of epochs) this.media.dropReceiveKeys(m.peerId, e, EPOCH_GRACE_MS);
      this.installed.set(m.peerId, new Set([keys.epoch]));
    }
    // Members no longer in the group: every key of theirs goes now.
    for (const peerId of previous.keys()) {
      if (present.has(peerId)) continue;
      this.media.dropReceiveKeys(peerId, undefined, 0);
      this.installed.delete(peerId);
    }
    const view: Record<string, GroupMemberView> = {};
    for (const m of members) if (m.leaf !== keys.ownLeaf) view[m.peerId] = { peerId: m.peerId, displayName: m.displayName };
    this.update({ safetyCode: code, inGroup: true, refused: false, members: view });
    this.publish();
    const added = [...present].filter((id) => !previous.has(id));
    const removed = [...previous.keys()].filter((id) => !present.has(id) && id !== this.selfId);
    if (added.length > 0 || removed.length > 0 || firstEpoch) {
      for (const listener of this.memberListeners) listener({ added, removed, self: firstEpoch });
    }
  }

  /** Our frames' hashes from the Worker: signed by our leaf (an MLS application message) and relayed to the room. */
  private signOrigin(batch: Uint8Array): void {
    const agent = this.agent;
    const signaling = this.signaling;
    if (!agent || !signaling) return;
    void agent
      .sealOrigin(batch)
      .then((sealed) => (sealed ? signaling.request('groupMessage', { message: toBase64url(sealed) }) : undefined))
      .catch(() => undefined);
  }

  /**
   * One of the group's own messages (not chat): the agent acts on a leave
   * notice or a failed admission itself; an origin batch goes to the Worker
   * with the leaf the group says signed it, to check frames against; a
   * signal (a hand, a reaction) to its listeners, with who signed it.
   */
  private async openGroupMessage(agent: GroupAgent, from: string, message: string): Promise<void> {
    let bytes: Uint8Array;
    try {
      bytes = fromBase64url(message);
    } catch {
      return;
    }
    const opened = await agent.openApp(from, bytes);
    if (this.agent !== agent) return;
    if (opened.kind === 'origin') this.media.verifiedOrigin(opened.sender.peerId, opened.sender.leaf, opened.batch);
    if (opened.kind === 'signal') for (const listener of this.signalListeners) listener(opened.sender.peerId, opened.body);
  }

  private onOriginStatus(peerId: string, source: MediaSource, status: OriginStatus, reason?: OriginFailure): void {
    const sources = this.origins.get(peerId) ?? new Map<MediaSource, OriginView>();
    sources.set(source, reason ? { status, reason } : { status });
    this.origins.set(peerId, sources);
    this.publish();
  }

  private onRejected(r: Rejection): void {
    console.warn(`conclave e2ee: refused ${r.what}${r.peerId ? ` from ${r.peerId}` : ''}: ${r.reason}`);
  }

  /** Someone's admission failed: counted and shown to everyone in the call, whoever ran it. */
  private onAdmissionFailed(f: AdmissionFailure): void {
    const before = this.store.getSnapshot().admissionFailures;
    this.update({ admissionFailures: { count: (before?.count ?? 0) + 1, lastName: f.displayName } });
  }

  private onRemoved(): void {
    this.media.reset();
    this.installed.clear();
    this.members = [];
    this.update({ safetyCode: null, inGroup: false, members: {} });
    this.notify('You were removed from the encrypted meeting.');
    this.publish();
  }

  private publish(): void {
    if (!this.agent) return;
    const tiles: Record<string, TileE2eeView> = {};
    const inGroup = new Set(this.members.filter((m) => m.leaf !== this.ownLeaf).map((m) => m.peerId));
    for (const peerId of new Set([...inGroup, ...this.serverPeers])) {
      if (peerId === this.selfId) continue;
      const f = this.frames.get(peerId);
      const frames = f?.video ?? f?.audio;
      const self = this.ownLeaf !== null ? 'in-group' : this.store.getSnapshot().refused ? 'refused' : 'joining';
      const origin = originOf([...(this.origins.get(peerId)?.values() ?? [])]);
      tiles[peerId] = tileE2ee(inGroup.has(peerId) ? 'member' : 'not-in-group', frames?.status, frames?.reason, self, origin);
    }
    this.update({ tiles });
  }

  private update(patch: Partial<E2eeSnapshot>): void {
    this.store.update(patch);
    this.report();
  }

  /** Tells the server what this browser sees of encryption (for the admin page), when it changes. */
  private report(): void {
    const signaling = this.signaling;
    if (!signaling || !this.agent) return;
    const summary = e2eeSummary(this.store.getSnapshot());
    if (summary === this.reported) return;
    this.reported = summary;
    signaling.request('reportStatus', { e2ee: summary }).catch(() => undefined);
  }
}
