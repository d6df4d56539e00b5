import { describe, expect, it } from 'vitest';
import { REJOIN_GRACE_MS, RejoinPasses } from './rejoin-passes.js';

describe('RejoinPasses', () => {
  it('lets a dropped peer back once, into the same room only', () => {
    const passes = new RejoinPasses();
    const pass = passes.issue('p1', 'room-a');
    passes.release('p1');
    expect(passes.redeem(pass, 'room-b')).toBeNull();
    expect(passes.redeem(pass, 'room-a')).toBe('p1');
    expect(passes.redeem(pass, 'room-a')).toBeNull();
  });

  it('works while the holder is still in (the server has not noticed the drop yet)', () => {
    const passes = new RejoinPasses();
    expect(passes.redeem(passes.issue('p1', 'r'), 'r')).toBe('p1');
  });

  it('expires a grace period after the drop', () => {
    let now = 1000;
    const passes = new RejoinPasses(() => now);
    const pass = passes.issue('p1', 'r');
    now += 10 * REJOIN_GRACE_MS; // in the meeting for a long time: still good
    passes.release('p1');
    now += REJOIN_GRACE_MS - 1;
    const second = passes.issue('p2', 'r');
    passes.release('p2');
    expect(passes.redeem(pass, 'r')).toBe('p1');
    now += REJOIN_GRACE_MS + 1;
    expect(passes.redeem(second, 'r')).toBeNull();
  });

  it('is void after leaving on purpose, being removed, a new join, or the meeting ending', () => {
    const passes = new RejoinPasses();
    const left = passes.issue('left', 'r');
    passes.revoke('left');
    passes.release('left'); // the socket closes after the leave: nothing comes back
    expect(passes.redeem(left, 'r')).toBeNull();

    const old = passes.issue('p', 'r');
    const fresh = passes.issue('p', 'r');
    expect(passes.redeem(old, 'r')).toBeNull();
    expect(passes.redeem(fresh, 'r')).toBe('p');

    const a = passes.issue('a', 'ended');
    const b = passes.issue('b', 'other');
    passes.revokeRoom('ended');
    expect(passes.redeem(a, 'ended')).toBeNull();
    expect(passes.redeem(b, 'other')).toBe('b');
  });

  it("can be checked (whose it is) without being used up", () => {
    const passes = new RejoinPasses();
    const pass = passes.issue('p1', 'r');
    passes.release('p1');
    expect(passes.holderOf(pass, 'r')).toBe('p1');
    expect(passes.holderOf(pass, 'other')).toBeNull();
    expect(passes.holderOf(pass, 'r')).toBe('p1');
    expect(passes.redeem(pass, 'r')).toBe('p1');
    expect(passes.holderOf(pass, 'r')).toBeNull();
  });

  it('refuses made-up passes', () => {
    expect(new RejoinPasses().redeem('not-a-pass', 'r')).toBeNull();
  });
});
