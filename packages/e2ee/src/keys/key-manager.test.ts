/**
 * KeyManager tests: N managers in memory, exchanging their effects through a
 * fake server/relay, with fake frame Workers that install and drop keys.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Identity, generateIdentity } from './identity.js';
import { openKeyBox, sealKeyBox } from './key-box.js';
import { type Effects, JOIN_GRACE_MS, KeyManager, LEAVE_GRACE_MS, PENDING_TTL_MS, type RejectReason } from './key-manager.js';
import { ratchetSenderKey, sframeBaseKey } from './sender-key.js';
import { lib, sodiumReady } from './sodium.js';

beforeAll(sodiumReady);

const ROOM = 'room-1';
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

// ------------------------------------------------------------------ harness

type Delivery =
  | { seq: number; to: string; from: 'server'; kind: 'roster'; roster: { peerId: string; bytes: Uint8Array }[] }
  | { seq: number; to: string; from: 'server'; kind: 'announce'; peerId: string; bytes: Uint8Array }
  | { seq: number; to: string; from: 'server'; kind: 'left'; peerId: string }
  | { seq: number; to: string; from: string; kind: 'box'; bytes: Uint8Array };

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

interface FakeWorker {
  send?: { kid: bigint; baseKey: Uint8Array; generation: number };
  recv: Map<string, Uint8Array>; // `${peerId}/${kid}` → base key
}

interface Peer {
  id: string;
  km: KeyManager;
  identity: Identity;
  secret: Uint8Array;
  worker: FakeWorker;
  log: Effects[];
  /** Every own send key ever used: hex(baseKey). */
  sendKeys: Set<string>;
}

/** Deterministic PRNG for delivery orders. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Sim {
  now = 0;
  readonly secret = lib().randombytes_buf(32);
  readonly peers = new Map<string, Peer>(); // in the room (server's view)
  readonly departed = new Map<string, Peer>();
  private stored: { peerId: string; bytes: Uint8Array }[] = [];
  private channels = new Map<string, Delivery[]>(); // per (from → to), FIFO
  private seq = 0;
  private nextIndex = 1;
  private drops: { at: number; peer: Peer; peerId: string; kid?: bigint }[] = [];
  /** Hook to tamper with or hold deliveries: return null to swallow, or a replacement. */
  intercept: ((d: Delivery) => Delivery | null) | undefined;

  constructor(private readonly random?: () => number) {}

  private enqueue(d: DistributiveOmit<Delivery, 'seq'>): void {
    const full = { ...d, seq: this.seq++ };
    const key = `${full.from}→${full.to}`;
    const q = this.channels.get(key) ?? [];
    q.push(full);
    this.channels.set(key, q);
  }

  async join(id: string, opts: { secret?: Uint8Array; senderIndex?: number } = {}): Promise<Peer> {
    const identity = generateIdentity();
    const secret = opts.secret ?? this.secret;
    const km = await KeyManager.create({
      roomId: ROOM,
      selfId: id,
      senderIndex: opts.senderIndex ?? this.nextIndex++,
      meetingSecret: secret,
      now: () => this.now,
      identity,
    });
    const peer: Peer = { id, km, identity, secret, worker: { recv: new Map() }, log: [], sendKeys: new Set() };
    const bytes = km.announcement();
    // The server stores the announcement and answers with the earlier ones, atomically; then broadcasts it.
    this.enqueue({ to: id, from: 'server', kind: 'roster', roster: this.stored.slice() });
    for (const other of this.peers.keys()) this.enqueue({ to: other, from: 'server', kind: 'announce', peerId: id, bytes });
    this.stored.push({ peerId: id, bytes });
    this.peers.set(id, peer);
    return peer;
  }

  leave(id: string): Peer {
    const peer = this.peers.get(id);
    if (peer === undefined) throw new Error(`no ${id}`);
    this.peers.delete(id);
    this.departed.set(id, peer);
    this.stored = this.stored.filter((s) => s.peerId !== id);
    for (const [k, q] of this.channels) if (k.endsWith(`→${id}`)) q.length = 0; // nothing more reaches it
    for (const other of this.peers.keys()) this.enqueue({ to: other, from: 'server', kind: 'left', peerId: id });
    return peer;
  }

  /** Delivers one queued message; false when all queues are empty. */
  step(): boolean {
    const heads = [...this.channels.values()].filter((q) => q.length > 0);
    if (heads.length === 0) return false;
    let q: Delivery[];
    if (this.random === undefined) q = heads.reduce((a, b) => ((a[0] as Delivery).seq < (b[0] as Delivery).seq ? a : b));
    else q = heads[Math.floor(this.random() * heads.length)] as Delivery[];
    const d = q.shift() as Delivery;
    const out = this.intercept === undefined ? d : this.intercept(d);
    if (out !== null) this.deliver(out);
    this.advance(1);
    return true;
  }

  run(): void {
    let n = 0;
    while (this.step()) if (++n > 100_000) throw new Error('no quiescence');
  }

  /** Deliver everything, then let every grace period pass. */
  settle(): void {
    this.run();
    this.advance(Math.max(JOIN_GRACE_MS, LEAVE_GRACE_MS) + 1);
  }

  advance(ms: number): void {
    this.now += ms;
    const due = this.drops.filter((d) => d.at <= this.now);
    this.drops = this.drops.filter((d) => d.at > this.now);
    for (const d of due) this.drop(d.peer, d.peerId, d.kid);
  }

  deliver(d: Delivery): void {
    const peer = this.peers.get(d.to);
    if (peer === undefined) return; // the server relays only to members
    if (d.kind === 'box' && !this.peers.has(d.from) && !this.departed.has(d.from)) throw new Error('box from nowhere');
    let e: Effects;
    switch (d.kind) {
      case 'roster':
        e = peer.km.onRoster(d.roster);
        break;
      case 'announce':
        e = peer.km.onAnnouncement(d.peerId, d.bytes);
        break;
      case 'left':
        e = peer.km.onPeerLeft(d.peerId);
        break;
      case 'box':
        e = peer.km.onKeyBundle(d.from, d.bytes);
        break;
    }
    this.apply(peer, e);
  }

  apply(peer: Peer, e: Effects): void {
    peer.log.push(e);
    for (const s of e.send) this.enqueue({ to: s.to, from: peer.id, kind: 'box', bytes: s.bytes });
    if (e.setSendKey !== undefined) {
      peer.worker.send = { kid: e.setSendKey.kid, baseKey: e.setSendKey.baseKey, generation: e.setSendKey.generation };
      peer.sendKeys.add(hex(e.setSendKey.baseKey));
    }
    for (const a of e.addReceiveKeys) peer.worker.recv.set(`${a.peerId}/${a.kid}`, a.baseKey);
    for (const d of e.dropReceiveKeys) {
      if (d.afterMs === 0) this.drop(peer, d.peerId, d.kid);
      else this.drops.push({ at: this.now + d.afterMs, peer, peerId: d.peerId, ...(d.kid === undefined ? {} : { kid: d.kid }) });
    }
  }

  private drop(peer: Peer, peerId: string, kid?: bigint): void {
    if (kid !== undefined) peer.worker.recv.delete(`${peerId}/${kid}`);
    else for (const k of [...peer.worker.recv.keys()]) if (k.startsWith(`${peerId}/`)) peer.worker.recv.delete(k);
  }

  get(id: string): Peer {
    const p = this.peers.get(id) ?? this.departed.get(id);
    if (p === undefined) throw new Error(`no ${id}`);
    return p;
  }
}

const code = (p: Peer) => {
  const c = p.km.safetyCode();
  return `${c.digits} ${c.emoji.join('')} (${c.memberCount})`;
};

/** Members with the room's secret agree on everything and can decrypt each other. */
function expectConverged(sim: Sim, group: Peer[] = [...sim.peers.values()]): void {
  const codes = new Set(group.map(code));
  expect(codes.size).toBe(1);
  for (const p of group) expect(p.km.safetyCode().memberCount).toBe(group.length);
  for (const a of group) {
    const send = a.worker.send;
    expect(send, `${a.id} has a send key`).toBeDefined();
    if (send === undefined) continue;
    for (const b of group) {
      if (b === a) continue;
      expect(b.km.memberState(a.id), `${b.id} sees ${a.id}`).toBe('verified');
      const k = b.worker.recv.get(`${a.id}/${send.kid}`);
      expect(k && hex(k), `${b.id} holds ${a.id}'s current key`).toBe(hex(send.baseKey));
    }
  }
  // After the grace periods, each Worker holds exactly one key per other member.
  for (const b of group) expect(b.worker.recv.size, `${b.id}'s receive keys`).toBe(group.length - 1);
}

/** Every raw sender key `p` ever received in a box (opened with its identity). */
function rawKeysReceived(sim: Sim, p: Peer, boxes: { from: string; bytes: Uint8Array }[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const b of boxes) {
    const sender = sim.get(b.from);
    const r = openKeyBox(b.bytes, {
      roomId: ROOM,
      senderPeerId: b.from,
      recipientPeerId: p.id,
      senderBoxPk: sender.identity.boxPk,
      recipientBoxSk: p.identity.boxSk,
    });
    if (r.ok) out.push(r.senderKey.key);
  }
  return out;
}

/** Every SFrame key obtainable from `raw` keys by ratcheting up to `depth` times. */
function derivable(raws: Uint8Array[], depth = 8): Set<string> {
  const out = new Set<string>();
  for (const raw of raws) {
    let k = { generation: 0, key: raw };
    for (let i = 0; i <= depth; i++) {
      out.add(hex(sframeBaseKey(k)));
      k = ratchetSenderKey(k);
    }
  }
  return out;
}

/** Records every box delivered to `id` (for later analysis). */
function recordBoxesTo(sim: Sim, id: string): { from: string; bytes: Uint8Array }[] {
  const seen: { from: string; bytes: Uint8Array }[] = [];
  const prev = sim.intercept;
  sim.intercept = (d) => {
    const out = prev === undefined ? d : prev(d);
    if (out !== null && out.kind === 'box' && out.to === id) seen.push({ from: out.from, bytes: out.bytes });
    return out;
  };
  return seen;
}

async function aesFrame(baseKey: Uint8Array, data: string): Promise<{ iv: Uint8Array; ct: Uint8Array }> {
  const key = await crypto.subtle.importKey('raw', new Uint8Array(baseKey.subarray(0, 16)), 'AES-GCM', false, ['encrypt']);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, new TextEncoder().encode(data)));
  return { iv, ct };
}

async function aesOpen(baseKey: Uint8Array, f: { iv: Uint8Array; ct: Uint8Array }): Promise<boolean> {
  const key = await crypto.subtle.importKey('raw', new Uint8Array(baseKey.subarray(0, 16)), 'AES-GCM', false, ['decrypt']);
  try {
    await crypto.subtle.decrypt({ name: 'AES-GCM', iv: new Uint8Array(f.iv) }, key, new Uint8Array(f.ct));
    return true;
  } catch {
    return false;
  }
}

function rejections(p: Peer): RejectReason[] {
  return p.log.flatMap((e) => e.rejected.map((r) => r.reason));
}

// -------------------------------------------------------------------- tests

describe('KeyManager: convergence', () => {
  it("members converge on one safety code and each other's keys", async () => {
    const sim = new Sim();
    await sim.join('alice');
    await sim.join('bob');
    await sim.join('carol');
    sim.settle();
    expectConverged(sim);
    const alice = sim.get('alice');
    expect(
      alice.km
        .peers()
        .map((p) => p.state)
        .sort(),
    ).toEqual(['verified', 'verified']);
    expect(alice.km.memberState('alice')).toBe('self');
    expect(alice.km.memberState('nobody')).toBe('unknown');
    // frames really decrypt
    const f = await aesFrame(alice.worker.send!.baseKey, 'hello');
    const atBob = sim.get('bob').worker.recv.get(`alice/${alice.worker.send!.kid}`)!;
    expect(await aesOpen(atBob, f)).toBe(true);
  });

  it('the code changes on every join and leave, and stays equal for everyone', async () => {
    const sim = new Sim();
    await sim.join('a');
    sim.settle();
    const codes = [code(sim.get('a'))];
    for (const id of ['b', 'c', 'd']) {
      await sim.join(id);
      sim.settle();
      expectConverged(sim);
      codes.push(code(sim.get('a')));
    }
    sim.leave('b');
    sim.settle();
    expectConverged(sim);
    codes.push(code(sim.get('a')));
    sim.leave('d');
    sim.settle();
    expectConverged(sim);
    codes.push(code(sim.get('a')));
    expect(new Set(codes).size).toBe(codes.length);
    expect(sim.get('a').log.some((e) => e.safetyCodeChanged)).toBe(true);
  });

  it('a join ratchets everyone forward by one generation without messages among existing members', async () => {
    const sim = new Sim();
    const a = await sim.join('a');
    await sim.join('b');
    sim.settle();
    const genA = a.worker.send!.generation;
    const before = a.worker.send!.baseKey;
    const c = await sim.join('c');
    const boxesBetweenOld: string[] = [];
    sim.intercept = (d) => {
      if (d.kind === 'box' && d.to !== 'c') boxesBetweenOld.push(`${d.from}→${d.to}`);
      return d;
    };
    sim.settle();
    expect(boxesBetweenOld.filter((x) => !x.startsWith('c'))).toEqual([]);
    expect(a.worker.send!.generation).toBe(genA + 1);
    expect(hex(a.worker.send!.baseKey)).toBe(hex(sframeBaseKey(ratchetSenderKey({ generation: genA, key: rawOf(sim, a, c) }))));
    expect(a.worker.send!.baseKey).not.toEqual(before);
    expectConverged(sim);
  });
});

/**
 * `a`'s raw key before `c` joined: the key `a` boxed to the one member that
 * joined before (`b`, when `a` was alone before that). Test helper only.
 */
function rawOf(sim: Sim, a: Peer, c: Peer): Uint8Array {
  const toB = a.log.flatMap((e) => e.send).find((s) => s.to !== c.id);
  if (toB === undefined) throw new Error('no earlier box');
  const b = sim.get(toB.to);
  const r = openKeyBox(toB.bytes, {
    roomId: ROOM,
    senderPeerId: a.id,
    recipientPeerId: b.id,
    senderBoxPk: a.identity.boxPk,
    recipientBoxSk: b.identity.boxSk,
  });
  if (!r.ok) throw new Error('cannot open');
  return r.senderKey.key;
}

describe('KeyManager: forward and backward secrecy', () => {
  it('a newcomer cannot decrypt frames sent before it joined', async () => {
    const sim = new Sim();
    const a = await sim.join('a');
    const b = await sim.join('b');
    sim.settle();
    const earlierKeys = new Set([...a.sendKeys, ...b.sendKeys]);
    const earlierKids = new Set([a.worker.send!.kid, b.worker.send!.kid]);
    const frames = [await aesFrame(a.worker.send!.baseKey, 'before'), await aesFrame(b.worker.send!.baseKey, 'before')];

    const boxesToC = recordBoxesTo(sim, 'c');
    const c = await sim.join('c');
    sim.settle();
    expectConverged(sim);

    const cKeys = [...c.worker.recv.values()];
    for (const k of cKeys) expect(earlierKeys.has(hex(k))).toBe(false);
    for (const kid of c.worker.recv.keys()) expect(earlierKids.has(BigInt(kid.split('/')[1]!))).toBe(false);
    for (const f of frames) for (const k of cKeys) expect(await aesOpen(k, f)).toBe(false);
    // Nothing c was given ratchets (any number of times) to an earlier key.
    const raws = rawKeysReceived(sim, c, boxesToC);
    expect(raws).toHaveLength(2);
    for (const k of derivable(raws)) expect(earlierKeys.has(k)).toBe(false);
    // And the frames sent after the join do decrypt for c.
    const after = await aesFrame(a.worker.send!.baseKey, 'after');
    expect(await aesOpen(c.worker.recv.get(`a/${a.worker.send!.kid}`)!, after)).toBe(true);
  });

  it('a departed member gets no post-leave key and cannot derive one', async () => {
    const sim = new Sim();
    for (const id of ['a', 'b', 'c']) await sim.join(id);
    const boxesToD = recordBoxesTo(sim, 'd');
    const d = await sim.join('d');
    sim.settle();
    expectConverged(sim);
    const dKnew = new Set([...d.worker.recv.values()].map(hex));
    const dLogLength = d.log.length;

    const logAtLeave = new Map([...sim.peers.values()].map((p) => [p.id, p.log.length]));
    sim.leave('d');
    sim.settle();
    expectConverged(sim);
    expect(d.log.length).toBe(dLogLength); // its manager received nothing more
    for (const p of sim.peers.values()) {
      const after = p.log.slice(logAtLeave.get(p.id)).flatMap((e) => e.send);
      expect(after.length).toBeGreaterThan(0);
      expect(after.some((s) => s.to === 'd')).toBe(false);
      // the departed peer's keys were dropped at once
      expect([...p.worker.recv.keys()].some((k) => k.startsWith('d/'))).toBe(false);
    }
    const dCouldDerive = derivable(rawKeysReceived(sim, d, boxesToD), 16);
    for (const id of ['a', 'b', 'c']) {
      const p = sim.get(id);
      const k = hex(p.worker.send!.baseKey);
      expect(dKnew.has(k)).toBe(false);
      expect(dCouldDerive.has(k)).toBe(false);
      const f = await aesFrame(p.worker.send!.baseKey, 'after leave');
      for (const old of d.worker.recv.values()) expect(await aesOpen(old, f)).toBe(false);
    }
  });

  it('on leave, the new key activates after the delay and old keys go after the grace period', async () => {
    const sim = new Sim();
    const a = await sim.join('a');
    await sim.join('b');
    await sim.join('c');
    sim.settle();
    const before = a.log.length;
    sim.leave('c');
    sim.run();
    const e = a.log.slice(before);
    const set = e.find((x) => x.setSendKey !== undefined)!.setSendKey!;
    expect(set.activateAfterMs).toBe(250);
    const drops = e.flatMap((x) => x.dropReceiveKeys);
    expect(drops).toContainEqual({ peerId: 'c', afterMs: 0 });
    expect(drops.some((x) => x.peerId === 'b' && x.afterMs === LEAVE_GRACE_MS)).toBe(true);
    expect(a.km.peers().map((p) => p.peerId)).toEqual(['b']);
  });

  it('a leave followed by a join before the fresh keys arrive never derives across the leave', async () => {
    const sim = new Sim();
    for (const id of ['a', 'b', 'c']) await sim.join(id);
    const boxesToD = recordBoxesTo(sim, 'd');
    await sim.join('d');
    sim.settle();
    const b = sim.get('b');
    const preLeaveGen = new Map(['a', 'c'].map((id) => [id, sim.get(id).worker.send!.generation]));
    const logAtLeave = b.log.length;
    // hold every box until the leave and the join have been processed everywhere
    const held: Delivery[] = [];
    const record = sim.intercept;
    sim.intercept = (d) => {
      const out = record === undefined ? d : record(d);
      if (out !== null && out.kind === 'box') {
        held.push(out);
        return null;
      }
      return out;
    };
    sim.leave('d');
    await sim.join('e');
    sim.run();
    sim.intercept = undefined;
    for (const d of held) sim.deliver(d);
    sim.settle();
    expectConverged(sim);
    // Nothing b installed after the leave for a post-leave generation is computable by d.
    const dCould = derivable(rawKeysReceived(sim, sim.get('d'), boxesToD), 8);
    const installed = b.log
      .slice(logAtLeave)
      .flatMap((e) => e.addReceiveKeys)
      .filter((k) => k.peerId === 'a' || k.peerId === 'c');
    expect(installed.length).toBeGreaterThan(0);
    for (const k of installed) {
      expect(k.generation).toBeGreaterThan(preLeaveGen.get(k.peerId)!);
      expect(dCould.has(hex(k.baseKey))).toBe(false);
    }
  });
});

describe('KeyManager: late boxes around a leave', () => {
  it('a pre-leave box that arrives after the leave is refused, not ratcheted across the leave', async () => {
    const sim = new Sim();
    await sim.join('a');
    await sim.join('b');
    const boxesToD = recordBoxesTo(sim, 'd');
    await sim.join('d');
    sim.settle();
    const held: Delivery[] = [];
    const record = sim.intercept;
    sim.intercept = (d) => {
      const out = record === undefined ? d : record(d);
      if (out !== null && out.kind === 'box' && out.from === 'a' && out.to === 'c') {
        held.push(out);
        return null;
      }
      return out;
    };
    const c = await sim.join('c');
    sim.run(); // everyone processed c's join; a's link box to c is held
    sim.leave('d');
    sim.run(); // c processed d's leave; a's fresh box to c is held too
    expect(held).toHaveLength(2);
    const before = c.log.length;
    sim.deliver(held[0] as Delivery); // the pre-leave link box, late
    const late = c.log.slice(before);
    expect(late.flatMap((e) => e.addReceiveKeys)).toEqual([]);
    expect(late.flatMap((e) => e.rejected.map((r) => r.reason))).toEqual(['stale']);
    expect(c.km.memberState('a')).toBe('waiting-for-key');
    sim.deliver(held[1] as Delivery);
    sim.intercept = undefined;
    sim.settle();
    expectConverged(sim);
    const dCould = derivable(rawKeysReceived(sim, sim.get('d'), boxesToD), 8);
    const afterLeave = c.log.slice(before).flatMap((e) => e.addReceiveKeys);
    expect(afterLeave.map((k) => k.peerId)).toEqual(['a']);
    for (const k of afterLeave) expect(dCould.has(hex(k.baseKey))).toBe(false);
  });
});

describe('KeyManager: verification', () => {
  it('a member with another meeting secret fails both ways, gets nothing, and the others carry on', async () => {
    const sim = new Sim();
    const a = await sim.join('a');
    const b = await sim.join('b');
    sim.settle();
    const gens = [a.worker.send!.generation, b.worker.send!.generation];
    const x = await sim.join('x', { secret: lib().randombytes_buf(32) });
    sim.settle();
    expectConverged(sim, [a, b]);
    expect([a.worker.send!.generation, b.worker.send!.generation]).toEqual(gens); // no rotation for a non-member
    expect(a.km.memberState('x')).toBe('unverified');
    expect(b.km.memberState('x')).toBe('unverified');
    expect(x.km.memberState('a')).toBe('unverified');
    expect(x.km.memberState('b')).toBe('unverified');
    expect(x.worker.recv.size).toBe(0);
    expect(x.km.safetyCode().memberCount).toBe(1);
    expect(code(x)).not.toBe(code(a));
    for (const p of [a, b]) {
      expect(p.log.flatMap((e) => e.send).some((s) => s.to === 'x')).toBe(false);
      expect(rejections(p)).toContain('bad-mac');
    }
    // x's own boxes (it sends none: nobody verified) and its leave change nothing
    expect(x.log.flatMap((e) => e.send)).toEqual([]);
    const before = a.log.length;
    sim.leave('x');
    sim.settle();
    expect(a.log.slice(before).some((e) => e.setSendKey !== undefined)).toBe(false);
    // a newcomer with the right secret still joins fine
    await sim.join('c');
    sim.settle();
    expectConverged(sim);
  });

  it('a tampered announcement is rejected, and the codes then disagree', async () => {
    const sim = new Sim();
    const a = await sim.join('a');
    const b = await sim.join('b');
    sim.settle();
    sim.intercept = (d) => {
      if (d.kind === 'announce' && d.to === 'a' && d.peerId === 'c') {
        const t = d.bytes.slice();
        t[20] = (t[20] as number) ^ 1; // inside signPk
        return { ...d, bytes: t };
      }
      return d;
    };
    await sim.join('c');
    sim.settle();
    expect(rejections(a)).toContain('bad-mac');
    expect(a.km.memberState('c')).toBe('unverified');
    expect(b.km.memberState('c')).toBe('verified');
    expect(code(a)).not.toBe(code(b)); // what reading the code aloud reveals
  });

  it('rejects a second, different announcement for a known peer, its own id, and a duplicate sender index', async () => {
    const sim = new Sim();
    const a = await sim.join('a', { senderIndex: 1 });
    await sim.join('b', { senderIndex: 2 });
    sim.settle();
    const other = await KeyManager.create({ roomId: ROOM, selfId: 'b', senderIndex: 2, meetingSecret: sim.secret });
    expect(a.km.onAnnouncement('b', other.announcement()).rejected).toEqual([
      { peerId: 'b', what: 'announcement', reason: 'identity-conflict' },
    ]);
    expect(a.km.memberState('b')).toBe('verified');
    const self = await KeyManager.create({ roomId: ROOM, selfId: 'a', senderIndex: 9, meetingSecret: sim.secret });
    expect(a.km.onAnnouncement('a', self.announcement()).rejected[0]?.reason).toBe('self-id');
    const clash = await KeyManager.create({ roomId: ROOM, selfId: 'z', senderIndex: 2, meetingSecret: sim.secret });
    const e = a.km.onAnnouncement('z', clash.announcement());
    expect(e.rejected[0]?.reason).toBe('sender-index-conflict');
    expect(e.setSendKey).toBeUndefined();
    expect(a.km.memberState('z')).toBe('invalid');
    // re-sending the very same announcement is a harmless no-op
    const again = a.km.onAnnouncement('b', sim.get('b').km.announcement());
    expect(again).toEqual({ send: [], addReceiveKeys: [], dropReceiveKeys: [], safetyCodeChanged: false, rejected: [] });
  });
});

describe('KeyManager: key bundles', () => {
  it('rejects a tampered box and a box replayed to another recipient; a duplicate is a no-op', async () => {
    const sim = new Sim();
    await sim.join('a');
    const b = await sim.join('b');
    sim.settle();
    let captured: Delivery | undefined;
    sim.intercept = (d) => {
      if (d.kind === 'box' && d.from === 'a' && d.to === 'c') {
        captured = d;
        return null;
      }
      return d;
    };
    const c = await sim.join('c');
    sim.settle();
    expect(captured).toBeDefined();
    const box = (captured as Delivery & { kind: 'box' }).bytes;
    expect(c.km.memberState('a')).toBe('waiting-for-key');

    const t = box.slice();
    t[40] = (t[40] as number) ^ 0x80;
    expect(c.km.onKeyBundle('a', t).rejected).toEqual([{ peerId: 'a', what: 'key-bundle', reason: 'bad-box' }]);
    // The server replays c's box to b, as if from a.
    expect(b.km.onKeyBundle('a', box).rejected).toEqual([{ peerId: 'a', what: 'key-bundle', reason: 'bad-box' }]);
    // Or claims it came from b.
    expect(c.km.onKeyBundle('b', box).rejected[0]?.reason).toBe('bad-box');

    sim.apply(c, c.km.onKeyBundle('a', box));
    expect(c.km.memberState('a')).toBe('verified');
    expect(c.km.onKeyBundle('a', box)).toEqual({
      send: [],
      addReceiveKeys: [],
      dropReceiveKeys: [],
      safetyCodeChanged: false,
      rejected: [],
    });
    sim.settle();
    expectConverged(sim);
  });

  it("a box that arrives before its sender's announcement waits, then applies", async () => {
    const sim = new Sim();
    const a = await sim.join('a');
    sim.settle();
    let announcement: Delivery | undefined;
    sim.intercept = (d) => {
      if (d.kind === 'announce' && d.to === 'a') {
        announcement = d;
        return null;
      }
      return d;
    };
    await sim.join('c');
    sim.run(); // c's roster → c boxes its key to a: arrives first
    const early = a.log.at(-1)!;
    expect(early.addReceiveKeys).toEqual([]);
    expect(early.rejected).toEqual([]);
    expect(a.km.memberState('c')).toBe('unknown');
    sim.intercept = undefined;
    sim.deliver(announcement!);
    expect(a.log.at(-1)!.addReceiveKeys.map((k) => k.peerId)).toEqual(['c']);
    sim.settle();
    expectConverged(sim);
  });

  it('a box that waits too long expires and is reported', async () => {
    const sim = new Sim();
    const a = await sim.join('a');
    sim.settle();
    expect(a.km.onKeyBundle('ghost', lib().randombytes_buf(120)).rejected).toEqual([]);
    sim.advance(PENDING_TTL_MS);
    expect(a.km.tick().rejected).toEqual([{ peerId: 'ghost', what: 'key-bundle', reason: 'expired' }]);
    expect(a.km.tick().rejected).toEqual([]);
  });

  it("rejects an authentic box whose link generation contradicts the sender's earlier boxes", async () => {
    const sim = new Sim();
    const a = await sim.join('a');
    const b = await sim.join('b');
    sim.settle();
    const forged = sealKeyBox(
      {
        roomId: ROOM,
        senderPeerId: 'a',
        recipientPeerId: 'b',
        linkGeneration: 0,
        senderKey: { generation: 1, key: lib().randombytes_buf(32) },
      },
      b.identity.boxPk,
      a.identity.boxSk,
    );
    expect(b.km.onKeyBundle('a', forged).rejected).toEqual([{ peerId: 'a', what: 'key-bundle', reason: 'link-mismatch' }]);
    expectConverged(sim);
  });

  it('boxes from a refused announcer are rejected at once', async () => {
    const sim = new Sim();
    const a = await sim.join('a');
    sim.settle();
    const x = await KeyManager.create({ roomId: ROOM, selfId: 'x', senderIndex: 7, meetingSecret: lib().randombytes_buf(32) });
    a.km.onAnnouncement('x', x.announcement());
    expect(a.km.onKeyBundle('x', lib().randombytes_buf(120)).rejected[0]?.reason).toBe('not-a-member');
  });

  it('a link box that arrives after further joins is ratcheted forward', async () => {
    const sim = new Sim();
    await sim.join('a');
    await sim.join('b');
    sim.settle();
    const held: Delivery[] = [];
    sim.intercept = (d) => {
      if (d.kind === 'box' && d.to === 'c') {
        held.push(d);
        return null;
      }
      return d;
    };
    await sim.join('c');
    sim.run();
    await sim.join('d');
    await sim.join('e');
    sim.run();
    sim.intercept = undefined;
    for (const d of held) sim.deliver(d);
    sim.settle();
    expectConverged(sim);
    expect(rejections(sim.get('c'))).toEqual([]);
  });
});

describe('KeyManager: chat', () => {
  it('round-trips, rejects tampering and non-members, and refuses pre-leave keys after the grace period', async () => {
    const sim = new Sim();
    const a = await sim.join('a');
    const b = await sim.join('b');
    const d = await sim.join('d');
    sim.settle();
    const m = a.km.encryptChat('hello 👋');
    expect(b.km.decryptChat('a', m)).toMatchObject({ ok: true, text: 'hello 👋' });
    const t = m.slice();
    t[t.length - 1] = (t[t.length - 1] as number) ^ 1;
    expect(b.km.decryptChat('a', t)).toEqual({ ok: false, reason: 'bad-ciphertext' });
    expect(b.km.decryptChat('a', m.subarray(0, 3))).toEqual({ ok: false, reason: 'malformed' });
    expect(b.km.decryptChat('nobody', m)).toEqual({ ok: false, reason: 'not-a-member' });
    expect(b.km.decryptChat('d', m).ok).toBe(false); // relabelled sender

    const preLeave = a.km.encryptChat('before');
    sim.leave('d');
    sim.run();
    const postLeave = a.km.encryptChat('after');
    expect(b.km.decryptChat('a', postLeave)).toMatchObject({ ok: true, text: 'after' });
    expect(d.km.decryptChat('a', postLeave)).toEqual({ ok: false, reason: 'no-key' });
    expect(b.km.decryptChat('a', preLeave)).toMatchObject({ ok: true, text: 'before' }); // still in flight: accepted
    sim.advance(LEAVE_GRACE_MS);
    expect(b.km.decryptChat('a', preLeave)).toEqual({ ok: false, reason: 'expired-key' });
  });
});

describe('KeyManager: API', () => {
  it('validates its options and refuses use after dispose', async () => {
    const secret = lib().randombytes_buf(32);
    await expect(KeyManager.create({ roomId: ROOM, selfId: 'a', senderIndex: 1, meetingSecret: secret.subarray(0, 31) })).rejects.toThrow(
      /32 bytes/,
    );
    await expect(KeyManager.create({ roomId: ROOM, selfId: 'a', senderIndex: -1, meetingSecret: secret })).rejects.toThrow(RangeError);
    await expect(KeyManager.create({ roomId: ROOM, selfId: '', senderIndex: 1, meetingSecret: secret })).rejects.toThrow(RangeError);
    await expect(KeyManager.create({ roomId: '', selfId: 'a', senderIndex: 1, meetingSecret: secret })).rejects.toThrow(RangeError);
    const km = await KeyManager.create({ roomId: ROOM, selfId: 'a', senderIndex: 1, meetingSecret: secret });
    const first = km.onRoster([]);
    expect(first.setSendKey).toMatchObject({ kid: 0x10000n, generation: 0, activateAfterMs: 0 });
    expect(first.safetyCodeChanged).toBe(true);
    expect(() => km.onRoster([])).toThrow(/twice/);
    expect(km.keySnapshot().sendKey.baseKey).toEqual(first.setSendKey!.baseKey);
    km.dispose();
    expect(() => km.onPeerLeft('b')).toThrow(/disposed/);
  });

  it('queues announcements that arrive before the roster', async () => {
    const sim = new Sim();
    const secret = sim.secret;
    const a = await KeyManager.create({ roomId: ROOM, selfId: 'a', senderIndex: 1, meetingSecret: secret });
    const b = await KeyManager.create({ roomId: ROOM, selfId: 'b', senderIndex: 2, meetingSecret: secret });
    expect(a.onAnnouncement('b', b.announcement()).send).toEqual([]);
    const e = a.onRoster([]);
    expect(e.send.map((s) => s.to)).toEqual(['b']);
    expect(e.setSendKey?.generation).toBe(1); // generation 0 at roster, then b's join ratchets
  });
});

describe('KeyManager: random membership changes and delivery orders', () => {
  it('always converges, never leaks to departed members, never gives newcomers earlier keys', async () => {
    const op = fc.oneof(
      { weight: 3, arbitrary: fc.constant({ t: 'join' as const }) },
      { weight: 2, arbitrary: fc.record({ t: fc.constant('leave' as const), who: fc.nat() }) },
      { weight: 3, arbitrary: fc.record({ t: fc.constant('steps' as const), n: fc.integer({ min: 1, max: 12 }) }) },
      { weight: 1, arbitrary: fc.record({ t: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 400 }) }) },
    );
    await fc.assert(
      fc.asyncProperty(fc.integer(), fc.array(op, { minLength: 1, maxLength: 12 }), async (seed, ops) => {
        const sim = new Sim(rng(seed));
        let n = 0;
        await sim.join(`p${n++}`);
        await sim.join(`p${n++}`);
        /** For each peer: the SFrame keys used by others before it joined. */
        const earlierThan = new Map<string, Set<string>>();
        const boxes = new Map<string, { from: string; bytes: Uint8Array }[]>();
        const record = (id: string) => boxes.set(id, recordBoxesTo(sim, id));
        record('p0');
        record('p1');
        for (const o of ops) {
          if (o.t === 'join') {
            const id = `p${n++}`;
            const used = new Set<string>();
            for (const p of sim.peers.values()) for (const k of p.sendKeys) used.add(k);
            earlierThan.set(id, used);
            record(id);
            await sim.join(id);
          } else if (o.t === 'leave') {
            const ids = [...sim.peers.keys()];
            if (ids.length > 1) sim.leave(ids[o.who % ids.length] as string);
          } else if (o.t === 'steps') {
            for (let i = 0; i < o.n && sim.step(); i++);
          } else {
            sim.advance(o.ms);
          }
        }
        sim.settle();
        expectConverged(sim);
        // Only benign refusals: a key superseded by a leave, or a box from someone who left meanwhile.
        for (const p of sim.peers.values()) {
          for (const r of p.log.flatMap((e) => e.rejected)) {
            if (r.reason !== 'stale')
              expect({ ...r, departed: sim.departed.has(r.peerId) }).toEqual({ ...r, reason: 'not-a-member', departed: true });
          }
        }
        // No phantom keys: whatever anyone installed for a sender still present is a key that
        // sender really used (a key ratcheted across a leave would be one the departed member
        // can compute). Senders that left may not have reached every generation others derived.
        for (const p of [...sim.peers.values(), ...sim.departed.values()]) {
          for (const k of p.log.flatMap((e) => e.addReceiveKeys)) {
            if (sim.peers.has(k.peerId)) expect(sim.get(k.peerId).sendKeys.has(hex(k.baseKey))).toBe(true);
          }
        }
        // Newcomers never obtain (or can derive) a key used before they joined.
        for (const [id, used] of earlierThan) {
          const p = sim.get(id);
          const got = derivable(rawKeysReceived(sim, p, boxes.get(id) ?? []), 4);
          for (const k of p.log.flatMap((e) => e.addReceiveKeys)) got.add(hex(k.baseKey));
          for (const k of got) expect(used.has(k)).toBe(false);
        }
        // Departed members hold nothing that is in use now.
        const inUse = new Set([...sim.peers.values()].map((p) => hex(p.worker.send!.baseKey)));
        for (const d of sim.departed.values()) {
          const got = derivable(rawKeysReceived(sim, d, boxes.get(d.id) ?? []), 8);
          for (const k of d.log.flatMap((e) => e.addReceiveKeys)) got.add(hex(k.baseKey));
          for (const k of got) expect(inUse.has(k)).toBe(false);
        }
      }),
      { numRuns: 60 },
    );
  }, 60_000);
});
