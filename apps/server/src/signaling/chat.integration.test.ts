/**
 * Chat through the real server: each message goes to the room's other
 * members and nobody else (not its sender, not another room, not a guest
 * waiting in the lobby, not someone who left, not a connection that never
 * joined), with the server's time; a burst is slowed with its own error code
 * while the connection carries on; oversized and malformed messages are
 * refused and never relayed; and nothing of a message, neither its
 * plaintext nor its ciphertext, ends up in the server's log or data
 * directory.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GroupAgent } from '@conclave/e2ee/group';
import { sodiumReady, toBase64url } from '@conclave/e2ee/keys';
import { CHAT_RATE_BURST, ErrorCode, MAX_CHAT_SEALED_CHARS, MAX_MESSAGE_BYTES } from '@conclave/protocol';
import { startTestApp, type TestApp } from '../test-support/test-app.js';
import { TestClient } from '../test-support/ws-client.js';

const ADMIN_PASSWORD = 'correct-horse-battery';
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'conclave-chat-'));
/** Everything the server logs, at the most verbose level. */
const logLines: string[] = [];
let app: TestApp;
let adminCookie: string;
let sealer: GroupAgent;

beforeAll(async () => {
  const logger = pino({ level: 'trace' }, { write: (line: string) => void logLines.push(line) });
  app = await startTestApp({ dataDir, adminPassword: ADMIN_PASSWORD }, logger);
  const res = await fetch(`${app.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
  });
  expect(res.status).toBe(200);
  adminCookie = res.headers.get('set-cookie')!.split(';')[0]!;
  // Real ciphertext, as a browser would send it: an MLS application message, here of a group of one.
  sealer = new GroupAgent({
    roomId: 'chat-test',
    secret: { kind: 'link', key: randomBytes(32) },
    self: { peerId: 'sender', displayName: 'Sender' },
    port: {
      join: async () => ({ found: true, epoch: 0, waiting: [] }),
      admit: async () => undefined,
      broadcast: async () => undefined,
      commit: async ({ epoch }) => ({ ok: true, epoch: epoch + 1 }),
    },
    events: { onEpoch: () => undefined },
  });
  await sealer.start();
  await sodiumReady(); // for toBase64url
}, 60_000);

afterAll(async () => {
  sealer?.dispose();
  await app?.close();
});

let roomSeq = 0;
const newRoom = () => `chat-${process.pid}-${++roomSeq}`;
async function seal(text: string): Promise<string> {
  const sealed = await sealer.sealChat(text);
  if (!sealed) throw new Error('the sealer is not in its group');
  return toBase64url(sealed);
}
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const chats = (c: TestClient) => c.notifications.filter((n) => n.method === 'chatMessage').map((n) => n.data);

async function join(roomId: string, displayName: string) {
  const client = await TestClient.connect(await app.ticketUrl(roomId));
  const r = await client.request('join', { roomId, displayName });
  if (r.status !== 'joined') throw new Error('expected to join');
  return { client, peerId: r.peerId };
}

describe('chat relay', () => {
  it('relays to the other members only, with the server time, and keeps no history', async () => {
    const roomId = newRoom();
    const alice = await join(roomId, 'Alice');
    const bob = await join(roomId, 'Bob');
    const carol = await join(roomId, 'Carol');
    const elsewhere = await join(newRoom(), 'Dave');
    const notJoined = await TestClient.connect(await app.ticketUrl(roomId));

    const message = await seal('hello from alice');
    const before = Date.now();
    const { at } = await alice.client.request('chatSend', { message });
    expect(Math.abs(Date.parse(at) - before)).toBeLessThan(5000);
    for (const member of [bob, carol]) {
      expect(await member.client.waitForNotification('chatMessage')).toEqual({ from: alice.peerId, message, at });
    }
    await pause(300);
    expect(chats(alice.client)).toEqual([]); // the sender renders its own message
    expect(chats(elsewhere.client)).toEqual([]);
    expect(chats(notJoined)).toEqual([]);

    // A connection that has not joined may not chat; neither may one that left.
    expect(await notJoined.call('chatSend', { message })).toMatchObject({ ok: false, error: { code: ErrorCode.NotJoined } });
    await bob.client.request('leave', {});
    expect(await bob.client.call('chatSend', { message })).toMatchObject({ ok: false, error: { code: ErrorCode.NotJoined } });
    await carol.client.request('chatSend', { message: await seal('after bob left') });
    await alice.client.waitForNotification('chatMessage', (m) => m.from === carol.peerId);
    await pause(300);
    expect(chats(bob.client)).toHaveLength(1);

    // Someone joining later gets nothing of what was said before.
    const late = await join(roomId, 'Late');
    await pause(300);
    expect(chats(late.client)).toEqual([]);

    for (const c of [alice, bob, carol, elsewhere, late]) c.client.close();
    notJoined.close();
  });

  it('sends nothing to a guest waiting in the lobby', async () => {
    const created = await fetch(`${app.url}/api/rooms`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Cookie: adminCookie },
      body: JSON.stringify({ name: 'Lobby chat', lobby: true }),
    });
    expect(created.status).toBe(201);
    const roomId = ((await created.json()) as { id: string }).id;
    const host = await TestClient.connect(await app.ticketUrl(roomId, undefined, adminCookie));
    expect(await host.request('join', { roomId, displayName: 'Host' })).toMatchObject({ status: 'joined', role: 'host' });
    const guestTicket = await app.ticketUrl(roomId);
    const guest = await TestClient.connect(guestTicket);
    expect(await guest.request('join', { roomId, displayName: 'Guest' })).toEqual({ status: 'waiting' });
    await host.waitForNotification('lobbyEntered', (w) => w.displayName === 'Guest');

    // Waiting is not being a member: it cannot chat, and hears nothing.
    expect(await guest.call('chatSend', { message: await seal('let me in') })).toMatchObject({
      ok: false,
      error: { code: ErrorCode.NotJoined },
    });
    await host.request('chatSend', { message: await seal('only for members') });
    await pause(300);
    expect(chats(guest)).toEqual([]);
    host.close();
    guest.close();
  });
});

describe('chat limits', () => {
  it(`allows a burst of ${CHAT_RATE_BURST}, then answers chat_rate_limited and keeps the connection`, async () => {
    const roomId = newRoom();
    const sender = await join(roomId, 'Chatty');
    const reader = await join(roomId, 'Reader');
    const message = await seal('again');
    const answers = await Promise.all(Array.from({ length: CHAT_RATE_BURST + 2 }, () => sender.client.call('chatSend', { message })));
    expect(answers.filter((a) => a.ok)).toHaveLength(CHAT_RATE_BURST);
    for (const refused of answers.slice(CHAT_RATE_BURST)) {
      expect(refused).toMatchObject({ ok: false, error: { code: ErrorCode.ChatRateLimited } });
    }
    await reader.client.waitFor(() => chats(reader.client).length === CHAT_RATE_BURST, 5000, 'the burst');
    // The connection carries on: other requests work, and chat again after a second.
    expect(sender.client.closeCode).toBeNull();
    expect(await sender.client.call('reportStatus', { e2ee: 'encrypted' })).toMatchObject({ ok: true });
    await pause(1100);
    expect(await sender.client.call('chatSend', { message })).toMatchObject({ ok: true });
    await reader.client.waitFor(() => chats(reader.client).length === CHAT_RATE_BURST + 1, 5000, 'the next message');
    // Each connection has its own allowance.
    expect(await reader.client.call('chatSend', { message })).toMatchObject({ ok: true });
    sender.client.close();
    reader.client.close();
  });

  it('refuses oversized and malformed messages, relays none of them, and does not echo them', async () => {
    const roomId = newRoom();
    const sender = await join(roomId, 'Mallory');
    const reader = await join(roomId, 'Reader');
    const refused: Array<[Record<string, unknown>, string]> = [
      [{ message: 'A'.repeat(MAX_CHAT_SEALED_CHARS + 1) }, ErrorCode.BadMessage],
      [{ message: '' }, ErrorCode.BadMessage],
      [{ message: 'plain text, not ciphertext' }, ErrorCode.BadMessage],
      [{ message: '<img src=x onerror=alert(1)>' }, ErrorCode.BadMessage],
      [{ message: 12345 }, ErrorCode.BadMessage],
      [{ message: await seal('x'), text: 'a plaintext copy' }, ErrorCode.BadMessage],
      [{}, ErrorCode.BadMessage],
    ];
    for (const [data, code] of refused) {
      const r = await sender.client.call('chatSend', data);
      expect(r, JSON.stringify(data).slice(0, 80)).toMatchObject({ ok: false, error: { code } });
      if (!r.ok) expect(r.error.message).not.toMatch(/plain|img|copy|AAAA/);
    }
    // Over the frame limit: refused before parsing.
    sender.client.sendRaw(
      JSON.stringify({ type: 'request', id: 999, method: 'chatSend', data: { message: 'A'.repeat(MAX_MESSAGE_BYTES) } }),
    );
    await sender.client.waitFor(() => sender.client.notifications.some((n) => n.method === 'protocolError'), 5000, 'too_large');
    expect(sender.client.notifications.find((n) => n.method === 'protocolError')?.data).toMatchObject({ code: ErrorCode.TooLarge });
    // Still fine afterwards, and the largest allowed message goes through.
    const largest = 'A'.repeat(MAX_CHAT_SEALED_CHARS);
    expect(await sender.client.call('chatSend', { message: largest })).toMatchObject({ ok: true });
    await reader.client.waitForNotification('chatMessage');
    await pause(300);
    expect(chats(reader.client).map((m) => m.message)).toEqual([largest]);
    sender.client.close();
    reader.client.close();
  });
});

describe('what the server keeps', () => {
  it('writes neither the plaintext nor the ciphertext of a message to its log or data directory', async () => {
    const marker = `chat-marker-${randomBytes(12).toString('hex')}`;
    const roomId = newRoom();
    const a = await join(roomId, 'Ada');
    const b = await join(roomId, 'Grace');
    const message = await seal(marker);
    await a.client.request('chatSend', { message });
    expect((await b.client.waitForNotification('chatMessage')).message).toBe(message);
    // A refused one too (the error path must not log it either).
    await a.client.call('chatSend', { message: `${message}!` });
    a.client.close();
    b.client.close();
    await pause(500);

    expect(logLines.length).toBeGreaterThan(0); // the log is really being captured
    expect(logLines.join('\n')).toContain('peer joined');
    const log = logLines.join('\n');
    // Any 24-character slice of the ciphertext would do to recognise it.
    const needles = [marker, message.slice(0, 24), message.slice(-24)];
    for (const needle of needles) expect(log).not.toContain(needle);

    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const p = path.join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else files.push(p);
      }
    };
    walk(dataDir);
    expect(files.some((f) => f.endsWith('conclave.db'))).toBe(true);
    for (const file of files) {
      const bytes = readFileSync(file);
      for (const needle of needles) {
        expect(bytes.includes(Buffer.from(needle)), `${needle} in ${file}`).toBe(false);
        expect(bytes.includes(Buffer.from(needle, 'utf16le')), `${needle} (UTF-16) in ${file}`).toBe(false);
      }
    }
  });
});
