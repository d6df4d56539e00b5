/**
 * The server as a hostile Delivery Service (design note e2ee-mls.md,
 * findings 1, 4, 5, 8): it injects, replays, hides and forks, and each
 * attack either fails or shows.
 */
import { describe, expect, it } from 'vitest';
import { FakeDelivery, groupOf } from '../../test/fake-delivery.js';
import { proveAdmission, admissionKey } from './admission.js';
import { MeetingGroup } from './meeting-group.js';

const linkKey = crypto.getRandomValues(new Uint8Array(32));

const room = (n: number) => groupOf(n, linkKey);

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('a hostile Delivery Service', () => {
  it('cannot add a hidden listener: anyone it slips in with a valid proof is in every roster, so a tile', async () => {
    const { ds, ms } = await room(2);
    // A former member still holds the link key; the server relays its request but never shows it as a participant.
    const offer = await MeetingGroup.offer({ peerId: 'ghost', displayName: 'ghost' });
    const proof = proveAdmission(admissionKey(linkKey), ds.roomId, offer.keyPackage);
    for (const m of ms) ds.send(m.peerId, { type: 'joinRequest', request: { peerId: 'ghost', keyPackage: offer.keyPackage, proof } });
    await ds.settleAll(2);
    for (const m of ms) expect(m.roster()).toContain('ghost');
    expect(ms[0]!.agent.code()!.memberCount).toBe(3);
  });

  it('cannot add anyone without the link key: a wrong proof is refused and reported', async () => {
    const { ds, ms } = await room(2);
    const intruder = await ds.join('intruder', crypto.getRandomValues(new Uint8Array(32)));
    await ds.settleAll(3);
    for (const m of ms) expect(m.roster()).toEqual(['p0', 'p1']);
    expect(intruder.roster()).toEqual([]);
    expect(ms[0]!.rejected).toContainEqual({ peerId: 'intruder', what: 'join-request', reason: 'wrong-link-key' });
  });

  it('cannot move a proof to another KeyPackage or another peer id', async () => {
    const { ds, ms } = await room(2);
    const a = await MeetingGroup.offer({ peerId: 'x1', displayName: 'x' });
    const b = await MeetingGroup.offer({ peerId: 'x2', displayName: 'x' });
    const proofA = proveAdmission(admissionKey(linkKey), ds.roomId, a.keyPackage);
    ds.send('p0', { type: 'joinRequest', request: { peerId: 'x2', keyPackage: b.keyPackage, proof: proofA } });
    await ds.settleAll(1);
    ds.send('p0', { type: 'joinRequest', request: { peerId: 'x2', keyPackage: a.keyPackage, proof: proofA } });
    await ds.settleAll(2);
    expect(ms[0]!.roster()).toEqual(['p0', 'p1']);
    expect(ms[0]!.rejected.map((r) => r.reason)).toEqual(['wrong-link-key', 'KeyPackage names x1, relayed as from x2']);
  });

  it('cannot replay a removed member back in with its old KeyPackage', async () => {
    const { ds, ms } = await room(3);
    const oldRequest = ds.relayed.find((r) => r.notice.type === 'joinRequest' && r.notice.request.peerId === 'p2')!.notice;
    await ms[0]!.agent.remove('p2');
    await ds.settleAll(2);
    expect(ms[0]!.roster()).toEqual(['p0', 'p1']);
    ds.send('p0', oldRequest);
    ds.send('p1', oldRequest);
    await ds.settleAll(3);
    expect(ms[0]!.roster()).toEqual(['p0', 'p1']);
    expect(ms[0]!.rejected.at(-1)?.reason).toBe('replayed KeyPackage of a former member');
  });

  it('cannot keep a kicked member in by never disconnecting it: the host commits the Remove first', async () => {
    const { ds, ms } = await room(3);
    const keyOfEpochBefore = hex(ms[0]!.sendKey()!);
    await ms[0]!.agent.remove('p2'); // the server then "forgets" to disconnect p2 and announces nothing
    await ds.settleAll(2);
    expect(ms[1]!.roster()).toEqual(['p0', 'p1']);
    expect(ms[2]!.removed).toBe(true);
    expect(ms[2]!.agent.code()).toBeNull();
    // p2 saw every epoch up to its removal and none after: it holds no key the others use now.
    const p2Keys = new Set(ms[2]!.epochs.flatMap((e) => [...e.keys.baseKeys.values()].map(hex)));
    expect(p2Keys.has(keyOfEpochBefore)).toBe(true);
    for (const m of ms.slice(0, 2)) for (const k of m.last!.keys.baseKeys.values()) expect(p2Keys.has(hex(k))).toBe(false);
  });

  it('cannot keep a leaver in by hiding its leave: the signed leave notice is enough', async () => {
    const { ds, ms } = await room(3);
    const notice = (await ms[1]!.agent.sealLeaving())!;
    ds.broadcastApp('p1', notice);
    ds.leave('p1', ['p0', 'p2']);
    await ds.settleAll(3);
    expect(ms[0]!.roster()).toEqual(['p0', 'p2']);
    expect(ms[2]!.roster()).toEqual(['p0', 'p2']);
  });

  it("refuses a departed member's chat replayed after it left, and any replay or reordering", async () => {
    const { ds, ms } = await room(3);
    const first = (await ms[2]!.agent.sealChat('one'))!;
    const second = (await ms[2]!.agent.sealChat('two'))!;
    ds.send('p0', { type: 'app', from: 'p2', message: second });
    ds.send('p0', { type: 'app', from: 'p2', message: first }); // reordered
    ds.send('p0', { type: 'app', from: 'p2', message: second }); // replayed
    await ds.settle();
    expect(ms[0]!.chats).toEqual([{ from: 'p2', text: 'two' }]);
    const late = (await ms[2]!.agent.sealChat('three'))!;
    ds.leave('p2');
    await ds.settleAll(2);
    // Several epochs later the old epoch's keys are gone too.
    for (let i = 0; i < 5; i++) await ms[0]!.agent.refresh();
    await ds.settleAll(1);
    ds.send('p1', { type: 'app', from: 'p2', message: late });
    await ds.settle();
    expect(ms[1]!.chats.map((c) => c.text)).toEqual([]);
    expect(ms[1]!.rejected.at(-1)?.what).toBe('message');
  });

  it('cannot pass one member’s chat off as another’s', async () => {
    const { ds, ms } = await room(3);
    const sealed = (await ms[1]!.agent.sealChat('from p1'))!;
    ds.send('p0', { type: 'app', from: 'p2', message: sealed });
    await ds.settle();
    expect(ms[0]!.chats).toEqual([]);
    expect(ms[0]!.rejected.at(-1)?.reason).toBe('signed by p1, relayed as from p2');
  });

  it('refuses a stale commit replayed as current, and a forged one', async () => {
    const { ds, ms } = await room(3);
    const old = ds.relayed.filter((r) => r.notice.type === 'commit').at(-1)!.notice as { type: 'commit'; commit: Uint8Array };
    const code = ms[0]!.agent.code()!.digits;
    ds.send('p0', { type: 'commit', from: 'p1', epoch: ds.epoch, commit: old.commit });
    ds.send('p0', { type: 'commit', from: 'p1', epoch: ds.epoch, commit: crypto.getRandomValues(new Uint8Array(300)) });
    await ds.settle();
    expect(ms[0]!.agent.code()!.digits).toBe(code);
    expect(ms[0]!.rejected.filter((r) => r.what === 'commit')).toHaveLength(2);
  });

  it('can fork the group only visibly: members given different commits for one epoch get different codes and keys', async () => {
    const { ds, ms } = await room(3);
    // The server accepts p0's and p1's updates for the same epoch, and shows each member a different winner.
    ds.filter = (to, n) => n.type !== 'commit';
    const epoch = ds.epoch;
    await ms[0]!.agent.refresh(); // accepted: p1 and p2 never see it
    ds.epoch = epoch; // the server pretends the epoch is still open
    await ms[1]!.agent.refresh(); // accepted too
    ds.filter = () => true;
    const c0 = ds.relayed.filter((r) => r.notice.type === 'commit' && r.notice.from === 'p0').at(-1)!.notice;
    ds.send('p2', c0); // p2 follows p0's branch
    await ds.settle();
    expect(ms[0]!.agent.epoch).toBe(ms[1]!.agent.epoch);
    expect(ms[0]!.agent.code()!.digits).toBe(ms[2]!.agent.code()!.digits);
    expect(ms[1]!.agent.code()!.digits).not.toBe(ms[0]!.agent.code()!.digits);
    expect(hex(ms[1]!.last!.keys.baseKeys.get(0)!)).not.toBe(hex(ms[0]!.last!.keys.baseKeys.get(0)!));
  });

  it('cannot welcome a member into a group of another room', async () => {
    const other = new FakeDelivery('another-room');
    await other.join('q0', linkKey);
    const ds = new FakeDelivery();
    const p0 = await ds.join('p0', linkKey);
    await ds.settle();
    const victim = await ds.join('p1', linkKey);
    ds.filter = () => false; // the server keeps p1's request from p0, and takes it to the other room's member
    const request = ds.relayed.find((r) => r.notice.type === 'joinRequest')!.notice as {
      type: 'joinRequest';
      request: { keyPackage: Uint8Array };
    };
    const q0 = other.members.get('q0')!;
    // In the other room the proof fails (it covers the room id): q0 refuses to add p1.
    other.send('q0', { type: 'joinRequest', request: { peerId: 'p1', keyPackage: request.request.keyPackage, proof: new Uint8Array(32) } });
    await other.settleAll(1);
    expect(q0.roster()).toEqual(['q0']);
    expect(victim.roster()).toEqual([]);
    expect(p0.roster()).toEqual(['p0']);
  });
});
