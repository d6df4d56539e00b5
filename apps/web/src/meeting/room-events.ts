/**
 * What the room says about itself on one connection: who is speaking,
 * whether it is locked, who waits in the lobby (for hosts), what hosts did,
 * and that the room closed or the connection dropped (the Meeting decides
 * what follows). Media and keys are others' concerns.
 */
import { CloseCode, type NotificationData } from '@conclave/protocol';
import type { Signaling } from '../signaling/signaling-port.js';
import type { Store } from '../state/store.js';
import type { CallStatus } from '../call/call-state.js';
import { hostActionText, lostText, noticeText } from '../notices/notice-text.js';

export interface RoomEventsOptions {
  status: Store<CallStatus>;
  notify: (text: string) => void;
  /** This participant's name (a host's mute of it is told by youWereMuted instead). */
  selfName: string;
  /** A host turned this participant's microphone off. */
  muteSelf: () => void;
  /** The room closed (for good, or asking everyone to rejoin). */
  onRoomClosed: (data: NotificationData<'roomClosed'>) => void;
  /** The connection dropped, or the server closed it: why, in words. */
  onLost: (why: string) => void;
}

/** Listens on one connection; returns what stops listening. */
export function listenToRoom(signaling: Signaling, options: RoomEventsOptions): Array<() => void> {
  const { status, notify, selfName, muteSelf } = options;
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
    signaling.on('roomClosed', (data) => options.onRoomClosed(data)),
    // An account signed out, deleted or demoted: the server closed this socket; a fresh ticket says who we are now.
    signaling.onClose((code) => options.onLost(code === CloseCode.AccountChanged ? lostText.accountChanged : lostText.connection)),
  ];
}
