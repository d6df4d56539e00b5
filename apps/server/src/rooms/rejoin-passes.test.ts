import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../store/store.js';
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

  it('is good again, for a grace period, when the join that used it failed', () => {
    let now = 1000;
    const passes = new RejoinPasses(() => now);
    const pass = passes.issue('p1', 'r');
    expect(passes.redeem(pass, 'r')).toBe('p1');
    expect(passes.holderOf(pass, 'r')).toBeNull();
    passes.giveBack(pass, 'r', 'p1');
    expect(passes.holderOf(pass, 'r')).toBe('p1');
    now += REJOIN_GRACE_MS + 1;
    expect(passes.redeem(pass, 'r')).toBeNull();
    // Not when the peer has a newer pass (its join went through after all).
    const other = passes.issue('p2', 'r');
    expect(passes.redeem(other, 'r')).toBe('p2');
    passes.issue('p2', 'r');
    passes.giveBack(other, 'r', 'p2');
    expect(passes.holderOf(other, 'r')).toBeNull();
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

  it('can be checked (whose it is) without being used up', () => {
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

describe('RejoinPasses kept in the database', () => {
  const dataDir = () => mkdtempSync(path.join(os.tmpdir(), 'conclave-passes-'));

  /** A server process's passes on `dir`'s database; `close` is the process going away (its writes done). */
  async function boot(dir: string, now: () => number) {
    const store = await openStore({ dataDir: dir });
    const errors: string[] = [];
    const passes = new RejoinPasses(now, { store: store.rejoinPasses, onStoreError: (_err, what) => errors.push(what) });
    await passes.restore();
    return {
      store,
      passes,
      errors,
      close: async () => {
        await passes.flush();
        await store.close();
      },
    };
  }

  /** The rows as SQLite holds them, read by a connection of its own. */
  function rows(dir: string, sql: string): unknown[] {
    const db = new Database(path.join(dir, 'conclave.db'), { readonly: true });
    try {
      return db.prepare(sql).all();
    } finally {
      db.close();
    }
  }

  it('outlive a graceful restart: released at shutdown, good for the grace period after it, once', async () => {
    const dir = dataDir();
    let now = 1_000_000;
    const first = await boot(dir, () => now);
    const pass = first.passes.issue('p1', 'room-a');
    const left = first.passes.issue('p2', 'room-a');
    first.passes.revoke('p2');
    now += 60_000;
    expect(first.passes.releaseAll()).toBe(1);
    await first.close();

    now += REJOIN_GRACE_MS - 1; // the new process is up just within the grace period
    const second = await boot(dir, () => now);
    expect(second.passes.restored).toEqual({ passes: 1, heldAtCrash: 0, expired: 0 });
    expect(second.passes.redeem(left, 'room-a')).toBeNull();
    expect(second.passes.holderOf(pass, 'room-b')).toBeNull();
    expect(second.passes.holderOf(pass, 'room-a')).toBe('p1');
    expect(second.passes.redeem(pass, 'room-a')).toBe('p1');
    await second.close();

    const third = await boot(dir, () => now);
    expect(third.passes.redeem(pass, 'room-a')).toBeNull(); // used up, also on disk
    expect(third.errors).toEqual([]);
    await third.close();
  });

  it('after a crash, a pass whose holder was still in the meeting is treated as released at start', async () => {
    const dir = dataDir();
    let now = 5_000_000;
    const crashed = await boot(dir, () => now);
    const held = crashed.passes.issue('p1', 'r');
    const dropped = crashed.passes.issue('p2', 'r');
    crashed.passes.release('p2'); // its connection had dropped a minute before the crash
    now += 60_000;
    await crashed.close(); // no releaseAll: the process was killed

    now += 10 * REJOIN_GRACE_MS; // however long the server was down
    const restarted = await boot(dir, () => now);
    expect(restarted.passes.restored).toEqual({ passes: 1, heldAtCrash: 1, expired: 1 });
    expect(restarted.passes.holderOf(dropped, 'r')).toBeNull(); // its grace ran out while the server was down
    now += REJOIN_GRACE_MS - 1;
    expect(restarted.passes.holderOf(held, 'r')).toBe('p1');
    now += 1;
    expect(restarted.passes.holderOf(held, 'r')).toBeNull(); // grace counted from the start
    await restarted.close();
  });

  it('writes the changes in the order they were made, though none waits for its write (and the database answers out of order)', async () => {
    const dir = dataDir();
    const store = await openStore({ dataDir: dir });
    // Like a pool of connections: each write takes its own while to start, shortest first.
    let delay = 40;
    const slow = Object.fromEntries(
      Object.entries(store.rejoinPasses).map(([name, method]) => [
        name,
        async (...args: unknown[]) => {
          await new Promise((r) => setTimeout(r, (delay = Math.max(0, delay - 10))));
          return (method as (...a: unknown[]) => Promise<unknown>)(...args);
        },
      ]),
    ) as unknown as typeof store.rejoinPasses;
    const passes = new RejoinPasses(() => 1_000, { store: slow });
    passes.issue('p1', 'r');
    passes.revoke('p1');
    passes.issue('p2', 'r');
    passes.revokeRoom('r');
    const last = passes.issue('p3', 'r2');
    await passes.flush();
    expect(rows(dir, 'SELECT peer_id, pass_hash FROM rejoin_passes')).toEqual([
      { peer_id: 'p3', pass_hash: createHash('sha256').update(last).digest('hex') },
    ]);
    await store.close();
  });

  it('keeps only hashes on disk, and purges expired rows', async () => {
    const dir = dataDir();
    let now = 1_000;
    const server = await boot(dir, () => now);
    const pass = server.passes.issue('p1', 'r');
    server.passes.issue('p2', 'r');
    server.passes.release('p2');
    await server.passes.flush();
    const stored = rows(dir, 'SELECT * FROM rejoin_passes ORDER BY peer_id') as Array<Record<string, unknown>>;
    expect(stored.map((r) => [r['peer_id'], r['room_id'], r['expires_at']])).toEqual([
      ['p1', 'r', null],
      ['p2', 'r', new Date(now + REJOIN_GRACE_MS).toISOString()],
    ]);
    expect(stored[0]!['pass_hash']).toBe(createHash('sha256').update(pass).digest('hex'));
    await server.close();
    for (const file of readdirSync(dir)) expect(readFileSync(path.join(dir, file)).includes(Buffer.from(pass)), file).toBe(false);

    now += REJOIN_GRACE_MS / 2;
    const again = await boot(dir, () => now); // p1's grace starts now (it was held when the process went)
    now += REJOIN_GRACE_MS / 2; // p2's is over
    again.passes.purgeExpired();
    await again.passes.flush();
    expect(rows(dir, 'SELECT peer_id FROM rejoin_passes')).toEqual([{ peer_id: 'p1' }]);
    again.passes.revokeRoom('r');
    await again.passes.flush();
    expect(rows(dir, 'SELECT COUNT(*) AS n FROM rejoin_passes')).toEqual([{ n: 0 }]);
    await again.close();
  });

  it('a failing store does not fail the caller: the pass works from memory, and the failure is reported', async () => {
    const dir = dataDir();
    const server = await boot(dir, Date.now);
    await server.store.close(); // every write now fails
    const pass = server.passes.issue('p1', 'r');
    server.passes.release('p1');
    expect(server.passes.redeem(pass, 'r')).toBe('p1');
    await server.passes.flush();
    expect(server.errors).toEqual(['purge', 'issue', 'release', 'revoke']);
  });
});
