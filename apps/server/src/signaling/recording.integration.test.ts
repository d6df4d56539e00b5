/**
 * Local recording through the real server: when a member starts or stops
 * recording, every other member of its room is told (not the recorder, not
 * another room), someone joining later sees it in the roster, the audit log
 * keeps who recorded which meeting, saying the same thing twice changes
 * nothing, and switching on and off too often is refused without cutting the
 * connection.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, RECORDING_RATE_BURST } from '@conclave/protocol';
import { startTestApp, type TestApp } from '../test-support/test-app.js';
import { TestClient } from '../test-support/ws-client.js';

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ dataDir: mkdtempSync(path.join(os.tmpdir(), 'conclave-recording-')) });
}, 60_000);

afterAll(async () => {
  await app?.close();
});

let roomSeq = 0;
const newRoom = () => `rec-${process.pid}-${++roomSeq}`;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const recordingNotices = (c: TestClient) => c.notifications.filter((n) => n.method === 'peerRecording').map((n) => n.data);
const auditFor = async (roomId: string) => (await app.store.audit.list(1000)).filter((e) => e.target === roomId).reverse();

async function join(roomId: string, displayName: string) {
  const client = await TestClient.connect(await app.ticketUrl(roomId));
  const r = await client.request('join', { roomId, displayName });
  if (r.status !== 'joined') throw new Error('expected to join');
  return { client, peerId: r.peerId, peers: r.peers };
}

describe('recording announcements', () => {
  it('tells every other member, shows it to later joiners, and audits start and stop', async () => {
    const roomId = newRoom();
    const ada = await join(roomId, 'Ada');
    const grace = await join(roomId, 'Grace');
    const linus = await join(roomId, 'Linus');
    const elsewhere = await join(newRoom(), 'Dave');
    expect(grace.peers.find((p) => p.peerId === ada.peerId)?.recording).toBe(false);

    expect(await ada.client.request('setRecording', { recording: true })).toEqual({});
    for (const member of [grace, linus]) {
      expect(await member.client.waitForNotification('peerRecording')).toEqual({ peerId: ada.peerId, recording: true });
    }
    await pause(300);
    expect(recordingNotices(ada.client)).toEqual([]); // the recorder knows already
    expect(recordingNotices(elsewhere.client)).toEqual([]);

    // Someone joining now sees who is recording; the others see the newcomer is not.
    const late = await join(roomId, 'Late');
    expect(late.peers.find((p) => p.peerId === ada.peerId)?.recording).toBe(true);
    expect(late.peers.find((p) => p.peerId === grace.peerId)?.recording).toBe(false);
    const joined = await ada.client.waitForNotification('peerJoined', (p) => p.peerId === late.peerId);
    expect(joined.recording).toBe(false);

    // Saying it again (as a client does after reconnecting) tells nobody and audits nothing.
    expect(await ada.client.request('setRecording', { recording: true })).toEqual({});
    await pause(300);
    expect(recordingNotices(grace.client)).toHaveLength(1);
    expect(recordingNotices(late.client)).toEqual([]);

    await ada.client.request('setRecording', { recording: false });
    for (const member of [grace, linus, late]) {
      await member.client.waitForNotification('peerRecording', (n) => n.peerId === ada.peerId && !n.recording);
    }
    const later = await join(roomId, 'Later');
    expect(later.peers.find((p) => p.peerId === ada.peerId)?.recording).toBe(false);

    expect((await auditFor(roomId)).map((e) => [e.action, e.actor])).toEqual([
      ['recording.start', 'Ada (guest)'],
      ['recording.stop', 'Ada (guest)'],
    ]);
    expect((await auditFor(roomId))[0]!.ip).toBeTruthy();

    for (const c of [ada, grace, linus, elsewhere, late, later]) c.client.close();
  });

  it('is refused before joining, after leaving, and for malformed requests', async () => {
    const roomId = newRoom();
    const member = await join(roomId, 'Member');
    const notJoined = await TestClient.connect(await app.ticketUrl(roomId));
    expect(await notJoined.call('setRecording', { recording: true })).toMatchObject({ ok: false, error: { code: ErrorCode.NotJoined } });

    const mallory = await join(roomId, 'Mallory');
    for (const data of [{}, { recording: 'yes' }, { recording: 1 }, { recording: true, peerId: member.peerId }]) {
      expect(await mallory.client.call('setRecording', data), JSON.stringify(data)).toMatchObject({
        ok: false,
        error: { code: ErrorCode.BadMessage },
      });
    }
    await mallory.client.request('leave', {});
    expect(await mallory.client.call('setRecording', { recording: true })).toMatchObject({
      ok: false,
      error: { code: ErrorCode.NotJoined },
    });
    await pause(300);
    expect(recordingNotices(member.client)).toEqual([]);
    expect(await auditFor(roomId)).toEqual([]);
    for (const c of [member.client, mallory.client, notJoined]) c.close();
  });
});

describe('recording limits', () => {
  it(`allows ${RECORDING_RATE_BURST} changes at once, then answers recording_rate_limited and keeps the connection`, async () => {
    const roomId = newRoom();
    const flipper = await join(roomId, 'Flipper');
    const watcher = await join(roomId, 'Watcher');
    for (let i = 0; i < RECORDING_RATE_BURST; i += 1) {
      expect(await flipper.client.call('setRecording', { recording: i % 2 === 0 })).toMatchObject({ ok: true });
    }
    // The burst is spent (and an even burst ends "not recording"): the next change is refused and changes nothing.
    expect(await flipper.client.call('setRecording', { recording: true })).toMatchObject({
      ok: false,
      error: { code: ErrorCode.RecordingRateLimited },
    });
    await watcher.client.waitFor(() => recordingNotices(watcher.client).length === RECORDING_RATE_BURST, 5000, 'the burst');
    await pause(300);
    expect(recordingNotices(watcher.client)).toHaveLength(RECORDING_RATE_BURST);
    const late = await join(roomId, 'Late');
    expect(late.peers.find((p) => p.peerId === flipper.peerId)?.recording).toBe(RECORDING_RATE_BURST % 2 === 1);
    expect(await auditFor(roomId)).toHaveLength(RECORDING_RATE_BURST);
    // The connection carries on, and repeating the current state is never refused.
    expect(flipper.client.closeCode).toBeNull();
    expect(await flipper.client.call('setRecording', { recording: RECORDING_RATE_BURST % 2 === 1 })).toMatchObject({ ok: true });
    expect(await flipper.client.call('reportStatus', { e2ee: 'encrypted' })).toMatchObject({ ok: true });
    for (const c of [flipper, watcher, late]) c.client.close();
  });
});
