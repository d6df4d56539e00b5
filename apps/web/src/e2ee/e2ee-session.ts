/**
 * End-to-end encryption for one person in one meeting: drives the key
 * schedule (KeyManager) from signaling, hands keys to the media Worker, and
 * attaches the Worker's transform to every sender and receiver. Its store
 * holds the safety code and each remote participant's state, and it tells
 * the server, in one word, what it sees (for the admin page).
 *
 * A fresh KeyManager is made on every (re)join: a rejoin is a new member
 * with a new identity, and the Worker forgets every old key first.
 */
import type { E2eeStatus, JoinAnswer, MediaKind, MediaSource } from '@conclave/protocol';
import { KeyManager, fromBase64url, sodiumReady, toBase64url, type Effects, type SafetyCode } from '@conclave/e2ee/keys';
import { MediaEncryption, type FrameTransformSupport, type ReceiveStatus } from '@conclave/e2ee/media';
import type { MediaTransforms } from '../call/media-transforms.js';
import { chatOutcome, type ChatCrypto, type ChatDecryptOutcome } from '../chat/chat-session.js';
import type { Signaling } from '../signaling/signaling-port.js';
import { Store } from '../state/store.js';
import { e2eeSummary } from './e2ee-summary.js';
import { tileE2ee, type TileE2eeView } from './tile-e2ee.js';

const TICK_MS = 1000;

export interface E2eeSnapshot {
  safetyCode: SafetyCode | null;
  /** Whether our own frames are leaving encrypted (false: held back for want of a key). */
  sending: boolean;
  /** The KID our frames use now, and when (Date.now()) the Worker switched to it. */
  activeKid: string | null;
  activeSince: number | null;
  /** When (Date.now()) the server's announcement of the latest leave reached us. */
  lastLeaveAt: number | null;
  tiles: Record<string, TileE2eeView>;
}

/** Before the first join: no code, nothing sent, nobody known. */
export const idleE2ee: E2eeSnapshot = {
  safetyCode: null,
  sending: false,
  tiles: {},
  activeKid: null,
  activeSince: null,
  lastLeaveAt: null,
};

interface FrameStatus {
  status: ReceiveStatus;
  reason?: string;
}

export class E2eeSession implements MediaTransforms, ChatCrypto {
  readonly store = new Store<E2eeSnapshot>(idleE2ee);
  /** The word last reported to the server on this connection. */
  private reported: E2eeStatus | null = null;
  private readonly frames = new Map<string, Partial<Record<MediaKind, FrameStatus>>>();
  private readonly media: MediaEncryption;
  private keys: KeyManager | null = null;
  private signaling: Signaling | null = null;
  private unsubscribe: Array<() => void> = [];
  private tick: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly roomId: string,
    private readonly meetingSecret: Uint8Array,
    support: Exclude<FrameTransformSupport, 'none'>,
  ) {
    const worker = new Worker(new URL('./media-worker.ts', import.meta.url), { type: 'module', name: 'conclave-media' });
    this.media = new MediaEncryption(worker, support, {
      onReceiveStatus: (peerId, kind, status, reason) => {
        this.frames.set(peerId, { ...this.frames.get(peerId), [kind]: { status, ...(reason ? { reason } : {}) } });
        this.publish();
      },
      onSendStatus: (sending) => this.update({ sending }),
      onSendKeyActive: (kid) => this.update({ activeKid: kid.toString(), activeSince: Date.now() }),
    });
  }

  /** RTCPeerConnection settings the transform path needs (the createEncodedStreams fallback). */
  get peerConnectionSettings(): Record<string, unknown> | undefined {
    return this.media.needsInsertableStreams ? { encodedInsertableStreams: true } : undefined;
  }

  attachSender(sender: RTCRtpSender, kind: MediaKind, _source: MediaSource, mimeType?: string): void {
    this.media.attachSender(sender, kind, mimeType);
  }

  attachReceiver(receiver: RTCRtpReceiver, peerId: string, kind: MediaKind, _source: MediaSource, mimeType?: string): void {
    this.media.attachReceiver(receiver, peerId, kind, mimeType);
  }

  /**
   * A (re)join: a new member with a fresh identity on the new connection,
   * announced to the room; the roster's keys follow. Called by the Meeting
   * after each join answer, before media flows.
   */
  async attach(signaling: Signaling, joined: JoinAnswer): Promise<void> {
    this.stop();
    this.media.reset();
    this.frames.clear();
    await sodiumReady();
    const keys = await KeyManager.create({
      roomId: this.roomId,
      selfId: joined.peerId,
      senderIndex: joined.senderIndex,
      meetingSecret: this.meetingSecret,
    });
    this.keys = keys;
    this.signaling = signaling;
    this.reported = null;

    // Announcements relayed before our roster arrives were stored before ours, so they are in the roster.
    let rosterSeen = false;
    this.unsubscribe.push(
      signaling.on('e2eeAnnounce', ({ peerId, announcement }) => {
        if (rosterSeen) this.run(() => keys.onAnnouncement(peerId, fromBase64url(announcement)));
      }),
      signaling.on('e2eeKey', ({ from, box }) => this.run(() => keys.onKeyBundle(from, fromBase64url(box)))),
      signaling.on('peerLeft', ({ peerId }) => {
        this.update({ lastLeaveAt: Date.now() });
        this.frames.delete(peerId);
        this.run(() => keys.onPeerLeft(peerId));
      }),
    );
    const { roster } = await signaling.request('e2eeAnnounce', { announcement: toBase64url(keys.announcement()) });
    rosterSeen = true;
    this.run(() => keys.onRoster(roster.map((r) => ({ peerId: r.peerId, bytes: fromBase64url(r.announcement) }))));
    this.tick = setInterval(() => this.run(() => keys.tick()), TICK_MS);
    this.report();
  }

  /** Meeting over: forget every key. */
  dispose(): void {
    this.stop();
    this.media.dispose();
    this.keys = null;
  }

  /** A chat message encrypted under our current sender key (base64url), or null while we hold no keys. */
  encryptChat(text: string): string | null {
    return this.keys ? toBase64url(this.keys.encryptChat(text)) : null;
  }

  /**
   * Decrypts a chat message the server says `from` sent. `retry` when its key
   * may still be on its way: the sender's announcement or key box has not
   * been processed yet, or we are between a rejoin and our new keys.
   */
  decryptChat(from: string, message: string): ChatDecryptOutcome {
    const keys = this.keys;
    if (!keys) return { ok: false, retry: true, reason: 'no keys yet' };
    let bytes: Uint8Array;
    try {
      bytes = fromBase64url(message);
    } catch {
      return { ok: false, retry: false, reason: 'malformed' };
    }
    return chatOutcome(keys.decryptChat(from, bytes));
  }

  /** For the diagnostics hook used by tests: the key our own frames use now. */
  debugSendKey(): { kid: bigint; baseKey: Uint8Array } | null {
    const snap = this.keys?.keySnapshot();
    return snap ? { kid: snap.sendKey.kid, baseKey: snap.sendKey.baseKey } : null;
  }

  private stop(): void {
    this.signaling = null;
    if (this.tick) clearInterval(this.tick);
    this.tick = null;
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    this.keys?.dispose();
    this.keys = null;
  }

  /** Runs a KeyManager step and carries out its effects; a bad input is logged, never thrown. */
  private run(step: () => Effects): void {
    let effects: Effects;
    try {
      effects = step();
    } catch (err) {
      console.warn('conclave e2ee: refused input', err);
      return;
    }
    this.media.apply(effects);
    if (effects.send.length > 0) {
      const boxes = effects.send.map((b) => ({ to: b.to, box: toBase64url(b.bytes) }));
      this.signaling?.request('e2eeKeys', { boxes }).catch((err) => console.warn('conclave e2ee: key delivery failed', err));
    }
    for (const r of effects.rejected) console.warn(`conclave e2ee: refused ${r.what} from ${r.peerId}: ${r.reason}`);
    if (effects.safetyCodeChanged && this.keys) this.update({ safetyCode: this.keys.safetyCode() });
    this.publish();
  }

  private publish(): void {
    const keys = this.keys;
    if (!keys) return;
    const tiles: Record<string, TileE2eeView> = {};
    for (const peer of keys.peers()) {
      if (peer.state === 'self') continue;
      const f = this.frames.get(peer.peerId);
      const frames = f?.video ?? f?.audio;
      tiles[peer.peerId] = tileE2ee(peer.state, frames?.status, frames?.reason);
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
    if (!signaling || !this.keys) return;
    const summary = e2eeSummary(this.store.getSnapshot());
    if (summary === this.reported) return;
    this.reported = summary;
    signaling.request('reportStatus', { e2ee: summary }).catch(() => undefined);
  }
}
