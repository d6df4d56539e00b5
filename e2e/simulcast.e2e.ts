/**
 * Simulcast as a viewer sees it: the camera goes out in three layers, and the
 * server sends each viewer the layer its tile needs. A big tile (speaker
 * view) gets a bigger picture than a thumbnail; tiles nobody sees (a phone's
 * chat sheet covering the call) stop receiving video while sound goes on,
 * and come back when shown again. Every layer stays end-to-end encrypted.
 */
import { expect, test, type Page } from '@playwright/test';
import { newMeeting, Participant } from './participant.js';

interface CameraStats {
  displayName: string;
  audioPacketsReceived: number;
  bySource?: Record<string, { framesDecoded: number; packetsReceived: number; frameHeight?: number }>;
}

async function camera(page: Page, name: string) {
  const stats = (await page.evaluate(async () => await window.conclave!.stats())) as CameraStats[];
  const mine = stats.find((s) => s.displayName === name);
  return { ...(mine?.bySource?.['camera'] ?? { framesDecoded: 0, packetsReceived: 0 }), audio: mine?.audioPacketsReceived ?? 0 };
}

test('each viewer gets the layer its tile needs; unseen tiles pause and come back', async ({ browser }) => {
  const room = await newMeeting();
  const ada = await Participant.join(browser, 'Ada', room);
  const grace = await Participant.join(browser, 'Grace', room);
  const linus = await Participant.join(browser, 'Linus', room);
  await ada.expectReceiving('Grace');
  await ada.expectReceiving('Linus');

  // Speaker view with Grace pinned: Grace fills the main area, Linus is a thumbnail in the strip.
  await ada.tile('Grace').getByTestId('pin-tile').click();
  await expect(ada.page.getByTestId('speaker-main').locator('[data-peer-name="Grace"]')).toHaveCount(1);
  const graceTile = ada.tile('Grace');
  const linusTile = ada.tile('Linus');
  await expect(graceTile).toHaveAttribute('data-video-layer', '2', { timeout: 30_000 });
  await expect(linusTile).toHaveAttribute('data-video-layer', '0', { timeout: 30_000 });
  // What is decoded follows: Grace's picture is taller than the thumbnail's (720p against 180p
  // when the sending browser has the CPU for its top layer).
  await expect
    .poll(
      async () => ((await camera(ada.page, 'Grace')).frameHeight ?? 0) > 2 * ((await camera(ada.page, 'Linus')).frameHeight ?? Infinity),
      {
        timeout: 20_000,
        message: 'the pinned tile decodes a bigger layer than the thumbnail',
      },
    )
    .toBe(true);
  for (const name of ['Grace', 'Linus']) {
    await expect(ada.page.locator(`[data-testid="remote-tile"][data-peer-name="${name}"]`).first()).toHaveAttribute(
      'data-e2ee',
      'encrypted',
    );
  }
  await ada.page.screenshot({ path: 'test-results/screenshots/simulcast-speaker-view.png' });

  // Unpinned, back in the grid: both tiles are the same size and get the same, middle layer.
  await ada.tile('Grace').getByTestId('pin-tile').click();
  await expect(ada.page.getByTestId('call-stage')).toHaveAttribute('data-layout', 'grid');
  await expect(graceTile).toHaveAttribute('data-video-layer', '1', { timeout: 30_000 });
  await expect(linusTile).toHaveAttribute('data-video-layer', '1', { timeout: 30_000 });

  // On a phone, the chat sheet covers the call: no tile is seen, so no video is sent; sound goes on.
  await ada.page.setViewportSize({ width: 390, height: 844 });
  await ada.page.getByTestId('toggle-chat').click();
  await expect(ada.page.getByTestId('chat-input')).toBeVisible();
  await expect(graceTile).toHaveAttribute('data-video-layer', 'none', { timeout: 15_000 });
  await expect(linusTile).toHaveAttribute('data-video-layer', 'none', { timeout: 15_000 });
  await ada.page.waitForTimeout(1000); // packets in flight when the pause landed
  const paused = await camera(ada.page, 'Grace');
  await ada.page.waitForTimeout(3000);
  const later = await camera(ada.page, 'Grace');
  expect(later.packetsReceived - paused.packetsReceived, 'no video packets while unseen').toBeLessThan(5);
  expect(later.audio - paused.audio, 'sound keeps coming').toBeGreaterThan(50);
  await ada.page.screenshot({ path: 'test-results/screenshots/simulcast-chat-covers-call.png' });

  // Closing the chat shows the tiles again: video resumes (a fresh key frame, then decoding).
  await ada.page.keyboard.press('Escape');
  await expect(ada.page.getByTestId('chat-input')).toBeHidden();
  await expect(graceTile).toHaveAttribute('data-video-layer', /^[0-2]$/, { timeout: 15_000 });
  await expect
    .poll(async () => (await camera(ada.page, 'Grace')).framesDecoded, { timeout: 15_000 })
    .toBeGreaterThan(later.framesDecoded + 10);
  await expect(graceTile).toHaveAttribute('data-e2ee', 'encrypted');

  // The others were not affected by what Ada looked at.
  await grace.expectReceiving('Linus');
  await linus.expectReceiving('Grace');
  for (const p of [ada, grace, linus]) await p.close();
});
