/**
 * GroupAgent: one participant's part in the meeting's MLS group, as a
 * state machine over the Delivery Service (the server). It does no I/O of
 * its own: requests go through a DeliveryPort, notifications come in as
 * method calls, and what changed goes out through GroupAgentEvents. Every
 * step runs in one queue, so the group state never sees two steps at once.
 *
 * Protocol (SECURITY.md has the reasons, docs/e2ee-keys.md the messages):
 *
 *  1. Joining: `start` offers our KeyPackage with its admission proof
 *     (groupJoin). The Delivery Service answers `found` if nobody is in the
 *     group: we found it (epoch 0). Otherwise a member adds us and we get a
 *     Welcome.
 *  2. Committing: the member with the lowest leaf index among those not
 *     known to have left commits what is to be done; the one after it takes
 *     over after TAKEOVER_MS, and so on. To be done: add each newcomer
 *     whose proof and credential check out (a wrong link key is refused and
 *     reported), and remove each member the server said left, each member
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
import { checkAdmission, admissionKey, proveAdmission, type AdmissionKey } from './admission.js';
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

export interface RawJoinRequest {
  peerId: string;
  keyPackage: Uint8Array;
  proof: Uint8Array;
}

export type CommitAnswer = { ok: true; epoch: number } | { ok: false; staleEpoch: number };

/** What the agent asks of the server (the Delivery Service). */
export interface DeliveryPort {
  join(keyPackage: Uint8Array, proof: Uint8Array): Promise<{ found: boolean; epoch: number; waiting: RawJoinRequest[] }>;
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
  what: 'join-request' | 'commit' | 'welcome' | 'message';
  reason: string;
}

export interface GroupAgentEvents {
  /** We entered a new epoch: new keys, new members, new code. */
  onEpoch(keys: EpochKeys, members: GroupMember[], code: SafetyCode): void;
  /** Something from outside was refused (for logs and the UI); never thrown. */
  onRejected?(r: Rejection): void;
  /** A commit removed us from the group: we hold no keys any more. */
  onRemoved?(): void;
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
  /** 32 bytes: the link key, or the passphrase stretched to 32 bytes. */
  linkKey: Uint8Array;
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

export type OpenedAppMessage =
  | { kind: 'chat'; sender: GroupMember; text: string }
  | { kind: 'leaving'; sender: GroupMember }
  | { kind: 'refused'; retry: boolean; reason: string };

interface Request {
  raw: RawJoinRequest;
  checked?: CheckedKeyPackage;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export class GroupAgent {
  private readonly roomId: string;
  private readonly admission: AdmissionKey;
  private readonly self: MemberCredential;
  private readonly port: DeliveryPort;
  private readonly events: GroupAgentEvents;
  private readonly clock: Clock;
  private readonly random: () => number;

  private offer: JoinOffer | undefined;
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
  /** Last sequence number seen per sender (by signature key). */
  private readonly lastSeq = new Map<string, number>();
  private nextSeq = 1;
  private workTimer: unknown;
  private updateTimer: unknown;

  constructor(opts: GroupAgentOptions) {
    this.roomId = opts.roomId;
    this.admission = admissionKey(opts.linkKey);
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
      const proof = proveAdmission(this.admission, this.roomId, offer.keyPackage);
      const answer = await this.port.join(offer.keyPackage, proof);
      for (const r of answer.waiting) this.addRequest(r);
      if (answer.found) await this.found();
    });
  }

  /** The Delivery Service relayed someone's request to join. */
  onJoinRequest(r: RawJoinRequest): Promise<void> {
    return this.run(async () => {
      this.addRequest(r);
      // Every member checks at once, so everyone hears of a wrong link key, not only the committer.
      // (Not while we wait to be added ourselves: with a wrong key of our own, everyone else's would look wrong.)
      const req = this.requests.get(r.peerId);
      if (req && this.group?.active && !(await this.checkRequest(req))) this.requests.delete(r.peerId);
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

  /** A Welcome addressed to us. */
  onWelcome(from: string, welcome: Uint8Array): Promise<void> {
    return this.run(async () => {
      if (this.group?.active || !this.offer) return;
      try {
        this.group = await MeetingGroup.join(this.roomId, this.offer, welcome);
      } catch (err) {
        this.reject({ peerId: from, what: 'welcome', reason: (err as Error).message });
        return;
      }
      await this.entered();
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
  refresh(): Promise<void> {
    return this.run(async () => {
      if (this.group?.active) await this.commitPlan({}, [], []);
    });
  }

  /** Seals a chat message: signed by our leaf, numbered, for the group's current epoch. Null while not in the group. */
  sealChat(text: string): Promise<Uint8Array | null> {
    return this.sealApp(KIND_CHAT, new TextEncoder().encode(text));
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
      if (seq <= (this.lastSeq.get(who) ?? 0)) {
        this.reject({ peerId: from, what: 'message', reason: `message ${seq} of ${sender.peerId} is a replay or out of order` });
        return { kind: 'refused', retry: false, reason: 'replay' };
      }
      this.lastSeq.set(who, seq);
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
    this.requests.set(r.peerId, { raw: r });
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
    const { peerId, keyPackage, proof } = req.raw;
    const id = `${peerId}:${hex(proof)}:${hex(sha256(keyPackage))}`;
    const refuse = (reason: string): undefined => {
      if (!this.refusedRequests.has(id)) this.reject({ peerId, what: 'join-request', reason });
      this.refusedRequests.add(id);
      if (this.refusedRequests.size > MAX_REMEMBERED) this.refusedRequests.delete(this.refusedRequests.values().next().value as string);
      return undefined;
    };
    if (!checkAdmission(this.admission, this.roomId, keyPackage, proof)) return refuse('wrong-link-key');
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
    return this.run(async () => {
      const group = this.group;
      if (!group?.active) return null;
      const data = new Uint8Array(5 + body.length);
      const view = new DataView(data.buffer);
      view.setUint8(0, kind);
      view.setUint32(1, this.nextSeq++);
      data.set(body, 5);
      return group.seal(data);
    });
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
