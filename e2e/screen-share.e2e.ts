/**
 * The meeting experience around the grid: screen sharing (end-to-end
 * encrypted, its own tile, shown large, closed by the browser's own "Stop
 * sharing"), the active speaker's ring, speaker view and pinning. Screenshots
 * of each layout at desktop and phone size go to test-results/screenshots/.
 */
import { expect, test, type Page } from '@playwright/test';
import { newMeeting, Participant } from './participant.js';

interface SourceStats {
  displayName: string;
  bySource?: Record<string, { framesDecoded: number; packetsReceived: number }>;
}

async function screenFramesFrom(page: Page, name: string): Promise<number> {
  const stats = (await page.evaluate(async () => await window.conclave!.stats())) as SourceStats[];
  return stats.find((s) => s.displayName === name)?.bySource?.['screen']?.framesDecoded ?? 0;
}

async function muteMic(p: Participant): Promise<void> {
  const button = p.page.getByTestId('toggle-mic');
  await expect(button).toHaveAttribute('aria-pressed', /true|false/);
  if ((await button.getAttribute('aria-pressed')) === 'false') await button.click();
  await expect(button).toHaveAttribute('aria-pressed', 'true');
}

async function shot(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(400); // let the layout settle
  await page.screenshot({ path: `test-results/screenshots/${name}.png` });
}

/** The same moment at laptop size and at a 390 px phone's, then back to the laptop. */
async function shotDesktopAndPhone(page: Page, name: string): Promise<void> {
  await shot(page, name);
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, `${name}-phone`);
  await page.setViewportSize({ width: 1280, height: 720 });
}

test('screen share: encrypted, its own large tile, decoded by the others, gone when stopped', async ({ browser }) => {
  const room = await newMeeting();
  const ada = await Participant.join(browser, 'Ada', room);
  const grace = await Participant.join(browser, 'Grace', room);
  const linus = await Participant.join(browser, 'Linus', room);
  for (const me of [grace, linus]) await me.expectReceiving('Ada', { audio: false });

  for (const me of [ada, grace, linus]) await expect(me.page.locator('[data-testid="remote-tile"][data-source="camera"]')).toHaveCount(2);
  await ada.page.getByTestId('toggle-screen').click();
  await expect(ada.page.getByTestId('toggle-screen')).toHaveAttribute('aria-pressed', 'true');
  await expect(ada.page.getByTestId('local-screen-tile')).toBeVisible();

  for (const me of [grace, linus]) {
    const screen = me.page.locator('[data-testid="remote-tile"][data-source="screen"]');
    await expect(screen).toHaveCount(1);
    await expect(screen).toHaveAttribute('data-peer-name', 'Ada');
    await expect(screen).toHaveAttribute('data-e2ee', 'encrypted');
    // Shown large: the speaker view's main area, bigger than every other tile.
    await expect(me.page.getByTestId('call-stage')).toHaveAttribute('data-layout', 'speaker');
    await expect(me.page.getByTestId('speaker-main').locator('[data-source="screen"]')).toHaveCount(1);
    // Its frames decode (after SFrame decryption in the Worker), and keep coming.
    let first = 0;
    await expect.poll(async () => (first = await screenFramesFrom(me.page, 'Ada')), { timeout: 30_000 }).toBeGreaterThan(0);
    await expect.poll(() => screenFramesFrom(me.page, 'Ada'), { timeout: 15_000 }).toBeGreaterThan(first);
    // The camera keeps decoding alongside it.
    const cameraFrames = async () => {
      const stats = (await me.page.evaluate(async () => await window.conclave!.stats())) as SourceStats[];
      return stats.find((s) => s.displayName === 'Ada')?.bySource?.['camera']?.framesDecoded ?? 0;
    };
    const cameraBefore = await cameraFrames();
    await expect.poll(cameraFrames, { timeout: 15_000 }).toBeGreaterThan(cameraBefore + 10);
    const sizes = await me.page
      .locator('figure.tile')
      .evaluateAll((els) => els.map((e) => ({ screen: e.getAttribute('data-source') === 'screen', area: e.clientWidth * e.clientHeight })));
    const screenArea = sizes.find((s) => s.screen)!.area;
    for (const s of sizes.filter((x) => !x.screen)) expect(screenArea).toBeGreaterThan(s.area * 4);
  }
  await expect
    .poll(() => grace.page.locator('[data-source="screen"] video').evaluate((v: HTMLVideoElement) => v.videoWidth), { timeout: 15_000 })
    .toBeGreaterThan(0);
  await shotDesktopAndPhone(grace.page, 'screen-share');

  // The browser's own "Stop sharing" ends the track: the producer closes and the tile goes.
  await ada.page.evaluate(() => {
    const video = document.querySelector<HTMLVideoElement>('[data-testid="local-screen-tile"] video');
    const track = (video?.srcObject as MediaStream | null)?.getVideoTracks()[0];
    track?.stop();
    track?.dispatchEvent(new Event('ended'));
  });
  await expect(ada.page.getByTestId('local-screen-tile')).toHaveCount(0);
  await expect(ada.page.getByTestId('toggle-screen')).toHaveAttribute('aria-pressed', 'false');
  for (const me of [grace, linus]) {
    await expect(me.page.locator('[data-testid="remote-tile"][data-source="screen"]')).toHaveCount(0, { timeout: 5000 });
    await expect(me.page.getByTestId('call-stage')).toHaveAttribute('data-layout', 'grid');
  }

  // Sharing again and stopping with the control works the same way.
  await ada.page.getByTestId('toggle-screen').click();
  await expect(grace.page.locator('[data-testid="remote-tile"][data-source="screen"]')).toHaveCount(1);
  await ada.page.getByTestId('toggle-screen').click();
  await expect(grace.page.locator('[data-testid="remote-tile"][data-source="screen"]')).toHaveCount(0, { timeout: 5000 });

  for (const p of [ada, grace, linus]) await p.close();
});

test('active speaker ring, speaker view and grid, pinning', async ({ browser }) => {
  const room = await newMeeting();
  const ada = await Participant.join(browser, 'Ada', room);
  const grace = await Participant.join(browser, 'Grace', room);
  const linus = await Participant.join(browser, 'Linus', room);
  // Only Ada's (beeping fake) microphone stays on.
  await muteMic(grace);
  await muteMic(linus);
  for (const me of [grace, linus]) await me.expectReceiving('Ada');

  for (const me of [grace, linus]) {
    await expect(me.tile('Ada')).toHaveAttribute('data-speaking', 'true', { timeout: 20_000 });
    await expect(me.tile(me === grace ? 'Linus' : 'Grace')).toHaveAttribute('data-speaking', 'false');
  }
  await expect(ada.page.getByTestId('local-tile')).toHaveAttribute('data-speaking', 'true');
  // Video-off shows on the tile too.
  await linus.page.getByTestId('toggle-camera').click();
  await expect(grace.tile('Linus').getByTestId('video-off')).toBeVisible();
  await expect(grace.tile('Ada').getByTestId('video-off')).toHaveCount(0);
  await expect(grace.page.getByTestId('call-stage')).toHaveAttribute('data-layout', 'grid');
  await shotDesktopAndPhone(grace.page, 'grid-view');

  // Speaker view: the active speaker large, the others in the strip.
  await grace.page.getByTestId('toggle-layout').click();
  await expect(grace.page.getByTestId('call-stage')).toHaveAttribute('data-layout', 'speaker');
  await expect(grace.page.getByTestId('speaker-main').locator('[data-peer-name="Ada"]')).toHaveCount(1);
  await expect(grace.page.getByTestId('speaker-strip').locator('figure.tile')).toHaveCount(2);
  await shotDesktopAndPhone(grace.page, 'speaker-view');
  await grace.page.getByTestId('toggle-layout').click();
  await expect(grace.page.getByTestId('call-stage')).toHaveAttribute('data-layout', 'grid');

  // Pinning Linus shows him large even though Ada speaks; unpinning returns to the grid.
  const linusTile = grace.tile('Linus');
  await linusTile.hover();
  await linusTile.getByTestId('pin-tile').click();
  await expect(grace.tile('Linus')).toHaveAttribute('data-pinned', 'true');
  await expect(grace.page.getByTestId('call-stage')).toHaveAttribute('data-layout', 'speaker');
  await expect(grace.page.getByTestId('speaker-main').locator('[data-peer-name="Linus"]')).toHaveCount(1);
  await grace.tile('Linus').getByTestId('pin-tile').click();
  await expect(grace.tile('Linus')).toHaveAttribute('data-pinned', 'false');
  await expect(grace.page.getByTestId('call-stage')).toHaveAttribute('data-layout', 'grid');

  // When Ada mutes, nobody is the speaker any more.
  await muteMic(ada);
  await expect(grace.tile('Ada')).toHaveAttribute('data-speaking', 'false', { timeout: 5000 });

  for (const p of [ada, grace, linus]) await p.close();
});
