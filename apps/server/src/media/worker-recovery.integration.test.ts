/**
 * A mediasoup worker that dies is replaced on the same port. The peers whose
 * media was on it stay in their meeting (same peer id, sender index and
 * keys: no E2EE rekey) and are told to rebuild their media (mediaReset);
 * their new transports land on a live worker, waiting for the replacement if
 * it was the only one.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp } from '../test-support/test-app.js';
import { TestClient } from '../test-support/ws-client.js';
import { localSlot } from '../test-support/local-media.js';

let app: Awaited<ReturnType<typeof startTestApp>>;
beforeAll(async () => {
  app = await startTestApp({ workers: 1 });
});
afterAll(async () => {
  await app?.close();
});

it('replaces a dead worker; its peers stay in the meeting and rebuild their media on the new one', async () => {
  const roomId = `recovery-${process.pid}`;
  const a = await TestClient.connect(await app.ticketUrl(roomId));
  const b = await TestClient.connect(await app.ticketUrl(roomId));
  const joinedA = await a.request('join', { roomId, displayName: 'A' });
  const joinedB = await b.request('join', { roomId, displayName: 'B' });
  if (joinedA.status !== 'joined' || joinedB.status !== 'joined') throw new Error('expected to join');
  await b.request('createTransport', { direction: 'recv' });
  const room = app.registry.get(roomId)!;

  const slot = app.pool.slots[0]!;
  const oldPid = slot.worker!.pid;
  process.kill(oldPid, 'SIGKILL');

  for (const c of [a, b]) expect(await c.waitForNotification('mediaReset')).toEqual({ reason: 'worker-restarted' });
  // Still the same meeting: nobody left, nobody was asked to rejoin.
  expect(app.registry.get(roomId)).toBe(room);
  expect([...room.peers.values()].map((p) => [p.displayName, p.id, p.senderIndex])).toEqual([
    ['A', joinedA.peerId, joinedA.senderIndex],
    ['B', joinedB.peerId, joinedB.senderIndex],
  ]);
  expect(room.peers.get(joinedB.peerId)!.transports.size).toBe(0);
  for (const c of [a, b]) {
    expect(c.notifications.some((n) => n.method === 'roomClosed' || n.method === 'peerLeft')).toBe(false);
  }

  await a.waitFor(() => app.pool.ready, 10_000, 'worker replaced');
  expect(slot.worker!.pid).not.toBe(oldPid);
  expect((await fetch(`${app.url}/healthz`)).status).toBe(200);

  // On the same connections, media is made again on the new worker.
  await b.request('createTransport', { direction: 'recv' });
  await a.request('createTransport', { direction: 'send' });
  expect(localSlot(room.peers.get(joinedB.peerId)!.home).worker!.pid).toBe(slot.worker!.pid);
  for (const c of [a, b]) c.close();
});

it('a transport asked for while the dead worker is being replaced waits for the new one instead of failing', async () => {
  const roomId = `recovery-early-${process.pid}`;
  const a = await TestClient.connect(await app.ticketUrl(roomId));
  await a.request('join', { roomId, displayName: 'A' });
  await a.waitFor(() => app.pool.ready, 10_000, 'worker up');

  process.kill(app.pool.slots[0]!.worker!.pid, 'SIGKILL');
  expect(await a.waitForNotification('mediaReset')).toEqual({ reason: 'worker-restarted' });
  // Straight back, as a client does: the replacement worker is not up yet.
  const creating = a.request('createTransport', { direction: 'recv' });
  expect(app.pool.ready).toBe(false);
  await creating;
  expect(app.pool.ready).toBe(true);
  // A newcomer joins the same meeting meanwhile, on the new worker.
  const late = await TestClient.connect(await app.ticketUrl(roomId));
  const joined = await late.request('join', { roomId, displayName: 'Late' });
  if (joined.status !== 'joined') throw new Error('expected to join');
  expect(joined.peers.map((p) => p.displayName)).toEqual(['A']);
  for (const c of [a, late]) c.close();
});
