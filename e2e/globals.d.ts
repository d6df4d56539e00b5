/** What the web app exposes on window for diagnostics (see apps/web/src/pages/RoomPage.tsx). */
export {};
declare global {
  interface Window {
    conclave?: { stats: () => Promise<unknown> };
  }
}
