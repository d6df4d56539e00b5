/**
 * Browsers and encoded-frame transforms: Chromium's older createEncodedStreams
 * path still makes an encrypted call; a browser with neither API is told why
 * it cannot join; and the creator of a meeting is handed its invite link.
 */
import { expect, test } from '@playwright/test';
import { newMeeting, Participant } from './participant.js';

test('without RTCRtpScriptTransform, the createEncodedStreams fallback still encrypts', async ({ browser }) => {
  const room = await newMeeting();
  const old = await Participant.open(browser, 'Old', room);
  await old.page.addInitScript(() => {
    delete (window as unknown as Record<string, unknown>)['RTCRtpScriptTransform'];
  });
  await old.page.reload();
  await old.joinCall();
  const modern = await Participant.join(browser, 'Modern', room);
  await old.expectReceiving('Modern');
  await modern.expectReceiving('Old');
  await expect(modern.tile('Old')).toHaveAttribute('data-e2ee', 'encrypted');
  await expect(old.tile('Modern')).toHaveAttribute('data-e2ee', 'encrypted');
  await old.close();
  await modern.close();
});

test('a browser that cannot transform encoded frames gets an explanation, not a broken call', async ({ page }) => {
  await page.addInitScript(() => {
    delete (window as unknown as Record<string, unknown>)['RTCRtpScriptTransform'];
    delete (RTCRtpSender.prototype as unknown as Record<string, unknown>)['createEncodedStreams'];
  });
  await page.goto(await newMeeting());
  await page.getByTestId('display-name').fill('Legacy');
  await expect(page.getByTestId('e2ee-unsupported')).toHaveText(/cannot encrypt video frames end to end/);
  await expect(page.getByTestId('join-button')).toBeDisabled();
  await page.screenshot({ path: 'test-results/screenshots/e2ee-unsupported.png' });
});

test('the creator of a new meeting is shown its invite link with the key, and can copy it', async ({ browser }) => {
  const context = await browser.newContext({ permissions: ['camera', 'microphone', 'clipboard-read', 'clipboard-write'] });
  const page = await context.newPage();
  expect(
    (
      await page.request.post('/api/auth/login', { data: { username: 'admin', password: process.env.CONCLAVE_TEST_ADMIN_PASSWORD } })
    ).status(),
  ).toBe(200);
  await page.goto('/');
  await page.getByTestId('new-meeting').click();
  await expect(page).toHaveURL(/\/r\/[a-z-]+#k=[A-Za-z0-9_-]{43}$/);
  await page.getByTestId('display-name').fill('Host');
  await page.getByTestId('join-button').click();
  const link = page.getByTestId('invite-link');
  await expect(link).toBeVisible();
  const value = await link.inputValue();
  expect(value).toBe(page.url());
  await page.getByTestId('copy-invite').click();
  await expect(page.getByTestId('copy-invite')).toHaveText('Copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(value);
  await page.screenshot({ path: 'test-results/screenshots/invite.png' });

  // The link works for a guest: same key, so the call is encrypted end to end.
  const guest = await Participant.join(browser, 'Guest', new URL(value).pathname + new URL(value).hash);
  await guest.expectReceiving('Host');
  await expect(guest.tile('Host')).toHaveAttribute('data-e2ee', 'encrypted');
  await guest.close();
  await context.close();
});
