import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AccessError } from '../api/room-access.js';
import { FakeEncryption, joinAnswer, peer, roomSignaling } from '../test-support/fake-room.js';
import type { FakeSignaling } from '../test-support/fake-signaling.js';
import { join, started, world } from '../test-support/meeting-world.js';

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
    w.next = () =>
      roomSignaling(joinAnswer({ peers: [peer('p1', 'Linus', [{ producerId: 'pr1', kind: 'video', source: 'camera', paused: false }])] }));
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

  it('uses the passphrase as the meeting secret when the link carries no key, and gives the room password for the ticket', async () => {
    const createEncryption = vi.fn(() => new FakeEncryption());
    const w = world({ readLinkKey: () => Promise.resolve({ kind: 'none' }), createEncryption });
    await started(w);
    expect(await join(w, { passphrase: 'correct horse', roomPassword: 'door' })).toBe(true);
    expect(createEncryption).toHaveBeenCalledWith('standup', { kind: 'passphrase', passphrase: 'correct horse' }, expect.any(Function));
    expect(w.tickets[0]).toEqual({ password: 'door', rejoinPass: null });
    expect(w.meeting.store.getSnapshot().secret).toEqual({ kind: 'passphrase', passphrase: 'correct horse' });
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

  it('a browser whose encryption cannot start gets the words on the join screen, not a join that hangs', async () => {
    const w = world({
      createEncryption: () => {
        throw new Error('This browser cannot encrypt video frames end to end.');
      },
    });
    await started(w);
    expect(await join(w)).toBe(false);
    expect(w.meeting.store.getSnapshot()).toMatchObject({
      screen: 'join',
      joining: false,
      joinError: 'This browser cannot encrypt video frames end to end.',
    });
    expect(w.connections).toHaveLength(0);
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

/** A promise the test settles by hand, to see what happens while it is pending. */
function deferred() {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('Meeting: the encryption group on removal and leave', () => {
  async function hostInCall() {
    const w = world();
    w.next = () => roomSignaling(joinAnswer({ role: 'host', peers: [peer('p1', 'Linus')] }));
    await started(w);
    expect(await join(w)).toBe(true);
    return { w, s: w.connections[0]!, e2ee: w.encryption[0]! };
  }

  it("a host's removal commits the member's Remove first, and asks the server to disconnect them only once it is in", async () => {
    const { w, s, e2ee } = await hostInCall();
    const commit = deferred();
    const removeMember = vi.spyOn(e2ee, 'removeMember').mockReturnValue(commit.promise);
    const removing = w.meeting.host('removePeer', { peerId: 'p1' });
    await vi.waitFor(() => expect(removeMember).toHaveBeenCalledWith('p1'));
    // The Remove is not committed yet: the server has heard nothing.
    await Promise.resolve();
    expect(s.sent('removePeer')).toEqual([]);
    commit.resolve();
    await removing;
    expect(s.sent('removePeer')).toEqual([{ peerId: 'p1' }]);
    expect(removeMember).toHaveBeenCalledTimes(1);
    expect(w.meeting.store.getSnapshot().call.notice).toBeNull();
  });

  it('a removal whose Remove cannot be committed is not sent to the server, and the host is told', async () => {
    const { w, s, e2ee } = await hostInCall();
    const removeMember = vi.spyOn(e2ee, 'removeMember').mockRejectedValue(new Error('could not commit the removal: the group kept moving'));
    await w.meeting.host('removePeer', { peerId: 'p1' });
    expect(s.sent('removePeer')).toEqual([]);
    expect(w.meeting.store.getSnapshot().call.notice?.text).toBe('could not commit the removal: the group kept moving');
    // Other host actions do not go through the group.
    await w.meeting.host('lockRoom', { locked: true });
    expect(s.sent('lockRoom')).toEqual([{ locked: true }]);
    expect(removeMember).toHaveBeenCalledTimes(1);
  });

  it('leaving sends the signed leave notice to the group before telling the server', async () => {
    const { w, s, e2ee } = await hostInCall();
    const notice = deferred();
    const announceLeave = vi.spyOn(e2ee, 'announceLeave').mockReturnValue(notice.promise);
    const leaving = w.meeting.leave();
    await vi.waitFor(() => expect(announceLeave).toHaveBeenCalledTimes(1));
    await Promise.resolve();
    expect(s.sent('leave')).toEqual([]);
    notice.resolve();
    await leaving;
    expect(s.sent('leave')).toEqual([{}]);
    expect(w.meeting.store.getSnapshot().screen).toBe('ended');
  });

  it('leaves even when the leave notice cannot be sent', async () => {
    const { w, s, e2ee } = await hostInCall();
    const announceLeave = vi.spyOn(e2ee, 'announceLeave').mockRejectedValue(new Error('not in the group'));
    await w.meeting.leave();
    expect(announceLeave).toHaveBeenCalledTimes(1);
    expect(s.sent('leave')).toEqual([{}]);
    expect(w.meeting.store.getSnapshot().screen).toBe('ended');
  });
});
