/** What the web app exposes on window for diagnostics (see apps/web/src/diagnostics.ts). */
export {};
declare global {
  interface Window {
    conclave?: {
      stats: () => Promise<unknown>;
      e2ee: () => { activeKid: string | null; activeSince: number | null; lastLeaveAt: number | null } | null;
      sendKey?: () => { kid: string; baseKey: string } | null;
      /** Rejoins, ICE restarts and transport states (apps/web/src/meeting/meeting-state.ts RecoveryStats). */
      recovery: () => unknown;
    };
    __CONCLAVE_TEST_HOOKS__?: boolean;
  }
}
