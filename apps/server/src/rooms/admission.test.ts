import { describe, expect, it } from 'vitest';
import { admit, DEFAULT_MAX_PARTICIPANTS, type AdmissionRequest, type Entry, type RoomRules } from './admission.js';

const admin = { id: 1, role: 'admin' as const };
const owner = { id: 2, role: 'host' as const };
const otherHost = { id: 3, role: 'host' as const };

function room(rules: Partial<RoomRules> = {}): RoomRules {
  return { createdBy: owner.id, passwordHash: null, locked: false, lobby: false, maxParticipants: 10, ...rules };
}

function request(o: Partial<AdmissionRequest>): AdmissionRequest {
  return { roomId: 'r', room: room(), allowAnonymousRooms: false, applicant: { kind: 'ticket-request', user: null }, ...o };
}

function entered(o: Partial<AdmissionRequest>): Entry {
  const verdict = admit(request(o));
  if (!verdict.ok) throw new Error(`refused: ${verdict.refusal}`);
  return verdict;
}

/** `n` people in the meeting, with these ids. */
function present(...ids: string[]) {
  return new Set(ids);
}

describe('admit: not found and roles', () => {
  it('refuses a room nobody configured unless anonymous rooms are allowed', () => {
    expect(admit(request({ room: null }))).toEqual({ ok: false, refusal: 'not_found' });
    expect(entered({ room: null, allowAnonymousRooms: true }).role).toBe('guest');
  });

  it('makes the creator and every admin hosts, everyone else a guest, when asking for a ticket', () => {
    for (const [user, role] of [
      [owner, 'host'],
      [admin, 'host'],
      [otherHost, 'guest'],
      [null, 'guest'],
    ] as const) {
      expect(entered({ applicant: { kind: 'ticket-request', user } }).role).toBe(role);
    }
  });

  it('gives an anonymous room no hosts, admins included', () => {
    expect(entered({ room: null, allowAnonymousRooms: true, applicant: { kind: 'ticket-request', user: admin } }).role).toBe('guest');
    expect(entered({ room: null, allowAnonymousRooms: true, applicant: { kind: 'session', user: admin } }).role).toBe('guest');
  });

  it('keeps the role a ticket was issued with, for its own room only', () => {
    expect(entered({ applicant: { kind: 'ticket', roomId: 'r', role: 'host' } }).role).toBe('host');
    expect(entered({ applicant: { kind: 'ticket', roomId: 'r', role: 'guest' } }).role).toBe('guest');
    expect(admit(request({ applicant: { kind: 'ticket', roomId: 'elsewhere', role: 'host' } }))).toEqual({
      ok: false,
      refusal: 'wrong_room',
    });
  });

  it('lets a signed-in connection without a ticket join a configured room only as its host', () => {
    expect(entered({ applicant: { kind: 'session', user: owner } }).role).toBe('host');
    expect(entered({ applicant: { kind: 'session', user: admin } }).role).toBe('host');
    expect(admit(request({ applicant: { kind: 'session', user: otherHost } }))).toEqual({ ok: false, refusal: 'ticket_needed' });
  });

  it('says not found before anything about the applicant', () => {
    const wrong = { kind: 'ticket', roomId: 'elsewhere', role: 'guest' } as const;
    expect(admit(request({ room: null, applicant: wrong }))).toEqual({ ok: false, refusal: 'not_found' });
  });
});

describe('admit: lock, password and lobby', () => {
  it('keeps new guests out of a locked room, not hosts', () => {
    expect(admit(request({ room: room({ locked: true }) }))).toEqual({ ok: false, refusal: 'room_locked' });
    expect(entered({ room: room({ locked: true }), applicant: { kind: 'ticket-request', user: owner } }).role).toBe('host');
    expect(entered({ room: room({ locked: true }), applicant: { kind: 'ticket', roomId: 'r', role: 'host' } }).role).toBe('host');
  });

  it('asks guests, not hosts, for the room password', () => {
    const locked = room({ passwordHash: 'hash' });
    expect(entered({ room: locked }).passwordHash).toBe('hash');
    expect(entered({ room: locked, applicant: { kind: 'ticket-request', user: admin } }).passwordHash).toBeNull();
    expect(entered({}).passwordHash).toBeNull();
  });

  it('sends guests, not hosts, to the lobby of a room that has one', () => {
    expect(entered({ room: room({ lobby: true }), applicant: { kind: 'ticket', roomId: 'r', role: 'guest' } }).waitsInLobby).toBe(true);
    expect(entered({ room: room({ lobby: true }), applicant: { kind: 'ticket', roomId: 'r', role: 'host' } }).waitsInLobby).toBe(false);
    expect(entered({ applicant: { kind: 'ticket', roomId: 'r', role: 'guest' } }).waitsInLobby).toBe(false);
  });

  it('lets a guest a host admitted from the lobby past the lobby and a lock set since', () => {
    const entry = entered({
      room: room({ lobby: true, locked: true }),
      admittedFromLobby: true,
      applicant: { kind: 'ticket', roomId: 'r', role: 'guest' },
    });
    expect(entry.waitsInLobby).toBe(false);
  });
});

describe('admit: the returning seat', () => {
  it('lets someone back with a good pass past the lock and the lobby, but not the password', () => {
    const entry = entered({ room: room({ locked: true, lobby: true, passwordHash: 'hash' }), returning: 'old-self' });
    expect(entry.returning).toBe('old-self');
    expect(entry.waitsInLobby).toBe(false);
    expect(entry.passwordHash).toBe('hash');
  });

  it('treats a pass that is not good as no pass', () => {
    expect(admit(request({ room: room({ locked: true }), returning: null }))).toEqual({ ok: false, refusal: 'room_locked' });
    expect(entered({ room: room({ lobby: true }), returning: null }).waitsInLobby).toBe(true);
  });

  it('lets a good pass change neither whether the room is found nor the role (a join uses it up only for its ticket’s room)', () => {
    const returning = 'old-self';
    expect(admit(request({ room: null, returning }))).toEqual({ ok: false, refusal: 'not_found' });
    expect(admit(request({ applicant: { kind: 'ticket', roomId: 'elsewhere', role: 'guest' }, returning }))).toEqual({
      ok: false,
      refusal: 'wrong_room',
    });
    expect(admit(request({ applicant: { kind: 'session', user: otherHost }, returning }))).toEqual({ ok: false, refusal: 'ticket_needed' });
    expect(entered({ applicant: { kind: 'ticket', roomId: 'r', role: 'guest' }, returning }).role).toBe('guest');
  });
});

describe('admit: capacity', () => {
  it('is full at the room size limit, checked when the seat is taken', () => {
    const entry = entered({ room: room({ maxParticipants: 2 }) });
    expect(entry.full(undefined)).toBeNull();
    expect(entry.full(present('a'))).toBeNull();
    expect(entry.full(present('a', 'b'))).toBe(2);
  });

  it('holds hosts to the limit too', () => {
    expect(entered({ room: room({ maxParticipants: 1 }), applicant: { kind: 'ticket-request', user: owner } }).full(present('a'))).toBe(1);
  });

  it('uses the default limit in an anonymous room', () => {
    const entry = entered({ room: null, allowAnonymousRooms: true });
    const ids = Array.from({ length: DEFAULT_MAX_PARTICIPANTS }, (_, i) => `p${i}`);
    expect(entry.full(present(...ids.slice(1)))).toBeNull();
    expect(entry.full(present(...ids))).toBe(DEFAULT_MAX_PARTICIPANTS);
  });

  it("does not count a returning participant's stale old self", () => {
    const entry = entered({ room: room({ maxParticipants: 2 }), returning: 'old-self' });
    expect(entry.full(present('a', 'old-self'))).toBeNull();
    // Its old self already gone: the others alone fill the room.
    expect(entry.full(present('a', 'b'))).toBe(2);
  });
});
