/**
 * What a remote tile says about encryption, from three sources: the MLS
 * group (is this participant a member, hence holding this epoch's keys), the
 * Worker's view of its frames (do they authenticate), and their origin (are
 * they vouched for by this member's own signature, not only by the group's
 * keys that every member holds).
 */
import type { OriginFailure, OriginStatus, ReceiveStatus } from '@conclave/e2ee/media';
import type { E2eeStatus } from '@conclave/protocol';

/** A tile shows the same three words the client reports to the server. */
export type TileE2ee = E2eeStatus;

/** Where a participant stands with the group: a member, or someone the server shows who is not (yet) in it. */
export type GroupStanding = 'member' | 'not-in-group';

export interface TileE2eeView {
  state: TileE2ee;
  /** A sentence for the person. */
  text: string;
  /** Whether their frames are shown to be theirs: `pending` until a signed batch covers one. */
  origin: OriginStatus;
}

export interface OriginView {
  status: OriginStatus;
  reason?: OriginFailure;
}

const ORIGIN_TEXT: Record<OriginFailure, string> = {
  forged: 'Stopped: frames under their name that they did not sign (someone else is sending as them)',
  unsigned: 'Stopped: their frames’ signatures did not arrive in time',
};

/** One view of a participant's sources: failed if any failed, verified once every source seen so far is, else pending. */
export function originOf(sources: OriginView[]): OriginView {
  const failed = sources.find((s) => s.status === 'failed');
  if (failed) return failed;
  if (sources.length > 0 && sources.every((s) => s.status === 'verified')) return { status: 'verified' };
  return { status: 'pending' };
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
  origin: OriginView = { status: 'pending' },
): TileE2eeView {
  if (self === 'refused') {
    return {
      state: 'cannot-decrypt',
      text: 'Cannot decrypt: nobody let us into the encrypted meeting (is your meeting key the same as theirs?)',
      origin: 'pending',
    };
  }
  if (self === 'joining') return { state: 'waiting-for-key', text: 'Waiting to be added to the encrypted meeting…', origin: 'pending' };
  if (standing === 'not-in-group') {
    return {
      state: 'waiting-for-key',
      text: 'Not in the encrypted meeting yet: they get no keys until a member adds them',
      origin: 'pending',
    };
  }
  if (frames === 'cannot-decrypt') {
    return {
      state: 'cannot-decrypt',
      text: `Cannot decrypt: ${REASON_TEXT[reason ?? ''] ?? reason ?? 'their frames are not readable'}`,
      origin: origin.status,
    };
  }
  if (frames === 'waiting-for-key') return { state: 'waiting-for-key', text: 'Waiting for their encryption key…', origin: origin.status };
  if (origin.status === 'failed') {
    return { state: 'encrypted', text: ORIGIN_TEXT[origin.reason ?? 'unsigned'], origin: 'failed' };
  }
  const text = origin.status === 'verified' ? 'End-to-end encrypted, signed by them' : 'End-to-end encrypted';
  return { state: 'encrypted', text, origin: origin.status };
}
