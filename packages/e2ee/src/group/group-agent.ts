/**
 * GroupAgent: one participant's part in the meeting's MLS group, as a
 * state machine over the Delivery Service (the server). It does no I/O of
 * its own: requests go through a DeliveryPort, notifications come in as
 * method calls, and what changed goes out through GroupAgentEvents. Every
 * step runs in one queue, so the group state never sees two steps at once.
 *
 * Protocol (SECURITY.md has the reasons, docs/e2ee-keys.md the messages):
 *
 *  1. Joining: `start` offers our KeyPackage with the first message of a
 *     CPace run (groupJoin; admission.ts). The Delivery Service answers
 *     `found` if nobody is in the group: we found it (epoch 0). Otherwise
 *     the committer answers our run, we prove the meeting secret, it adds
 *     us, and we accept its Welcome only with its proof over the epoch we
 *     land in.
 *  2. Committing: the member with the lowest leaf index among those not
 *     known to have left commits what is to be done; the one after it takes
 *     over after TAKEOVER_MS, and so on. To be done: add each newcomer
 *     whose KeyPackage checks out and who proved the meeting secret in a
 *     CPace run with us (a failed run is refused, told to every member,
 *     and at most MAX_FAILED_ADMISSIONS a minute are answered), and remove
 *     each member the server said left, each member
 *     who announced its own leave in a signed message, and the old leaf of a
 *     peer that rejoined. The first commit of an epoch wins at the Delivery
 *     Service; a refused one is dropped and the work looked at again after
 *     the winner is processed.
 *  3. A host's removal (`remove`) is a Remove committed by the host's own
 *     client at once, before the server is asked to disconnect anyone.
 *  4. Every UPDATE_EVERY_MS, and when asked (`refresh`), we commit an
 *     update of our own leaf (post-compromise security, fresh media keys).
 *  5. Chat and control messages are MLS application messages: signed by
 *     the sender's leaf, and numbered by us per sender (a replay or a
 *     reordering is refused).
 *
 * Each new epoch gives everyone new SFrame keys (onEpoch).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import {
  AdmissionError,
  AdmitType,
  NewcomerAdmission,
  readRefusal,
  refusal,
  ResponderRun,
  type AdmittedSession,
  type MeetingSecret,
  type RefusalReason,
} from './admission.js';
import { GroupError, MeetingGroup, type CheckedKeyPackage, type GroupMember, type JoinOffer, type PendingCommit } from './meeting-group.js';
import type { MemberCredential } from './member-credential.js';
import type { SafetyCode } from './verification-code.js';

/** How long each member waits for the one before it in commit order. */
export const TAKEOVER_MS = 1500;
/** How often each member commits an update of its own leaf. */
export const UPDATE_EVERY_MS = 5 * 60_000;
/** Refused requests remembered (to report each once), and senders whose message numbers are tracked. */
const MAX_REMEMBERED = 256;
/** How long a commit may wait for the Delivery Service's answer. */
export const COMMIT_ANSWER_MS = 10_000;
/** Failed admission runs (a wrong link key or passphrase) the members answer per minute; later runs are refused until the minute is up. */
export const MAX_FAILED_ADMISSIONS = 5;
export const ADMISSION_WINDOW_MS = 60_000;
/** Runs we have answered and wait to see proved, at most; each is dropped after ADMISSION_RUN_MS. */
const MAX_OPEN_RUNS = 16;
export const ADMISSION_RUN_MS = 15_000;

export interface RawJoinRequest {
  peerId: string;
  keyPackage: Uint8Array;
  /** The newcomer's CPace message (Ya). */
  pake: Uint8Array;
}

export type CommitAnswer = { ok: true; epoch: number } | { ok: false; staleEpoch: number };

/** What the agent asks of the server (the Delivery Service). */
export interface DeliveryPort {
  join(keyPackage: Uint8Array, pake: Uint8Array): Promise<{ found: boolean; epoch: number; waiting: RawJoinRequest[] }>;
  /** Relays an admission message to one peer of the room (groupAdmit). */
  admit(to: string, message: Uint8Array): Promise<void>;
  /** Sends an application message we sealed to every member (the chat relay). */
  broadcast(message: Uint8Array): Promise<void>;
  commit(c: { epoch: number; commit: Uint8Array; welcome?: Uint8Array; added: string[]; removed: string[] }): Promise<CommitAnswer>;
}

export interface EpochKeys {
  epoch: bigint;
  ownLeaf: number;
  /** RFC 9605 base key of each member's leaf in this epoch (ours included). */
  baseKeys: Map<number, Uint8Array>;
}

export interface Rejection {
  /** The peer the server said it came from, when it said. */
  peerId?: string;
  what: 'join-request' | 'admission' | 'commit' | 'welcome' | 'message';
  reason: string;
}

export interface GroupAgentEvents {
  /** We entered a new epoch: new keys, new members, new code. */
  onEpoch(keys: EpochKeys, members: GroupMember[], code: SafetyCode): void;
  /** Something from outside was refused (for logs and the UI); never thrown. */
  onRejected?(r: Rejection): void;
  /** A commit removed us from the group: we hold no keys any more. */
  onRemoved?(): void;
  /** Someone's admission run failed (a wrong link key or passphrase): seen by us, or by the member who ran it. */
  onAdmissionFailed?(f: AdmissionFailure): void;
  /** We are joining, and the member who ran our admission says we were not let in. Not authenticated: for what we show only. */
  onRefused?(reason: RefusalReason): void;
}

export interface AdmissionFailure {
  /** Who tried, as its KeyPackage names it. */
  peerId: string;
  displayName: string;
  /** The member who ran the admission (ourselves or another). */
  seenBy: string;
}

export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (cb, ms) => setTimeout(cb, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface GroupAgentOptions {
  roomId: string;
  /** The meeting secret: the link key, or the passphrase. */
  secret: MeetingSecret;
  self: MemberCredential;
  port: DeliveryPort;
  events: GroupAgentEvents;
  clock?: Clock;
  /** Random 0..1 for the update jitter (tests pass their own). */
  random?: () => number;
}

/** Kinds of application message (first byte of the plaintext). */
const KIND_CHAT = 1;
const KIND_LEAVING = 2;
const KIND_ADMISSION_FAILED = 3;
/** A batch of our frames' hashes (frame-origin authentication): numbered on its own, so it never holds up chat. */
const KIND_ORIGIN = 4;
/**
 * A meeting signal the app defines (a raised hand, a reaction): numbered on its own too, as it travels by
 * another relay than chat; the group only vouches for who sent it.
 */
const KIND_SIGNAL = 5;
/** The largest signal body (a signal is a few words, not a message). */
export const MAX_SIGNAL_BYTES = 512;

/** Kinds numbered apart from chat (and from each other): each has its own sequence per sender. */
const LANE: Readonly<Record<number, 'origin' | 'signal'>> = { [KIND_ORIGIN]: 'origin', [KIND_SIGNAL]: 'signal' };

export type OpenedAppMessage =
  | { kind: 'chat'; sender: GroupMember; text: string }
  | { kind: 'leaving'; sender: GroupMember }
  | { kind: 'admission-failed'; sender: GroupMember; failure: AdmissionFailure }
  | { kind: 'origin'; sender: GroupMember; batch: Uint8Array }
  | { kind: 'signal'; sender: GroupMember; body: Uint8Array }
  | { kind: 'refused'; retry: boolean; reason: string };

interface Request {
  raw: RawJoinRequest;
  checked?: CheckedKeyPackage;
  /** Our answer to its CPace run, and when we gave it. */
  run?: ResponderRun;
  runAt?: number;
  /** It proved the meeting secret in our run: it may be added. */
  proved?: boolean;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export class GroupAgent {
  private readonly roomId: string;
  private readonly secret: MeetingSecret;
  private readonly self: MemberCredential;
  private readonly port: DeliveryPort;
  private readonly events: GroupAgentEvents;
  private readonly clock: Clock;
  private readonly random: () => number;

  private offer: JoinOffer | undefined;
  /** Joining: our CPace run, the one member we answered in it, its proof over our Welcome, and a Welcome waiting for that proof. */
  private admission: NewcomerAdmission | undefined;
  private responder: { peerId: string; session: AdmittedSession; welcomeProof?: Uint8Array } | undefined;
  private welcomed: { from: string; group: MeetingGroup } | undefined;
  /** When admission runs failed (ours and those other members told of), for the limit. */
  private failedAdmissions: number[] = [];
  private group: MeetingGroup | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;
  /** Open join requests, by peer id (the latest one of each peer). */
  private readonly requests = new Map<string, Request>();
  /** Peers the server said left, or who announced their own leave. */
  private readonly departed = new Set<string>();
  /** Every leaf signature key ever seen in our group: a KeyPackage carrying one is a replay. */
  private readonly seenKeys = new Set<string>();
  /** Requests refused once (same bytes), so they are reported once. */
  private readonly refusedRequests = new Set<string>();
  /** Last sequence number seen per sender (by signature key), for messages and, apart, for origin batches. */
  /** The last number seen per sender, by lane ('main' for chat and the group's own notices). */
  private readonly lastSeq = { main: new Map<string, number>(), origin: new Map<string, number>(), signal: new Map<string, number>() };
  private readonly nextSeq = { main: 1, origin: 1, signal: 1 };
  private workTimer: unknown;
  private updateTimer: unknown;

  constructor(opts: GroupAgentOptions) {
    this.roomId = opts.roomId;
    this.secret = opts.secret;
    this.self = opts.self;
    this.port = opts.port;
    this.events = opts.events;
    this.clock = opts.clock ?? systemClock;
    this.random = opts.random ?? Math.random;
  }

  /** Our leaf and epoch, once in the group. */
  get epoch(): bigint | undefined {
    return this.group?.epoch;
  }

  get ownLeaf(): number | undefined {
    return this.group?.ownLeaf;
  }

  members(): GroupMember[] {
    return this.group?.active ? this.group.members() : [];
  }

  code(): SafetyCode | null {
    return this.group?.active ? this.group.code() : null;
  }

  /** Offers our KeyPackage to the Delivery Service; founds the group if it is empty. */
  start(): Promise<void> {
    return this.run(async () => {
      const offer = await MeetingGroup.offer(this.self);
      this.offer = offer;
      this.admission = NewcomerAdmission.start(this.secret, this.roomId, offer.keyPackage);
      const answer = await this.port.join(offer.keyPackage, this.admission.message);
      for (const r of answer.waiting) this.addRequest(r);
      if (answer.found) await this.found();
    });
  }

  /** The Delivery Service relayed someone's request to join. */
  onJoinRequest(r: RawJoinRequest): Promise<void> {
    return this.run(() => {
      this.addRequest(r);
      this.scheduleWork();
    });
  }

  /** Nobody is left in the group: we found a new one and add whoever waits. */
  onFound(waiting: RawJoinRequest[]): Promise<void> {
    return this.run(async () => {
      if (this.group?.active) return; // we are in a group already: a server that says otherwise is wrong
      for (const r of waiting) this.addRequest(r);
      await this.found();
    });
  }

  /**
   * A Welcome addressed to us. Accepted only from the member we ran our
   * admission with, and once its proof over the epoch it brings us into
   * has come (before or after the Welcome).
   */
  onWelcome(from: string, welcome: Uint8Array): Promise<void> {
    return this.run(async () => {
      if (this.group?.active || !this.offer) return;
      if (this.responder?.peerId !== from) {
        this.reject({ peerId: from, what: 'welcome', reason: 'a Welcome from a member we did not prove the meeting secret to' });
        return;
      }
      let group: MeetingGroup;
      try {
        group = await MeetingGroup.join(this.roomId, this.offer, welcome);
      } catch (err) {
        this.reject({ peerId: from, what: 'welcome', reason: (err as Error).message });
        return;
      }
      this.welcomed?.group.dispose();
      this.welcomed = { from, group };
      await this.enterWelcomed();
    });
  }

  /** An admission message relayed from `from` (groupAdmit): either side of a CPace run. */
  onAdmit(from: string, message: Uint8Array): Promise<void> {
    return this.run(async () => {
      switch (message[0]) {
        case AdmitType.Respond:
          return this.answerRun(from, message);
        case AdmitType.Confirm:
          return this.checkProved(from, message);
        case AdmitType.Welcome:
          if (this.responder?.peerId !== from || this.group?.active) return;
          this.responder.welcomeProof = message.slice();
          return this.enterWelcomed();
        case AdmitType.Refused: {
          const reason = readRefusal(message);
          if (reason && !this.group?.active && this.offer) this.events.onRefused?.(reason);
          return;
        }
        default:
          this.reject({ peerId: from, what: 'admission', reason: 'malformed admission message' });
      }
    });
  }

  /** The commit that won `epoch`, relayed by the Delivery Service. */
  onCommit(from: string, epoch: number, commit: Uint8Array): Promise<void> {
    return this.run(async () => {
      const group = this.group;
      if (!group?.active) return; // not in the group yet: our Welcome brings the state after it
      if (BigInt(epoch) < group.epoch) return; // an epoch our own Welcome or commit already covers
      try {
        await group.processCommit(commit);
      } catch (err) {
        this.reject({ peerId: from, what: 'commit', reason: err instanceof GroupError ? `${err.reason}: ${err.message}` : String(err) });
        return;
      }
      if (!group.active) {
        this.leaveGroup();
        this.events.onRemoved?.();
        return;
      }
      await this.entered();
    });
  }

  /** The server says this peer left (or was removed). */
  onPeerLeft(peerId: string): Promise<void> {
    return this.run(() => {
      this.requests.delete(peerId);
      if (peerId === this.self.peerId) return;
      this.departed.add(peerId);
      this.scheduleWork();
    });
  }

  /**
   * A host removes a member: we commit its Remove ourselves, now, so that a
   * server that then fails to disconnect it cannot keep it in. Resolves
   * once the commit is accepted (or the member is already out).
   */
  async remove(peerId: string): Promise<void> {
    await this.run(() => {
      this.departed.add(peerId);
      this.requests.delete(peerId);
    });
    for (let attempt = 0; attempt < 5; attempt++) {
      // One attempt per step: a commit that lost its epoch lets the winner be processed before the next try.
      const done = await this.run(async () => {
        const group = this.group;
        if (!group?.active) throw new GroupError('removed', 'not in the group');
        const leaves = group.members().filter((m) => m.peerId === peerId);
        if (leaves.length === 0) return true;
        return this.commitPlan({ remove: leaves.map((m) => m.leaf) }, [], [peerId]);
      });
      if (done) return;
    }
    throw new Error('could not commit the removal: the group kept moving');
  }

  /** Commits an update of our own leaf: a new epoch and new media keys for everyone. */
  async refresh(): Promise<void> {
    // A commit that lost its epoch (another member committed at the same moment) is made again on the winner.
    for (let attempt = 0; attempt < 3; attempt++) {
      const done = await this.run(async () => (this.group?.active ? this.commitPlan({}, [], []) : true));
      if (done) return;
    }
  }

  /** Seals a chat message: signed by our leaf, numbered, for the group's current epoch. Null while not in the group. */
  sealChat(text: string): Promise<Uint8Array | null> {
    return this.sealApp(KIND_CHAT, new TextEncoder().encode(text));
  }

  /**
   * Seals a batch of our frames' hashes, from the media Worker: signed by
   * our leaf, so receivers know which member vouches for those frames.
   */
  sealOrigin(batch: Uint8Array): Promise<Uint8Array | null> {
    return this.sealApp(KIND_ORIGIN, batch);
  }

  /**
   * Seals a meeting signal the app defines (at most MAX_SIGNAL_BYTES): signed by our leaf, numbered on its own,
   * so receivers know which member sent it and that it is not a replay. Null while not in the group.
   */
  sealSignal(body: Uint8Array): Promise<Uint8Array | null> {
    if (body.length > MAX_SIGNAL_BYTES) return Promise.reject(new RangeError(`a signal is at most ${MAX_SIGNAL_BYTES} bytes`));
    return this.sealApp(KIND_SIGNAL, body);
  }

  /** Seals our own leave notice, for the others to commit our removal even if the server hides the leave. */
  sealLeaving(): Promise<Uint8Array | null> {
    return this.sealApp(KIND_LEAVING, new Uint8Array(0));
  }

  /** Opens an application message the server says `from` sent. Never throws. */
  openApp(from: string, bytes: Uint8Array): Promise<OpenedAppMessage> {
    return this.run(async (): Promise<OpenedAppMessage> => {
      const group = this.group;
      if (!group?.active) return { kind: 'refused', retry: true, reason: 'not in the group yet' };
      let opened;
      try {
        opened = await group.open(bytes);
      } catch (err) {
        const reason = err instanceof GroupError ? err.reason : 'rejected';
        this.reject({ peerId: from, what: 'message', reason: (err as Error).message });
        return { kind: 'refused', retry: reason === 'future', reason };
      }
      const { sender, data } = opened;
      if (sender.peerId !== from) {
        this.reject({ peerId: from, what: 'message', reason: `signed by ${sender.peerId}, relayed as from ${from}` });
        return { kind: 'refused', retry: false, reason: 'sender-mismatch' };
      }
      if (data.length < 5) return { kind: 'refused', retry: false, reason: 'malformed' };
      const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
      const kind = view.getUint8(0);
      const seq = view.getUint32(1);
      const who = hex(sender.signatureKey);
      const seen = this.lastSeq[LANE[kind] ?? 'main'];
      if (seq <= (seen.get(who) ?? 0)) {
        this.reject({ peerId: from, what: 'message', reason: `message ${seq} of ${sender.peerId} is a replay or out of order` });
        return { kind: 'refused', retry: false, reason: 'replay' };
      }
      seen.set(who, seq);
      if (kind === KIND_ORIGIN) return { kind: 'origin', sender, batch: data.slice(5) };
      if (kind === KIND_SIGNAL) {
        if (data.length - 5 > MAX_SIGNAL_BYTES) return { kind: 'refused', retry: false, reason: 'malformed' };
        return { kind: 'signal', sender, body: data.slice(5) };
      }
      if (kind === KIND_CHAT) {
        try {
          return { kind: 'chat', sender, text: new TextDecoder('utf-8', { fatal: true }).decode(data.subarray(5)) };
        } catch {
          return { kind: 'refused', retry: false, reason: 'malformed' };
        }
      }
      if (kind === KIND_LEAVING) {
        this.departed.add(sender.peerId);
        this.scheduleWork();
        return { kind: 'leaving', sender };
      }
      if (kind === KIND_ADMISSION_FAILED) {
        const failure = readFailure(data.subarray(5), sender.peerId);
        if (!failure) return { kind: 'refused', retry: false, reason: 'malformed' };
        this.failedAdmissions.push(this.clock.now());
        this.recentFailures(); // keeps the list to the last minute's
        // Its request is done with: no takeover runs it again (a rejoin is a new request).
        const req = this.requests.get(failure.peerId);
        if (req && !req.proved) {
          req.run?.dispose();
          this.requests.delete(failure.peerId);
        }
        this.events.onAdmissionFailed?.(failure);
        return { kind: 'admission-failed', sender, failure };
      }
      return { kind: 'refused', retry: false, reason: 'malformed' };
    });
  }

  /** Settles once every step queued so far has run (for tests and orderly shutdown). */
  idle(): Promise<void> {
    return this.queue.then(() => undefined);
  }

  /** Leaves: every key is zeroed; the agent does nothing more. */
  dispose(): void {
    this.disposed = true;
    this.clock.clearTimeout(this.workTimer);
    this.clock.clearTimeout(this.updateTimer);
    this.leaveGroup();
    this.welcomed?.group.dispose();
    this.welcomed = undefined;
    this.responder?.session.dispose();
    this.responder = undefined;
    for (const req of this.requests.values()) req.run?.dispose();
    this.requests.clear();
  }

  // ---------------------------------------------------------------- internals

  /** Runs one step after every earlier one; a step's failure does not stop later ones. */
  private run<T>(step: () => T | Promise<T>): Promise<T> {
    const next = this.queue.then(() => {
      if (this.disposed) throw new Error('the group agent was disposed');
      return step();
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  private reject(r: Rejection): void {
    this.events.onRejected?.(r);
  }

  private leaveGroup(): void {
    this.group?.dispose();
    this.group = undefined;
  }

  private addRequest(r: RawJoinRequest): void {
    if (r.peerId === this.self.peerId) return;
    this.departed.delete(r.peerId); // the same peer id back with a new join
    this.requests.get(r.peerId)?.run?.dispose();
    this.requests.set(r.peerId, { raw: r });
  }

  private send(to: string, message: Uint8Array): void {
    this.port.admit(to, message).catch(() => undefined);
  }

  /** Joining: the first member to answer our run gets our proof; the run is spent on it. */
  private answerRun(from: string, message: Uint8Array): void {
    if (this.group?.active || this.welcomed || !this.admission || this.responder) return;
    let answered;
    try {
      answered = this.admission.answer(message);
    } catch (err) {
      this.reject({ peerId: from, what: 'admission', reason: (err as Error).message });
      return;
    }
    this.responder = { peerId: from, session: answered.session };
    this.send(from, answered.confirm);
  }

  /** Joining: the Welcome we hold, once its proof is here and checks, is our group. */
  private async enterWelcomed(): Promise<void> {
    const w = this.welcomed;
    const r = this.responder;
    if (!w || !r?.welcomeProof) return;
    this.welcomed = undefined;
    const responderKey = r.session.responderKey;
    const inGroup = w.group.members().some((m) => m.peerId === w.from && equalKeys(m.signatureKey, responderKey));
    if (!inGroup || !r.session.checkWelcome(r.welcomeProof, w.group.epochAuthenticator)) {
      w.group.dispose();
      r.welcomeProof = undefined;
      this.reject({ peerId: w.from, what: 'welcome', reason: 'the Welcome is not for the group the member we proved the secret to is in' });
      return;
    }
    r.session.dispose();
    this.group = w.group;
    await this.entered();
  }

  /** Failed runs in the last ADMISSION_WINDOW_MS. */
  private recentFailures(): number {
    const since = this.clock.now() - ADMISSION_WINDOW_MS;
    this.failedAdmissions = this.failedAdmissions.filter((t) => t > since);
    return this.failedAdmissions.length;
  }

  /**
   * As committer: answers a newcomer's CPace run, unless too many runs
   * failed this last minute or too many are open. False when the request
   * is refused for good.
   */
  private startRun(peerId: string, req: Request, group: MeetingGroup): boolean {
    const now = this.clock.now();
    let open = 0;
    for (const [id, other] of this.requests) {
      if (!other.run || other.proved) continue;
      if (now - (other.runAt ?? 0) > ADMISSION_RUN_MS) {
        // Never proved: dropped (its newcomer answered someone else, or gave up; a rejoin is a new request).
        other.run.dispose();
        this.requests.delete(id);
      } else open++;
    }
    if (this.recentFailures() >= MAX_FAILED_ADMISSIONS) {
      this.send(peerId, refusal('too-many-attempts'));
      this.reject({ peerId, what: 'join-request', reason: `refused: ${MAX_FAILED_ADMISSIONS} failed admissions in the last minute` });
      return false;
    }
    if (open >= MAX_OPEN_RUNS) return true; // later
    const own = group.members().find((m) => m.leaf === group.ownLeaf);
    if (!own) return true;
    try {
      req.run = ResponderRun.respond(this.secret, this.roomId, req.raw.keyPackage, req.raw.pake, own.signatureKey);
    } catch (err) {
      if (!(err instanceof AdmissionError)) throw err;
      this.reject({ peerId, what: 'join-request', reason: err.message });
      return false;
    }
    req.runAt = now;
    this.send(peerId, req.run.message);
    return true;
  }

  /** As committer: the newcomer's proof in our run. Proved: it is added now. Wrong: refused, and every member is told. */
  private async checkProved(from: string, message: Uint8Array): Promise<void> {
    const req = this.requests.get(from);
    if (!req?.run || req.proved) return;
    if (req.run.checkConfirm(message)) {
      req.proved = true;
      await this.doWork();
      return;
    }
    req.run.dispose();
    this.requests.delete(from);
    this.send(from, refusal('wrong-secret'));
    const failure: AdmissionFailure = {
      peerId: from,
      displayName: req.checked?.credential.displayName ?? 'Someone',
      seenBy: this.self.peerId,
    };
    this.failedAdmissions.push(this.clock.now());
    this.reject({ peerId: from, what: 'join-request', reason: 'wrong meeting secret' });
    this.events.onAdmissionFailed?.(failure);
    // Every member is told, signed by us: they count it and show it, whatever the server does.
    const sealed = await this.sealNow(KIND_ADMISSION_FAILED, writeFailure(failure));
    if (sealed) this.port.broadcast(sealed).catch(() => undefined);
  }

  private async found(): Promise<void> {
    if (!this.offer) return;
    this.group = await MeetingGroup.found(this.roomId, this.offer);
    await this.entered();
  }

  /** A new epoch: tell the page, then see whether anything is to be committed. */
  private async entered(): Promise<void> {
    const group = this.group;
    if (!group) return;
    const members = group.members();
    for (const m of members) this.seenKeys.add(hex(m.signatureKey));
    // Requests of peers now in the group are done.
    const inGroup = new Set(members.map((m) => hex(m.signatureKey)));
    for (const [peerId, req] of this.requests) {
      if (req.checked && inGroup.has(hex(req.checked.keyPackage.leafNode.signaturePublicKey))) this.requests.delete(peerId);
    }
    this.events.onEpoch({ epoch: group.epoch, ownLeaf: group.ownLeaf, baseKeys: await group.sframeBaseKeys() }, members, group.code());
    if (this.updateTimer === undefined) this.scheduleUpdate();
    this.scheduleWork();
  }

  /**
   * Our own leaf's update, every UPDATE_EVERY_MS or so, whatever else the
   * group does: other members' commits renew the path, not our leaf.
   */
  private scheduleUpdate(): void {
    this.clock.clearTimeout(this.updateTimer);
    const delay = UPDATE_EVERY_MS * (0.75 + 0.5 * this.random());
    this.updateTimer = this.clock.setTimeout(() => {
      void this.refresh()
        .catch(() => undefined)
        .finally(() => {
          if (!this.disposed) this.scheduleUpdate();
        });
    }, delay);
  }

  /** Our place in commit order among members not known to have left (0: we commit first). */
  private rank(): number {
    const group = this.group;
    if (!group?.active) return -1;
    const order = group
      .members()
      .filter((m) => m.leaf === group.ownLeaf || !this.departed.has(m.peerId))
      .sort((a, b) => a.leaf - b.leaf);
    return order.findIndex((m) => m.leaf === group.ownLeaf);
  }

  private scheduleWork(): void {
    this.clock.clearTimeout(this.workTimer);
    const rank = this.rank();
    if (rank < 0 || this.disposed) return;
    this.workTimer = this.clock.setTimeout(() => void this.run(() => this.doWork()).catch(() => undefined), rank * TAKEOVER_MS);
  }

  /** Commits whatever is to be done now, if anything. */
  private async doWork(): Promise<void> {
    const group = this.group;
    if (!group?.active) return;
    const members = group.members();
    const add: CheckedKeyPackage[] = [];
    const added: string[] = [];
    const removeLeaves = new Set<number>();
    const removed = new Set<string>();
    for (const m of members) {
      if (m.leaf !== group.ownLeaf && this.departed.has(m.peerId)) {
        removeLeaves.add(m.leaf);
        removed.add(m.peerId);
      }
    }
    for (const [peerId, req] of this.requests) {
      const checked = await this.checkRequest(req);
      if (!checked) {
        this.requests.delete(peerId);
        continue;
      }
      const key = hex(checked.keyPackage.leafNode.signaturePublicKey);
      if (members.some((m) => hex(m.signatureKey) === key)) {
        this.requests.delete(peerId); // in already
        continue;
      }
      if (this.seenKeys.has(key)) {
        // A departed member's KeyPackage, replayed: it was in once and left (or was removed).
        this.reject({ peerId, what: 'join-request', reason: 'replayed KeyPackage of a former member' });
        this.requests.delete(peerId);
        continue;
      }
      if (!req.proved) {
        // Not proved yet: our run is answered (or refused); its proof brings us back here.
        if (!req.run && !this.startRun(peerId, req, group)) this.requests.delete(peerId);
        continue;
      }
      // A peer back under the same id (a rejoin): its old leaf goes in the same commit.
      for (const m of members) {
        if (m.peerId === peerId && m.leaf !== group.ownLeaf) {
          removeLeaves.add(m.leaf);
          removed.add(peerId);
        }
      }
      add.push(checked);
      added.push(peerId);
    }
    if (add.length === 0 && removeLeaves.size === 0) return;
    await this.commitPlan({ add, remove: [...removeLeaves] }, added, [...removed]);
  }

  /** Checks a join request: the proof, the KeyPackage, and that it names the peer it came from. */
  private async checkRequest(req: Request): Promise<CheckedKeyPackage | undefined> {
    if (req.checked) return req.checked;
    const { peerId, keyPackage, pake } = req.raw;
    const id = `${peerId}:${hex(pake)}:${hex(sha256(keyPackage))}`;
    const refuse = (reason: string): undefined => {
      if (!this.refusedRequests.has(id)) this.reject({ peerId, what: 'join-request', reason });
      this.refusedRequests.add(id);
      if (this.refusedRequests.size > MAX_REMEMBERED) this.refusedRequests.delete(this.refusedRequests.values().next().value as string);
      return undefined;
    };
    let checked: CheckedKeyPackage;
    try {
      checked = await MeetingGroup.checkKeyPackage(keyPackage);
    } catch (err) {
      return refuse((err as Error).message);
    }
    if (checked.credential.peerId !== peerId) return refuse(`KeyPackage names ${checked.credential.peerId}, relayed as from ${peerId}`);
    req.checked = checked;
    return checked;
  }

  /**
   * Makes a commit and offers it to the Delivery Service. True once it is the
   * group's state; false if another commit won the epoch (that one has been
   * or will be processed next, and the work is looked at again).
   */
  private async commitPlan(plan: { add?: CheckedKeyPackage[]; remove?: number[] }, added: string[], removed: string[]): Promise<boolean> {
    const group = this.group;
    if (!group?.active) return false;
    const pending: PendingCommit = await group.commit(plan);
    // Each newcomer's proof that the group it lands in is ours, sent before the commit (the relay keeps order).
    for (const peerId of added) {
      const run = this.requests.get(peerId)?.run;
      if (run) this.send(peerId, run.welcome(pending.epochAuthenticator));
    }
    const answer = await withTimeout(
      this.port.commit({
        epoch: Number(pending.epoch),
        commit: pending.commit,
        ...(pending.welcome ? { welcome: pending.welcome } : {}),
        added,
        removed,
      }),
      COMMIT_ANSWER_MS,
    );
    if (!answer.ok) {
      this.scheduleWork();
      return false;
    }
    group.adopt(pending);
    await this.entered();
    return true;
  }

  private sealApp(kind: number, body: Uint8Array): Promise<Uint8Array | null> {
    return this.run(() => this.sealNow(kind, body));
  }

  /** Seals an application message (inside a step of the queue). */
  private async sealNow(kind: number, body: Uint8Array): Promise<Uint8Array | null> {
    const group = this.group;
    if (!group?.active) return null;
    const data = new Uint8Array(5 + body.length);
    const view = new DataView(data.buffer);
    view.setUint8(0, kind);
    view.setUint32(1, this.nextSeq[LANE[kind] ?? 'main']++);
    data.set(body, 5);
    return group.seal(data);
  }
}

function equalKeys(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

const MAX_FAILURE_FIELD = 255;

/** An admission failure as members tell it: lv(peer id) ‖ lv(display name). */
function writeFailure(f: AdmissionFailure): Uint8Array {
  const enc = new TextEncoder();
  const id = enc.encode(f.peerId).slice(0, MAX_FAILURE_FIELD);
  const name = enc.encode(f.displayName).slice(0, MAX_FAILURE_FIELD);
  const out = new Uint8Array(2 + id.length + name.length);
  out[0] = id.length;
  out.set(id, 1);
  out[1 + id.length] = name.length;
  out.set(name, 2 + id.length);
  return out;
}

function readFailure(body: Uint8Array, seenBy: string): AdmissionFailure | null {
  if (body.length < 1) return null;
  const idLength = body[0]!;
  if (body.length < 2 + idLength) return null;
  const nameLength = body[1 + idLength]!;
  if (body.length !== 2 + idLength + nameLength) return null;
  try {
    const dec = new TextDecoder('utf-8', { fatal: true });
    const peerId = dec.decode(body.subarray(1, 1 + idLength));
    const displayName = dec.decode(body.subarray(2 + idLength));
    return peerId ? { peerId, displayName: displayName || 'Someone', seenBy } : null;
  } catch {
    return null;
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer from the Delivery Service in ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
