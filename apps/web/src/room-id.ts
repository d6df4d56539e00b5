/**
 * Reads a room id (the server makes them, like `kmt-qzvh-rpwax`) from a
 * pasted meeting link or a bare code.
 */
import { ROOM_ID_PATTERN } from '@conclave/protocol';

/** The room id in a meeting link (`https://host/r/<id>#…`) or a bare code; null if neither. */
export function roomIdFromInput(input: string): string | null {
  const text = input.trim();
  if (!text) return null;
  const fromPath = /\/r\/([^/?#\s]+)/.exec(text)?.[1];
  const candidate = fromPath ? decodeURIComponent(fromPath) : text;
  return ROOM_ID_PATTERN.test(candidate) ? candidate : null;
}
