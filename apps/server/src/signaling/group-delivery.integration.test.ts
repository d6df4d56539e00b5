/**
 * The server as the MLS group's Delivery Service, with three real sockets in
 * one room: founding, join requests relayed, commits relayed in the order
 * accepted, Welcomes only to the peers added, two commits racing for one
 * epoch, a new founder when the group empties, and nothing kept once the
 * room is empty.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@conclave/protocol';
import { useTestApp } from '../test-support/test-app.js';
import { TestClient } from '../test-support/ws-client.js';

const suite = useTestApp('group');
const { newRoom, joined } = suite;

/** Everything the server sends `client` from now on, in arrival order, as method (notifications) or `response:<id>`. */
function arrivals(client: TestClient): string[] {
  const log: string[] = [];
  client.ws.on('message', (data) => {
    const m = JSON.parse((data as Buffer).toString()) as { type: string; method?: string; id?: number };
    log.push(m.type === 'notification' ? m.method! : `response:${m.id}`);
  });
  return log;
}

const groupNotifications = (client: TestClient, method: string) =>
  client.notifications.filter((n) => n.method === method).map((n) => n.data);

describe('the MLS Delivery Service', () => {
  it('founds, relays requests and commits in order, routes Welcomes, settles a race, refounds, and forgets', async () => {
    const roomId = newRoom();
    const a = await joined(roomId, 'A');
    const b = await joined(roomId, 'B');
    const c = await joined(roomId, 'C');
    const room = suite.app.registry.get(roomId)!;
    const [idA, idB, idC] = [a.info.peerId, b.info.peerId, c.info.peerId];
    const offerB = { keyPackage: 'a2V5LWI', pake: 'cHJvb2YtYg' };
    const offerC = { keyPackage: 'a2V5LWM', pake: 'cHJvb2YtYw' };

    // Founding: A is first, so A founds at epoch 0.
    expect(await a.client.request('groupJoin', { keyPackage: 'a2V5LWE', pake: 'cHJvb2YtYQ' })).toEqual({
      found: true,
      epoch: 0,
      waiting: [],
    });
    // B and C wait; each request goes to everyone in the group or waiting, and C is told B's is open.
    expect(await b.client.request('groupJoin', offerB)).toEqual({ found: false, epoch: 0, waiting: [] });
    expect(await c.client.request('groupJoin', offerC)).toEqual({ found: false, epoch: 0, waiting: [{ peerId: idB, ...offerB }] });
    await a.client.waitFor(() => groupNotifications(a.client, 'groupJoinRequest').length === 2, 2000, 'two requests at A');
    expect(groupNotifications(a.client, 'groupJoinRequest')).toEqual([
      { peerId: idB, ...offerB },
      { peerId: idC, ...offerC },
    ]);
    expect(await b.client.waitForNotification('groupJoinRequest')).toEqual({ peerId: idC, ...offerC });
    expect(room.group.snapshot()).toMatchObject({ epoch: 0, members: [idA], waiting: [idB, idC] });

    // A adds B: the commit goes to B and C, the Welcome to B only, after the commit.
    const logB = arrivals(b.client);
    expect(await a.client.request('groupCommit', { epoch: 0, commit: 'Y29tbWl0LTA', welcome: 'd2VsY29tZS1i', added: [idB] })).toEqual({
      epoch: 1,
    });
    expect(await b.client.waitForNotification('groupWelcome')).toEqual({ from: idA, epoch: 1, welcome: 'd2VsY29tZS1i' });
    expect(logB.filter((m) => m.startsWith('group'))).toEqual(['groupCommit', 'groupWelcome']);
    await c.client.waitForNotification('groupCommit', (d) => d.epoch === 0);

    // Two more commits, by A then B: C sees all three in the order the server accepted them.
    await a.client.request('groupCommit', { epoch: 1, commit: 'Y29tbWl0LTE' });
    await b.client.request('groupCommit', { epoch: 2, commit: 'Y29tbWl0LTI' });
    await c.client.waitFor(() => groupNotifications(c.client, 'groupCommit').length === 3, 2000, 'three commits at C');
    expect(groupNotifications(c.client, 'groupCommit')).toEqual([
      { from: idA, epoch: 0, commit: 'Y29tbWl0LTA' },
      { from: idA, epoch: 1, commit: 'Y29tbWl0LTE' },
      { from: idB, epoch: 2, commit: 'Y29tbWl0LTI' },
    ]);
    // Never echoed to the sender: A hears B's only.
    await a.client.waitForNotification('groupCommit', (d) => d.epoch === 2);
    expect(groupNotifications(a.client, 'groupCommit')).toEqual([{ from: idB, epoch: 2, commit: 'Y29tbWl0LTI' }]);
    // C got no Welcome: nobody added it.
    expect(groupNotifications(c.client, 'groupWelcome')).toEqual([]);

    // A and B commit on epoch 3 at once: one wins, the other is told the epoch now.
    const logA = arrivals(a.client);
    logB.length = 0;
    const [fromA, fromB] = await Promise.all([
      a.client.call('groupCommit', { epoch: 3, commit: 'cmFjZS1h' }),
      b.client.call('groupCommit', { epoch: 3, commit: 'cmFjZS1i' }),
    ]);
    expect([fromA.ok, fromB.ok].filter(Boolean)).toHaveLength(1);
    const [winner, loser, lost, loserLog, winnerId] = fromA.ok ? ([a, b, fromB, logB, idA] as const) : ([b, a, fromA, logA, idB] as const);
    expect(lost).toMatchObject({ ok: false, error: { code: ErrorCode.StaleEpoch, epoch: 4 } });
    if (!lost.ok) expect(lost.error.message).toMatch(/epoch 3.*epoch 4/);
    // The loser heard the winning commit before its refusal, and C heard the winner's only.
    expect(loserLog.filter((m) => m === 'groupCommit' || m.startsWith('response:'))).toEqual(['groupCommit', `response:${lost.id}`]);
    await c.client.waitForNotification('groupCommit', (d) => d.epoch === 3);
    await new Promise((r) => setTimeout(r, 100));
    expect(groupNotifications(c.client, 'groupCommit').filter((d) => (d as { epoch: number }).epoch === 3)).toEqual([
      { from: winnerId, epoch: 3, commit: winnerId === idA ? 'cmFjZS1h' : 'cmFjZS1i' },
    ]);
    // The loser processes the winner and tries again, on the epoch it was told.
    expect(await loser.client.request('groupCommit', { epoch: 4, commit: 'YWdhaW4' })).toEqual({ epoch: 5 });
    await winner.client.waitForNotification('groupCommit', (d) => d.epoch === 4);
    expect(room.group.snapshot()).toMatchObject({ epoch: 5, members: [idA, idB], waiting: [idC] });

    // A leaves, then B's socket drops: C, still waiting, founds the group anew at epoch 0.
    await a.client.request('leave', {});
    a.client.close();
    await c.client.waitForNotification('peerLeft', (d) => d.peerId === idA);
    expect(groupNotifications(c.client, 'groupFound')).toEqual([]);
    b.client.close();
    expect(await c.client.waitForNotification('groupFound')).toEqual({ waiting: [] });
    expect(room.group.snapshot()).toEqual({ epoch: 0, members: [idC], waiting: [], joined: [idC] });
    expect(await c.client.request('groupCommit', { epoch: 0, commit: 'YWxvbmU' })).toEqual({ epoch: 1 });

    // Everyone has gone: the room is closed and its group state with it.
    await c.client.request('leave', {});
    c.client.close();
    await c.client.waitFor(() => suite.app.registry.get(roomId) === undefined, 2000, 'the room to close');
    expect(room.isClosed).toBe(true);
    expect(room.group.snapshot()).toEqual({ epoch: 0, members: [], waiting: [], joined: [] });
  });

  it('refuses group requests from a connection that has not joined a room', async () => {
    const roomId = newRoom();
    const client = await TestClient.connect(await suite.app.ticketUrl(roomId));
    expect(await client.call('groupJoin', { keyPackage: 'QQ', pake: 'UA' })).toMatchObject({
      ok: false,
      error: { code: ErrorCode.NotJoined },
    });
    expect(await client.call('groupCommit', { epoch: 0, commit: 'Yw' })).toMatchObject({ ok: false, error: { code: ErrorCode.NotJoined } });
    client.close();
  });
});
