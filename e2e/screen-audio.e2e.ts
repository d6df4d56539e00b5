/**
 * A screen share with its tab's sound: Ada shares a "tab" that plays a tone,
 * and Grace receives that sound as its own encrypted track (screen-audio):
 * its packets arrive, the audio decodes to a level well above silence, and
 * both go when the share stops.
 *
 * Headless Chromium's picker gives a screen without sound, so Ada's page
 * stands in for a tab that plays something: getDisplayMedia is wrapped to add
 * a 440 Hz tone (WebAudio) to the captured stream, as Chromium does when the
 * person ticks "Also share tab audio".
 */
import { expect, test, type Page } from '@playwright/test';
import { newMeeting, Participant } from './participant.js';

interface SourceStats {
  displayName: string;
  bySource?: Record<string, { packetsReceived: number; audioLevel?: number }>;
}

async function screenAudioFrom(page: Page, name: string): Promise<{ packets: number; level: number }> {
  const stats = (await page.evaluate(async () => await window.conclave!.stats())) as SourceStats[];
  const s = stats.find((x) => x.displayName === name)?.bySource?.['screen-audio'];
  return { packets: s?.packetsReceived ?? 0, level: s?.audioLevel ?? 0 };
}

test('the shared tab’s sound reaches the others, encrypted, as its own track', async ({ browser }) => {
  const room = await newMeeting();
  const ada = await Participant.open(browser, 'Ada', room);
  await ada.page.evaluate(() => {
    const original = navigator.mediaDevices.getDisplayMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getDisplayMedia = async (options) => {
      const stream = await original({ ...options, audio: false });
      const ctx = new AudioContext();
      const tone = ctx.createOscillator();
      tone.frequency.value = 440;
      const out = ctx.createMediaStreamDestination();
      tone.connect(out);
      tone.start();
      stream.addTrack(out.stream.getAudioTracks()[0]!);
      return stream;
    };
  });
  await ada.joinCall();
  const grace = await Participant.join(browser, 'Grace', room);
  await grace.expectReceiving('Ada', { audio: false });

  await ada.page.getByTestId('toggle-screen').click();
  await expect(grace.page.locator('[data-testid="remote-tile"][data-source="screen"]')).toHaveAttribute('data-e2ee', 'encrypted');
  // The tone's packets arrive and decode to sound (after SFrame decryption in the Worker), not silence.
  let first = { packets: 0, level: 0 };
  await expect.poll(async () => (first = await screenAudioFrom(grace.page, 'Ada')).packets, { timeout: 30_000 }).toBeGreaterThan(0);
  await expect
    .poll(async () => (await screenAudioFrom(grace.page, 'Ada')).packets, { timeout: 15_000 })
    .toBeGreaterThan(first.packets + 50);
  await expect.poll(async () => (await screenAudioFrom(grace.page, 'Ada')).level, { timeout: 15_000 }).toBeGreaterThan(0.05);
  console.log(`screen audio at Grace: ${JSON.stringify(await screenAudioFrom(grace.page, 'Ada'))}`);
  // Grace's page plays it (an audio element holds the track).
  expect(await grace.page.locator('.remote-audio audio').count()).toBeGreaterThanOrEqual(2);

  // Stopping the share stops its sound too.
  await ada.page.getByTestId('toggle-screen').click();
  await expect(grace.page.locator('[data-testid="remote-tile"][data-source="screen"]')).toHaveCount(0, { timeout: 10_000 });
  await expect.poll(async () => (await screenAudioFrom(grace.page, 'Ada')).packets, { timeout: 10_000 }).toBe(0);

  for (const p of [ada, grace]) await p.close();
});
