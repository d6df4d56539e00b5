/**
 * What every Bus must do (bus.ts), run against LocalBus and RedisStreamBus
 * by bus.test.ts. `makeNodes` gives buses for the named nodes, each with
 * its own registry (as separate processes have); the suite registers the
 * kinds it uses on each.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BusError, BusRemoteError, BusTimeoutError, type Bus } from './bus.js';
import { BusRegistry, defineKind } from './bus-protocol.js';

export const seqKind = defineKind('test.seq', z.object({ sender: z.string(), n: z.number().int() }));
export const echoKind = defineKind('test.echo', z.object({ text: z.string() }), z.object({ echoed: z.string(), by: z.string() }));
export const failKind = defineKind('test.fail', z.object({ how: z.enum(['throw', 'reject', 'coded']) }), z.null());
export const noteKind = defineKind('test.note', z.object({ text: z.string() }));
export const hangKind = defineKind('test.hang', z.object({}), z.null());
/** Registered by senders only: the receiver does not know it. */
export const unknownKind = defineKind('test.unknown', z.object({}), z.null());

export type MakeNodes = (ids: string[], registries: BusRegistry[]) => Promise<Bus[]>;

/** The registry each node of the suite gets. */
export function testRegistry(withUnknown = false): BusRegistry {
  const r = new BusRegistry().register(seqKind, echoKind, failKind, noteKind, hangKind);
  return withUnknown ? r.register(unknownKind) : r;
}

export async function waitUntil(cond: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function busContract(name: string, makeNodes: MakeNodes): void {
  describe(`Bus contract: ${name}`, () => {
    let open: Bus[] = [];
    const nodes = async (ids: string[], registries = ids.map(() => testRegistry())) => {
      const buses = await makeNodes(ids, registries);
      open.push(...buses);
      return buses;
    };
    afterEach(async () => {
      await Promise.all(open.map((b) => b.close()));
      open = [];
    });

    it('delivers 10,000 messages from one sender in order, never inside send', async () => {
      const [a, b] = await nodes(['node-a', 'node-b']);
      const got: number[] = [];
      b!.onMessage(seqKind, (m, meta) => {
        expect(meta.from).toBe('node-a');
        expect(meta.isRequest).toBe(false);
        got.push(m.n);
      });
      const started = performance.now();
      const sends: Array<Promise<void>> = [];
      for (let n = 1; n <= 10_000; n++) sends.push(a!.send('node-b', seqKind, { sender: 'a', n }));
      expect(got).toEqual([]); // nothing is handled inside send
      await Promise.all(sends);
      await waitUntil(() => got.length >= 10_000, 15_000, '10,000 messages');
      const ms = performance.now() - started;
      console.log(`[bus ${name}] 10,000 messages from one sender: ${ms.toFixed(0)} ms`);
      expect(got).toEqual(Array.from({ length: 10_000 }, (_, i) => i + 1));
    });

    it('keeps each sender’s order when two senders interleave', async () => {
      const [a, c, b] = await nodes(['node-a', 'node-c', 'node-b']);
      const got: Record<string, number[]> = { a: [], c: [] };
      b!.onMessage(seqKind, (m) => got[m.sender]!.push(m.n));
      const sends: Array<Promise<void>> = [];
      for (let n = 1; n <= 2000; n++) {
        sends.push(a!.send('node-b', seqKind, { sender: 'a', n }));
        sends.push(c!.send('node-b', seqKind, { sender: 'c', n }));
      }
      await Promise.all(sends);
      await waitUntil(() => got['a']!.length + got['c']!.length >= 4000, 10_000, '4000 messages');
      const expected = Array.from({ length: 2000 }, (_, i) => i + 1);
      expect(got['a']).toEqual(expected);
      expect(got['c']).toEqual(expected);
    });

    it('delivers to itself', async () => {
      const [a] = await nodes(['node-a']);
      const got: number[] = [];
      a!.onMessage(seqKind, (m) => got.push(m.n));
      a!.onMessage(echoKind, (m, meta) => ({ echoed: m.text, by: meta.from }));
      await a!.send('node-a', seqKind, { sender: 'a', n: 1 });
      await expect(a!.request('node-a', echoKind, { text: 'me' })).resolves.toEqual({ echoed: 'me', by: 'node-a' });
      expect(got).toEqual([1]);
    });

    it('answers a request with the handler’s value (sync or async), checked against the reply schema', async () => {
      const [a, b] = await nodes(['node-a', 'node-b']);
      let calls = 0;
      b!.onMessage(echoKind, async (m, meta) => {
        calls += 1;
        expect(meta.isRequest).toBe(true);
        await new Promise((r) => setTimeout(r, 5));
        return calls === 3
          ? ({ echoed: 42 } as unknown as { echoed: string; by: string })
          : { echoed: m.text.toUpperCase(), by: meta.from };
      });
      await expect(a!.request('node-b', echoKind, { text: 'hi' })).resolves.toEqual({ echoed: 'HI', by: 'node-a' });
      await expect(a!.request('node-b', echoKind, { text: 'again' })).resolves.toEqual({ echoed: 'AGAIN', by: 'node-a' });
      const bad = await a!.request('node-b', echoKind, { text: 'x' }).catch((e: unknown) => e);
      expect(bad).toBeInstanceOf(BusError);
      expect((bad as BusError).code).toBe('bad-reply');
    });

    it('sends a handler’s error back as a typed error, with its code', async () => {
      const [a, b] = await nodes(['node-a', 'node-b']);
      b!.onMessage(failKind, (m) => {
        if (m.how === 'throw') throw new Error('boom');
        if (m.how === 'coded') throw Object.assign(new Error('the room is full'), { code: 'room-full' });
        return Promise.reject(new Error('async boom'));
      });
      const thrown = await a!.request('node-b', failKind, { how: 'throw' }).catch((e: unknown) => e);
      expect(thrown).toBeInstanceOf(BusRemoteError);
      expect(thrown).toMatchObject({
        code: 'remote',
        remoteCode: 'handler-error',
        remoteMessage: 'boom',
        from: 'node-b',
        kind: 'test.fail',
      });
      await expect(a!.request('node-b', failKind, { how: 'reject' })).rejects.toMatchObject({
        remoteCode: 'handler-error',
        remoteMessage: 'async boom',
      });
      await expect(a!.request('node-b', failKind, { how: 'coded' })).rejects.toMatchObject({ remoteCode: 'room-full' });
    });

    it('a request of a kind the receiver does not know gets an error; later messages still arrive', async () => {
      const [a, b] = await nodes(['node-a', 'node-b'], [testRegistry(true), testRegistry()]);
      const got: number[] = [];
      b!.onMessage(seqKind, (m) => got.push(m.n));
      await expect(a!.request('node-b', unknownKind, {})).rejects.toMatchObject({ code: 'remote', remoteCode: 'unknown-kind' });
      // Known kind but no handler set: same answer.
      await expect(a!.request('node-b', echoKind, { text: 'x' })).rejects.toMatchObject({ remoteCode: 'unknown-kind' });
      await a!.send('node-b', seqKind, { sender: 'a', n: 7 });
      await waitUntil(() => got.length === 1, 2000, 'the next message');
      expect(got).toEqual([7]);
    });

    it('times out a request nobody answers, with a typed error', async () => {
      const [a, b] = await nodes(['node-a', 'node-b']);
      b!.onMessage(hangKind, () => new Promise<null>(() => undefined));
      const started = Date.now();
      const err = await a!.request('node-b', hangKind, {}, { timeoutMs: 150 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BusTimeoutError);
      expect(err).toMatchObject({ code: 'timeout', to: 'node-b', kind: 'test.hang', timeoutMs: 150 });
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
      // A node that does not exist: the same.
      await expect(a!.request('node-zz', hangKind, {}, { timeoutMs: 100 })).rejects.toBeInstanceOf(BusTimeoutError);
    });

    it('what a handler sends before it returns reaches the caller before the reply', async () => {
      const [a, b] = await nodes(['node-a', 'node-b']);
      const seen: string[] = [];
      a!.onMessage(noteKind, (m) => void seen.push(`note:${m.text}`));
      b!.onMessage(echoKind, async (m, meta) => {
        void b!.send(meta.from, noteKind, { text: `${m.text}-1` });
        await new Promise((r) => setTimeout(r, 10));
        void b!.send(meta.from, noteKind, { text: `${m.text}-2` });
        return { echoed: m.text, by: meta.from };
      });
      const replies = await Promise.all(
        ['x', 'y', 'z'].map((t) => a!.request('node-b', echoKind, { text: t }).then(() => void seen.push(`reply:${t}`))),
      );
      expect(replies).toHaveLength(3);
      for (const t of ['x', 'y', 'z']) {
        expect(seen.indexOf(`note:${t}-1`)).toBeLessThan(seen.indexOf(`reply:${t}`));
        expect(seen.indexOf(`note:${t}-2`)).toBeLessThan(seen.indexOf(`reply:${t}`));
        expect(seen.indexOf(`note:${t}-2`)).toBeGreaterThanOrEqual(0);
      }
    });

    it('refuses a body that does not match its schema, and an unregistered kind, without sending', async () => {
      const [a, b] = await nodes(['node-a', 'node-b']);
      const got: number[] = [];
      b!.onMessage(seqKind, (m) => got.push(m.n));
      await expect(a!.send('node-b', seqKind, { sender: 'a', n: 1.5 })).rejects.toMatchObject({ code: 'bad-message' });
      await expect(a!.send('node-b', unknownKind, {})).rejects.toMatchObject({ code: 'bad-message' });
      await expect(a!.send('Not A Node', seqKind, { sender: 'a', n: 1 })).rejects.toMatchObject({ code: 'bad-message' });
      await a!.send('node-b', seqKind, { sender: 'a', n: 2 });
      await waitUntil(() => got.length === 1, 2000, 'one message');
      expect(got).toEqual([2]);
    });

    it('close fails the requests still waiting, and later sends', async () => {
      const [a, b] = await nodes(['node-a', 'node-b']);
      b!.onMessage(hangKind, () => new Promise<null>(() => undefined));
      const waiting = a!.request('node-b', hangKind, {}, { timeoutMs: 5000 }).catch((e: unknown) => e);
      await new Promise((r) => setTimeout(r, 20));
      await a!.close();
      expect(await waiting).toMatchObject({ code: 'closed' });
      await expect(a!.send('node-b', seqKind, { sender: 'a', n: 1 })).rejects.toMatchObject({ code: 'closed' });
    });
  });
}
