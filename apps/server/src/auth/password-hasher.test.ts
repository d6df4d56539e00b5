import { afterEach, describe, expect, it } from 'vitest';
import { HasherUnavailable, PasswordHasher } from './password-hasher.js';

/** Cheap parameters (libsodium's minimums) so the tests are quick. */
const cheap = { opsLimit: 1, memLimit: 8192 };
let hasher: PasswordHasher | null = null;
afterEach(async () => {
  await hasher?.close();
  hasher = null;
});

describe('PasswordHasher', () => {
  it('hashes and verifies argon2id', async () => {
    hasher = new PasswordHasher(cheap);
    const hash = await hasher.hash('correct horse');
    expect(hash).toMatch(/^\$argon2id\$/);
    expect(await hasher.verify(hash, 'correct horse')).toBe(true);
    expect(await hasher.verify(hash, 'wrong')).toBe(false);
    expect(await hasher.verify('not a hash', 'x')).toBe(false);
    expect(await hasher.verifyNobody('x')).toBe(false);
  });

  it('refuses jobs at once past its queue bound, and serves again once it drains', async () => {
    hasher = new PasswordHasher({ ...cheap, maxPending: 4 });
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => hasher!.hash(`pw${i}`)));
    const refused = results.filter((r) => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(4);
    expect(refused).toHaveLength(16);
    for (const r of refused) {
      const err = r.reason as HasherUnavailable;
      expect(err).toBeInstanceOf(HasherUnavailable);
      expect(err.reason).toBe('queue_full');
      expect(err.retryAfterMs).toBeGreaterThan(0);
    }
    expect(hasher.queued).toBe(0);
    expect(await hasher.hash('after')).toMatch(/^\$argon2id\$/);
  });

  it('keeps a few places for priority jobs (sign-ins from known devices)', async () => {
    hasher = new PasswordHasher({ ...cheap, maxPending: 2 });
    const hash = await hasher.hash('mine');
    const flood = Array.from({ length: 4 }, () => hasher!.verify(hash, 'guess').catch((e: unknown) => e));
    const mine = hasher.verify(hash, 'mine', true);
    const refused = (await Promise.all(flood)).filter((r) => r instanceof HasherUnavailable);
    expect(refused).toHaveLength(2);
    expect(await mine).toBe(true);
  });

  it('callers for unknown users hold their queue place while the decoy hash is made', async () => {
    hasher = new PasswordHasher({ ...cheap, maxPending: 4 });
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => hasher!.verifyNobody('guess')));
    // The decoy's own hashing takes one place: three callers get theirs.
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect(results.filter((r) => r.status === 'rejected').every((r) => r.reason instanceof HasherUnavailable)).toBe(true);
    expect(hasher.queued).toBe(0);
  });

  it('replaces a thread that dies: its jobs fail as unavailable, the next ones run on a new thread', async () => {
    hasher = new PasswordHasher(cheap);
    const hash = await hasher.hash('before');
    const inFlight = Promise.allSettled([hasher.hash('a'), hasher.hash('b')]);
    await hasher['worker'].terminate(); // as if the thread crashed
    const outcomes = await inFlight;
    for (const o of outcomes) {
      // A job may have finished before the thread went; any that did not is refused as unavailable.
      if (o.status === 'rejected') expect((o.reason as HasherUnavailable).reason).toBe('thread_died');
    }
    expect(hasher.restarts).toBe(1);
    expect(await hasher.verify(hash, 'before')).toBe(true);
    expect(hasher.queued).toBe(0);
  });
});
