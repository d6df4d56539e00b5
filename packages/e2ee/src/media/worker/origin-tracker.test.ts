import { describe, expect, it } from 'vitest';
import { ORIGIN_DEADLINE_MS as D } from '../worker-messages.js';
import { ORIGIN_MAX_EARLY, ORIGIN_MAX_PENDING, OriginTracker } from './origin-tracker.js';

const KID = 0x105n;
const h = (n: number) => new Uint8Array(16).fill(n);

function tracker() {
  const changes: string[] = [];
  const t = new OriginTracker({
    onChange: (status, reason, resumed) => changes.push([status, reason, resumed ? 'resumed' : ''].filter(Boolean).join(' ')),
  });
  return { t, changes };
}

describe('OriginTracker', () => {
  it('is pending from the first frame and verified once a frame is covered', () => {
    const { t, changes } = tracker();
    t.frame(KID, 0n, h(0), 0, true);
    t.frame(KID, 1n, h(1), 30, true);
    expect(t.status).toBe('pending');
    t.vouch(KID, 0n, h(0), 300);
    t.vouch(KID, 1n, h(1), 300);
    expect(changes).toEqual(['pending', 'verified']);
    expect(t.waiting).toEqual({ frames: 0, entries: 0 }); // matched ones are let go
  });

  it('matches entries that came before their frame', () => {
    const { t, changes } = tracker();
    t.vouch(KID, 5n, h(5), 0);
    t.frame(KID, 5n, h(5), 100, true);
    expect(changes).toEqual(['pending', 'verified']);
    expect(t.waiting).toEqual({ frames: 0, entries: 0 });
  });

  it('fails as forged when a signed entry lists another hash, before or after the frame, until a new epoch', () => {
    for (const entryFirst of [false, true]) {
      const { t, changes } = tracker();
      t.frame(KID, 0n, h(0), 0, true);
      t.vouch(KID, 0n, h(0), 10);
      if (entryFirst) t.vouch(KID, 1n, h(1), 20);
      t.frame(KID, 1n, h(99), 30, true); // the forger's frame at the victim's counter
      if (!entryFirst) t.vouch(KID, 1n, h(1), 40);
      expect(t.status).toBe('failed');
      expect(t.reason).toBe('forged');
      expect(t.showing).toBe(false);
      // Covered frames do not lift it…
      t.frame(KID, 2n, h(2), 50, false);
      t.vouch(KID, 2n, h(2), 60);
      expect(t.reason).toBe('forged');
      // …nor does an unsigned one change the reason.
      t.frame(KID, 3n, h(3), 70, false);
      t.sweep(70 + D);
      expect(t.reason).toBe('forged');
      t.newEpoch();
      expect(t.status).toBe('pending');
      t.frame(KID + 1n, 0n, h(7), 3000, true);
      t.vouch(KID + 1n, 0n, h(7), 3100);
      expect(changes).toEqual(['pending', 'verified', 'failed forged', 'pending resumed', 'verified']);
    }
  });

  it('fails as unsigned when a shown frame is not covered by its deadline, and recovers once frames are covered again', () => {
    const { t, changes } = tracker();
    t.frame(KID, 0n, h(0), 0, true);
    t.vouch(KID, 0n, h(0), 100);
    t.frame(KID, 1n, h(1), 200, true); // never covered
    t.sweep(200 + D - 1);
    expect(t.status).toBe('verified');
    t.sweep(200 + D);
    expect(t.status).toBe('failed');
    expect(t.reason).toBe('unsigned');
    // While failed, frames are recorded (not shown); covering one recovers when nothing before it is uncovered.
    t.frame(KID, 2n, h(2), 2300, t.showing);
    t.frame(KID, 3n, h(3), 2330, t.showing);
    t.vouch(KID, 3n, h(3), 2400); // frame 2 arrived before it and is still uncovered
    expect(t.status).toBe('failed');
    t.vouch(KID, 2n, h(2), 2400);
    expect(t.status).toBe('verified');
    expect(changes).toEqual(['pending', 'verified', 'failed unsigned', 'verified resumed']);
  });

  it('stays failed while uncovered frames keep coming, and recovers once they stop', () => {
    const { t } = tracker();
    t.frame(KID, 0n, h(0), 0, true);
    t.sweep(D);
    expect(t.reason).toBe('unsigned');
    let now = D;
    let ctr = 1n;
    for (let i = 0; i < 40; i++, now += 100) {
      const forged = ctr++;
      t.frame(KID, forged, h(9), now, t.showing); // a frame nobody signed
      const honest = ctr++;
      t.frame(KID, honest, h(1), now + 10, t.showing);
      t.vouch(KID, honest, h(1), now + 300);
      expect(t.status).toBe('failed');
    }
    // No more unsigned frames: once the last one is let go, the next covered frame recovers.
    t.frame(KID, ctr, h(1), now, false);
    t.vouch(KID, ctr, h(1), now + 50);
    expect(t.status).toBe('failed');
    now += D;
    t.sweep(now);
    t.frame(KID, ++ctr, h(1), now, false);
    t.vouch(KID, ctr, h(1), now + 50);
    expect(t.status).toBe('verified');
  });

  it('does not fail for frames it did not show', () => {
    const { t } = tracker();
    t.frame(KID, 0n, h(0), 0, false);
    t.sweep(10 * D);
    expect(t.status).toBe('pending');
  });

  it('lets go of entries whose frame never comes (layers the server does not forward)', () => {
    const { t } = tracker();
    for (let i = 0; i < 100; i++) t.vouch(KID, BigInt(i), h(i), i * 10);
    expect(t.waiting.entries).toBe(100);
    t.sweep(99 * 10 + D);
    expect(t.waiting.entries).toBe(0);
    expect(t.status).toBe('pending');
  });

  it('stays bounded under a flood: unshown frames and entries are let go oldest first, and a shown frame let go uncovered fails', () => {
    const { t } = tracker();
    for (let i = 0; i < 10_000; i++) {
      t.frame(KID, BigInt(i), h(1), i / 100, false);
      t.vouch(KID + 1n, BigInt(i), h(2), i / 100);
    }
    expect(t.waiting).toEqual({ frames: ORIGIN_MAX_PENDING, entries: ORIGIN_MAX_EARLY });
    expect(t.status).toBe('pending');
    // The oldest entry is gone, the newest kept.
    t.frame(KID + 1n, 0n, h(2), 100, true);
    t.frame(KID + 1n, 9999n, h(2), 100, true);
    expect(t.status).toBe('verified');
    expect(t.waiting.frames).toBe(ORIGIN_MAX_PENDING);
    for (let i = 0; i < ORIGIN_MAX_PENDING; i++) t.frame(KID + 2n, BigInt(i), h(3), 100, true);
    expect(t.status).toBe('failed');
    expect(t.reason).toBe('unsigned');
  });
});
