/** GroupAgent over an honest Delivery Service: joins, leaves, removals, updates, chat, keys per epoch. */
import { describe, expect, it } from 'vitest';
import { FakeDelivery, groupOf, type TestMember } from '../../test/fake-delivery.js';
import { MAX_SIGNAL_BYTES, TAKEOVER_MS, UPDATE_EVERY_MS } from './group-agent.js';

const linkKey = crypto.getRandomValues(new Uint8Array(32));

function codes(...ms: TestMember[]): string[] {
  return ms.map((m) => m.agent.code()?.digits ?? 'none');
}

const room = (n: number) => groupOf(n, linkKey);

describe('GroupAgent', () => {
  it('founds the group, adds newcomers with a Welcome, and gives everyone equal codes and keys', async () => {
    const { ms } = await room(3);
    for (const m of ms) expect(m.roster()).toEqual(['p0', 'p1', 'p2']);
    const [c0, c1, c2] = codes(...ms);
    expect(c0).toMatch(/^\d{5}( \d{5}){4}$/);
    expect(c1).toBe(c0);
    expect(c2).toBe(c0);
    // Everyone derives the same base key for each leaf in the same epoch.
    const epochs = ms.map((m) => m.last!.keys.epoch);
    expect(new Set(epochs).size).toBe(1);
    for (const leaf of [0, 1, 2]) {
      const keys = ms.map((m) => Buffer.from(m.last!.keys.baseKeys.get(leaf)!).toString('hex'));
      expect(new Set(keys).size).toBe(1);
    }
  });

  it('commits a Remove when the server says someone left: new code, new keys, the leaver out', async () => {
    const { ds, ms } = await room(3);
    const before = ms[0]!.agent.code()!.digits;
    const oldKey = Buffer.from(ms[0]!.sendKey()!).toString('hex');
    ds.leave('p2');
    await ds.settleAll(2);
    expect(ms[0]!.roster()).toEqual(['p0', 'p1']);
    expect(ms[1]!.roster()).toEqual(['p0', 'p1']);
    expect(ms[0]!.agent.code()!.digits).toBe(ms[1]!.agent.code()!.digits);
    expect(ms[0]!.agent.code()!.digits).not.toBe(before);
    expect(Buffer.from(ms[0]!.sendKey()!).toString('hex')).not.toBe(oldKey);
  });

  it('takes over when the first committer is gone without a word', async () => {
    const { ds, ms } = await room(2);
    // p0 (leaf 0, first in commit order) stops answering: its socket is dead but the server has not noticed.
    ds.filter = (to) => to !== 'p0';
    const p2 = await ds.join('p2', linkKey);
    await ds.settle();
    expect(p2.roster()).toEqual([]);
    await ds.settle(TAKEOVER_MS + 10);
    await ds.settleAll(1);
    expect(p2.roster()).toEqual(['p0', 'p1', 'p2']);
    expect(ms[1]!.agent.code()!.digits).toBe(p2.agent.code()!.digits);
  });

  it('lets the first commit of an epoch win; the loser processes the winner and retries what is left', async () => {
    const { ds, ms } = await room(3);
    // p0 and p1 both act at once: p0 removes p2 (host kick), p1 commits an update.
    const kick = ms[0]!.agent.remove('p2');
    const update = ms[1]!.agent.refresh();
    await Promise.all([kick, update]);
    await ds.settleAll(2);
    expect(ms[0]!.roster()).toEqual(['p0', 'p1']);
    expect(ms[0]!.agent.code()!.digits).toBe(ms[1]!.agent.code()!.digits);
    expect(ms[2]!.removed).toBe(true);
    expect(ms[2]!.agent.code()).toBeNull();
  });

  it('founds a new group when everyone in the old one left while someone waited', async () => {
    const ds = new FakeDelivery();
    const p0 = await ds.join('p0', linkKey);
    ds.filter = (to) => to !== 'p0'; // p0 never sees p1's request
    const p1 = await ds.join('p1', linkKey);
    await ds.settle();
    ds.filter = () => true;
    ds.leave('p0');
    await ds.settleAll(1);
    expect(p0.gone).toBe(true);
    expect(p1.roster()).toEqual(['p1']);
    expect(p1.agent.epoch).toBe(0n);
  });

  it('commits an update of its own leaf every few minutes: new epoch, new keys', async () => {
    const { ds, ms } = await room(2);
    const epoch = ms[0]!.agent.epoch!;
    const key = Buffer.from(ms[1]!.sendKey()!).toString('hex');
    // Other commits in between (p1's own updates) do not put off p0's: it renews its own leaf all the same.
    await ds.settle(UPDATE_EVERY_MS * 0.5);
    await ms[1]!.agent.refresh();
    await ds.settle();
    const sinceP1 = ds.relayed.length;
    await ds.settle(UPDATE_EVERY_MS * 0.8);
    await ds.settleAll(1);
    expect(ds.relayed.slice(sinceP1).some((r) => r.notice.type === 'commit' && r.notice.from === 'p0')).toBe(true);
    expect(ms[0]!.agent.epoch!).toBeGreaterThan(epoch + 1n);
    expect(ms[0]!.agent.code()!.digits).toBe(ms[1]!.agent.code()!.digits);
    expect(Buffer.from(ms[1]!.sendKey()!).toString('hex')).not.toBe(key);
  });

  it('carries chat as signed, numbered MLS application messages, attributed to the signing member', async () => {
    const { ds, ms } = await room(3);
    await ms[0]!.chat('hello');
    await ms[1]!.chat('hi there');
    await ds.settle();
    expect(ms[2]!.chats).toEqual([
      { from: 'p0', text: 'hello' },
      { from: 'p1', text: 'hi there' },
    ]);
    expect(ms[0]!.chats).toEqual([{ from: 'p1', text: 'hi there' }]);
  });

  it('removes a member who announced its own leave, even when the server hides the leave', async () => {
    const { ds, ms } = await room(3);
    const notice = await ms[2]!.agent.sealLeaving();
    ds.broadcastApp('p2', notice!);
    ds.leave('p2', ['p0', 'p1']); // the server tells nobody
    await ds.settleAll(2);
    expect(ms[0]!.roster()).toEqual(['p0', 'p1']);
    expect(ms[1]!.roster()).toEqual(['p0', 'p1']);
  });

  it('replaces the old leaf of a peer that rejoins under the same id, and never hands out a send key twice', async () => {
    const { ds, ms } = await room(3);
    const keysSeen = new Set<string>();
    const record = (m: TestMember) => {
      for (const e of m.epochs) keysSeen.add(`${m.peerId}:${Buffer.from(e.keys.baseKeys.get(e.keys.ownLeaf)!).toString('hex')}`);
    };
    // p2's connection drops; the server does not notice, and p2 comes back as a new member under the same peer id.
    ms[2]!.gone = true;
    ms[2]!.agent.dispose();
    record(ms[2]!);
    const again = await ds.join('p2', linkKey);
    await ds.settleAll(2);
    for (const m of [ms[0]!, ms[1]!, again]) expect(m.roster()).toEqual(['p0', 'p1', 'p2']);
    expect(again.agent.code()!.digits).toBe(ms[0]!.agent.code()!.digits);
    const before = keysSeen.size;
    record(again);
    // Every send key the rejoined member ever used is new: a restarted Worker is never given old counters' key.
    expect(keysSeen.size).toBe(before + again.epochs.length);
    const sendKeys = [...ms[0]!.epochs.map((e) => Buffer.from(e.keys.baseKeys.get(e.keys.ownLeaf)!).toString('hex'))];
    expect(new Set(sendKeys).size).toBe(sendKeys.length);
  });
});

describe('a passphrase meeting', () => {
  it('lets in whoever has the passphrase (as typed, NFKC), and nobody else', async () => {
    const { ds, ms } = await groupOf(3, { kind: 'passphrase', passphrase: 'Ça va, mon ami? 42' });
    for (const m of ms) expect(m.roster()).toEqual(['p0', 'p1', 'p2']);
    const composed = await ds.join('p3', { kind: 'passphrase', passphrase: 'C\u0327a va, mon ami? 42' });
    const wrong = await ds.join('p4', { kind: 'passphrase', passphrase: 'ca va, mon ami? 42' });
    await ds.settleAll(3);
    expect(composed.roster()).toEqual(['p0', 'p1', 'p2', 'p3']);
    expect(wrong.refusals).toEqual(['wrong-secret']);
    expect(ms[2]!.failures.map((f) => f.peerId)).toEqual(['p4']);
  });
});

describe('origin batches', () => {
  it('are opened as signed by their sender, numbered apart from chat, and a replay is refused', async () => {
    const { ds, ms } = await groupOf(2, crypto.getRandomValues(new Uint8Array(32)));
    const batch = Uint8Array.of(1, 2, 3, 4);
    const first = (await ms[0]!.agent.sealOrigin(batch))!;
    const chat = (await ms[0]!.agent.sealChat('hello'))!;
    const second = (await ms[0]!.agent.sealOrigin(batch))!;
    // The chat message, opened after a later batch, is still accepted: batches do not move chat's numbering on.
    const opened = await ms[1]!.agent.openApp('p0', second);
    expect(opened).toMatchObject({ kind: 'origin', sender: { peerId: 'p0', leaf: 0 }, batch });
    expect(await ms[1]!.agent.openApp('p0', chat)).toMatchObject({ kind: 'chat', text: 'hello' });
    expect(await ms[1]!.agent.openApp('p0', first)).toMatchObject({ kind: 'refused', reason: 'replay' });
    expect(await ms[1]!.agent.openApp('p0', second)).toMatchObject({ kind: 'refused' });
    // Relayed as from someone else: refused.
    expect(await ms[1]!.agent.openApp('p9', (await ms[0]!.agent.sealOrigin(batch))!)).toMatchObject({
      kind: 'refused',
      reason: 'sender-mismatch',
    });
    void ds;
  });
});

describe('meeting signals (hands, reactions)', () => {
  it('are opened as signed by their sender, numbered apart from chat and origin batches; replays and oversize refused', async () => {
    const { ms } = await groupOf(2, crypto.getRandomValues(new Uint8Array(32)));
    const hand = new TextEncoder().encode('{"t":"hand","up":true}');
    const first = (await ms[0]!.agent.sealSignal(hand))!;
    const chat = (await ms[0]!.agent.sealChat('hi'))!;
    const batch = (await ms[0]!.agent.sealOrigin(Uint8Array.of(9)))!;
    const second = (await ms[0]!.agent.sealSignal(hand))!;
    // Opened out of order across lanes: each lane keeps its own numbers.
    expect(await ms[1]!.agent.openApp('p0', second)).toMatchObject({ kind: 'signal', sender: { peerId: 'p0' }, body: hand });
    expect(await ms[1]!.agent.openApp('p0', batch)).toMatchObject({ kind: 'origin' });
    expect(await ms[1]!.agent.openApp('p0', chat)).toMatchObject({ kind: 'chat', text: 'hi' });
    expect(await ms[1]!.agent.openApp('p0', first)).toMatchObject({ kind: 'refused', reason: 'replay' });
    expect(await ms[1]!.agent.openApp('p9', (await ms[0]!.agent.sealSignal(hand))!)).toMatchObject({ reason: 'sender-mismatch' });
    await expect(ms[0]!.agent.sealSignal(new Uint8Array(MAX_SIGNAL_BYTES + 1))).rejects.toThrow(RangeError);
  });
});
