import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CloseCode } from '@conclave/protocol';
import { roomSignaling } from '../test-support/fake-room.js';
import { join, started, world } from '../test-support/meeting-world.js';

beforeEach(() => {
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('Meeting: losing the connection', () => {
  it('rejoins with a fresh ticket and the last pass, and every part gets the new connection', async () => {
    vi.useFakeTimers();
    const w = world();
    await started(w);
    await join(w);
    const first = w.connections[0]!;
    first.drop(1006);
    expect(w.meeting.store.getSnapshot().call).toMatchObject({
      phase: 'reconnecting',
      error: 'The connection to the meeting server was lost.',
    });
    await vi.advanceTimersByTimeAsync(1000);
    expect(w.connections).toHaveLength(2);
    const second = w.connections[1]!;
    expect(w.tickets[1]).toEqual({ password: undefined, rejoinPass: 'pass-1' });
    expect(w.meeting.store.getSnapshot().call).toMatchObject({
      phase: 'in-call',
      reconnecting: null,
      error: null,
      notice: { text: 'Reconnected' },
    });
    // The same tracks go out again on new transports; the old ones are closed; nobody listens to the old socket.
    expect(second.sent('produce').map((p) => p.source)).toEqual(['mic', 'camera']);
    expect(w.devices[0]!.transports.every((t) => t.closed)).toBe(true);
    expect(w.mic.readyState).toBe('live');
    expect(w.encryption[0]!.attached.map((a) => a.signaling)).toEqual([first, second]);
    expect(first.listening('chatMessage') + first.listening('peerJoined')).toBe(0);
    expect(second.listening('chatMessage')).toBe(1);
    expect(w.meeting.recovery()).toMatchObject({ rejoins: 1, peerId: 'self' });
  });

  it('keeps trying while the server is down, at once when the browser is back online', async () => {
    vi.useFakeTimers();
    const w = world();
    await started(w);
    await join(w);
    w.failConnects = 3;
    w.connections[0]!.drop(CloseCode.AccountChanged);
    expect(w.meeting.store.getSnapshot().call.error).toMatch(/Your account changed/);
    await vi.advanceTimersByTimeAsync(2000);
    expect(w.tickets.length).toBeGreaterThanOrEqual(3);
    expect(w.meeting.store.getSnapshot().call.reconnecting).toMatchObject({ cause: 'server' });
    const before = w.tickets.length;
    w.failConnects = 0;
    for (const wake of w.online) wake();
    await vi.advanceTimersByTimeAsync(0);
    expect(w.tickets.length).toBe(before + 1);
    expect(w.meeting.store.getSnapshot().call.phase).toBe('in-call');
  });

  it('ends the call with the server’s words when a rejoin is refused for good', async () => {
    vi.useFakeTimers();
    const w = world();
    await started(w);
    await join(w);
    w.next = () => roomSignaling().refuse('join', 'room_locked', 'The meeting is locked.');
    w.connections[0]!.notify('roomClosed', { reason: 'server-restart', rejoin: true });
    expect(w.meeting.store.getSnapshot().call.error).toBe('The meeting server is restarting.');
    await vi.advanceTimersByTimeAsync(1000);
    const snap = w.meeting.store.getSnapshot();
    expect(snap.screen).toBe('ended');
    expect(snap.call.error).toBe('The meeting server is restarting. The meeting is locked.');
    expect(w.mic.readyState).toBe('ended');
    expect(w.encryption[0]!.disposed).toBe(1);
  });

  it('repairs a broken media path by restarting ICE, with the banner up meanwhile, without rejoining', async () => {
    vi.useFakeTimers();
    const w = world();
    await started(w);
    await join(w);
    const send = w.devices[0]!.transport('send');
    send.setState('connected');
    send.setState('failed');
    await vi.advanceTimersByTimeAsync(0);
    expect(w.meeting.store.getSnapshot().call.reconnecting).toEqual({ cause: 'media', attempt: 0, nextAttemptAt: null });
    expect(w.connections[0]!.sent('restartIce')).toEqual([{ transportId: send.id }]);
    expect(send.iceRestarts).toEqual([{ usernameFragment: 'new' }]);
    send.setState('connected');
    expect(w.meeting.store.getSnapshot().call.reconnecting).toBeNull();
    expect(w.meeting.recovery()).toMatchObject({ rejoins: 0, iceRestarts: 1 });
  });

  it('rebuilds its media on the same connection when the server’s media worker died, without rejoining or rekeying', async () => {
    vi.useFakeTimers();
    const w = world();
    await started(w);
    await join(w);
    const connection = w.connections[0]!;
    const before = connection.sent('createTransport').length;
    connection.notify('mediaReset', { reason: 'worker-restarted' });
    await vi.advanceTimersByTimeAsync(0);
    // New transports and producers on the same connection; the old transports are closed; no new ticket.
    expect(connection.sent('createTransport').length).toBe(before + 2);
    expect(connection.sent('produce').map((p) => p.source)).toEqual(['mic', 'camera', 'mic', 'camera']);
    expect(w.devices.flatMap((d) => d.transports).filter((t) => !t.closed)).toHaveLength(2);
    expect(w.tickets).toHaveLength(1);
    expect(w.encryption[0]!.attached).toHaveLength(1);
    expect(w.meeting.store.getSnapshot().call).toMatchObject({ phase: 'in-call', reconnecting: null });
    expect(w.meeting.recovery()).toMatchObject({ rejoins: 0, mediaResets: 1 });
  });

  it('rejoins when the media cannot be rebuilt after a reset', async () => {
    vi.useFakeTimers();
    const w = world();
    await started(w);
    await join(w);
    const connection = w.connections[0]!;
    connection.refuse('createTransport', 'unavailable', 'no media worker is available right now');
    connection.notify('mediaReset', { reason: 'worker-restarted' });
    await vi.advanceTimersByTimeAsync(1000);
    expect(w.connections).toHaveLength(2);
    expect(w.meeting.recovery()).toMatchObject({ rejoins: 1 });
  });

  it('a first join whose connection drops fails with the words and starts no rejoin of a call that never began', async () => {
    vi.useFakeTimers();
    const w = world();
    w.next = () => {
      const s = roomSignaling();
      s.answer('createTransport', () => {
        s.drop(1006);
        throw new Error('The connection to the meeting server was lost.');
      });
      return s;
    };
    await started(w);
    expect(await join(w)).toBe(false);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(w.tickets).toHaveLength(1);
    expect(w.meeting.store.getSnapshot().call).toMatchObject({ phase: 'idle', reconnecting: null });
    expect(w.meeting.store.getSnapshot()).toMatchObject({ screen: 'join', joinError: 'The connection to the meeting server was lost.' });
  });

  it('a rejoin that lands in a lobby whose host says no ends the call with who said it', async () => {
    vi.useFakeTimers();
    const w = world();
    await started(w);
    await join(w);
    w.next = () => roomSignaling().answer('join', () => ({ status: 'waiting' }));
    w.connections[0]!.drop(1006);
    await vi.advanceTimersByTimeAsync(1000);
    expect(w.connections).toHaveLength(2);
    w.connections[1]!.notify('lobbyDecision', { admitted: false, by: 'Grace' });
    await vi.advanceTimersByTimeAsync(0);
    const snap = w.meeting.store.getSnapshot();
    expect(snap.screen).toBe('ended');
    expect(snap.call.error).toBe('The connection to the meeting server was lost. Grace did not let you in.');
  });
});
