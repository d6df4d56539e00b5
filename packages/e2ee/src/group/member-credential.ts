/**
 * What a group member's MLS basic credential says about them: the peer id
 * the server knows them by and the name they chose. Signed into their leaf
 * by their own signature key, so the server can neither rename a member nor
 * pass one member's leaf off as another peer.
 *
 * Bytes: UTF-8 JSON {"v":1,"peerId":…,"name":…}, at most 512 bytes.
 */
import type { Credential } from 'ts-mls';

export interface MemberCredential {
  peerId: string;
  displayName: string;
}

const MAX_CREDENTIAL_BYTES = 512;
const PEER_ID = /^[A-Za-z0-9_-]{1,64}$/;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeCredential(c: MemberCredential): Credential {
  if (!PEER_ID.test(c.peerId)) throw new RangeError('peer id: 1-64 letters, digits, - or _');
  if (c.displayName.length === 0 || c.displayName.length > 64) throw new RangeError('display name: 1-64 characters');
  const identity = encoder.encode(JSON.stringify({ v: 1, peerId: c.peerId, name: c.displayName }));
  if (identity.length > MAX_CREDENTIAL_BYTES) throw new RangeError('credential too long');
  return { credentialType: 'basic', identity };
}

/** The member a credential names, or null if it is not one of ours (wrong type, malformed, oversized). */
export function decodeCredential(credential: Credential): MemberCredential | null {
  if (credential.credentialType !== 'basic') return null;
  if (credential.identity.length > MAX_CREDENTIAL_BYTES) return null;
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(credential.identity));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { v, peerId, name } = value as Record<string, unknown>;
  if (v !== 1 || typeof peerId !== 'string' || typeof name !== 'string') return null;
  if (!PEER_ID.test(peerId) || name.length === 0 || name.length > 64) return null;
  return { peerId, displayName: name };
}
