/** A Meeting wired to the browser: REST and WebSocket, mediasoup-client, the E2EE Worker, the devices. */
import { detectFrameTransformSupport, type FrameTransformSupport } from '@conclave/e2ee/media';
import { fetchPublicRoom, ticketedConnect } from '../api/room-access.js';
import { createMediasoupDevice } from '../call/mediasoup-device.js';
import { E2eeSession } from '../e2ee/e2ee-session.js';
import { readLinkKey } from '../e2ee/meeting-key.js';
import { browserTracks } from '../media/local-media.js';
import { Meeting } from './meeting.js';

const NAME_KEY = 'conclave.displayName';

export interface BrowserMeeting {
  meeting: Meeting;
  /** 'none': this browser cannot encrypt frames, so it cannot join. */
  support: FrameTransformSupport;
}

export function createBrowserMeeting(roomId: string): BrowserMeeting {
  const support = detectFrameTransformSupport();
  const meeting = new Meeting({
    roomId,
    savedName: localStorage.getItem(NAME_KEY) ?? '',
    rememberName: (name) => localStorage.setItem(NAME_KEY, name),
    fetchRoom: fetchPublicRoom,
    readLinkKey: () => readLinkKey(),
    openSignaling: (id, password, rejoinPass) => ticketedConnect(id, password)(rejoinPass),
    createDevice: createMediasoupDevice,
    createEncryption: (id, secret, notify) => {
      if (support === 'none') throw new Error('This browser cannot encrypt video frames end to end.');
      return new E2eeSession(id, secret, support, notify);
    },
    tracks: browserTracks,
    onOnline: (listener) => {
      window.addEventListener('online', listener);
      return () => window.removeEventListener('online', listener);
    },
  });
  return { meeting, support };
}
