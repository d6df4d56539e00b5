/**
 * A Meeting wired to fakes for unit tests: every connection it opens is a
 * new FakeSignaling playing the server (kept in `connections`, with the
 * tickets asked for), every device and encryption it makes is kept too.
 */
import { expect, vi } from 'vitest';
import type { PublicRoom } from '@conclave/protocol';
import { Meeting, type MeetingDeps } from '../meeting/meeting.js';
import { FakeDevice, FakeTrack, FakeTrackSource, fakeStream } from './fake-media.js';
import { FakeEncryption, roomSignaling } from './fake-room.js';
import type { FakeSignaling } from './fake-signaling.js';

export const ROOM: PublicRoom = { id: 'standup', name: 'Standup', hasPassword: false, lobby: false, locked: false };
export const SECRET = new Uint8Array(32).fill(7);

export interface World {
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

export function world(overrides: Partial<MeetingDeps> = {}): World {
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

export async function started(w: World): Promise<void> {
  w.meeting.start();
  await vi.waitFor(() => expect(w.meeting.store.getSnapshot().linkKey).not.toBeNull());
  await vi.waitFor(() => expect(w.meeting.store.getSnapshot().room).toEqual(ROOM));
}

export function join(w: World, patch: Partial<Parameters<Meeting['join']>[0]> = {}): Promise<boolean> {
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
