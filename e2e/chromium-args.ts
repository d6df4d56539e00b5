/**
 * How every browser test and benchmark starts Debian's Chromium: the flags
 * this machine needs (no sandbox, no GPU, nothing phoning home), a fake
 * camera and microphone that need no permission prompt, and no throttling of
 * background tabs (several participants share one browser).
 */
export const CHROMIUM_BIN = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

export function chromiumArgs({ fakeDevice = '--use-fake-device-for-media-stream' } = {}): string[] {
  return [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    fakeDevice,
    '--use-fake-ui-for-media-stream',
    '--autoplay-policy=no-user-gesture-required',
    '--disable-renderer-backgrounding',
    '--disable-background-timer-throttling',
    '--disable-backgrounding-occluded-windows',
  ];
}
