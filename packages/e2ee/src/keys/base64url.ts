/**
 * base64url without padding, for the opaque E2EE bytes the signaling
 * protocol carries (announcements, key boxes, chat). Needs sodiumReady().
 */
import { lib } from './sodium.js';

export function toBase64url(bytes: Uint8Array): string {
  const s = lib();
  return s.to_base64(bytes, s.base64_variants.URLSAFE_NO_PADDING);
}

/** Throws on anything that is not base64url without padding. */
export function fromBase64url(text: string): Uint8Array {
  const s = lib();
  return s.from_base64(text, s.base64_variants.URLSAFE_NO_PADDING);
}
