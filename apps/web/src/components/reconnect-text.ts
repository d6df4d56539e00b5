/** The words of the reconnecting banner, from the call's recovery state. */
import type { Reconnecting } from '../call/call-state.js';

export interface ReconnectText {
  title: string;
  detail: string;
  /** "Attempt 3 · next try in 4 s", or null for an ICE restart. */
  progress: string | null;
}

export function reconnectText(r: Reconnecting, reason: string | null, now: number): ReconnectText {
  if (r.cause === 'media') {
    return {
      title: 'Reconnecting audio and video…',
      detail: 'The media connection dropped. You are still in the meeting; sound and video come back by themselves.',
      progress: null,
    };
  }
  const waitS = r.nextAttemptAt === null ? 0 : Math.max(0, Math.ceil((r.nextAttemptAt - now) / 1000));
  const when = r.nextAttemptAt === null || waitS === 0 ? 'trying now…' : `next try in ${waitS} s`;
  return {
    title: 'Reconnecting to the meeting…',
    detail: `${reason ?? 'The connection to the meeting server was lost.'} Conclave keeps trying by itself; you do not need to reload.`,
    progress: `Attempt ${r.attempt} · ${when}`,
  };
}
