/**
 * Every sentence the meeting shows about what happened: toasts (someone
 * joined, left, started recording, a host acted), why the call is
 * reconnecting, and why it ended. The parts of the client decide when to
 * say something; only this module decides the words.
 */
import type { NotificationData } from '@conclave/protocol';

export const noticeText = {
  joined: (name: string) => `${name} joined`,
  left: (name: string) => `${name} left`,
  recording: (name: string, started: boolean) => `${name} ${started ? 'started' : 'stopped'} recording`,
  recorders: (names: readonly string[]) => `${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} recording this meeting`,
  mutedBy: (by: string) => `${by} turned your microphone off`,
  reconnected: 'Reconnected',
  screenShareFailed: 'Could not share the screen.',
} as const;

/** Why the call reconnects by itself, on the banner. */
export const lostText = {
  connection: 'The connection to the meeting server was lost.',
  accountChanged: 'Your account changed (signed out, removed, or its role or password changed).',
  media: 'The media connection was lost.',
  whileWaiting: 'The connection to the meeting server was lost while waiting.',
} as const;

/** Why the call is reconnecting when the server closed the room and asked everyone to rejoin. */
export function rejoinText(reason: NotificationData<'roomClosed'>['reason']): string {
  switch (reason) {
    case 'server-restart':
      return 'The meeting server is restarting.';
    case 'media-restarted':
      return 'The media server restarted.';
    default:
      return 'The meeting server asked everyone to reconnect.';
  }
}

/** Why the room closed, for the "call ended" screen. */
export function closedText({ reason, by }: NotificationData<'roomClosed'>): string {
  switch (reason) {
    case 'ended-by-host':
      return `${by ?? 'The host'} ended the meeting.`;
    case 'removed':
      return `${by ?? 'A host'} removed you from the meeting.`;
    case 'deleted':
      return 'This meeting room was deleted.';
    default:
      return 'The meeting was closed by the server.';
  }
}

/** What a host did, for everyone else's toast. */
export function hostActionText({ action, by, target }: NotificationData<'hostAction'>): string {
  const who = target ?? 'someone';
  switch (action) {
    case 'mute':
      return `${by} muted ${who}`;
    case 'remove':
      return `${by} removed ${who} from the meeting`;
    case 'lock':
      return `${by} locked the meeting: nobody new can join`;
    case 'unlock':
      return `${by} unlocked the meeting`;
    case 'end':
      return `${by} ended the meeting`;
    case 'admit':
      return `${by} let ${who} in`;
    case 'deny':
      return `${by} turned ${who} away`;
  }
}

/** A lobby host said no. */
export const deniedText = (by: string | undefined) => `${by ?? 'The host'} did not let you in.`;

/** Rejoining stopped: refused for good (the server's words follow), or out of time. */
export function gaveUpText(reason: string, lastError: string, refused: boolean, minutes: number): string {
  if (refused) return `${reason} ${lastError}`;
  const why = lastError ? ` (${lastError.replace(/\.$/, '')})` : '';
  return `${reason} Reconnecting did not succeed for ${minutes} minutes${why}. Check your connection, then rejoin.`;
}
