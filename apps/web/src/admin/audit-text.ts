/** Audit actions in words. The server names actions `noun.verb`; unknown ones are shown as they are. */

const KNOWN: Record<string, string> = {
  'auth.login': 'Signed in',
  'auth.login-failed': 'Failed sign-in',
  'auth.logout': 'Signed out',
  'user.create': 'Added user',
  'user.role': 'Changed role',
  'user.password-reset': 'Reset password',
  'user.delete': 'Deleted user',
  'room.create': 'Created room',
  'room.update': 'Changed room',
  'room.delete': 'Deleted room',
  'room.lock': 'Locked room',
  'room.unlock': 'Unlocked room',
  'meeting.end': 'Ended meeting',
  'participant.remove': 'Removed participant',
  'participant.mute': 'Muted participant',
  'lobby.admit': 'Admitted from lobby',
  'lobby.deny': 'Turned away from lobby',
  'recording.start': 'Started recording',
  'recording.stop': 'Stopped recording',
};

export function auditActionText(action: string): string {
  const known = KNOWN[action];
  if (known) return known;
  const words = action.replace(/[._-]+/g, ' ').trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : action;
}

export type AuditTone = 'danger' | 'warn' | 'ok' | 'neutral';

export function auditActionTone(action: string): AuditTone {
  if (/fail|deny|mute/.test(action)) return 'warn';
  if (/delete|remove|\.end$|lock$/.test(action) && !/unlock/.test(action)) return 'danger';
  if (/create|admit|unlock/.test(action)) return 'ok';
  return 'neutral';
}

/** "ada (host, in meeting)" → name "ada", context "host, in meeting"; a plain name has no context. */
export function auditActor(actor: string): { name: string; context: string | null } {
  const m = /^(.+?) \((.+)\)$/.exec(actor);
  return m ? { name: m[1]!, context: m[2]! } : { name: actor, context: null };
}
