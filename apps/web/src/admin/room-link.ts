/**
 * Links to rooms made on the admin page. A room's lasting address is
 * `/r/<id>`; the meeting key, when there is one, is the fragment `#k=…`,
 * made in this browser by the same helper as "New meeting" links and never
 * sent to the server (browsers do not send fragments, and nothing here puts
 * it in a request). The server does not keep it, so a room's key can be
 * shown only when the room is created.
 */
import { newMeetingFragment } from '../e2ee/meeting-key.js';

/** The room's address without a key: people who open it are asked for the meeting passphrase. */
export function roomLink(id: string, origin: string = window.location.origin): string {
  return `${origin}/r/${encodeURIComponent(id)}`;
}

/** The room's address with a fresh 32-byte meeting key in the fragment (`#k=<base64url>`). */
export async function roomLinkWithNewKey(id: string, origin: string = window.location.origin): Promise<string> {
  return `${roomLink(id, origin)}${await newMeetingFragment()}`;
}
