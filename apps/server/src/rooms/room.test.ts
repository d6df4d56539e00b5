/** Room bookkeeping on its own, with no media workers: sender indexes, fan-out, emptiness. */
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { ServerMessage } from '@conclave/protocol';
import { Peer } from './peer.js';
import { Room } from './room.js';
import { RoomMedia } from './room-media.js';

function makeRoom() {
  const logger = pino({ level: 'silent' });
  const media = new RoomMedia('r1', {
    pool: { slots: [], waitForWorker: () => Promise.resolve(null) },
    policy: { spread: 'fill', softLimit: 65 },
    logger,
  });
  return { room: new Room('r1', media, logger), media };
}

function makePeer(room: Room, name: string) {
  const inbox: ServerMessage[] = [];
  const peer = new Peer({
    id: `id-${name}`,
    displayName: name,
    senderIndex: room.nextSenderIndex(),
    role: 'guest',
    send: (m) => inbox.push(m),
  });
  room.addPeer(peer);
  return { peer, inbox };
}

describe('Room', () => {
  it('hands out the smallest free sender index and reuses freed ones', () => {
    const { room } = makeRoom();
    const a = makePeer(room, 'a');
    const b = makePeer(room, 'b');
    const c = makePeer(room, 'c');
    expect([a.peer.senderIndex, b.peer.senderIndex, c.peer.senderIndex]).toEqual([0, 1, 2]);
    room.removePeer(b.peer.id);
    expect(makePeer(room, 'd').peer.senderIndex).toBe(1);
  });

  it('tells existing peers of a join and a leave, but not the peer itself', () => {
    const { room } = makeRoom();
    const a = makePeer(room, 'a');
    const b = makePeer(room, 'b');
    expect(a.inbox.map((m) => m.type === 'notification' && m.method)).toEqual(['peerJoined']);
    expect(b.inbox).toEqual([]);
    room.removePeer(a.peer.id);
    expect(b.inbox.map((m) => m.type === 'notification' && m.method)).toEqual(['peerLeft']);
    expect(a.peer.isClosed).toBe(true);
  });

  it('emits empty when the last peer leaves, and close releases its media', async () => {
    const { room, media } = makeRoom();
    let empty = false;
    room.once('empty', () => (empty = true));
    const a = makePeer(room, 'a');
    room.removePeer(a.peer.id);
    expect(empty).toBe(true);
    room.close();
    // Closed media places nobody (and with no worker at all, a placement is refused rather than hanging).
    await expect(media.place()).rejects.toThrow(/no media worker/);
  });

  it('tells every peer why the room closed', () => {
    const { room } = makeRoom();
    const a = makePeer(room, 'a');
    room.close({ reason: 'media-restarted', rejoin: true });
    expect(a.inbox.at(-1)).toEqual({ type: 'notification', method: 'roomClosed', data: { reason: 'media-restarted', rejoin: true } });
    expect(room.peers.size).toBe(0);
  });
});
