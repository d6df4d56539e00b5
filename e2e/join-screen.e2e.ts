/**
 * The way in: the home page starts a meeting, the join screen previews the
 * camera, and every way devices or the network can fail is said in words
 * while the person can still join with what works.
 */
import { expect, test, type Page } from '@playwright/test';
import { newMeeting, Participant } from './participant.js';

/** Makes getUserMedia fail for `kind` with a DOMException of `name`, as a browser would. */
async function failDevice(page: Page, kind: 'video' | 'audio' | 'both', name: string) {
  await page.addInitScript(
    ([kind, name]) => {
      const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      navigator.mediaDevices.getUserMedia = async (constraints) => {
        if ((kind === 'both' && constraints) || (kind === 'video' && constraints?.video) || (kind === 'audio' && constraints?.audio)) {
          throw new DOMException('simulated', name);
        }
        return original(constraints);
      };
    },
    [kind, name] as const,
  );
}

test('a signed-in host starts a new meeting from the home page, with a live camera preview', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Private video meetings.' })).toBeVisible();
  await expect(page.getByTestId('new-meeting')).toHaveText('Sign in to start a meeting');
  await page.screenshot({ path: 'test-results/screenshots/home.png' });
  const login = await page.request.post('/api/auth/login', {
    data: { username: 'admin', password: process.env.CONCLAVE_TEST_ADMIN_PASSWORD },
  });
  expect(login.status()).toBe(200);
  await page.reload();
  await expect(page.getByTestId('new-meeting')).toHaveText('New meeting');
  await page.getByTestId('new-meeting').click();
  await expect(page).toHaveURL(/\/r\/[a-z]{4}-[a-z]{4}-[a-z]{5}#k=/);
  await expect(page.getByTestId('join-button')).toBeDisabled();
  await expect
    .poll(() => page.getByTestId('preview-video').evaluate((v: HTMLVideoElement) => v.getVideoPlaybackQuality().totalVideoFrames))
    .toBeGreaterThan(0);
  await page.getByTestId('display-name').fill('Ada Lovelace');
  await expect(page.getByTestId('join-button')).toBeEnabled();
  await page.screenshot({ path: 'test-results/screenshots/join-screen.png' });
});

test('joining by pasted link goes to that meeting', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('join-code').fill('http://example.invalid/r/abcd-efgh-ijkmn');
  await page.getByRole('button', { name: 'Join', exact: true }).click();
  await expect(page).toHaveURL(/\/r\/abcd-efgh-ijkmn$/);
  await page.goto('/');
  await page.getByTestId('join-code').fill('not a link!');
  await page.getByRole('button', { name: 'Join', exact: true }).click();
  await expect(page.getByRole('alert')).toHaveText(/not a meeting link/);
});

test('without a camera, the person is told and still joins with audio', async ({ browser }) => {
  const room = await newMeeting();
  const context = await browser.newContext();
  const page = await context.newPage();
  await failDevice(page, 'video', 'NotFoundError');
  await page.goto(room);
  await expect(page.getByTestId('media-problems')).toHaveText(/No camera was found/);
  await page.screenshot({ path: 'test-results/screenshots/join-no-camera.png' });
  await page.getByTestId('display-name').fill('Camless');
  await page.getByTestId('join-button').click();
  await expect(page.getByTestId('toggle-camera')).toBeVisible();

  const other = await Participant.join(browser, 'Viewer', room);
  await expect(other.tile('Camless')).toBeVisible();
  await expect(other.tile('Camless').locator('.tile__avatar')).toBeVisible();
  await expect.poll(async () => (await other.statsFor('Camless'))?.audioPacketsReceived ?? 0).toBeGreaterThan(10);
  await other.close();
  await context.close();
});

test('a denied permission is explained', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await failDevice(page, 'both', 'NotAllowedError');
  await page.goto(await newMeeting());
  await expect(page.getByTestId('media-problems')).toHaveText(/access was denied/);
  await context.close();
});

test('an unreachable server is explained on the join screen', async ({ page }) => {
  await page.routeWebSocket(
    (url) => url.pathname === '/ws',
    (ws) => ws.close(),
  );
  await page.goto(await newMeeting());
  await page.getByTestId('display-name').fill('Offline');
  await page.getByTestId('join-button').click();
  await expect(page.getByTestId('join-error')).toHaveText(/Cannot reach the meeting server|connection .* lost/);
  await expect(page.getByTestId('join-button')).toBeEnabled();
  await page.screenshot({ path: 'test-results/screenshots/join-unreachable.png' });
});
