/**
 * What a remote tile says about encryption, from two sources: the MLS
 * group (is this participant a member, hence holding this epoch's keys) and
 * the Worker's view of its frames (do they authenticate).
 */
import type { ReceiveStatus } from '@conclave/e2ee/media';
import type { E2eeStatus } from '@conclave/protocol';

/** A tile shows the same three words the client reports to the server. */
export type TileE2ee = E2eeStatus;

/** Where a participant stands with the group: a member, or someone the server shows who is not (yet) in it. */
export type GroupStanding = 'member' | 'not-in-group';

export interface TileE2eeView {
  state: TileE2ee;
  /** A sentence for the person. */
  text: string;
}

const REASON_TEXT: Record<string, string> = {
  'auth-failed': 'their frames do not authenticate with this meeting’s keys',
  'unknown-key': 'no key for their frames',
};

/**
 * Where we stand ourselves: in the group, still being added, or not let in
 * after waiting (no member accepted our proof: most likely a different
 * meeting key, or a server that keeps us out).
 */
export type SelfStanding = 'in-group' | 'joining' | 'refused';

export function tileE2ee(
  standing: GroupStanding,
  frames: ReceiveStatus | undefined,
  reason?: string,
  self: SelfStanding = 'in-group',
): TileE2eeView {
  if (self === 'refused') {
    return {
      state: 'cannot-decrypt',
      text: 'Cannot decrypt: nobody let us into the encrypted meeting (is your meeting key the same as theirs?)',
    };
  }
  if (self === 'joining') return { state: 'waiting-for-key', text: 'Waiting to be added to the encrypted meeting…' };
  if (standing === 'not-in-group') {
    return { state: 'waiting-for-key', text: 'Not in the encrypted meeting yet: they get no keys until a member adds them' };
  }
  if (frames === 'cannot-decrypt') {
    return { state: 'cannot-decrypt', text: `Cannot decrypt: ${REASON_TEXT[reason ?? ''] ?? reason ?? 'their frames are not readable'}` };
  }
  if (frames === 'waiting-for-key') return { state: 'waiting-for-key', text: 'Waiting for their encryption key…' };
  return { state: 'encrypted', text: 'End-to-end encrypted' };
}
