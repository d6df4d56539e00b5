/**
 * Room ids: readable, hard to guess (about 60 bits), and URL-safe, like
 * `kmt-qzvh-rpwa`. Also extracts a room id from a pasted link or code.
 */
import { ROOM_ID_PATTERN } from '@conclave/protocol';

const ALPHABET = 'abcdefghijkmnpqrstuvwxyz'; // no l/o, which read as 1/0

export function newRoomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(13));
  const chars = [...bytes].map((b) => ALPHABET[b % ALPHABET.length]).join('');
  return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8, 13)}`;
}

/** The room id in a meeting link (`https://host/r/<id>#…`) or a bare code; null if neither. */
export function roomIdFromInput(input: string): string | null {
  const text = input.trim();
  if (!text) return null;
  const fromPath = /\/r\/([^/?#\s]+)/.exec(text)?.[1];
  const candidate = fromPath ? decodeURIComponent(fromPath) : text;
  return ROOM_ID_PATTERN.test(candidate) ? candidate : null;
}
