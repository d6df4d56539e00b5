/**
 * Devices and the call's everyday controls: choosing camera, microphone and
 * speaker before and during the call, the microphone check on the join
 * screen, the network quality indicator on tiles, and keyboard shortcuts.
 * Chromium's fake capture is asked for several cameras, so switching really
 * replaces the sent track.
 */
import { expect, test } from '@playwright/test';
import { CHROMIUM_BIN, chromiumArgs } from './chromium-args.js';
import { newMeeting, Participant } from './participant.js';

test.use({
  launchOptions: {
    executablePath: CHROMIUM_BIN,
    // Three fake cameras: I420, Y16 (a depth camera) and MJPEG; tests switch between the first and the last.
    args: chromiumArgs({ fakeDevice: '--use-fake-device-for-media-stream=device-count=3' }),
  },
});

/** The device id of the camera the local tile shows. */
async function localCameraId(p: Participant): Promise<string | undefined> {
  return p.page.getByTestId('local-video').evaluate((v: HTMLVideoElement) => {
    const track = (v.srcObject as MediaStream | null)?.getVideoTracks()[0];
    return track && track.readyState === 'live' ? track.getSettings().deviceId : undefined;
  });
}

test('the join screen lists devices, tests the microphone and remembers the chosen camera', async ({ browser }) => {
  const path = await newMeeting();
  const ada = await Participant.open(browser, 'Ada', path);
  const { page } = ada;
  const cameras = page.getByTestId('select-camera').locator('option');
  await expect.poll(() => cameras.count()).toBeGreaterThanOrEqual(1);
  await expect.poll(() => page.getByTestId('select-microphone').locator('option').count()).toBeGreaterThanOrEqual(1);
  // Labels are there once permission is granted (not "Camera 1").
  await expect(cameras.first()).not.toHaveText(/^Camera \d+$/);
  const speaker = page.getByTestId('select-speaker');
  const note = page.getByTestId('speaker-unsupported');
  await expect(speaker.or(note)).toBeVisible();

  // The fake microphone beeps: the meter moves. (A person clicks into the page first, as anyone typing a
  // name does; browsers may keep audio processing suspended until such a gesture.)
  const meter = page.getByTestId('mic-level');
  await expect(meter).toHaveAttribute('role', 'meter');
  await page.getByTestId('display-name').click();
  await expect.poll(async () => Number(await meter.getAttribute('aria-valuenow')), { timeout: 15_000 }).toBeGreaterThan(0);

  if ((await cameras.count()) > 1) {
    const second = (await cameras.last().getAttribute('value'))!;
    await page.getByTestId('select-camera').selectOption(second);
    await expect(page.getByTestId('select-camera')).toHaveValue(second);
    await expect
      .poll(() =>
        page
          .getByTestId('preview-video')
          .evaluate((v: HTMLVideoElement) => (v.srcObject as MediaStream | null)?.getVideoTracks()[0]?.getSettings().deviceId),
      )
      .toBe(second);
    // Only ids are remembered.
    expect(await page.evaluate(() => localStorage.getItem('conclave.device.camera'))).toBe(second);
    await page.reload();
    await expect(page.getByTestId('select-camera')).toHaveValue(second);
  }
  await ada.close();
});

test('switching camera and microphone during a call keeps the others decoding, and tiles show connection quality', async ({ browser }) => {
  const path = await newMeeting();
  const ada = await Participant.join(browser, 'Ada', path);
  const bob = await Participant.join(browser, 'Bob', path);
  await bob.expectReceiving('Ada');

  // Receive-side quality from stats, every 2 s.
  await expect(bob.tile('Ada').getByTestId('network-quality')).toHaveAttribute('data-quality', /good|fair|poor/, { timeout: 15_000 });
  await expect(bob.tile('Ada').getByTestId('network-quality')).toHaveAttribute('aria-label', /connection/i);

  const { page } = ada;
  await page.getByTestId('device-settings').click();
  await expect(page.getByTestId('device-dialog')).toBeVisible();
  const options = page.getByTestId('select-camera').locator('option');
  expect(await options.count()).toBeGreaterThanOrEqual(2);
  const before = await localCameraId(ada);
  const values = await options.evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
  // The last fake camera (MJPEG) is an ordinary colour camera, unlike the depth one.
  const other = [...values].reverse().find((v) => v !== before)!;

  // Muted microphone stays muted across a switch.
  await page.keyboard.press('Escape');
  await page.getByTestId('toggle-mic').click();
  await expect(page.getByTestId('toggle-mic')).toHaveAttribute('aria-pressed', 'true');
  await page.getByTestId('device-settings').click();

  await page.getByTestId('select-camera').selectOption(other);
  await expect.poll(() => localCameraId(ada)).toBe(other);
  const mics = await page
    .getByTestId('select-microphone')
    .locator('option')
    .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
  if (mics.length > 1) {
    const current = await page.getByTestId('select-microphone').inputValue();
    const next = mics.find((m) => m !== current)!;
    await page.getByTestId('select-microphone').selectOption(next);
    await expect(page.getByTestId('select-microphone')).toHaveValue(next);
  }
  await page.getByTestId('device-settings-done').click();
  await expect(page.getByTestId('device-dialog')).toBeHidden();
  await expect(page.getByTestId('toggle-mic')).toHaveAttribute('aria-pressed', 'true');

  // Bob keeps decoding Ada's new camera, with no renegotiation (same consumer).
  const start = (await bob.statsFor('Ada'))!.framesDecoded;
  await expect.poll(async () => (await bob.statsFor('Ada'))?.framesDecoded ?? 0, { timeout: 20_000 }).toBeGreaterThan(start + 30);
  await expect(bob.tile('Ada').locator('.tile__muted')).toBeVisible();
  await ada.page.screenshot({ path: 'test-results/screenshots/device-settings.png' });
  await ada.close();
  await bob.close();
});

test('keyboard shortcuts toggle microphone and camera and leave, but not while typing', async ({ browser }) => {
  const path = await newMeeting();
  const ada = await Participant.join(browser, 'Ada', path);
  const { page } = ada;
  const mic = page.getByTestId('toggle-mic');
  const camera = page.getByTestId('toggle-camera');
  await expect(mic).toHaveAttribute('aria-keyshortcuts', /Control\+D/);
  await expect(mic).toHaveAttribute('title', /Ctrl\+D|⌘D/);
  await expect(mic).toHaveAttribute('aria-pressed', 'false');

  await page.keyboard.press('Control+KeyD');
  await expect(mic).toHaveAttribute('aria-pressed', 'true');
  await page.keyboard.press('Control+KeyD');
  await expect(mic).toHaveAttribute('aria-pressed', 'false');
  await page.keyboard.press('Control+KeyE');
  await expect(camera).toHaveAttribute('aria-pressed', 'true');
  await page.keyboard.press('Control+KeyE');
  await expect(camera).toHaveAttribute('aria-pressed', 'false');

  // Typing in the chat keeps its keys.
  await page.getByTestId('toggle-chat').click();
  await page.getByTestId('chat-input').click();
  await page.keyboard.press('Control+KeyD');
  await page.keyboard.press('Control+Shift+KeyL');
  await expect(mic).toHaveAttribute('aria-pressed', 'false');
  await expect(page.getByTestId('rejoin-button')).toHaveCount(0);
  await page.getByTestId('chat-close').click();

  await page.keyboard.press('Control+Shift+KeyL');
  await expect(page.getByTestId('rejoin-button')).toBeVisible();
  await ada.close();
});
