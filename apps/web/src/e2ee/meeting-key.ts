/**
 * Where this browser gets the meeting secret: the link's #k= fragment (never
 * sent to any server), or a passphrase typed on the join screen (used as
 * it is, only in the CPace admission runs: see @conclave/e2ee/group). Never
 * stored: a reload reads the fragment again.
 */
import { generateMeetingSecret, meetingSecretFragment, meetingSecretFromFragment, sodiumReady } from '@conclave/e2ee/keys';

export type LinkKey = { kind: 'link'; secret: Uint8Array } | { kind: 'none' } | { kind: 'damaged'; message: string };

export async function readLinkKey(hash: string = window.location.hash): Promise<LinkKey> {
  await sodiumReady();
  try {
    const secret = meetingSecretFromFragment(hash);
    return secret ? { kind: 'link', secret } : { kind: 'none' };
  } catch (err) {
    return { kind: 'damaged', message: (err as Error).message };
  }
}

export async function newMeetingFragment(): Promise<string> {
  await sodiumReady();
  return `#${meetingSecretFragment(generateMeetingSecret())}`;
}

export function inviteLink(roomId: string, secret: Uint8Array | null, origin: string = window.location.origin): string {
  return `${origin}/r/${encodeURIComponent(roomId)}${secret ? `#${meetingSecretFragment(secret)}` : ''}`;
}
