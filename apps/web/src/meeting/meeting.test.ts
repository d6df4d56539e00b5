import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CloseCode, type PublicRoom } from '@conclave/protocol';
import { AccessError } from '../api/room-access.js';
import { FakeDevice, FakeTrack, FakeTrackSource, fakeStream } from '../test-support/fake-media.js';
import { FakeEncryption, joinAnswer, peer, roomSignaling } from '../test-support/fake-room.js';
import type { FakeSignaling } from '../test-support/fake-signaling.js';
import { Meeting, type MeetingDeps } from './meeting.js';

const ROOM: PublicRoom = { id: 'standup', name: 'Standup', hasPassword: false, lobby: false, locked: false };
const SECRET = new Uint8Array(32).fill(7);

interface World {
  meeting: Meeting;
  connections: FakeSignaling[];
  tickets: Array<{ password: string | undefined; rejoinPass: string | null }>;
  devices: FakeDevice[];
  encryption: FakeEncryption[];
  online: Set<() => void>;
  mic: FakeTrack;
  camera: FakeTrack;
  /** What the next connection answers (each is a new FakeSignaling). */
  next: () => FakeSignaling;
  /** Make connecting fail this many times (the server is down). */
  failConnects: number;
}

function world(overrides: Partial<MeetingDeps> = {}): World {
  const w = {
    connections: [],
    tickets: [],
    devices: [],
    encryption: [],
    online: new Set(),
    mic: new FakeTrack('audio'),
    camera: new FakeTrack('video'),
    next: () => roomSignaling(),
    failConnects: 0,
  } as unknown as World;
  w.meeting = new Meeting({
    roomId: 'standup',
    savedName: 'Ada',
    rememberName: () => undefined,
    fetchRoom: () => Promise.resolve(ROOM),
    readLinkKey: () => Promise.resolve({ kind: 'link', secret: SECRET }),
    deriveKey: () => Promise.resolve(SECRET),
    openSignaling: (_room, password, rejoinPass) => {
      w.tickets.push({ password, rejoinPass });
      if (w.failConnects > 0) {
        w.failConnects -= 1;
        return Promise.reject(new Error('Cannot reach the meeting server.'));
      }
      const s = w.next();
      w.connections.push(s);
      return Promise.resolve(s);
    },
    createDevice: () => {
      const d = new FakeDevice();
      w.devices.push(d);
      return d;
    },
    createEncryption: () => {
      const e = new FakeEncryption();
      w.encryption.push(e);
      return e;
    },
    tracks: new FakeTrackSource(),
    onOnline: (listener) => {
      w.online.add(listener);
      return () => w.online.delete(listener);
    },
    random: () => 0.5,
    ...overrides,
  });
  return w;
}

async function started(w: World): Promise<void> {
  w.meeting.start();
  await vi.waitFor(() => expect(w.meeting.store.getSnapshot().linkKey).not.toBeNull());
  await vi.waitFor(() => expect(w.meeting.store.getSnapshot().room).toEqual(ROOM));
}

function join(w: World, patch: Partial<Parameters<Meeting['join']>[0]> = {}): Promise<boolean> {
  return w.meeting.join({
    name: 'Ada',
    micOn: true,
    cameraOn: true,
    stream: fakeStream(w.mic, w.camera),
    passphrase: '',
    roomPassword: '',
    ...patch,
  });
}

const last = <T>(list: T[]): T => list[list.length - 1]!;

beforeEach(() => {
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('Meeting: joining', () => {
  it('shows "no such room" when the server does not know the room', async () => {
    const w = world({ fetchRoom: () => Promise.reject(new AccessError('not_found', 'There is no meeting at this address.')) });
    w.meeting.start();
    await vi.waitFor(() => expect(w.meeting.store.getSnapshot().screen).toBe('not-found'));
  });

  it('joins: one ticket, device loaded, media sent and received, then each part gets the connection', async () => {
    const w = world();
    w.next = () => roomSignaling(joinAnswer({ peers: [peer('p1', 'Linus', [{ producerId: 'pr1', kind: 'video', source: 'camera', paused: false }])] }));
    await started(w);
    expect(await join(w)).toBe(true);
    const snap = w.meeting.store.getSnapshot();
    expect(snap.screen).toBe('in-call');
    expect(snap.call).toMatchObject({ phase: 'in-call', selfId: 'self', roomName: 'Standup', micEnabled: true, cameraEnabled: true });
    expect(w.tickets).toEqual([{ password: undefined, rejoinPass: null }]);
    const s = w.connections[0]!;
    expect(s.sent('join')).toEqual([{ roomId: 'standup', displayName: 'Ada' }]);
    expect(s.sent('createTransport')).toEqual([{ direction: 'send' }, { direction: 'recv' }]);
    expect(s.sent('produce').map((p) => p.source)).toEqual(['mic', 'camera']);
    expect(s.sent('consume').map((c) => c.producerId)).toEqual(['pr1']);
    expect(s.sent('resumeConsumer')).toEqual([{ consumerId: 'c-pr1' }]);
    // E2EE got the connection and the answer, and saw every sender and receiver before media flowed.
    const e2ee = w.encryption[0]!;
    expect(e2ee.attached.map((a) => a.joined.peerId)).toEqual(['self']);
    expect(e2ee.senders).toEqual(['audio/mic', 'video/camera']);
    expect(e2ee.receivers).toEqual(['p1:video/camera']);
    // Chat listens on the connection.
    expect(s.listening('chatMessage')).toBe(1);
    expect(snap.call.participants.map((p) => [p.displayName, p.media.length])).toEqual([['Linus', 1]]);
  });

  it('stretches the passphrase when the link carries no key, and gives the room password for the ticket', async () => {
    const deriveKey = vi.fn(() => Promise.resolve(SECRET));
    const w = world({ readLinkKey: () => Promise.resolve({ kind: 'none' }), deriveKey });
    await started(w);
    expect(await join(w, { passphrase: 'correct horse', roomPassword: 'door' })).toBe(true);
    expect(deriveKey).toHaveBeenCalledWith('correct horse', 'standup');
    expect(w.tickets[0]).toEqual({ password: 'door', rejoinPass: null });
    expect(w.meeting.store.getSnapshot().secret).toBe(SECRET);
  });

  it('a refused join goes back to the join screen with the words, the preview tracks still live', async () => {
    const w = world();
    w.next = () => roomSignaling().refuse('join', 'room_full', 'The meeting is full.');
    await started(w);
    expect(await join(w)).toBe(false);
    const snap = w.meeting.store.getSnapshot();
    expect(snap).toMatchObject({ screen: 'join', joinError: 'The meeting is full.', joining: false });
    expect(w.mic.readyState).toBe('live');
    expect(w.meeting.current).toBeNull();
    expect(w.encryption[0]!.disposed).toBe(1);
    expect(w.connections[0]!.isOpen).toBe(false);
  });

  it('leaves the camera behind when the person joins with it off', async () => {
    const w = world();
    await started(w);
    expect(await join(w, { cameraOn: false, micOn: false })).toBe(true);
    expect(w.camera.readyState).toBe('ended');
    expect(w.connections[0]!.sent('produce').map((p) => p.source)).toEqual(['mic']);
    expect(w.connections[0]!.sent('pauseProducer')).toHaveLength(1);
    expect(w.meeting.store.getSnapshot().call).toMatchObject({ micEnabled: false, cameraEnabled: false });
  });
});

describe('Meeting: the lobby', () => {
  function lobbyRoom(): FakeSignaling {
    let asked = 0;
    return roomSignaling().answer('join', () => (++asked === 1 ? { status: 'waiting' } : joinAnswer()));
  }

  it('waits until a host admits, then joins', async () => {
    const w = world();
    w.next = lobbyRoom;
    await started(w);
    const joining = join(w);
    await vi.waitFor(() => expect(w.meeting.store.getSnapshot().screen).toBe('waiting'));
    w.connections[0]!.notify('lobbyDecision', { admitted: true, by: 'Grace' });
    expect(await joining).toBe(true);
    expect(w.meeting.store.getSnapshot().screen).toBe('in-call');
  });

  it('says who turned the guest away', async () => {
    const w = world();
    w.next = lobbyRoom;
    await started(w);
    const joining = join(w);
    await vi.waitFor(() => expect(w.meeting.store.getSnapshot().screen).toBe('waiting'));
    w.connections[0]!.notify('lobbyDecision', { admitted: false, by: 'Grace' });
    expect(await joining).toBe(false);
    expect(w.meeting.store.getSnapshot()).toMatchObject({ screen: 'join', joinError: 'Grace did not let you in.' });
  });

  it('cancelling goes back to the join screen without an error, and the preview keeps its tracks', async () => {
    const w = world();
    w.next = lobbyRoom;
    await started(w);
    const joining = join(w);
    await vi.waitFor(() => expect(w.meeting.store.getSnapshot().screen).toBe('waiting'));
    w.meeting.cancelWaiting();
    expect(await joining).toBe(false);
    expect(w.meeting.store.getSnapshot()).toMatchObject({ screen: 'join', joinError: null });
    expect(w.connections[0]!.sent('leave')).toHaveLength(1);
    expect(w.mic.readyState).toBe('live');
  });
});

describe('Meeting: losing the connection', () => {
  it('rejoins with a fresh ticket and the last pass, and every part gets the new connection', async () => {
    vi.useFakeTimers();
    const w = world();
    await started(w);
    await join(w);
    const first = w.connections[0]!;
    first.drop(1006);
    expect(w.meeting.store.getSnapshot().call).toMatchObject({ phase: 'reconnecting', error: 'The connection to the meeting server was lost.' });
    await vi.advanceTimersByTimeAsync(1000);
    expect(w.connections).toHaveLength(2);
    const second = w.connections[1]!;
    expect(w.tickets[1]).toEqual({ password: undefined, rejoinPass: 'pass-1' });
    expect(w.meeting.store.getSnapshot().call).toMatchObject({ phase: 'in-call', reconnecting: null, error: null, notice: { text: 'Reconnected' } });
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
});

describe('Meeting: the end of the call', () => {
  it('leaving tells the room (and that the recording stopped), then tears everything down once', async () => {
    const w = world();
    await started(w);
    await join(w);
    await w.meeting.setRecording(true);
    const s = w.connections[0]!;
    await w.meeting.leave();
    expect(s.requests.map((r) => r.method).slice(-2)).toEqual(['setRecording', 'leave']);
    expect(s.sent('setRecording')).toEqual([{ recording: true }, { recording: false }]);
    const snap = w.meeting.store.getSnapshot();
    expect(snap).toMatchObject({ screen: 'ended' });
    expect(snap.call).toMatchObject({ phase: 'ended', error: null, participants: [], localVideoTrack: null });
    expect([w.mic.readyState, w.camera.readyState]).toEqual(['ended', 'ended']);
    expect(s.isOpen).toBe(false);
    expect(w.encryption[0]!.disposed).toBe(1);
    await w.meeting.leave();
    expect(s.sent('leave')).toHaveLength(1);
  });

  it('a host ending the meeting ends it with their name, and Rejoin goes back to the join screen', async () => {
    const w = world();
    await started(w);
    await join(w);
    w.connections[0]!.notify('roomClosed', { reason: 'ended-by-host', rejoin: false, by: 'Grace' });
    expect(w.meeting.store.getSnapshot()).toMatchObject({ screen: 'ended', call: { error: 'Grace ended the meeting.' } });
    w.meeting.backToJoin();
    expect(w.meeting.store.getSnapshot()).toMatchObject({ screen: 'join', call: { phase: 'idle' } });
    expect(w.meeting.current).toBeNull();
  });

  it('host events reach the call: lobby, lock, a mute of this participant', async () => {
    const w = world();
    await started(w);
    await join(w);
    const s = w.connections[0]!;
    s.notify('lobbyEntered', { requestId: 'r1', displayName: 'Eve' });
    s.notify('lobbyEntered', { requestId: 'r1', displayName: 'Eve' });
    s.notify('roomUpdated', { locked: true });
    expect(w.meeting.store.getSnapshot().call).toMatchObject({ lobby: [{ requestId: 'r1', displayName: 'Eve' }], locked: true });
    s.notify('youWereMuted', { by: 'Grace' });
    await vi.waitFor(() => expect(w.meeting.store.getSnapshot().call.micEnabled).toBe(false));
    expect(w.meeting.store.getSnapshot().call.notice?.text).toBe('Grace turned your microphone off');
    expect(w.mic.enabled).toBe(false);
    s.refuse('lockRoom', 'forbidden', 'Only hosts can do that.');
    await w.meeting.host('lockRoom', { locked: false });
    expect(w.meeting.store.getSnapshot().call.notice?.text).toBe('Only hosts can do that.');
  });

  it('starting a recording needs the room to hear it', async () => {
    const w = world();
    await started(w);
    await expect(w.meeting.setRecording(true)).rejects.toThrow(/Not connected/);
    await join(w);
    w.connections[0]!.refuse('setRecording', 'recording_rate_limited', 'Too many recording changes.');
    await expect(w.meeting.setRecording(true)).rejects.toThrow('Too many recording changes.');
    expect(w.meeting.store.getSnapshot().call.recording).toBe(false);
  });
});
