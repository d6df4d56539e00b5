/**
 * What the room says about itself, as the call's status shows it: who is
 * speaking, whether it is locked, who waits in the lobby (for hosts), and
 * what hosts did. Joining, leaving and media are others' concerns.
 */
import type { Signaling } from '../signaling/signaling-port.js';
import type { Store } from '../state/store.js';
import type { CallStatus } from './meeting-state.js';
import { hostActionText, noticeText } from './notice-text.js';

export interface RoomEventsOptions {
  status: Store<CallStatus>;
  notify: (text: string) => void;
  /** This participant's name (a host's mute of it is told by youWereMuted instead). */
  selfName: string;
  /** A host turned this participant's microphone off. */
  muteSelf: () => void;
}

/** Listens on one connection; returns what stops listening. */
export function listenToRoom(signaling: Signaling, { status, notify, selfName, muteSelf }: RoomEventsOptions): Array<() => void> {
  const lobby = () => status.getSnapshot().lobby;
  return [
    signaling.on('roomUpdated', ({ locked }) => status.update({ locked })),
    signaling.on('activeSpeaker', ({ peerId }) => status.update({ activeSpeakerId: peerId })),
    // The whole lobby when we join as a host; each change after that.
    signaling.on('lobbyWaiting', ({ waiting }) => status.update({ lobby: waiting })),
    signaling.on('lobbyEntered', (w) => {
      if (!lobby().some((x) => x.requestId === w.requestId)) status.update({ lobby: [...lobby(), w] });
    }),
    signaling.on('lobbyLeft', ({ requestId }) => status.update({ lobby: lobby().filter((x) => x.requestId !== requestId) })),
    signaling.on('youWereMuted', ({ by }) => {
      muteSelf();
      notify(noticeText.mutedBy(by));
    }),
    signaling.on('hostAction', (data) => {
      if (data.action !== 'mute' || data.target !== selfName) notify(hostActionText(data));
    }),
  ];
}
