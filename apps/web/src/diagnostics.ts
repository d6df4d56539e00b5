/**
 * `window.conclave`: receive statistics of the current call, for support and
 * for the browser tests. The current SFrame send key (kid and base key) is
 * added only when `window.__CONCLAVE_TEST_HOOKS__` is set when the page
 * opens: the server's-eye-view test needs a sender's key. Anything able to
 * set that flag runs script in the page and could read keys anyway.
 */
import type { Meeting } from './meeting/meeting.js';
import type { RecoveryStats } from './meeting/meeting-state.js';

declare global {
  interface Window {
    conclave?: {
      stats: () => Promise<unknown>;
      /** Encryption state: the KID in use and when it became active (no key material). */
      e2ee: () => {
        activeEpoch: string | null;
        activeSince: number | null;
        lastLeaveAt: number | null;
        inGroup: boolean;
        members: string[];
        code: string | null;
      } | null;
      /** How the call recovered so far: rejoins, ICE restarts, the transports' states (no secrets). */
      recovery: () => RecoveryStats | null;
      sendKey?: () => { epoch: string; leaf: number; baseKey: string } | null;
      /** Forgets a participant as a server hiding a member would (the encrypted group keeps them). */
      hideParticipant?: (peerId: string) => void;
      /** From now on, decrypts `forgerName`'s `source` as `victim`'s, as an SFU helping a forger would. */
      relabel?: (forgerName: string, victim: string, source: 'camera' | 'mic' | 'screen' | 'screen-audio') => void;
      /** From the next epoch on, sends our frames under `peerId`'s KID and key, as a forging member would. */
      impersonate?: (peerId: string) => void;
      /** Commits an update of our leaf: a new epoch now. */
      rekey?: () => Promise<void>;
    };
    __CONCLAVE_TEST_HOOKS__?: boolean;
  }
}

const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, '0')).join('');

export function installDiagnostics(meeting: Meeting): void {
  window.conclave = {
    stats: () => meeting.current?.media.stats() ?? Promise.resolve([]),
    recovery: () => (meeting.current ? meeting.recovery() : null),
    e2ee: () => {
      const snap = meeting.current?.e2ee.store.getSnapshot();
      return snap
        ? {
            activeEpoch: snap.activeEpoch,
            activeSince: snap.activeSince,
            lastLeaveAt: snap.lastLeaveAt,
            inGroup: snap.inGroup,
            members: Object.keys(snap.members),
            code: snap.safetyCode?.digits ?? null,
          }
        : null;
    },
    ...(window.__CONCLAVE_TEST_HOOKS__
      ? {
          sendKey: () => {
            const k = meeting.current?.e2ee.debugSendKey();
            return k ? { epoch: k.epoch, leaf: k.leaf, baseKey: hex(k.baseKey) } : null;
          },
          hideParticipant: (peerId: string) => meeting.current?.media.subscriber.hideParticipant(peerId),
          relabel: (forgerName: string, victim: string, source: 'camera' | 'mic' | 'screen' | 'screen-audio') =>
            meeting.current?.media.subscriber.relabel(forgerName, victim, source),
          impersonate: (peerId: string) => meeting.current?.e2ee.debugImpersonate(peerId),
          rekey: () => meeting.current?.e2ee.debugRekey() ?? Promise.resolve(),
        }
      : {}),
  };
}
