/**
 * Accessibility: axe-core on the join screen, in a call (with the device
 * settings dialog open) and on the admin page, with no serious or critical
 * violations. Anything less severe is printed, for a person to judge.
 */
import { expect, test } from '@playwright/test';
import { expectNoSeriousViolations } from './axe.js';
import { newMeeting, Participant } from './participant.js';

test('the join screen and a call have no serious accessibility violations', async ({ browser }) => {
  const path = await newMeeting();
  const ada = await Participant.open(browser, 'Ada', path);
  await expect(ada.page.getByTestId('select-camera')).toBeVisible();
  await expect(ada.page.getByTestId('join-button')).toBeDisabled();
  await expectNoSeriousViolations(ada.page, 'join screen');
  await ada.joinCall();
  const bob = await Participant.join(browser, 'Bob', path);
  await expect(ada.tile('Bob')).toBeVisible();
  await expect(ada.tile('Bob').getByTestId('network-quality')).toBeVisible();
  await expectNoSeriousViolations(ada.page, 'call');
  await ada.page.getByTestId('device-settings').click();
  await expect(ada.page.getByTestId('device-dialog')).toBeVisible();
  await expectNoSeriousViolations(ada.page, 'device settings');
  await ada.page.getByTestId('device-settings-done').click();
  await ada.page.getByTestId('toggle-chat').click();
  await expect(ada.page.getByTestId('chat-panel')).toBeVisible();
  await expectNoSeriousViolations(ada.page, 'call with chat');
  await ada.close();
  await bob.close();
});

test('the admin page has no serious accessibility violations', async ({ page }) => {
  await page.goto('/admin');
  await expect(page.getByTestId('login-submit')).toBeVisible();
  await expectNoSeriousViolations(page, 'admin sign-in');
  await page.getByTestId('login-username').fill('admin');
  await page.getByTestId('login-password').fill(process.env.CONCLAVE_TEST_ADMIN_PASSWORD!);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('admin-role')).toHaveText('Administrator');
  await expectNoSeriousViolations(page, 'admin rooms');
  for (const tab of ['users', 'audit', 'health']) {
    const button = page.getByTestId(`admin-tab-${tab}`);
    if ((await button.count()) === 0) continue;
    await button.click();
    await page.waitForTimeout(500);
    await expectNoSeriousViolations(page, `admin ${tab}`);
  }
});
