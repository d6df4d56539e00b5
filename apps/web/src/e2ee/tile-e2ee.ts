/**
 * What a remote tile says about encryption, from two sources: the key
 * schedule's view of that member (is its identity verified under our meeting
 * secret, do we hold its key) and the Worker's view of its frames (do they
 * authenticate).
 */
import type { MemberState } from '@conclave/e2ee/keys';
import type { ReceiveStatus } from '@conclave/e2ee/media';
import type { E2eeStatus } from '@conclave/protocol';

/** A tile shows the same three words the client reports to the server. */
export type TileE2ee = E2eeStatus;

export interface TileE2eeView {
  state: TileE2ee;
  /** A sentence for the person. */
  text: string;
}

const REASON_TEXT: Record<string, string> = {
  'auth-failed': 'their frames do not authenticate with the key we hold',
  'unknown-key': 'no key for their frames',
};

export function tileE2ee(member: MemberState, frames: ReceiveStatus | undefined, reason?: string): TileE2eeView {
  if (member === 'unverified') {
    return { state: 'cannot-decrypt', text: 'Cannot decrypt: their meeting key is different from yours' };
  }
  if (member === 'invalid') {
    return { state: 'cannot-decrypt', text: 'Cannot decrypt: their identity could not be verified' };
  }
  if (frames === 'cannot-decrypt') {
    return { state: 'cannot-decrypt', text: `Cannot decrypt: ${REASON_TEXT[reason ?? ''] ?? reason ?? 'their frames are not readable'}` };
  }
  if (frames === 'encrypted' || (frames === undefined && member === 'verified')) {
    return { state: 'encrypted', text: 'End-to-end encrypted' };
  }
  return { state: 'waiting-for-key', text: 'Waiting for their encryption key…' };
}
