/**
 * Group messages (origin batches, leave notices, failed admissions: opaque
 * to the server) through the real server: each one goes to the room's
 * other members and nobody else (not its sender, not another room, not a
 * connection that never joined); one over MAX_GROUP_MESSAGE_CHARS or not
 * base64url is refused with an error that says why and is relayed to nobody;
 * a burst beyond GROUP_MESSAGE_RATE_BURST is answered `rate_limited`; and the
 * connection carries on through all of it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, MAX_GROUP_MESSAGE_CHARS, GROUP_MESSAGE_RATE_BURST, GROUP_MESSAGE_RATE_PER_SECOND } from '@conclave/protocol';
import { startTestApp, type TestApp } from '../test-support/test-app.js';
import { TestClient } from '../test-support/ws-client.js';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'conclave-origin-'));
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ dataDir, adminPassword: 'correct-horse-battery' }, pino({ level: 'silent' }));
}, 60_000);

afterAll(async () => {
  await app?.close();
});

let roomSeq = 0;
const newRoom = () => `origin-${process.pid}-${++roomSeq}`;
/** The server only relays the batch, so any base64url of a batch's size stands for one. */
const batch = (bytes = 600) => randomBytes(bytes).toString('base64url');
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const batches = (c: TestClient) => c.notifications.filter((n) => n.method === 'groupMessage').map((n) => n.data);

async function join(roomId: string, displayName: string) {
  const client = await TestClient.connect(await app.ticketUrl(roomId));
  const r = await client.request('join', { roomId, displayName });
  if (r.status !== 'joined') throw new Error('expected to join');
  return { client, peerId: r.peerId };
}

describe('groupMessage relay', () => {
  it('relays to the other members of the room only, and never echoes it to the sender', async () => {
    const roomId = newRoom();
    const alice = await join(roomId, 'Alice');
    const bob = await join(roomId, 'Bob');
    const carol = await join(roomId, 'Carol');
    const elsewhere = await join(newRoom(), 'Dave');
    const notJoined = await TestClient.connect(await app.ticketUrl(roomId));

    const message = batch();
    expect(await alice.client.request('groupMessage', { message })).toEqual({});
    for (const member of [bob, carol]) {
      expect(await member.client.waitForNotification('groupMessage')).toEqual({ from: alice.peerId, message });
    }
    // Bob's goes to Alice and Carol, not back to Bob.
    const fromBob = batch();
    await bob.client.request('groupMessage', { message: fromBob });
    await alice.client.waitForNotification('groupMessage', (b) => b.from === bob.peerId);
    await carol.client.waitForNotification('groupMessage', (b) => b.from === bob.peerId);
    await pause(300);
    expect(batches(alice.client)).toEqual([{ from: bob.peerId, message: fromBob }]);
    expect(batches(bob.client)).toEqual([{ from: alice.peerId, message }]);
    expect(batches(carol.client)).toEqual([
      { from: alice.peerId, message },
      { from: bob.peerId, message: fromBob },
    ]);
    expect(batches(elsewhere.client)).toEqual([]);
    expect(batches(notJoined)).toEqual([]);

    // A connection that has not joined may not send one.
    expect(await notJoined.call('groupMessage', { message })).toMatchObject({ ok: false, error: { code: ErrorCode.NotJoined } });

    for (const c of [alice, bob, carol, elsewhere]) c.client.close();
    notJoined.close();
  });
});

describe('groupMessage limits', () => {
  it('refuses a batch over the cap or not base64url, says why, and relays none of them', async () => {
    const roomId = newRoom();
    const sender = await join(roomId, 'Mallory');
    const reader = await join(roomId, 'Reader');
    const refused: Array<[Record<string, unknown>, RegExp]> = [
      [{ message: 'A'.repeat(MAX_GROUP_MESSAGE_CHARS + 1) }, new RegExp(`longer than ${MAX_GROUP_MESSAGE_CHARS}`)],
      [{ message: randomBytes(300).toString('base64') + '+/=' }, /base64url/], // base64, not base64url
      [{ message: 'not a batch at all' }, /base64url/],
      [{ message: '' }, /empty group message/],
      [{ message: 12345 }, /message/],
      [{ message: batch(), hashes: 'a plaintext copy' }, /hashes|unrecognized/i],
      [{}, /message/],
    ];
    for (const [data, why] of refused) {
      const r = await sender.client.call('groupMessage', data);
      expect(r, JSON.stringify(data).slice(0, 80)).toMatchObject({ ok: false, error: { code: ErrorCode.BadMessage } });
      if (!r.ok) {
        expect(r.error.message).toMatch(/^groupMessage: /);
        expect(r.error.message).toMatch(why);
      }
    }
    await pause(300);
    expect(batches(reader.client)).toEqual([]);
    expect(batches(sender.client)).toEqual([]);

    // The connection is still fine, and the largest allowed batch goes through.
    expect(sender.client.closeCode).toBeNull();
    const largest = 'A'.repeat(MAX_GROUP_MESSAGE_CHARS);
    expect(await sender.client.call('groupMessage', { message: largest })).toMatchObject({ ok: true });
    await reader.client.waitForNotification('groupMessage');
    await pause(300);
    expect(batches(reader.client)).toEqual([{ from: sender.peerId, message: largest }]);
    sender.client.close();
    reader.client.close();
  });

  it(`allows a burst of ${GROUP_MESSAGE_RATE_BURST}, then answers rate_limited and keeps the connection`, async () => {
    const roomId = newRoom();
    const sender = await join(roomId, 'Busy');
    const reader = await join(roomId, 'Reader');
    const extra = 6;
    const sent = Array.from({ length: GROUP_MESSAGE_RATE_BURST + extra }, () => batch(200));
    const answers = await Promise.all(sent.map((message) => sender.client.call('groupMessage', { message })));
    // The server takes them in order: the burst all passes. The bucket refills
    // GROUP_MESSAGE_RATE_PER_SECOND tokens a second, so on a slow machine one more
    // may pass while the rest arrive; the others must be refused.
    expect(answers.slice(0, GROUP_MESSAGE_RATE_BURST).every((a) => a.ok)).toBe(true);
    const passed = answers.filter((a) => a.ok).length;
    expect(passed).toBeLessThanOrEqual(GROUP_MESSAGE_RATE_BURST + 1);
    for (const a of answers.filter((x) => !x.ok)) {
      expect(a).toMatchObject({ ok: false, error: { code: ErrorCode.RateLimited } });
    }
    expect(answers.at(-1)).toMatchObject({ ok: false, error: { code: ErrorCode.RateLimited } });

    // Exactly the accepted ones are relayed, in order; the refused ones are not.
    const accepted = sent.filter((_, i) => answers[i]!.ok);
    await reader.client.waitFor(() => batches(reader.client).length === accepted.length, 5000, 'the burst');
    await pause(300);
    expect(batches(reader.client).map((b) => b.message)).toEqual(accepted);

    // The connection carries on: another kind of request works at once, and
    // origin batches again once the bucket has refilled a little.
    expect(sender.client.closeCode).toBeNull();
    expect(await sender.client.call('reportStatus', { e2ee: 'encrypted' })).toMatchObject({ ok: true });
    await pause((2 * 1000) / GROUP_MESSAGE_RATE_PER_SECOND + 100);
    const later = batch();
    expect(await sender.client.call('groupMessage', { message: later })).toMatchObject({ ok: true });
    await reader.client.waitForNotification('groupMessage', (b) => b.message === later);
    // Each connection has its own allowance.
    expect(await reader.client.call('groupMessage', { message: batch() })).toMatchObject({ ok: true });
    sender.client.close();
    reader.client.close();
  });
});
