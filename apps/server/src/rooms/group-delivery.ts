/**
 * The server's whole part in a meeting's end-to-end encryption: the
 * Delivery Service of the room's MLS group (RFC 9420). The group itself
 * lives in the browsers; the server reads none of its bytes. What it keeps,
 * in memory only and for as long as the room lives, is what it needs to
 * route them:
 *
 *   epoch    commits accepted since the group was founded;
 *   members  the peers it counts as in the group: the founder, plus those
 *            accepted commits added, minus those they removed or who left;
 *   waiting  open join requests (KeyPackage and the first CPace message
 *            of its admission), in arrival order, until a commit adds the
 *            peer or it leaves.
 *
 * Admission messages (the rest of each CPace run) go from one peer to
 * another, both in the group or waiting to join it, relayed as they came.
 *
 * The first commit of each epoch wins and is relayed, in the order
 * accepted, to every other peer in the group or waiting to join; a second
 * one on the same epoch is refused with the epoch now (stale_epoch), so its
 * sender processes the winner and tries again. When the last member
 * leaves, the first peer still waiting founds a new group (groupFound).
 */
import { ErrorCode, notification, type GroupJoinRequest, type ServerMessage } from '@conclave/protocol';

export type GroupDeliveryErrorCode = typeof ErrorCode.GroupJoinRepeated | typeof ErrorCode.StaleEpoch | typeof ErrorCode.NotGroupMember;

export class GroupDeliveryError extends Error {
  constructor(
    readonly code: GroupDeliveryErrorCode,
    message: string,
    /** stale_epoch only: the group's epoch now. */
    readonly epoch?: number,
  ) {
    super(message);
    this.name = 'GroupDeliveryError';
  }
}

/** What a peer offers to be added: its KeyPackage and the first message of its admission run. */
export type GroupOffer = Omit<GroupJoinRequest, 'peerId'>;

export interface GroupCommit {
  /** The epoch the commit was made on. */
  epoch: number;
  commit: string;
  welcome?: string | undefined;
  /** Peers the commit adds: those waiting get `welcome` and count as members from now on. */
  added: readonly string[];
  /** Peers the commit removes: they no longer count as members. */
  removed: readonly string[];
}

export class GroupDelivery {
  private epochNow = 0;
  private readonly members = new Set<string>();
  private readonly waiting = new Map<string, GroupOffer>();
  /** Peers that have made their one groupJoin on this join: members, waiting, and those a commit removed. */
  private readonly joined = new Set<string>();

  /** `send`: delivers a message to one peer of the room (nothing when it has gone). */
  constructor(private readonly send: (peerId: string, message: ServerMessage) => void) {}

  get epoch(): number {
    return this.epochNow;
  }

  /** The state as it stands, for tests and checks: nothing in it is sent anywhere. */
  snapshot(): { epoch: number; members: string[]; waiting: string[]; joined: string[] } {
    return { epoch: this.epochNow, members: [...this.members], waiting: [...this.waiting.keys()], joined: [...this.joined] };
  }

  /**
   * `peerId` asks to be in the group, once per join. With nobody in the
   * group it founds it at epoch 0; otherwise its request is kept and sent to
   * every other peer in the group or waiting.
   */
  join(peerId: string, offer: GroupOffer): { found: boolean; epoch: number; waiting: GroupJoinRequest[] } {
    if (this.joined.has(peerId)) {
      throw new GroupDeliveryError(
        ErrorCode.GroupJoinRepeated,
        'already asked to join the group: a rejoin is a new join, on a new connection',
      );
    }
    this.joined.add(peerId);
    const others = this.openRequests(peerId);
    if (this.members.size === 0) {
      this.members.add(peerId);
      this.epochNow = 0;
      return { found: true, epoch: 0, waiting: others };
    }
    this.waiting.set(peerId, { keyPackage: offer.keyPackage, pake: offer.pake });
    const request = notification('groupJoinRequest', { peerId, keyPackage: offer.keyPackage, pake: offer.pake });
    for (const id of this.recipients(peerId)) this.send(id, request);
    return { found: false, epoch: this.epochNow, waiting: others };
  }

  /**
   * One admission message from `from` to `to`, relayed as it came. Both must
   * be in the group or waiting to join it (a stranger's message goes
   * nowhere).
   */
  admit(from: string, to: string, message: string): void {
    if (!this.inOrWaiting(from)) {
      throw new GroupDeliveryError(ErrorCode.NotGroupMember, 'not in the group or waiting to join it: offer a KeyPackage first');
    }
    if (to === from || !this.inOrWaiting(to)) {
      throw new GroupDeliveryError(ErrorCode.NotGroupMember, `${to} is not in the group or waiting to join it`);
    }
    this.send(to, notification('groupAdmit', { from, message }));
  }

  /**
   * A member's commit on `commit.epoch`. The first on the group's epoch is
   * accepted: relayed to the others, its Welcome delivered to the waiting
   * peers it adds. Returns the new epoch.
   */
  commit(peerId: string, commit: GroupCommit): { epoch: number } {
    if (!this.members.has(peerId)) {
      throw new GroupDeliveryError(ErrorCode.NotGroupMember, 'not a member of the group: wait for a Welcome (or found it) first');
    }
    if (commit.epoch !== this.epochNow) {
      throw new GroupDeliveryError(
        ErrorCode.StaleEpoch,
        `a commit on epoch ${commit.epoch}, but the group is at epoch ${this.epochNow}: process the commits relayed to you and commit again if still needed`,
        this.epochNow,
      );
    }
    this.epochNow += 1;
    const relayed = notification('groupCommit', { from: peerId, epoch: commit.epoch, commit: commit.commit });
    for (const id of this.recipients(peerId)) this.send(id, relayed);
    const welcome =
      commit.welcome === undefined ? null : notification('groupWelcome', { from: peerId, epoch: this.epochNow, welcome: commit.welcome });
    for (const id of commit.added) {
      // Only an open request is answered: an unknown, departed or already added peer is passed over.
      if (!this.waiting.delete(id)) continue;
      this.members.add(id);
      if (welcome) this.send(id, welcome);
    }
    for (const id of commit.removed) this.members.delete(id);
    this.refoundIfEmpty();
    return { epoch: this.epochNow };
  }

  /** `peerId` has left the room (by any path): it is out of the group and its request is closed. */
  leave(peerId: string): void {
    this.joined.delete(peerId);
    this.waiting.delete(peerId);
    this.members.delete(peerId);
    this.refoundIfEmpty();
  }

  /** The room has closed: nothing is kept. */
  clear(): void {
    this.joined.clear();
    this.waiting.clear();
    this.members.clear();
    this.epochNow = 0;
  }

  /**
   * With nobody left in the group, the group is over: the next one starts
   * at epoch 0, founded by the first peer still waiting (told so, with the
   * other open requests, to add them), or by the next to join.
   */
  private refoundIfEmpty(): void {
    if (this.members.size > 0) return;
    this.epochNow = 0;
    const founder = this.waiting.keys().next();
    if (founder.done) return;
    this.waiting.delete(founder.value);
    this.members.add(founder.value);
    this.send(founder.value, notification('groupFound', { waiting: this.openRequests(founder.value) }));
  }

  /** The open requests, in arrival order, but for `except`'s own. */
  private openRequests(except: string): GroupJoinRequest[] {
    const open: GroupJoinRequest[] = [];
    for (const [peerId, offer] of this.waiting) if (peerId !== except) open.push({ peerId, ...offer });
    return open;
  }

  private inOrWaiting(peerId: string): boolean {
    return this.members.has(peerId) || this.waiting.has(peerId);
  }

  /** Every peer in the group or waiting to join it, but `except`. */
  private recipients(except: string): string[] {
    return [...this.joined].filter((id) => id !== except && this.inOrWaiting(id));
  }
}
