/**
 * `window.conclave`: receive statistics of the current call, for support and
 * for the browser tests. The current SFrame send key (kid and base key) is
 * added only when `window.__CONCLAVE_TEST_HOOKS__` is set at the moment a
 * call starts: the server's-eye-view test needs a sender's key. Anything
 * able to set that flag runs script in the page and could read keys anyway.
 */
import type { CallSession, RecoveryStats } from './call/call-session.js';
import type { E2eeSession } from './e2ee/e2ee-session.js';

declare global {
  interface Window {
    conclave?: {
      stats: () => Promise<unknown>;
      /** Encryption state: the KID in use and when it became active (no key material). */
      e2ee: () => { activeKid: string | null; activeSince: number | null; lastLeaveAt: number | null } | null;
      /** How the call recovered so far: rejoins, ICE restarts, the transports' states (no secrets). */
      recovery: () => RecoveryStats | null;
      sendKey?: () => { kid: string; baseKey: string } | null;
    };
    __CONCLAVE_TEST_HOOKS__?: boolean;
  }
}

const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, '0')).join('');

export function installDiagnostics(session: CallSession | null, e2ee: E2eeSession | null): void {
  window.conclave = {
    stats: () => session?.stats() ?? Promise.resolve([]),
    recovery: () => session?.recovery() ?? null,
    e2ee: () => {
      const snap = e2ee?.getSnapshot();
      return snap ? { activeKid: snap.activeKid, activeSince: snap.activeSince, lastLeaveAt: snap.lastLeaveAt } : null;
    },
    ...(window.__CONCLAVE_TEST_HOOKS__
      ? {
          sendKey: () => {
            const k = e2ee?.debugSendKey();
            return k ? { kid: k.kid.toString(), baseKey: hex(k.baseKey) } : null;
          },
        }
      : {}),
  };
}
