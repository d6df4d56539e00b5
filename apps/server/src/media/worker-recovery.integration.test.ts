/**
 * A mediasoup worker that dies is replaced on the same port, the peers of
 * its rooms are told they can rejoin, and rejoining works.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp } from '../test-support/test-app.js';
import { TestClient } from '../test-support/ws-client.js';

let app: Awaited<ReturnType<typeof startTestApp>>;
beforeAll(async () => {
  app = await startTestApp({ workers: 1 });
});
afterAll(async () => {
  await app?.close();
});

it('replaces a dead worker and lets its rooms rejoin', async () => {
  const roomId = `recovery-${process.pid}`;
  const a = await TestClient.connect(await app.ticketUrl(roomId));
  const b = await TestClient.connect(await app.ticketUrl(roomId));
  await a.request('join', { roomId, displayName: 'A' });
  await b.request('join', { roomId, displayName: 'B' });

  const slot = app.pool.slots[0]!;
  const oldPid = slot.worker!.pid;
  process.kill(oldPid, 'SIGKILL');

  for (const c of [a, b]) {
    expect(await c.waitForNotification('roomClosed')).toEqual({ reason: 'media-restarted', rejoin: true });
  }
  expect(app.registry.get(roomId)).toBeUndefined();

  await a.waitFor(() => app.pool.ready, 10_000, 'worker replaced');
  expect(slot.worker!.pid).not.toBe(oldPid);
  expect((await fetch(`${app.url}/healthz`)).status).toBe(200);

  // The old connections are still open; fresh ones rejoin the same room id.
  const a2 = await TestClient.connect(await app.ticketUrl(roomId));
  const b2 = await TestClient.connect(await app.ticketUrl(roomId));
  await a2.request('join', { roomId, displayName: 'A' });
  const rejoined = await b2.request('join', { roomId, displayName: 'B' });
  if (rejoined.status !== 'joined') throw new Error('expected to join');
  expect(rejoined.peers.map((p) => p.displayName)).toEqual(['A']);
  await b2.request('createTransport', { direction: 'recv' }); // media works on the new worker
  for (const c of [a, b, a2, b2]) c.close();
});

it('a join that arrives while the dead worker is being replaced waits for the new one instead of failing', async () => {
  const roomId = `recovery-early-${process.pid}`;
  const a = await TestClient.connect(await app.ticketUrl(roomId));
  await a.request('join', { roomId, displayName: 'A' });
  await a.waitFor(() => app.pool.ready, 10_000, 'worker up');

  process.kill(app.pool.slots[0]!.worker!.pid, 'SIGKILL');
  expect(await a.waitForNotification('roomClosed')).toEqual({ reason: 'media-restarted', rejoin: true });
  // Straight back, as a client does: the replacement worker is not up yet.
  const again = await TestClient.connect(await app.ticketUrl(roomId));
  const joining = again.request('join', { roomId, displayName: 'A' });
  expect(app.pool.ready).toBe(false);
  const rejoined = await joining;
  expect(rejoined.status).toBe('joined');
  expect(app.pool.ready).toBe(true);
  await again.request('createTransport', { direction: 'recv' });
  for (const c of [a, again]) c.close();
});
