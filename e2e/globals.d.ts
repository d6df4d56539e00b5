/** What the web app exposes on window for diagnostics (see apps/web/src/diagnostics.ts). */
export {};
declare global {
  interface Window {
    conclave?: {
      stats: () => Promise<unknown>;
      e2ee: () => {
        activeEpoch: string | null;
        activeSince: number | null;
        lastLeaveAt: number | null;
        inGroup: boolean;
        members: string[];
        code: string | null;
      } | null;
      sendKey?: () => { epoch: string; leaf: number; baseKey: string } | null;
      hideParticipant?: (peerId: string) => void;
      relabel?: (forgerName: string, victim: string, source: 'camera' | 'mic' | 'screen' | 'screen-audio') => void;
      impersonate?: (peerId: string) => void;
      rekey?: () => Promise<void>;
      /** Rejoins, ICE restarts and transport states (apps/web/src/meeting/meeting-state.ts RecoveryStats). */
      recovery: () => unknown;
    };
    __CONCLAVE_TEST_HOOKS__?: boolean;
  }
}
