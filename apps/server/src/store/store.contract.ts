/**
 * What every Store must do, whatever the database: one suite, run on SQLite
 * by sqlite-store.test.ts and on a real PostgreSQL by postgres-store.test.ts.
 * `open` gives a fresh, empty, migrated store each time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { StoreConflict } from './errors.js';
import type { Store } from './store.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

async function conflictOf(p: Promise<unknown>): Promise<StoreConflict> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StoreConflict);
  return err as StoreConflict;
}

export function storeContract(name: string, open: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    const opened: Store[] = [];
    const fresh = async () => {
      const store = await open();
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
    });

    describe('users', () => {
      it('creates, finds by id and by name whatever its case, counts', async () => {
        const s = await fresh();
        expect(await s.users.count()).toBe(0);
        const ada = await s.users.create('Ada', 'hash-a', 'admin');
        expect(ada).toMatchObject({ username: 'Ada', role: 'admin', passwordHash: 'hash-a' });
        expect(ada.id).toBeGreaterThan(0);
        expect(ada.createdAt).toMatch(ISO);
        expect(Math.abs(Date.parse(ada.createdAt) - Date.now())).toBeLessThan(60_000);
        await s.users.create('grace', 'hash-g', 'host');
        expect(await s.users.byId(ada.id)).toEqual(ada);
        expect(await s.users.byUsername('ada')).toEqual(ada);
        expect(await s.users.byUsername('ADA')).toEqual(ada);
        expect(await s.users.byUsername('nobody')).toBeNull();
        expect(await s.users.byId(999_999)).toBeNull();
        // Ids from a URL: any whole number a client sends finds nobody, rather than failing.
        for (const id of [2 ** 60, 1e20, -1, 0]) {
          expect(await s.users.byId(id), String(id)).toBeNull();
          expect(await s.users.delete(id), String(id)).toBe(false);
          await s.users.setRole(id, 'admin');
          await s.users.setPasswordHash(id, 'x');
        }
        expect(await s.users.countAdmins()).toBe(1);
        expect(await s.users.count()).toBe(2);
        expect(await s.users.countAdmins()).toBe(1);
      });

      it('refuses a username taken in any case with StoreConflict (what the API answers 409 for)', async () => {
        const s = await fresh();
        await s.users.create('Ada', 'h', 'admin');
        for (const name of ['Ada', 'ada', 'ADA', 'aDa']) {
          const err = await conflictOf(s.users.create(name, 'h2', 'host'));
          expect(err.code).toBe('conflict');
          expect(err.what).toBe('username');
        }
        expect(await s.users.count()).toBe(1);
      });

      it('of names created at once, exactly one wins', async () => {
        const s = await fresh();
        const results = await Promise.allSettled(['race', 'RACE', 'Race', 'rAce'].map((n) => s.users.create(n, 'h', 'host')));
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(StoreConflict);
      });

      it('creates the first user only while there is none, once among many at once', async () => {
        const s = await fresh();
        const made = await Promise.all(['a1', 'a2', 'a3', 'a4', 'a5'].map((n) => s.users.createFirst(n, 'h', 'admin')));
        expect(made.filter((u) => u !== null)).toHaveLength(1);
        expect(await s.users.count()).toBe(1);
        expect(await s.users.createFirst('later', 'h', 'admin')).toBeNull();
      });

      it('changes role and password hash; lists by name whatever its case', async () => {
        const s = await fresh();
        const b = await s.users.create('bob', 'h1', 'host');
        await s.users.create('Alice', 'h', 'admin');
        await s.users.create('carol', 'h', 'host');
        await s.users.create('a-z', 'h', 'host');
        await s.users.create('a.b', 'h', 'host');
        await s.users.setRole(b.id, 'admin');
        await s.users.setPasswordHash(b.id, 'h2');
        expect(await s.users.byId(b.id)).toMatchObject({ role: 'admin', passwordHash: 'h2' });
        expect(await s.users.countAdmins()).toBe(2);
        // As SQLite's NOCASE orders: '-' (0x2d) before '.' (0x2e) before letters; case folded.
        expect((await s.users.list()).map((u) => u.username)).toEqual(['a-z', 'a.b', 'Alice', 'bob', 'carol']);
      });

      it('deletes a user with their sessions; their rooms stay, without an owner', async () => {
        const s = await fresh();
        const u = await s.users.create('host1', 'h', 'host');
        const { token } = await s.sessions.create(u.id, 60_000);
        await s.rooms.create({ id: 'room-1', name: 'R', passwordHash: null, lobby: false, maxParticipants: 5, createdBy: u.id });
        expect((await s.rooms.get('room-1'))?.createdByName).toBe('host1');
        expect(await s.users.delete(u.id)).toBe(true);
        expect(await s.users.delete(u.id)).toBe(false);
        expect(await s.users.byId(u.id)).toBeNull();
        expect(await s.sessions.userFor(token)).toBeNull();
        expect(await s.rooms.get('room-1')).toMatchObject({ createdBy: null, createdByName: null });
      });

      it('finds nobody by a name no account can have (NUL, non-ASCII, very long)', async () => {
        const s = await fresh();
        await s.users.create('ab', 'h', 'host');
        for (const name of ['a\0b', 'a\u0000', 'äb', 'x'.repeat(300), '']) expect(await s.users.byUsername(name)).toBeNull();
      });
    });

    describe('sessions', () => {
      it('looks a session up by its token (kept hashed), and forgets it on delete', async () => {
        const s = await fresh();
        const u = await s.users.create('u', 'h', 'host');
        const a = await s.sessions.create(u.id, 3600_000);
        expect(a.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(Math.abs(a.expiresAt.getTime() - (Date.now() + 3600_000))).toBeLessThan(5000);
        expect(await s.sessions.userFor(a.token)).toBe(u.id);
        expect(await s.sessions.userFor(a.token + 'x')).toBeNull();
        expect(await s.sessions.userFor('')).toBeNull();
        await s.sessions.delete(a.token);
        expect(await s.sessions.userFor(a.token)).toBeNull();
      });

      it('expires sessions: an expired one is refused and deleted; purge counts the rest', async () => {
        const s = await fresh();
        const u = await s.users.create('u', 'h', 'host');
        const short = await s.sessions.create(u.id, 30);
        const other = await s.sessions.create(u.id, 30);
        const long = await s.sessions.create(u.id, 3600_000);
        await sleep(60);
        expect(await s.sessions.userFor(short.token)).toBeNull();
        expect(await s.sessions.purgeExpired()).toBe(1); // `other` (`short` was deleted when looked up)
        expect(await s.sessions.userFor(other.token)).toBeNull();
        expect(await s.sessions.userFor(long.token)).toBe(u.id);
        expect(await s.sessions.purgeExpired()).toBe(0);
      });

      it("revokes every session of one user, and nobody else's", async () => {
        const s = await fresh();
        const u = await s.users.create('u', 'h', 'host');
        const v = await s.users.create('v', 'h', 'host');
        const u1 = await s.sessions.create(u.id, 60_000);
        const u2 = await s.sessions.create(u.id, 60_000);
        const v1 = await s.sessions.create(v.id, 60_000);
        await s.sessions.deleteForUser(u.id);
        expect(await s.sessions.userFor(u1.token)).toBeNull();
        expect(await s.sessions.userFor(u2.token)).toBeNull();
        expect(await s.sessions.userFor(v1.token)).toBe(v.id);
      });
    });

    describe('rooms', () => {
      it('creates and gets a room, with its owner name', async () => {
        const s = await fresh();
        const owner = await s.users.create('Owner', 'h', 'host');
        const room = await s.rooms.create({
          id: 'abcd-efgh-ijklm',
          name: 'Standup',
          passwordHash: 'ph',
          lobby: true,
          maxParticipants: 12,
          createdBy: owner.id,
        });
        expect(room).toEqual({
          id: 'abcd-efgh-ijklm',
          name: 'Standup',
          passwordHash: 'ph',
          lobby: true,
          locked: false,
          maxParticipants: 12,
          createdBy: owner.id,
          createdByName: 'Owner',
          createdAt: expect.stringMatching(ISO) as string,
        });
        expect(await s.rooms.get('abcd-efgh-ijklm')).toEqual(room);
        expect(await s.rooms.get('nope')).toBeNull();
        expect(await s.rooms.get('a\0b')).toBeNull();
        const anon = await s.rooms.create({
          id: 'anon',
          name: 'A',
          passwordHash: null,
          lobby: false,
          maxParticipants: 50,
          createdBy: null,
        });
        expect(anon).toMatchObject({ passwordHash: null, lobby: false, locked: false, createdBy: null, createdByName: null });
      });

      it('refuses a room id that is taken with StoreConflict', async () => {
        const s = await fresh();
        const r = { id: 'same', name: 'A', passwordHash: null, lobby: false, maxParticipants: 50, createdBy: null };
        await s.rooms.create(r);
        expect((await conflictOf(s.rooms.create({ ...r, name: 'B' }))).what).toBe('room');
        expect((await s.rooms.get('same'))?.name).toBe('A');
      });

      it('updates lobby, lock, password hash, name and size; only what the patch names', async () => {
        const s = await fresh();
        await s.rooms.create({ id: 'r', name: 'Old', passwordHash: 'ph', lobby: false, maxParticipants: 50, createdBy: null });
        expect(await s.rooms.update('r', { locked: true })).toMatchObject({ locked: true, lobby: false, passwordHash: 'ph', name: 'Old' });
        expect(await s.rooms.update('r', { lobby: true, passwordHash: null })).toMatchObject({
          locked: true,
          lobby: true,
          passwordHash: null,
        });
        expect(await s.rooms.update('r', { name: 'New', maxParticipants: 3, locked: false })).toMatchObject({
          name: 'New',
          maxParticipants: 3,
          locked: false,
          lobby: true,
        });
        expect(await s.rooms.update('r', {})).toMatchObject({ name: 'New' });
        expect(await s.rooms.update('missing', { locked: true })).toBeNull();
      });

      it('lists rooms newest first, all or one owner\u2019s; deletes', async () => {
        const s = await fresh();
        const a = await s.users.create('a', 'h', 'host');
        const b = await s.users.create('b', 'h', 'host');
        for (const [id, owner] of [
          ['r1', a.id],
          ['r2', b.id],
          ['r3', a.id],
        ] as const) {
          await s.rooms.create({ id, name: id, passwordHash: null, lobby: false, maxParticipants: 50, createdBy: owner });
          await sleep(5); // distinct creation times
        }
        expect((await s.rooms.list()).map((r) => r.id)).toEqual(['r3', 'r2', 'r1']);
        expect((await s.rooms.list(a.id)).map((r) => r.id)).toEqual(['r3', 'r1']);
        expect(await s.rooms.list(999)).toEqual([]);
        expect(await s.rooms.delete('r3')).toBe(true);
        expect(await s.rooms.delete('r3')).toBe(false);
        expect((await s.rooms.list(a.id)).map((r) => r.id)).toEqual(['r1']);
      });
    });

    describe('audit log', () => {
      it('appends and pages newest first', async () => {
        const s = await fresh();
        for (let i = 1; i <= 5; i++)
          await s.audit.record({ actor: 'admin', action: `a${i}`, ...(i === 2 ? { target: 't', detail: 'd', ip: '::1' } : {}) });
        const all = await s.audit.list();
        expect(all.map((e) => e.action)).toEqual(['a5', 'a4', 'a3', 'a2', 'a1']);
        expect(all[3]).toEqual({
          id: all[3]!.id,
          at: expect.stringMatching(ISO) as string,
          actor: 'admin',
          action: 'a2',
          target: 't',
          detail: 'd',
          ip: '::1',
        });
        expect(all[0]).toMatchObject({ target: null, detail: null, ip: null });
        expect(typeof all[0]!.id).toBe('number');
        const page = await s.audit.list(2);
        expect(page.map((e) => e.action)).toEqual(['a5', 'a4']);
        const next = await s.audit.list(2, page.at(-1)!.id);
        expect(next.map((e) => e.action)).toEqual(['a3', 'a2']);
        expect((await s.audit.list(10, all.at(-1)!.id)).length).toBe(0);
        expect(await s.audit.list(10, 1e20)).toEqual(all); // before an id past any there is: everything
      });

      it('keeps what strangers typed, NUL aside', async () => {
        const s = await fresh();
        await s.audit.record({ actor: 'é\u0000\u{1F600}', action: 'auth.login-failed' });
        const [e] = await s.audit.list(1);
        expect(e!.actor.startsWith('é')).toBe(true);
        expect(e!.actor.endsWith('\u{1F600}')).toBe(true);
      });

      it('purges entries older than the retention, keeps the rest; 0 keeps everything; refuses nonsense', async () => {
        const s = await fresh();
        await s.audit.record({ actor: 'x', action: 'old' });
        await sleep(30);
        await s.audit.record({ actor: 'x', action: 'new' });
        const oldAt = Date.parse((await s.audit.list()).find((e) => e.action === 'old')!.at);
        const now = new Date(oldAt + 86_400_000 + 10); // a day and 10 ms after 'old': the cut-off falls between them
        expect(await s.audit.purgeOlderThan(0, now)).toBe(0);
        expect(await s.audit.purgeOlderThan(1, now)).toBe(1);
        expect((await s.audit.list()).map((e) => e.action)).toEqual(['new']);
        expect(await s.audit.purgeOlderThan(1, now)).toBe(0);
        await expect(s.audit.purgeOlderThan(-1)).rejects.toThrow(RangeError);
        await expect(s.audit.purgeOlderThan(1.5)).rejects.toThrow(/whole number of days/);
      });
    });

    describe('rejoin passes', () => {
      const pass = (peerId: string, roomId = 'r', expiresAt: number | null = null, passHash = `hash-${peerId}`) => ({
        passHash,
        peerId,
        roomId,
        expiresAt,
      });
      const byPeer = async (s: Store) => (await s.rejoinPasses.all()).sort((a, b) => a.peerId.localeCompare(b.peerId));

      it('inserts, replaces a peer’s pass, releases held ones only', async () => {
        const s = await fresh();
        const t = 1_700_000_000_000;
        await s.rejoinPasses.insert(pass('p1'), t);
        await s.rejoinPasses.insert(pass('p2', 'r', t + 5000), t);
        await s.rejoinPasses.insert(pass('p1', 'r2', null, 'hash-p1-new'), t);
        expect(await byPeer(s)).toEqual([pass('p1', 'r2', null, 'hash-p1-new'), pass('p2', 'r', t + 5000)]);
        await s.rejoinPasses.release('p1', t + 1000);
        await s.rejoinPasses.release('p2', t + 9999); // already expiring: unchanged
        expect((await byPeer(s)).map((p) => p.expiresAt)).toEqual([t + 1000, t + 5000]);
        await s.rejoinPasses.insert(pass('p3'), t);
        await s.rejoinPasses.insert(pass('p4'), t);
        expect(await s.rejoinPasses.releaseAll(t + 2000)).toBe(2);
        expect(await s.rejoinPasses.releaseAll(t + 3000)).toBe(0);
        expect((await byPeer(s)).map((p) => p.expiresAt)).toEqual([t + 1000, t + 5000, t + 2000, t + 2000]);
      });

      it('refuses a pass hash another peer holds with StoreConflict', async () => {
        const s = await fresh();
        await s.rejoinPasses.insert(pass('p1', 'r', null, 'same'), 1);
        expect((await conflictOf(s.rejoinPasses.insert(pass('p2', 'r', null, 'same'), 1))).what).toBe('rejoin pass');
        expect((await s.rejoinPasses.all()).map((p) => p.peerId)).toEqual(['p1']);
      });

      it('deletes by peer, by room, and what has expired', async () => {
        const s = await fresh();
        const t = 1_700_000_000_000;
        await s.rejoinPasses.insert(pass('a', 'r1'), t);
        await s.rejoinPasses.insert(pass('b', 'r1', t + 10), t);
        await s.rejoinPasses.insert(pass('c', 'r2', t + 20), t);
        await s.rejoinPasses.insert(pass('d', 'r2', t + 30), t);
        await s.rejoinPasses.insert(pass('e', 'r3'), t);
        await s.rejoinPasses.deletePeer('e');
        await s.rejoinPasses.deletePeer('nobody');
        expect(await s.rejoinPasses.purgeExpired(t + 20)).toBe(2); // b and c: expired at or before
        expect((await byPeer(s)).map((p) => p.peerId)).toEqual(['a', 'd']);
        await s.rejoinPasses.deleteRoom('r1');
        expect((await byPeer(s)).map((p) => p.peerId)).toEqual(['d']);
      });
    });

    describe('transactions', () => {
      it('keeps all the writes of a transaction, or none when it throws', async () => {
        const s = await fresh();
        const u = await s.users.create('u', 'h', 'admin');
        await s.sessions.create(u.id, 60_000);
        const kept = await s.transaction(async (tx) => {
          await tx.users.setRole(u.id, 'host');
          await tx.sessions.deleteForUser(u.id);
          return tx.users.create('v', 'h', 'admin');
        });
        expect(kept.username).toBe('v');
        expect(await s.users.byId(u.id)).toMatchObject({ role: 'host' });
        await expect(
          s.transaction(async (tx) => {
            await tx.users.setRole(u.id, 'admin');
            await tx.users.create('w', 'h', 'host');
            await tx.rooms.create({ id: 'x', name: 'x', passwordHash: null, lobby: false, maxParticipants: 5, createdBy: u.id });
            throw new Error('changed my mind');
          }),
        ).rejects.toThrow('changed my mind');
        expect(await s.users.byId(u.id)).toMatchObject({ role: 'host' });
        expect(await s.users.byUsername('w')).toBeNull();
        expect(await s.rooms.get('x')).toBeNull();
        // A conflict inside rolls back the rest as well.
        await expect(
          s.transaction(async (tx) => {
            await tx.users.create('y', 'h', 'host');
            await tx.users.create('V', 'h', 'host');
          }),
        ).rejects.toBeInstanceOf(StoreConflict);
        expect(await s.users.byUsername('y')).toBeNull();
      });

      it('a write from outside, made while a transaction is open, is not rolled back with it', async () => {
        const s = await fresh();
        const failing = s.transaction(async (tx) => {
          await tx.users.create('inside', 'h', 'host');
          await sleep(50);
          throw new Error('rolled back');
        });
        await sleep(10);
        const outside = s.users.create('outside', 'h', 'host');
        await expect(failing).rejects.toThrow('rolled back');
        await outside;
        expect((await s.users.list()).map((u) => u.username)).toEqual(['outside']);
      });

      it('runs one at a time, so a check inside still holds when acted on (the last admin is never demoted)', async () => {
        const s = await fresh();
        const admins = await Promise.all(['a1', 'a2', 'a3'].map((n) => s.users.create(n, 'h', 'admin')));
        const demote = (id: number) =>
          s.transaction(async (tx) => {
            if ((await tx.users.countAdmins()) <= 1) return false;
            await sleep(5); // give the others every chance to interleave
            await tx.users.setRole(id, 'host');
            return true;
          });
        const results = await Promise.all(admins.map((a) => demote(a.id)));
        expect(results.filter(Boolean)).toHaveLength(2);
        expect(await s.users.countAdmins()).toBe(1);
      });
    });
  });
}
