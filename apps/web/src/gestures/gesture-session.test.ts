import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodeGesture, type Gesture } from './gesture-codec.js';
import { GestureSession, handsInOrder, REACTION_GAP_MS, REACTION_MS, type GestureCrypto } from './gesture-session.js';

/** A group of two or more people whose signals the test delivers by hand. */
function fakeCrypto() {
  const sent: Gesture[] = [];
  let signal: (from: string, body: Uint8Array) => void = () => undefined;
  let members: Parameters<GestureCrypto['onMembersChanged']>[0] = () => undefined;
  const crypto: GestureCrypto = {
    sendSignal: (body) => {
      sent.push(JSON.parse(new TextDecoder().decode(body)) as Gesture);
      return Promise.resolve(true);
    },
    onSignal: (l) => ((signal = l), () => undefined),
    onMembersChanged: (l) => ((members = l), () => undefined),
  };
  return {
    crypto,
    sent,
    from: (peerId: string, g: Gesture) => signal(peerId, encodeGesture(g)),
    raw: (peerId: string, body: Uint8Array) => signal(peerId, body),
    members: (added: string[], removed: string[] = [], self = false) => members({ added, removed, self }),
  };
}

afterEach(() => vi.useRealTimers());

describe('raised hands', () => {
  it('raises and lowers our hand, telling the group each time', () => {
    let t = 1000;
    const f = fakeCrypto();
    const s = new GestureSession({ crypto: f.crypto, isHost: () => false, selfId: () => 'me', now: () => t });
    s.toggleHand();
    expect(s.store.getSnapshot().ownHand).toBe(1000);
    t = 2000;
    s.toggleHand();
    expect(s.store.getSnapshot().ownHand).toBeNull();
    expect(f.sent).toEqual([
      { t: 'hand', up: true, at: 1000 },
      { t: 'hand', up: false },
    ]);
  });

  it('lists hands in the order they went up, ours among them; a leaver’s hand goes', () => {
    const f = fakeCrypto();
    const s = new GestureSession({ crypto: f.crypto, isHost: () => false, selfId: () => 'me', now: () => 2000 });
    f.from('grace', { t: 'hand', up: true, at: 3000 });
    f.from('ada', { t: 'hand', up: true, at: 1000 });
    s.toggleHand();
    expect(handsInOrder(s.store.getSnapshot(), 'me').map((h) => h.peerId)).toEqual(['ada', 'me', 'grace']);
    f.members([], ['ada']);
    expect(Object.keys(s.store.getSnapshot().hands)).toEqual(['grace']);
    f.from('grace', { t: 'hand', up: false });
    expect(s.store.getSnapshot().hands).toEqual({});
  });

  it('tells someone who joins later that our hand is up (with the time it went up), and not when it is down', () => {
    const f = fakeCrypto();
    const s = new GestureSession({ crypto: f.crypto, isHost: () => false, selfId: () => 'me', now: () => 500 });
    f.members(['linus']);
    expect(f.sent).toEqual([]);
    s.toggleHand();
    f.members(['linus']);
    f.members([], [], true); // we re-entered the group (a rejoin)
    expect(f.sent).toEqual([
      { t: 'hand', up: true, at: 500 },
      { t: 'hand', up: true, at: 500 },
    ]);
  });

  it('lets a host lower anyone’s hand, ours included; a guest cannot', () => {
    const f = fakeCrypto();
    const s = new GestureSession({ crypto: f.crypto, isHost: (id) => id === 'host', selfId: () => 'me', now: () => 1 });
    s.toggleHand();
    f.from('grace', { t: 'hand', up: true, at: 2 });
    f.from('grace', { t: 'lower', peerId: 'me' });
    expect(s.store.getSnapshot().ownHand).toBe(1);
    f.from('host', { t: 'lower', peerId: 'me' });
    f.from('host', { t: 'lower', peerId: 'grace' });
    expect(s.store.getSnapshot()).toMatchObject({ ownHand: null, hands: {} });
  });

  it('ignores what is not a gesture', () => {
    const f = fakeCrypto();
    const s = new GestureSession({ crypto: f.crypto, isHost: () => true, selfId: () => 'me' });
    f.raw('grace', new TextEncoder().encode('{"t":"hand","up":true,"at":"soon"}'));
    expect(s.store.getSnapshot().hands).toEqual({});
  });
});

describe('reactions', () => {
  it('float for a few seconds, ours too, at most one of ours a second', () => {
    vi.useFakeTimers();
    let t = 10_000;
    const f = fakeCrypto();
    const s = new GestureSession({ crypto: f.crypto, isHost: () => false, selfId: () => 'me', now: () => t });
    expect(s.react('👍')).toBe(true);
    expect(s.react('🎉')).toBe(false);
    f.from('grace', { t: 'reaction', emoji: '❤️' });
    expect(s.store.getSnapshot().reactions.map((r) => [r.peerId, r.emoji])).toEqual([
      [null, '👍'],
      ['grace', '❤️'],
    ]);
    t += REACTION_GAP_MS;
    expect(s.react('🎉')).toBe(true);
    expect(f.sent).toEqual([
      { t: 'reaction', emoji: '👍' },
      { t: 'reaction', emoji: '🎉' },
    ]);
    vi.advanceTimersByTime(REACTION_MS);
    expect(s.store.getSnapshot().reactions).toEqual([]);
    s.dispose();
  });
});
