/** The MLS Delivery Service's rules on their own: who founds, who waits, what is relayed to whom, and in which order. */
import { describe, expect, it } from 'vitest';
import { ErrorCode, type ServerMessage } from '@conclave/protocol';
import { GroupDelivery, GroupDeliveryError } from './group-delivery.js';

function makeGroup() {
  const sent: Array<{ to: string; message: ServerMessage }> = [];
  const group = new GroupDelivery((to, message) => sent.push({ to, message }));
  /** What `to` was sent, as [method, data] pairs, in order. */
  const inbox = (to: string) =>
    sent.filter((s) => s.to === to).map((s) => (s.message.type === 'notification' ? [s.message.method, s.message.data] : [s.message.type]));
  return { group, sent, inbox };
}

const offer = (name: string) => ({ keyPackage: `kp-${name}`, pake: `pake-${name}` });
const request = (name: string) => ({ peerId: name, ...offer(name) });
const commit = (epoch: number, more: { welcome?: string; added?: string[]; removed?: string[] } = {}) => ({
  epoch,
  commit: `commit-${epoch}`,
  added: [],
  removed: [],
  ...more,
});

function refusal(op: () => unknown): GroupDeliveryError {
  try {
    op();
  } catch (err) {
    if (err instanceof GroupDeliveryError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('GroupDelivery', () => {
  it('lets the first peer found the group at epoch 0, telling nobody', () => {
    const { group, sent } = makeGroup();
    expect(group.join('a', offer('a'))).toEqual({ found: true, epoch: 0, waiting: [] });
    expect(group.snapshot()).toEqual({ epoch: 0, members: ['a'], waiting: [], joined: ['a'] });
    expect(sent).toEqual([]);
  });

  it('keeps later requests waiting, in arrival order, and sends each to everyone in the group or waiting', () => {
    const { group, inbox } = makeGroup();
    group.join('a', offer('a'));
    expect(group.join('b', offer('b'))).toEqual({ found: false, epoch: 0, waiting: [] });
    expect(group.join('c', offer('c'))).toEqual({ found: false, epoch: 0, waiting: [request('b')] });
    expect(group.snapshot().waiting).toEqual(['b', 'c']);
    expect(inbox('a')).toEqual([
      ['groupJoinRequest', request('b')],
      ['groupJoinRequest', request('c')],
    ]);
    expect(inbox('b')).toEqual([['groupJoinRequest', request('c')]]);
    expect(inbox('c')).toEqual([]);
  });

  it('accepts the first commit of an epoch and relays it, in order, to every other peer in the group or waiting', () => {
    const { group, inbox } = makeGroup();
    group.join('a', offer('a'));
    group.join('b', offer('b'));
    group.join('c', offer('c'));
    expect(group.commit('a', commit(0, { added: ['b'] }))).toEqual({ epoch: 1 });
    expect(group.commit('b', commit(1))).toEqual({ epoch: 2 });
    expect(group.commit('a', commit(2))).toEqual({ epoch: 3 });
    const commits = (to: string) => inbox(to).filter(([m]) => m === 'groupCommit');
    expect(commits('c')).toEqual([
      ['groupCommit', { from: 'a', epoch: 0, commit: 'commit-0' }],
      ['groupCommit', { from: 'b', epoch: 1, commit: 'commit-1' }],
      ['groupCommit', { from: 'a', epoch: 2, commit: 'commit-2' }],
    ]);
    // Never echoed to its sender.
    expect(commits('a')).toEqual([['groupCommit', { from: 'b', epoch: 1, commit: 'commit-1' }]]);
    expect(commits('b')).toEqual([
      ['groupCommit', { from: 'a', epoch: 0, commit: 'commit-0' }],
      ['groupCommit', { from: 'a', epoch: 2, commit: 'commit-2' }],
    ]);
  });

  it('refuses a second commit on a won epoch with the epoch now, relaying nothing', () => {
    const { group, sent } = makeGroup();
    group.join('a', offer('a'));
    group.join('b', offer('b'));
    group.commit('a', commit(0, { added: ['b'] }));
    group.commit('b', commit(1));
    const before = sent.length;
    const stale = refusal(() => group.commit('a', commit(1)));
    expect(stale.code).toBe(ErrorCode.StaleEpoch);
    expect(stale.epoch).toBe(2);
    expect(stale.message).toContain('epoch 1');
    expect(stale.message).toContain('epoch 2');
    // One from the future is no better.
    expect(refusal(() => group.commit('a', commit(7))).epoch).toBe(2);
    expect(sent.length).toBe(before);
    expect(group.epoch).toBe(2);
  });

  it('delivers a Welcome only to waiting peers the commit adds, who then count as members', () => {
    const { group, inbox } = makeGroup();
    group.join('a', offer('a'));
    group.join('b', offer('b'));
    group.join('c', offer('c'));
    group.join('d', offer('d'));
    // 'a' is a member already, 'x' is nobody: both are passed over.
    group.commit('a', commit(0, { welcome: 'welcome-1', added: ['b', 'a', 'x', 'd'] }));
    const welcomes = (to: string) => inbox(to).filter(([m]) => m === 'groupWelcome');
    expect(welcomes('b')).toEqual([['groupWelcome', { from: 'a', epoch: 1, welcome: 'welcome-1' }]]);
    expect(welcomes('d')).toEqual([['groupWelcome', { from: 'a', epoch: 1, welcome: 'welcome-1' }]]);
    expect(welcomes('a')).toEqual([]);
    expect(welcomes('c')).toEqual([]);
    expect(welcomes('x')).toEqual([]);
    // The commit reached them before their Welcome.
    expect(inbox('b').at(-2)).toEqual(['groupCommit', { from: 'a', epoch: 0, commit: 'commit-0' }]);
    expect(group.snapshot()).toMatchObject({ members: ['a', 'b', 'd'], waiting: ['c'] });
    // Added once: a second commit naming 'b' sends no second Welcome.
    group.commit('b', commit(1, { welcome: 'welcome-2', added: ['b'] }));
    expect(welcomes('b')).toHaveLength(1);
  });

  it('relays admission messages between peers in the group or waiting, and from or to nobody else', () => {
    const { group, inbox } = makeGroup();
    group.join('a', offer('a'));
    group.join('b', offer('b'));
    group.admit('a', 'b', 'AQ');
    group.admit('b', 'a', 'Ag');
    expect(inbox('b').at(-1)).toEqual(['groupAdmit', { from: 'a', message: 'AQ' }]);
    expect(inbox('a').at(-1)).toEqual(['groupAdmit', { from: 'b', message: 'Ag' }]);
    expect(refusal(() => group.admit('x', 'a', 'AQ')).code).toBe(ErrorCode.NotGroupMember);
    expect(refusal(() => group.admit('a', 'x', 'AQ')).code).toBe(ErrorCode.NotGroupMember);
    expect(refusal(() => group.admit('a', 'a', 'AQ')).code).toBe(ErrorCode.NotGroupMember);
    group.leave('b');
    expect(refusal(() => group.admit('a', 'b', 'AQ')).code).toBe(ErrorCode.NotGroupMember);
  });

  it('drops removed peers from the group: they may not commit, and hear no more', () => {
    const { group, inbox } = makeGroup();
    group.join('a', offer('a'));
    group.join('b', offer('b'));
    group.commit('a', commit(0, { added: ['b'] }));
    group.commit('a', commit(1, { removed: ['b'] }));
    expect(group.snapshot().members).toEqual(['a']);
    expect(refusal(() => group.commit('b', commit(2))).code).toBe(ErrorCode.NotGroupMember);
    const heard = inbox('b').length;
    group.join('c', offer('c'));
    group.commit('a', commit(2));
    expect(inbox('b')).toHaveLength(heard);
    // It asked once on this join: asking again takes a rejoin.
    expect(refusal(() => group.join('b', offer('b'))).code).toBe(ErrorCode.GroupJoinRepeated);
  });

  it('forgets a peer that leaves: out of the group, its request closed, and told nothing more', () => {
    const { group, inbox } = makeGroup();
    group.join('a', offer('a'));
    group.join('b', offer('b'));
    group.join('c', offer('c'));
    group.commit('a', commit(0, { added: ['b'] }));
    group.leave('c');
    group.leave('b');
    expect(group.snapshot()).toEqual({ epoch: 1, members: ['a'], waiting: [], joined: ['a'] });
    // A commit adding the departed waiting peer delivers nothing to it.
    group.commit('a', commit(1, { welcome: 'w', added: ['c'] }));
    expect(inbox('c').filter(([m]) => m === 'groupWelcome')).toEqual([]);
    expect(group.join('d', offer('d'))).toEqual({ found: false, epoch: 2, waiting: [] });
  });

  it('has the first waiting peer found the group anew when the last member leaves', () => {
    const { group, inbox } = makeGroup();
    group.join('a', offer('a'));
    group.join('b', offer('b'));
    group.commit('a', commit(0, { added: ['b'] }));
    group.join('c', offer('c'));
    group.join('d', offer('d'));
    group.leave('a');
    expect(inbox('c')).not.toContainEqual(expect.arrayContaining(['groupFound']));
    group.leave('b');
    expect(inbox('c').at(-1)).toEqual(['groupFound', { waiting: [request('d')] }]);
    expect(inbox('d').filter(([m]) => m === 'groupFound')).toEqual([]);
    expect(group.snapshot()).toEqual({ epoch: 0, members: ['c'], waiting: ['d'], joined: ['c', 'd'] });
    // The new group starts at epoch 0.
    expect(group.commit('c', commit(0, { welcome: 'w', added: ['d'] }))).toEqual({ epoch: 1 });
    expect(inbox('d').at(-1)).toEqual(['groupWelcome', { from: 'c', epoch: 1, welcome: 'w' }]);
  });

  it('starts over at epoch 0 when the group empties with nobody waiting', () => {
    const { group } = makeGroup();
    group.join('a', offer('a'));
    group.commit('a', commit(0));
    group.leave('a');
    expect(group.snapshot()).toEqual({ epoch: 0, members: [], waiting: [], joined: [] });
    expect(group.join('b', offer('b'))).toEqual({ found: true, epoch: 0, waiting: [] });
  });

  it('refuses commits from peers outside the group: never asked, or still waiting', () => {
    const { group } = makeGroup();
    group.join('a', offer('a'));
    group.join('b', offer('b'));
    for (const peer of ['b', 'stranger']) {
      const err = refusal(() => group.commit(peer, commit(0)));
      expect(err.code).toBe(ErrorCode.NotGroupMember);
      expect(err.epoch).toBeUndefined();
    }
    expect(group.epoch).toBe(0);
  });

  it('takes one request per join: a second is refused and relayed to nobody', () => {
    const { group, sent } = makeGroup();
    group.join('a', offer('a'));
    expect(refusal(() => group.join('a', offer('a'))).code).toBe(ErrorCode.GroupJoinRepeated);
    group.join('b', offer('b'));
    const before = sent.length;
    expect(refusal(() => group.join('b', offer('b2'))).code).toBe(ErrorCode.GroupJoinRepeated);
    expect(sent.length).toBe(before);
    expect(group.snapshot().waiting).toEqual(['b']);
    // A rejoin is a new peer: it asks afresh.
    group.leave('b');
    expect(group.join('b-again', offer('b'))).toMatchObject({ found: false });
  });

  it('keeps nothing once cleared (the room closed)', () => {
    const { group } = makeGroup();
    group.join('a', offer('a'));
    group.join('b', offer('b'));
    group.commit('a', commit(0));
    group.clear();
    expect(group.snapshot()).toEqual({ epoch: 0, members: [], waiting: [], joined: [] });
  });
});
