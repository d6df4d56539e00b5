/**
 * How every browser test and benchmark starts Debian's Chromium: the flags
 * this machine needs (no sandbox, no GPU, nothing phoning home), a fake
 * camera and microphone that need no permission prompt, and no throttling of
 * background tabs (several participants share one browser).
 *
 * The fake camera runs at 10 fps (CONCLAVE_TEST_CAMERA_FPS; Chromium's default
 * is 20): two participants' simulcast encoding, decoding, frame encryption and
 * software compositing already fill both cores of this machine, and with three
 * or four every click waits. Tests that measure frame rates (lossy-network)
 * set their own camera rate.
 */
export const CHROMIUM_BIN = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

const CAMERA_FPS = Number(process.env.CONCLAVE_TEST_CAMERA_FPS ?? 10);

export function chromiumArgs({ fakeDevice = `--use-fake-device-for-media-stream=fps=${CAMERA_FPS}` } = {}): string[] {
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
