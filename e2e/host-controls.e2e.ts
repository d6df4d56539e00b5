/**
 * Password-protected meetings, the lobby, and host controls, in real
 * browsers: a wrong room password is refused in words; a guest waits in the
 * lobby until a host admits (or denies) them; and mute, remove and end are
 * each seen by the browser they happen to.
 */
import { expect, test } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import { createRoom, joinAsHost, Participant } from './participant.js';

const key = () => `#k=${randomBytes(32).toString('base64url')}`;

test('a wrong room password gets a clear error; the right one lets the guest in', async ({ browser }) => {
  const room = `/r/${await createRoom({ name: 'Board meeting', password: 'open sesame' })}${key()}`;
  const guest = await Participant.open(browser, 'Guest', room);
  await guest.page.getByTestId('display-name').fill('Guest');
  await expect(guest.page.getByTestId('join-button')).toBeDisabled(); // the password is required
  await guest.page.getByTestId('room-password').fill('open says me');
  await guest.page.getByTestId('join-button').click();
  await expect(guest.page.getByTestId('join-error')).toHaveText('That room password is not right.');
  await guest.page.screenshot({ path: 'test-results/screenshots/join-wrong-password.png' });
  await guest.page.getByTestId('room-password').fill('open sesame');
  await guest.page.getByTestId('join-button').click();
  await expect(guest.page.getByTestId('local-video')).toBeVisible();
  await guest.close();
});

test('lobby: a guest waits until a host admits them; another is turned away', async ({ browser }) => {
  const room = `/r/${await createRoom({ name: 'Interviews', lobby: true })}${key()}`;
  const host = await joinAsHost(browser, 'Hilda', room);

  const guest = await Participant.open(browser, 'Gus', room);
  await guest.page.getByTestId('display-name').fill('Gus');
  await guest.page.getByTestId('join-button').click();
  await expect(guest.page.getByTestId('lobby-waiting')).toBeVisible();
  await guest.page.screenshot({ path: 'test-results/screenshots/lobby-waiting.png' });

  const request = host.page.locator('[data-testid="lobby-request"][data-guest-name="Gus"]');
  await expect(request).toBeVisible();
  await host.page.screenshot({ path: 'test-results/screenshots/lobby-host.png' });
  await request.getByTestId('lobby-admit').click();
  await expect(guest.page.getByTestId('local-video')).toBeVisible();
  await host.expectReceiving('Gus');
  await guest.expectReceiving('Hilda');

  const other = await Participant.open(browser, 'Otto', room);
  await other.page.getByTestId('display-name').fill('Otto');
  await other.page.getByTestId('join-button').click();
  await expect(other.page.getByTestId('lobby-waiting')).toBeVisible();
  await host.page.locator('[data-testid="lobby-request"][data-guest-name="Otto"]').getByTestId('lobby-deny').click();
  await expect(other.page.getByTestId('join-error')).toHaveText(/did not let you in/);
  for (const p of [host, guest, other]) await p.close();
});

test('mute, remove and end are each seen by the browser they happen to', async ({ browser }) => {
  const room = `/r/${await createRoom({ name: 'Weekly' })}${key()}`;
  const host = await joinAsHost(browser, 'Hana', room);
  const bob = await Participant.join(browser, 'Bob', room);
  const carol = await Participant.join(browser, 'Carol', room);
  await host.expectReceiving('Bob');
  host.page.on('dialog', (d) => void d.accept());

  // Mute: Bob's own page shows his microphone off, and says who did it.
  await expect(bob.page.getByTestId('toggle-mic')).toHaveAttribute('aria-pressed', 'false');
  await host.tile('Bob').hover();
  await host.tile('Bob').getByTestId('host-mute').click();
  await expect(bob.page.getByTestId('toggle-mic')).toHaveAttribute('aria-pressed', 'true');
  await expect(bob.page.getByRole('status').filter({ hasText: 'Hana turned your microphone off' })).toBeVisible();
  await expect(carol.page.getByRole('status').filter({ hasText: 'Hana muted Bob' })).toBeVisible();

  // Remove: Bob is out, told by whom, and does not come back by himself.
  await host.tile('Bob').hover();
  await host.tile('Bob').getByTestId('host-remove').click();
  await expect(bob.page.getByRole('alert')).toHaveText('Hana removed you from the meeting.');
  await bob.page.screenshot({ path: 'test-results/screenshots/removed.png' });
  await expect(host.tile('Bob')).toHaveCount(0, { timeout: 2000 });
  await expect(carol.tile('Bob')).toHaveCount(0, { timeout: 2000 });
  await bob.page.waitForTimeout(1500);
  await expect(host.tile('Bob')).toHaveCount(0);

  // Lock, then end: Carol sees both, in words.
  await host.page.getByTestId('host-lock').click();
  await expect(carol.page.getByTestId('room-locked')).toBeVisible();
  await host.page.getByTestId('host-end').click();
  await expect(carol.page.getByRole('alert')).toHaveText('Hana ended the meeting.');
  for (const p of [host, bob, carol]) await p.close();
});
