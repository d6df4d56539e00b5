/**
 * A 390-pixel-wide phone: the join screen and a two-person call fit the
 * width (no sideways scrolling), the controls are big enough to tap, and
 * both tiles are on screen. Screenshots for a person to look at.
 */
import { expect, test, type Browser, type Page } from '@playwright/test';
import { newMeeting, Participant } from './participant.js';

const SHOTS = 'test-results/screenshots';

async function phone(browser: Browser, path: string): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    permissions: ['camera', 'microphone'],
  });
  const page = await context.newPage();
  page.on('pageerror', (err) => console.log(`[phone] page error: ${err.message}`));
  await page.goto(path);
  return page;
}

async function expectNoSidewaysScroll(page: Page): Promise<void> {
  expect(await page.evaluate(() => document.scrollingElement!.scrollWidth)).toBeLessThanOrEqual(390);
}

async function expectTappable(page: Page, testId: string): Promise<void> {
  const el = page.getByTestId(testId);
  await expect(el).toBeVisible();
  await expect(el).toBeInViewport({ ratio: 1 });
  const box = (await el.boundingBox())!;
  expect(box.width, `${testId} width`).toBeGreaterThanOrEqual(44);
  expect(box.height, `${testId} height`).toBeGreaterThanOrEqual(44);
}

test('a phone joins a two-person call that fits its screen', async ({ browser }) => {
  const path = await newMeeting();
  const page = await phone(browser, path);

  await expect
    .poll(() => page.getByTestId('preview-video').evaluate((v: HTMLVideoElement) => v.getVideoPlaybackQuality().totalVideoFrames))
    .toBeGreaterThan(0);
  await page.getByTestId('display-name').fill('Grace Hopper');
  await expect(page.getByTestId('select-camera')).toBeVisible();
  await expect(page.getByTestId('mic-level')).toBeVisible();
  await expectNoSidewaysScroll(page);
  await page.screenshot({ path: `${SHOTS}/phone-join.png`, fullPage: true });

  await page.getByTestId('join-button').tap();
  await expect(page.getByTestId('local-video')).toBeVisible();
  const bob = await Participant.join(browser, 'Bob', path);
  const tile = page.locator('[data-testid="remote-tile"][data-peer-name="Bob"]');
  await expect(tile).toBeVisible();
  await expect(tile).toBeInViewport();
  await expect(page.getByTestId('local-video')).toBeInViewport();
  await expect
    .poll(() => tile.locator('video').evaluate((v: HTMLVideoElement) => v.getVideoPlaybackQuality().totalVideoFrames), { timeout: 30_000 })
    .toBeGreaterThan(0);

  for (const id of ['toggle-mic', 'toggle-camera', 'device-settings', 'toggle-chat', 'leave-button']) await expectTappable(page, id);
  await expectNoSidewaysScroll(page);
  await expect(tile.getByTestId('network-quality')).toHaveAttribute('data-quality', /good|fair|poor/, { timeout: 15_000 });
  await page.screenshot({ path: `${SHOTS}/phone-call.png` });

  // Controls really respond to a tap.
  await page.getByTestId('toggle-mic').tap();
  await expect(page.getByTestId('toggle-mic')).toHaveAttribute('aria-pressed', 'true');
  await page.getByTestId('device-settings').tap();
  await expect(page.getByTestId('device-dialog')).toBeVisible();
  await expectNoSidewaysScroll(page);
  await page.screenshot({ path: `${SHOTS}/phone-devices.png` });
  await page.getByTestId('device-settings-done').tap();

  await bob.close();
  await page.context().close();
});
