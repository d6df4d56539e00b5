/**
 * KeyManager: the key schedule of one participant, as a pure state machine.
 *
 * It takes events (roster, announcements, departures, key bundles, chat) and
 * returns {@link Effects}: boxes for the server to relay, and keys for the
 * frame Worker to install or drop. It does no I/O and sets no timers; the
 * only outside inputs are randomness and a clock (`now`, for expiring
 * pending bundles and old chat keys).
 *
 * Protocol (docs/e2ee-keys.md has it with the wire messages; SECURITY.md the reasons):
 *
 *  1. On joining, the app sends `announcement()` to the server. The server's
 *     reply lists the announcements stored before ours: `onRoster(...)`.
 *     We draw a fresh sender key (generation 0) and box it to every member
 *     whose announcement verifies.
 *  2. Every later announcement is a newcomer: `onAnnouncement(...)`. If it
 *     verifies, we ratchet our own key (KDF "ratchet", generation + 1), box
 *     only the ratcheted key to the newcomer, and ratchet our copies of the
 *     other members' keys locally: no messages among existing members, and
 *     the newcomer cannot compute any earlier key.
 *  3. `onPeerLeft(...)` (leave or kick) of a member: we draw a fresh random
 *     key (generation + 1), box it to the remaining members only, and switch
 *     to it after ACTIVATION_DELAY_MS; the departed member's keys are dropped
 *     at once, the remaining members' pre-leave keys after LEAVE_GRACE_MS.
 *
 * Every member's generation therefore moves by exactly one per membership
 * change that both ends see. Each box carries the sender's generation and
 * its "link generation" (its generation when it first gave us a key), so a
 * box that arrives after later changes is placed correctly: we ratchet it
 * forward across the joins that followed, and never across a leave (a key
 * from before a leave is known to the departed member, so nothing derived
 * from it is accepted after the leave). Boxes that are ahead of what we have
 * seen (sender not yet announced, or a change not yet delivered to us) wait
 * up to PENDING_TTL_MS.
 *
 * Requirements on the server (it stays untrusted for confidentiality; if it
 * breaks these it can only deny service):
 *  - announcements and departures are relayed to everyone in one total
 *    order; the roster reply is atomic with storing our announcement;
 *  - messages from one sender to one recipient are delivered in order;
 *  - `send` of one Effects is relayed as one message (one box per recipient).
 *
 * Keys given to the Worker are RFC 9605 `base_key`s = KDF(senderKey,
 * "conclave/v1/sframe") under KID (senderIndex << 16 | generation & 0xffff).
 * A later `setSendKey` supersedes an earlier one even before it activates;
 * an `addReceiveKeys` entry for a KID the Worker already has replaces it.
 */
import { bytesEqual } from './encoding.js';
import {
  type Identity,
  checkPeerId,
  checkSenderIndex,
  deriveAuthKey,
  encodeAnnouncement,
  generateIdentity,
  verifyAnnouncement,
} from './identity.js';
import { type ChatOpenResult, chatGeneration, deriveChatKey, openChat, sealChat } from './chat-key.js';
import { openKeyBox, sealKeyBox } from './key-box.js';
import { MEETING_SECRET_BYTES, MeetingSecretError } from './meeting-secret.js';
import { type SafetyCode, computeSafetyCode, deriveVerifyKey } from './safety-code.js';
import { type SenderKey, freshSenderKey, kidFor, ratchetSenderKey, sframeBaseKey } from './sender-key.js';
import { lib, sodiumReady } from './sodium.js';
import type {
  ChatDecryptResult,
  Effects,
  KeyManagerOptions,
  MemberState,
  OutgoingBox,
  PeerInfo,
  ReceiveKey,
  RejectReason,
  SendKeyUpdate,
} from './key-manager-types.js';

// Every type of the KeyManager's interface, so callers import them from here with the class.
export type * from './key-manager-types.js';

/** Delay before switching to a new own key, so receivers have it first. */
export const ACTIVATION_DELAY_MS = 250;
/** How long a receive key superseded by a join ratchet stays usable (late / retransmitted frames). */
export const JOIN_GRACE_MS = 2000;
/**
 * How long the remaining members' pre-leave receive keys stay usable after
 * a leave. Senders switch after ACTIVATION_DELAY_MS; the rest covers
 * delivery and jitter-buffer delay. It bounds how long the departed member
 * (who knows those keys) could forge frames in their name.
 */
export const LEAVE_GRACE_MS = 1000;
/** How long a key bundle that cannot be placed yet is kept. */
export const PENDING_TTL_MS = 10_000;
/** Bound on pending bundles (all senders together). */
export const MAX_PENDING = 256;
/** Generations of each member's keys kept for decrypting chat. */
export const CHAT_GENERATIONS_KEPT = 16;

interface Member {
  peerId: string;
  senderIndex: number;
  signPk: Uint8Array;
  boxPk: Uint8Array;
  announcement: Uint8Array;
  /** Our generation when we first gave this member a key. */
  myLinkGen: number;
  /** Its generation when it first gave us a key (from its boxes). */
  linkGen: number | undefined;
  /** Membership changes we processed since the link (transition j: linkGen+j → linkGen+j+1). */
  events: number;
  /** Index of the latest leave among those changes, -1 if none. */
  lastLeave: number;
  /** Highest generation received in a box, -1 if none. */
  highestExplicit: number;
  /** generation → sender key (recent ones only). */
  keys: Map<number, Uint8Array>;
  /** Generations currently installed in the Worker and not yet scheduled for dropping. */
  installed: Set<number>;
  /**
   * After each leave: chat under generations below linkGen + `fromEvent`
   * (keys the departed member knew) is refused from time `at` on.
   */
  chatFloor: { fromEvent: number; at: number }[];
}

interface Pending {
  from: string;
  bytes: Uint8Array;
  at: number;
}

function noEffects(): Effects {
  return { send: [], addReceiveKeys: [], dropReceiveKeys: [], safetyCodeChanged: false, rejected: [] };
}

const textDecoder = new TextDecoder();

export class KeyManager {
  private readonly roomId: string;
  private readonly selfId: string;
  private readonly senderIndex: number;
  private readonly identity: Identity;
  private readonly authKey: Uint8Array;
  private readonly verifyKey: Uint8Array;
  private readonly now: () => number;
  private readonly ownAnnouncement: Uint8Array;

  private own: SenderKey;
  private rosterDone = false;
  private readonly queuedAnnouncements: { from: string; bytes: Uint8Array }[] = [];
  private readonly members = new Map<string, Member>();
  private readonly refused = new Map<string, { reason: RejectReason; bytes: Uint8Array }>();
  private pending: Pending[] = [];
  /** Peers that left (bounded): their late boxes are refused at once instead of waiting. */
  private readonly gone = new Set<string>();
  private disposed = false;

  private constructor(opts: KeyManagerOptions) {
    this.roomId = opts.roomId;
    this.selfId = opts.selfId;
    this.senderIndex = opts.senderIndex;
    this.now = opts.now ?? Date.now;
    this.identity = opts.identity ?? generateIdentity();
    this.authKey = deriveAuthKey(opts.meetingSecret);
    this.verifyKey = deriveVerifyKey(opts.meetingSecret);
    this.own = freshSenderKey();
    this.ownAnnouncement = encodeAnnouncement(
      { peerId: this.selfId, senderIndex: this.senderIndex },
      this.identity,
      this.roomId,
      this.authKey,
    );
  }

  static async create(opts: KeyManagerOptions): Promise<KeyManager> {
    await sodiumReady();
    if (opts.roomId.length === 0) throw new RangeError('roomId must not be empty');
    checkPeerId(opts.selfId);
    checkSenderIndex(opts.senderIndex);
    if (opts.meetingSecret.length !== MEETING_SECRET_BYTES) {
      throw new MeetingSecretError(`meeting secret must be ${MEETING_SECRET_BYTES} bytes, got ${opts.meetingSecret.length}`);
    }
    return new KeyManager(opts);
  }

  /** Our announcement, to send to the server once on joining (opaque bytes). */
  announcement(): Uint8Array {
    return this.ownAnnouncement.slice();
  }

  /** Public identity keys (for display / debugging). */
  identityKeys(): { signPk: Uint8Array; boxPk: Uint8Array } {
    return { signPk: this.identity.signPk.slice(), boxPk: this.identity.boxPk.slice() };
  }

  /**
   * The server's reply to our announcement: the members already in the room.
   * Starts our first key (generation 0) and boxes it to each verified member.
   * Call exactly once; announcements received before it are queued.
   */
  onRoster(entries: ReadonlyArray<{ peerId: string; bytes: Uint8Array }>): Effects {
    this.assertLive();
    const e = noEffects();
    if (this.rosterDone) throw new Error('onRoster called twice');
    this.rosterDone = true;
    for (const { peerId, bytes } of entries) this.admit(peerId, bytes, e);
    e.setSendKey = this.sendKeyUpdate(0);
    for (const m of this.members.values()) e.send.push(this.boxFor(m));
    e.safetyCodeChanged = true; // the first code: ourselves and the verified roster
    const queued = this.queuedAnnouncements.splice(0);
    for (const q of queued) this.newcomer(q.from, q.bytes, e);
    this.processPending(e);
    return e;
  }

  /** A newcomer's announcement (relayed after ours). */
  onAnnouncement(fromPeerId: string, bytes: Uint8Array): Effects {
    this.assertLive();
    const e = noEffects();
    if (!this.rosterDone) {
      this.queuedAnnouncements.push({ from: fromPeerId, bytes: bytes.slice() });
      return e;
    }
    this.newcomer(fromPeerId, bytes, e);
    this.processPending(e);
    return e;
  }

  /** A peer left or was kicked. */
  onPeerLeft(peerId: string): Effects {
    this.assertLive();
    const e = noEffects();
    this.pending = this.pending.filter((p) => p.from !== peerId);
    const qi = this.queuedAnnouncements.findIndex((q) => q.from === peerId);
    if (qi >= 0) this.queuedAnnouncements.splice(qi, 1);
    this.refused.delete(peerId);
    this.gone.add(peerId);
    if (this.gone.size > MAX_PENDING) this.gone.delete(this.gone.values().next().value as string);
    const left = this.members.get(peerId);
    if (left === undefined) return e; // never a member: nothing it could read
    this.members.delete(peerId);
    this.wipe(left);
    e.dropReceiveKeys.push({ peerId, afterMs: 0 });
    e.safetyCodeChanged = true;

    this.own = freshSenderKey(this.own);
    e.setSendKey = this.sendKeyUpdate(ACTIVATION_DELAY_MS);
    const now = this.now();
    for (const m of this.members.values()) {
      e.send.push(this.boxFor(m));
      const j = m.events;
      m.events += 1;
      m.lastLeave = j;
      for (const g of m.installed) e.dropReceiveKeys.push({ peerId: m.peerId, kid: kidFor(m.senderIndex, g), afterMs: LEAVE_GRACE_MS });
      m.installed.clear();
      // Floors rise with time; a floor already in force makes every earlier one redundant.
      let lastInForce = -1;
      m.chatFloor.forEach((f, i) => {
        if (f.at <= now) lastInForce = i;
      });
      if (lastInForce > 0) m.chatFloor.splice(0, lastInForce);
      m.chatFloor.push({ fromEvent: m.events, at: now + LEAVE_GRACE_MS });
    }
    this.processPending(e);
    return e;
  }

  /** A key box addressed to us, relayed by the server from `fromPeerId`. */
  onKeyBundle(fromPeerId: string, bytes: Uint8Array): Effects {
    this.assertLive();
    const e = noEffects();
    this.pending.push({ from: fromPeerId, bytes: bytes.slice(), at: this.now() });
    this.processPending(e);
    return e;
  }

  /**
   * Nothing happened but time passed: reports pending bundles that expired.
   * Optional (expiry is also checked on every event); e.g. call every few seconds.
   */
  tick(): Effects {
    this.assertLive();
    const e = noEffects();
    this.processPending(e);
    return e;
  }

  /** The verification code for the current member set. */
  safetyCode(): SafetyCode {
    const ids = [{ signPk: this.identity.signPk, boxPk: this.identity.boxPk }];
    for (const m of this.members.values()) ids.push({ signPk: m.signPk, boxPk: m.boxPk });
    return computeSafetyCode(this.verifyKey, this.roomId, ids);
  }

  memberState(peerId: string): MemberState {
    if (peerId === this.selfId) return 'self';
    const m = this.members.get(peerId);
    if (m !== undefined) return this.hasCurrentKey(m) ? 'verified' : 'waiting-for-key';
    const r = this.refused.get(peerId);
    if (r !== undefined) return r.reason === 'bad-mac' ? 'unverified' : 'invalid';
    return 'unknown';
  }

  /** Every peer we know about (members and refused announcers), without ourselves. */
  peers(): PeerInfo[] {
    const out: PeerInfo[] = [];
    for (const m of this.members.values()) out.push({ peerId: m.peerId, state: this.memberState(m.peerId), senderIndex: m.senderIndex });
    for (const [peerId, r] of this.refused) out.push({ peerId, state: this.memberState(peerId), reason: r.reason });
    return out;
  }

  /** Everything the frame Worker should hold now (e.g. to seed a restarted Worker). */
  keySnapshot(): { sendKey: SendKeyUpdate; receiveKeys: ReceiveKey[] } {
    const receiveKeys: ReceiveKey[] = [];
    for (const m of this.members.values()) {
      for (const g of m.installed) {
        const k = m.keys.get(g);
        if (k !== undefined) receiveKeys.push(this.receiveKey(m, g, k));
      }
    }
    return { sendKey: this.sendKeyUpdate(0), receiveKeys };
  }

  /** Encrypts a chat message under our current sender key. */
  encryptChat(message: string | Uint8Array): Uint8Array {
    this.assertLive();
    return sealChat(deriveChatKey(this.own), { roomId: this.roomId, senderPeerId: this.selfId, generation: this.own.generation }, message);
  }

  /** Decrypts a chat message the server says `fromPeerId` sent. Never throws on bad input. */
  decryptChat(fromPeerId: string, bytes: Uint8Array): ChatDecryptResult {
    this.assertLive();
    const m = this.members.get(fromPeerId);
    if (m === undefined) return { ok: false, reason: 'not-a-member' };
    const generation = chatGeneration(bytes);
    if (generation === null) return { ok: false, reason: 'malformed' };
    const now = this.now();
    if (m.linkGen === undefined) return { ok: false, reason: 'no-key' };
    for (const f of m.chatFloor) if (now >= f.at && generation < m.linkGen + f.fromEvent) return { ok: false, reason: 'expired-key' };
    const key = m.keys.get(generation);
    if (key === undefined) return { ok: false, reason: 'no-key' };
    const r: ChatOpenResult = openChat(
      deriveChatKey({ generation, key }),
      { roomId: this.roomId, senderPeerId: fromPeerId, generation },
      bytes,
    );
    if (!r.ok) return r;
    return { ok: true, plaintext: r.plaintext, text: textDecoder.decode(r.plaintext), generation };
  }

  /** Zeroes every secret held; the manager is unusable afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const s = lib();
    for (const m of this.members.values()) this.wipe(m);
    this.members.clear();
    s.memzero(this.identity.signSk);
    s.memzero(this.identity.boxSk);
    s.memzero(this.authKey);
    s.memzero(this.verifyKey);
    s.memzero(this.own.key);
    this.pending = [];
  }

  // ---------------------------------------------------------------- internals

  private assertLive(): void {
    if (this.disposed) throw new Error('KeyManager was disposed');
  }

  private sendKeyUpdate(activateAfterMs: number): SendKeyUpdate {
    return {
      kid: kidFor(this.senderIndex, this.own.generation),
      generation: this.own.generation,
      baseKey: sframeBaseKey(this.own),
      activateAfterMs,
    };
  }

  private receiveKey(m: Member, generation: number, key: Uint8Array): ReceiveKey {
    return { peerId: m.peerId, kid: kidFor(m.senderIndex, generation), generation, baseKey: sframeBaseKey({ generation, key }) };
  }

  private boxFor(m: Member): OutgoingBox {
    const bytes = sealKeyBox(
      { roomId: this.roomId, senderPeerId: this.selfId, recipientPeerId: m.peerId, linkGeneration: m.myLinkGen, senderKey: this.own },
      m.boxPk,
      this.identity.boxSk,
    );
    return { to: m.peerId, bytes };
  }

  private hasCurrentKey(m: Member): boolean {
    return m.linkGen !== undefined && m.keys.has(m.linkGen + m.events);
  }

  private wipe(m: Member): void {
    const s = lib();
    for (const k of m.keys.values()) s.memzero(k);
    m.keys.clear();
    m.installed.clear();
  }

  /** Verifies an announcement and makes its sender a member; reports and returns undefined if refused. */
  private admit(peerId: string, bytes: Uint8Array, e: Effects): Member | undefined {
    const refuse = (reason: RejectReason): undefined => {
      e.rejected.push({ peerId, what: 'announcement', reason });
      if (!this.members.has(peerId) && peerId !== this.selfId) this.refused.set(peerId, { reason, bytes: bytes.slice() });
      return undefined;
    };
    if (peerId === this.selfId) return refuse('self-id');
    const known = this.members.get(peerId);
    if (known !== undefined) {
      if (bytesEqual(known.announcement, bytes)) return undefined; // harmless duplicate
      return refuse('identity-conflict');
    }
    const prior = this.refused.get(peerId);
    if (prior !== undefined && bytesEqual(prior.bytes, bytes)) return undefined; // same refused bytes again
    const v = verifyAnnouncement(bytes, { roomId: this.roomId, authKey: this.authKey, fromPeerId: peerId });
    if (!v.ok) return refuse(v.reason);
    const a = v.announcement;
    if (a.senderIndex === this.senderIndex) return refuse('sender-index-conflict');
    for (const m of this.members.values()) {
      if (m.senderIndex === a.senderIndex) return refuse('sender-index-conflict');
      if (bytesEqual(m.signPk, a.signPk) || bytesEqual(m.boxPk, a.boxPk)) return refuse('identity-conflict');
    }
    if (bytesEqual(this.identity.signPk, a.signPk) || bytesEqual(this.identity.boxPk, a.boxPk)) return refuse('identity-conflict');
    this.refused.delete(peerId);
    this.gone.delete(peerId); // the same id may come back with a new session
    const m: Member = {
      peerId,
      senderIndex: a.senderIndex,
      signPk: a.signPk,
      boxPk: a.boxPk,
      announcement: bytes.slice(),
      myLinkGen: this.own.generation,
      linkGen: undefined,
      events: 0,
      lastLeave: -1,
      highestExplicit: -1,
      keys: new Map(),
      installed: new Set(),
      chatFloor: [],
    };
    this.members.set(peerId, m);
    return m;
  }

  /** A live announcement: a join if it verifies. */
  private newcomer(peerId: string, bytes: Uint8Array, e: Effects): void {
    const existing = [...this.members.values()];
    const m = this.admit(peerId, bytes, e);
    if (m === undefined) return;
    e.safetyCodeChanged = true;
    // Our own key moves forward; the newcomer gets only the new one.
    this.own = ratchetSenderKey(this.own);
    m.myLinkGen = this.own.generation;
    e.setSendKey = this.sendKeyUpdate(ACTIVATION_DELAY_MS);
    e.send.push(this.boxFor(m));
    // Everyone else's keys move forward the same way, locally.
    for (const o of existing) {
      o.events += 1;
      if (o.linkGen === undefined) continue;
      const prevGen = o.linkGen + o.events - 1;
      const prev = o.keys.get(prevGen);
      if (prev === undefined) continue; // waiting for its key; placed when it arrives
      const next = ratchetSenderKey({ generation: prevGen, key: prev });
      this.install(o, next, e);
      this.retire(o, prevGen, JOIN_GRACE_MS, e);
    }
  }

  private install(m: Member, k: SenderKey, e: Effects): void {
    const old = m.keys.get(k.generation);
    if (old !== undefined && bytesEqual(old, k.key) && m.installed.has(k.generation)) return;
    m.keys.set(k.generation, k.key);
    m.installed.add(k.generation);
    e.addReceiveKeys.push(this.receiveKey(m, k.generation, k.key));
    // Keep only recent generations (for chat); older ones are long dropped from the Worker.
    for (const g of m.keys.keys()) {
      if (g < k.generation - CHAT_GENERATIONS_KEPT + 1) {
        lib().memzero(m.keys.get(g) as Uint8Array);
        m.keys.delete(g);
      }
    }
  }

  private retire(m: Member, generation: number, afterMs: number, e: Effects): void {
    if (!m.installed.delete(generation)) return;
    e.dropReceiveKeys.push({ peerId: m.peerId, kid: kidFor(m.senderIndex, generation), afterMs });
  }

  /** Try every pending bundle; keep those that still cannot be placed. */
  private processPending(e: Effects): void {
    const now = this.now();
    let progress = true;
    while (progress) {
      progress = false;
      const keep: Pending[] = [];
      for (const p of this.pending) {
        const r = this.tryBundle(p, e);
        if (r === 'placed') progress = true;
        else if (r === 'wait') {
          if (now - p.at >= PENDING_TTL_MS) e.rejected.push({ peerId: p.from, what: 'key-bundle', reason: 'expired' });
          else keep.push(p);
        }
      }
      this.pending = keep;
    }
    while (this.pending.length > MAX_PENDING) {
      const p = this.pending.shift() as Pending;
      e.rejected.push({ peerId: p.from, what: 'key-bundle', reason: 'pending-overflow' });
    }
  }

  private tryBundle(p: Pending, e: Effects): 'placed' | 'wait' | 'done' {
    const reject = (reason: RejectReason): 'done' => {
      e.rejected.push({ peerId: p.from, what: 'key-bundle', reason });
      return 'done';
    };
    const m = this.members.get(p.from);
    if (m === undefined) {
      if (this.refused.has(p.from) || this.gone.has(p.from) || p.from === this.selfId) return reject('not-a-member');
      return 'wait'; // its announcement may still be on its way
    }
    const r = openKeyBox(p.bytes, {
      roomId: this.roomId,
      senderPeerId: m.peerId,
      recipientPeerId: this.selfId,
      senderBoxPk: m.boxPk,
      recipientBoxSk: this.identity.boxSk,
    });
    if (!r.ok) return reject(r.reason);
    const { linkGeneration: L, senderKey: k } = r;
    if (m.linkGen !== undefined && m.linkGen !== L) return reject('link-mismatch');
    const idx = k.generation - L;
    if (idx > m.events) return 'wait'; // a change we have not seen yet
    m.linkGen ??= L;
    if (m.lastLeave >= idx) return reject('stale'); // superseded by a fresh key after a leave
    if (k.generation <= m.highestExplicit) {
      const had = m.keys.get(k.generation);
      if (k.generation === m.highestExplicit && had !== undefined && bytesEqual(had, k.key)) return 'done'; // duplicate
      return reject('stale');
    }
    m.highestExplicit = k.generation;
    // Everything installed before this generation is superseded.
    for (const g of [...m.installed]) if (g < k.generation) this.retire(m, g, JOIN_GRACE_MS, e);
    // Place it, then ratchet across the joins we processed since (no leave since: checked above).
    let cur: SenderKey = k;
    this.install(m, cur, e);
    const current = L + m.events;
    while (cur.generation < current) {
      const next = ratchetSenderKey(cur);
      this.retire(m, cur.generation, JOIN_GRACE_MS, e);
      this.install(m, next, e);
      cur = next;
    }
    return 'placed';
  }
}
