/**
 * The server as a hostile Delivery Service (design note e2ee-mls.md,
 * findings 1, 4, 5, 8): it injects, replays, hides and forks, and each
 * attack either fails or shows.
 */
import { describe, expect, it } from 'vitest';
import { FakeDelivery, groupOf, type Notice } from '../../test/fake-delivery.js';
import { ResponderRun, type MeetingSecret } from './admission.js';
import { ADMISSION_WINDOW_MS, MAX_FAILED_ADMISSIONS } from './group-agent.js';
import { MeetingGroup } from './meeting-group.js';

const linkKey = crypto.getRandomValues(new Uint8Array(32));

const room = (n: number) => groupOf(n, linkKey);

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('a hostile Delivery Service', () => {
  it('cannot add a hidden listener: anyone it slips in with the secret is in every roster, so a tile', async () => {
    const { ds, ms } = await room(2);
    // A former member still holds the link key; the server relays its join but never shows it as a participant.
    await ds.join('ghost', linkKey);
    await ds.settleAll(2);
    for (const m of ms) expect(m.roster()).toContain('ghost');
    expect(ms[0]!.agent.code()!.memberCount).toBe(3);
  });

  it('cannot add anyone without the meeting secret: the failed run is refused and every member hears of it', async () => {
    const { ds, ms } = await room(2);
    const intruder = await ds.join('intruder', crypto.getRandomValues(new Uint8Array(32)), 'Mallory');
    await ds.settleAll(3);
    for (const m of ms) expect(m.roster()).toEqual(['p0', 'p1']);
    expect(intruder.roster()).toEqual([]);
    expect(intruder.refusals).toEqual(['wrong-secret']);
    for (const m of ms) expect(m.failures).toEqual([{ peerId: 'intruder', displayName: 'Mallory', seenBy: 'p0' }]);
    expect(ms[0]!.rejected).toContainEqual({ peerId: 'intruder', what: 'join-request', reason: 'wrong meeting secret' });
  });

  it('cannot move a run to another KeyPackage or another peer id', async () => {
    const { ds, ms } = await room(2);
    const newcomer = ds.add('x1', linkKey);
    const forged = await MeetingGroup.offer({ peerId: 'x1', displayName: 'x' }); // the server's own KeyPackage, naming x1
    ds.filter = (_, n) => n.type !== 'joinRequest'; // the members get the server's version instead
    await newcomer.agent.start();
    const real = ds.relayed.find((r) => r.notice.type === 'joinRequest' && r.notice.request.peerId === 'x1')!.notice as Extract<
      Notice,
      { type: 'joinRequest' }
    >;
    ds.filter = () => true;
    ds.send('p0', { type: 'joinRequest', request: { ...real.request, keyPackage: forged.keyPackage } });
    await ds.settleAll(3);
    // x1's answer is for its own KeyPackage: p0's run with the forged one fails, and nobody is added.
    expect(ms[0]!.roster()).toEqual(['p0', 'p1']);
    expect(ms[0]!.failures.map((f) => f.peerId)).toEqual(['x1']);
    expect(newcomer.roster()).toEqual([]);
    // Another peer id than the KeyPackage names: refused before any run.
    ds.send('p0', { type: 'joinRequest', request: { ...real.request, peerId: 'x2' } });
    await ds.settleAll(2);
    expect(ms[0]!.rejected.map((r) => r.reason)).toContain('KeyPackage names x1, relayed as from x2');
    expect(ms[0]!.roster()).toEqual(['p0', 'p1']);
  });

  it('cannot welcome a newcomer into a group of its own making, even by answering its run with a guess', async () => {
    const ds = new FakeDelivery();
    // The server shows a "member" that it plays itself, without the secret.
    ds.filter = (to) => to !== 'p0';
    await ds.join('p0', crypto.getRandomValues(new Uint8Array(32)));
    const own = await MeetingGroup.found(ds.roomId, await MeetingGroup.offer({ peerId: 'p0', displayName: 'Host' }));
    const victim = await ds.join('p1', linkKey);
    await ds.settle();
    const { request } = ds.relayed.find((r) => r.notice.type === 'joinRequest')!.notice as Extract<Notice, { type: 'joinRequest' }>;
    // It answers the run with a guess at the secret (one online guess), adds the KeyPackage to its group, and welcomes.
    const guess: MeetingSecret = { kind: 'link', key: crypto.getRandomValues(new Uint8Array(32)) };
    const run = ResponderRun.respond(guess, ds.roomId, request.keyPackage, request.pake, own.members()[0]!.signatureKey);
    ds.send('p1', { type: 'admit', from: 'p0', message: run.message });
    await ds.settle();
    const pending = await own.commit({ add: [await MeetingGroup.checkKeyPackage(request.keyPackage)] });
    ds.send('p1', { type: 'admit', from: 'p0', message: run.welcome(pending.epochAuthenticator) });
    ds.send('p1', { type: 'welcome', from: 'p0', epoch: 1, welcome: pending.welcome! });
    await ds.settleAll(2);
    expect(victim.roster()).toEqual([]);
    expect(victim.epochs).toEqual([]);
    expect(victim.rejected.map((r) => r.what)).toContain('welcome');
    // A Welcome from anyone it did not run its admission with is refused outright.
    ds.send('p1', { type: 'welcome', from: 'p9', epoch: 1, welcome: pending.welcome! });
    await ds.settle();
    expect(victim.roster()).toEqual([]);
  });

  it('cannot guess without limit: after MAX_FAILED_ADMISSIONS failed runs in a minute, runs are refused', async () => {
    const { ds, ms } = await room(2);
    for (let i = 0; i < MAX_FAILED_ADMISSIONS + 1; i++) {
      await ds.join(`guess${i}`, { kind: 'passphrase', passphrase: `guess number ${i}` });
      await ds.settleAll(1);
    }
    const last = ds.members.get(`guess${MAX_FAILED_ADMISSIONS}`)!;
    expect(new Set(last.refusals)).toEqual(new Set(['too-many-attempts'])); // from the committer, and any member taking over
    expect(ms[1]!.failures).toHaveLength(MAX_FAILED_ADMISSIONS);
    // A minute on, the right secret is let in again.
    ds.clock.advance(ADMISSION_WINDOW_MS);
    const friend = await ds.join('friend', linkKey);
    await ds.settleAll(2);
    expect(friend.roster()).toEqual(['friend', 'p0', 'p1']);
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
});
