/**
 * An in-memory Delivery Service with the server's rules (first commit of an
 * epoch wins, Welcomes only to the peers a commit adds, refounding when the
 * group empties), and the hooks a hostile server would use: hide or drop
 * any notification to anyone, inject its own, replay old ones, hand out
 * two different commits for one epoch (a fork). Each member is a real
 * GroupAgent with a manual clock, so tests run in milliseconds.
 */
import type { MeetingSecret, RefusalReason } from '../src/group/admission.js';
import {
  GroupAgent,
  type AdmissionFailure,
  type CommitAnswer,
  type EpochKeys,
  type RawJoinRequest,
  type Rejection,
} from '../src/group/group-agent.js';
import type { GroupMember } from '../src/group/meeting-group.js';
import type { SafetyCode } from '../src/group/verification-code.js';

export class ManualClock {
  private t = 0;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; cb: () => void }>();
  now = (): number => this.t;
  setTimeout = (cb: () => void, ms: number): unknown => {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + ms, cb });
    return id;
  };
  clearTimeout = (h: unknown): void => {
    this.timers.delete(h as number);
  };
  /** Whether a timer is due now. */
  hasDue(): boolean {
    return [...this.timers.values()].some((t) => t.at <= this.t);
  }

  /** Moves time on, firing every timer that falls due, in order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.t = Math.max(this.t, due[1].at);
      due[1].cb();
    }
    this.t = end;
  }
}

export type Notice =
  | { type: 'joinRequest'; request: RawJoinRequest }
  | { type: 'commit'; from: string; epoch: number; commit: Uint8Array }
  | { type: 'welcome'; from: string; epoch: number; welcome: Uint8Array }
  | { type: 'found'; waiting: RawJoinRequest[] }
  | { type: 'admit'; from: string; message: Uint8Array }
  | { type: 'peerLeft'; peerId: string }
  | { type: 'app'; from: string; message: Uint8Array };

export interface EpochSeen {
  keys: EpochKeys;
  members: GroupMember[];
  code: SafetyCode;
}

export class TestMember {
  readonly agent: GroupAgent;
  readonly epochs: EpochSeen[] = [];
  readonly rejected: Rejection[] = [];
  readonly chats: { from: string; text: string }[] = [];
  /** Admission failures this member was told of (or saw). */
  readonly failures: AdmissionFailure[] = [];
  /** What the member who ran our admission said when it did not let us in. */
  readonly refusals: RefusalReason[] = [];
  removed = false;
  gone = false;

  constructor(
    readonly peerId: string,
    readonly ds: FakeDelivery,
    secret: Uint8Array | MeetingSecret,
    name = peerId,
  ) {
    this.agent = new GroupAgent({
      roomId: ds.roomId,
      secret: meetingSecret(secret),
      self: { peerId, displayName: name },
      clock: ds.clock,
      random: () => 0.5,
      port: {
        join: (keyPackage, pake) => Promise.resolve(ds.groupJoin(peerId, keyPackage, pake)),
        admit: (to, message) => Promise.resolve(ds.groupAdmit(peerId, to, message)),
        broadcast: (message) => Promise.resolve(ds.broadcastApp(peerId, message)),
        commit: (c) => Promise.resolve(ds.groupCommit(peerId, c)),
      },
      events: {
        onEpoch: (keys, members, code) => this.epochs.push({ keys, members, code }),
        onRejected: (r) => this.rejected.push(r),
        onRemoved: () => {
          this.removed = true;
        },
        onAdmissionFailed: (f) => this.failures.push(f),
        onRefused: (r) => this.refusals.push(r),
      },
    });
  }

  get last(): EpochSeen | undefined {
    return this.epochs[this.epochs.length - 1];
  }

  /** Peer ids the group has now, as this member sees it. */
  roster(): string[] {
    return this.agent
      .members()
      .map((m) => m.peerId)
      .sort();
  }

  /** The key this member sends with now (its own leaf's base key). */
  sendKey(): Uint8Array | undefined {
    const l = this.last;
    return l?.keys.baseKeys.get(l.keys.ownLeaf);
  }

  deliver(n: Notice): void {
    const a = this.agent;
    const swallow = (p: Promise<unknown>) => void p.catch(() => undefined);
    switch (n.type) {
      case 'joinRequest':
        return swallow(a.onJoinRequest(n.request));
      case 'commit':
        return swallow(a.onCommit(n.from, n.epoch, n.commit));
      case 'welcome':
        return swallow(a.onWelcome(n.from, n.welcome));
      case 'found':
        return swallow(a.onFound(n.waiting));
      case 'admit':
        return swallow(a.onAdmit(n.from, n.message));
      case 'peerLeft':
        return swallow(a.onPeerLeft(n.peerId));
      case 'app':
        return swallow(
          a.openApp(n.from, n.message).then((o) => {
            if (o.kind === 'chat') this.chats.push({ from: o.sender.peerId, text: o.text });
          }),
        );
    }
  }

  async chat(text: string): Promise<void> {
    const sealed = await this.agent.sealChat(text);
    if (sealed) this.ds.broadcastApp(this.peerId, sealed);
  }
}

export class FakeDelivery {
  readonly clock = new ManualClock();
  readonly members = new Map<string, TestMember>();
  epoch = 0;
  private readonly inGroup = new Set<string>();
  private readonly waiting = new Map<string, RawJoinRequest>();
  /** Everything relayed so far, in order (for replays). */
  readonly relayed: { to: string; notice: Notice }[] = [];
  /** A hostile filter: return false to drop a notification. */
  filter: (to: string, notice: Notice) => boolean = () => true;

  constructor(readonly roomId = 'room-under-test') {}

  add(peerId: string, secret: Uint8Array | MeetingSecret, name?: string): TestMember {
    const m = new TestMember(peerId, this, secret, name);
    this.members.set(peerId, m);
    return m;
  }

  /** Joins a member to the room and the group (offers its KeyPackage). */
  async join(peerId: string, secret: Uint8Array | MeetingSecret, name?: string): Promise<TestMember> {
    const m = this.add(peerId, secret, name);
    await m.agent.start();
    return m;
  }

  send(to: string, notice: Notice): void {
    const m = this.members.get(to);
    if (!m || m.gone) return;
    this.relayed.push({ to, notice });
    if (!this.filter(to, notice)) return;
    m.deliver(notice);
  }

  private others(peerId: string): string[] {
    return [...this.members.values()].filter((m) => m.peerId !== peerId && !m.gone).map((m) => m.peerId);
  }

  groupJoin(peerId: string, keyPackage: Uint8Array, pake: Uint8Array): { found: boolean; epoch: number; waiting: RawJoinRequest[] } {
    const others = [...this.waiting.values()];
    if (this.inGroup.size === 0) {
      this.inGroup.add(peerId);
      this.epoch = 0;
      return { found: true, epoch: 0, waiting: others };
    }
    const request = { peerId, keyPackage, pake };
    this.waiting.set(peerId, request);
    for (const to of this.others(peerId)) this.send(to, { type: 'joinRequest', request });
    return { found: false, epoch: this.epoch, waiting: others };
  }

  groupCommit(
    from: string,
    c: { epoch: number; commit: Uint8Array; welcome?: Uint8Array; added: string[]; removed: string[] },
  ): CommitAnswer {
    if (!this.inGroup.has(from)) throw new Error('not_group_member');
    if (c.epoch !== this.epoch) return { ok: false, staleEpoch: this.epoch };
    this.epoch += 1;
    for (const to of this.others(from)) this.send(to, { type: 'commit', from, epoch: c.epoch, commit: c.commit });
    for (const peerId of c.added) {
      if (!this.waiting.has(peerId)) continue;
      this.waiting.delete(peerId);
      this.inGroup.add(peerId);
      if (c.welcome) this.send(peerId, { type: 'welcome', from, epoch: this.epoch, welcome: c.welcome });
    }
    for (const peerId of c.removed) this.inGroup.delete(peerId);
    return { ok: true, epoch: this.epoch };
  }

  /** groupAdmit: one admission message to one peer, relayed as it came. */
  groupAdmit(from: string, to: string, message: Uint8Array): void {
    this.send(to, { type: 'admit', from, message });
  }

  broadcastApp(from: string, message: Uint8Array): void {
    for (const to of this.others(from)) this.send(to, { type: 'app', from, message });
  }

  /** A peer leaves the room: its agent is disposed; `hideFrom` lists who is not told. */
  leave(peerId: string, hideFrom: string[] = []): void {
    const m = this.members.get(peerId);
    if (m) {
      m.gone = true;
      m.agent.dispose();
    }
    this.inGroup.delete(peerId);
    this.waiting.delete(peerId);
    for (const to of this.others(peerId)) if (!hideFrom.includes(to)) this.send(to, { type: 'peerLeft', peerId });
    if (this.inGroup.size === 0 && this.waiting.size > 0) {
      const [first, ...rest] = [...this.waiting.values()];
      this.waiting.delete(first!.peerId);
      this.inGroup.add(first!.peerId);
      this.epoch = 0;
      this.send(first!.peerId, { type: 'found', waiting: rest });
    }
  }

  /** Waits until every agent is idle and no timer is due, moving the clock by `ms` once first. */
  async settle(ms = 0): Promise<void> {
    if (ms > 0) this.clock.advance(ms);
    for (let round = 0; round < 50; round++) {
      this.clock.advance(0);
      await Promise.all([...this.members.values()].filter((m) => !m.gone).map((m) => m.agent.idle()));
      await new Promise((r) => setImmediate(r));
      const before = this.relayed.length;
      await Promise.all([...this.members.values()].filter((m) => !m.gone).map((m) => m.agent.idle()));
      await new Promise((r) => setImmediate(r));
      if (this.relayed.length === before && !this.clock.hasDue()) return;
    }
  }

  /** Lets every takeover and commit run its course (moves time by `rounds` × takeover). */
  async settleAll(rounds = 6): Promise<void> {
    for (let i = 0; i < rounds; i++) await this.settle(1600);
  }
}

/** A link key as it stands, or any meeting secret. */
export function meetingSecret(secret: Uint8Array | MeetingSecret): MeetingSecret {
  return secret instanceof Uint8Array ? { kind: 'link', key: secret } : secret;
}

/** A room of `n` members (p0, p1, …) with one meeting secret, joined one after another and settled. */
export async function groupOf(n: number, linkKey: Uint8Array | MeetingSecret): Promise<{ ds: FakeDelivery; ms: TestMember[] }> {
  const ds = new FakeDelivery();
  const ms: TestMember[] = [];
  for (let i = 0; i < n; i++) {
    ms.push(await ds.join(`p${i}`, linkKey));
    await ds.settleAll(1);
  }
  await ds.settleAll(2);
  return { ds, ms };
}
