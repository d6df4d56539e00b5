/**
 * The admin page, end to end against the real server: sign in as the admin
 * the test server was started with, create a room with a password and a host
 * account, find both in the audit log, watch the workers' health, then see two
 * real guests (who came in with the room password and a meeting passphrase,
 * as the admin's room link asks them to) live in the room's row with their
 * encryption state, remove one and end the meeting for the other.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { Participant } from './participant.js';

const ADMIN_USER = 'admin';
const ADMIN_PASSWORD = process.env.CONCLAVE_TEST_ADMIN_PASSWORD ?? 'correct-horse-battery';
const SHOTS = 'test-results/screenshots';

async function signIn(page: Page): Promise<void> {
  await page.goto('/admin');
  await expect(page.getByTestId('login-submit')).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/admin-login.png` });
  await page.getByTestId('login-username').fill(ADMIN_USER);
  await page.getByTestId('login-password').fill(ADMIN_PASSWORD);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('logout-button')).toBeVisible();
  await expect(page.getByTestId('admin-role')).toHaveText('Administrator');
}

/** A guest who arrives by the admin's room link: no key in it, so they type the meeting passphrase, and the room password. */
async function guestJoins(page: Participant, passphrase: string, roomPassword: string): Promise<void> {
  await page.page.getByTestId('e2ee-passphrase').fill(passphrase);
  await page.page.getByTestId('room-password').fill(roomPassword);
  await page.joinCall();
}

function participantIn(row: Locator, name: string): Locator {
  return row.locator(`[data-testid="admin-participant"][data-name="${name}"]`);
}

test('an admin manages rooms, users and live meetings from /admin', async ({ browser, page }) => {
  const roomName = `Design review ${randomBytes(2).toString('hex')}`;
  const roomPassword = 'open-sesame-42';
  const passphrase = `Quiet ${randomBytes(4).toString('hex')} harbour!`;
  const hostName = `host-${randomBytes(3).toString('hex')}`;
  let roomId = '';

  await test.step('sign in', () => signIn(page));

  const row = () => page.locator(`[data-testid="admin-room-row"][data-room-id="${roomId}"]`);

  await test.step('create a room with a password, encrypted with a passphrase', async () => {
    await page.getByTestId('admin-tab-rooms').click();
    await page.getByTestId('admin-create-room').click();
    const dialog = page.getByRole('dialog', { name: 'Create a room' });
    await expect(dialog).toBeVisible();
    await page.getByTestId('room-form-name').fill(roomName);
    await page.getByTestId('admin-room-key-mode-passphrase').check();
    await page.getByTestId('admin-room-passphrase').fill(passphrase);
    await page.getByTestId('room-form-password').fill(roomPassword);
    await expect(page.getByTestId('room-form-lobby')).not.toBeChecked();
    await page.getByTestId('room-form-submit').click();
    // The link it shows once has no key: the guests type the passphrase.
    await expect(page.getByTestId('admin-room-link')).toHaveValue(/\/r\/[a-z-]+$/);
    await page.getByTestId('admin-room-link-done').click();
    await expect(page.getByTestId('room-form')).toHaveCount(0);

    const created = page.getByTestId('admin-room-row').filter({ hasText: roomName });
    await expect(created).toHaveCount(1);
    roomId = (await created.getAttribute('data-room-id')) ?? '';
    expect(roomId).toMatch(/^[A-Za-z0-9_-]{3,64}$/);
    await expect(row()).toContainText('Password');
    await expect(row()).toHaveAttribute('data-live-count', '0');
    await expect(row().getByTestId('admin-room-count')).toContainText('Idle');
    await page.screenshot({ path: `${SHOTS}/admin-rooms.png` });
  });

  await test.step('lock and unlock it', async () => {
    await row().getByTestId('admin-room-lock').click();
    await expect(row()).toHaveAttribute('data-locked', 'true');
    await expect(row().getByTestId('admin-room-lock')).toHaveAttribute('aria-pressed', 'true');
    await row().getByTestId('admin-room-lock').click();
    await expect(row()).toHaveAttribute('data-locked', 'false');
  });

  await test.step('create a host account', async () => {
    await page.getByTestId('admin-tab-users').click();
    await expect(page.getByTestId('admin-user-row').filter({ hasText: ADMIN_USER }).first()).toBeVisible();
    await page.getByTestId('admin-create-user').click();
    await page.getByTestId('user-form-username').fill(hostName);
    await page.getByTestId('user-form-password').fill('a-host-password-123');
    await page.getByTestId('user-form-role').selectOption('host');
    await page.getByTestId('user-form-submit').click();
    const hostRow = page.locator(`[data-testid="admin-user-row"][data-username="${hostName}"]`);
    await expect(hostRow).toBeVisible();
    await expect(hostRow).toHaveAttribute('data-role', 'host');
    await page.screenshot({ path: `${SHOTS}/admin-users.png` });
  });

  await test.step('the audit log shows both actions, with who, when and from where', async () => {
    await page.getByTestId('admin-tab-audit').click();
    const roomEntry = page.locator('[data-testid="audit-row"][data-action="room.create"]').filter({ hasText: roomId });
    await expect(roomEntry).toHaveCount(1);
    // The actor is the username, possibly with context: "admin" or "admin (admin, admin page)".
    await expect(roomEntry).toHaveAttribute('data-actor', new RegExp(`^${ADMIN_USER}( |$)`));
    await expect(roomEntry).toContainText('Created room');
    await expect(roomEntry).toContainText(/127\.0\.0\.1|::1|::ffff:127\.0\.0\.1/);
    const userEntry = page.locator('[data-testid="audit-row"][data-action="user.create"]').filter({ hasText: hostName });
    await expect(userEntry).toHaveCount(1);
    await expect(userEntry).toContainText('Added user');
    await expect(page.locator('[data-testid="audit-row"][data-action="room.lock"]').filter({ hasText: roomId })).toHaveCount(1);
    await page.screenshot({ path: `${SHOTS}/admin-audit.png` });
  });

  await test.step('health shows every worker, updating live', async () => {
    await page.getByTestId('admin-tab-health').click();
    const workers = page.getByTestId('health-worker');
    await expect(workers.first()).toBeVisible();
    expect(await workers.count()).toBeGreaterThanOrEqual(1);
    for (const card of await workers.all()) {
      await expect(card).toHaveAttribute('data-alive', 'true');
      await expect(card.getByTestId('health-worker-cpu')).toHaveText(/\d+(\.\d)? %/);
      await expect(card.getByTestId('health-worker-memory')).toHaveText(/\d+(\.\d)? (MB|GB)/);
      await expect(card.getByRole('img', { name: /CPU of worker/ })).toBeVisible();
    }
    await page.screenshot({ path: `${SHOTS}/admin-health.png` });
  });

  // Two guests come in by the admin's link: /r/<id> with no meeting key.
  const ada = await Participant.open(browser, 'Ada', `/r/${roomId}`);
  const grace = await Participant.open(browser, 'Grace', `/r/${roomId}`);
  try {
    await test.step('two guests join with the room password and a meeting passphrase', async () => {
      await guestJoins(ada, passphrase, roomPassword);
      await guestJoins(grace, passphrase, roomPassword);
      await ada.expectReceiving('Grace', { audio: false });
      await grace.expectReceiving('Ada', { audio: false });
    });

    await test.step('the room row shows them live, with bitrate and encryption state', async () => {
      await page.getByTestId('admin-tab-rooms').click();
      await expect(row()).toHaveAttribute('data-live-count', '2');
      await expect(row().getByTestId('admin-room-count')).toContainText('Live');
      for (const name of ['Ada', 'Grace']) {
        const p = participantIn(row(), name);
        await expect(p).toBeVisible();
        await expect(p).toHaveAttribute('data-e2ee', 'encrypted', { timeout: 30_000 });
        await expect(p.getByTestId('admin-participant-e2ee')).toHaveText('Encrypted');
        await expect
          .poll(async () => Number.parseFloat((await p.getByTestId('admin-participant-bitrate').textContent()) ?? '0'), {
            timeout: 30_000,
            message: `${name}'s sending bitrate`,
          })
          .toBeGreaterThan(0);
      }
      await page.screenshot({ path: `${SHOTS}/admin-live-meeting.png` });
      await page.setViewportSize({ width: 390, height: 844 });
      await page.screenshot({ path: `${SHOTS}/admin-live-meeting-mobile.png`, fullPage: true });
      await page.setViewportSize({ width: 1280, height: 720 });
    });

    await test.step('removing a guest takes them out of the meeting', async () => {
      await participantIn(row(), 'Grace').getByTestId('admin-kick').click();
      await expect(grace.page.getByText(/removed you from the meeting/i)).toBeVisible();
      await expect(participantIn(row(), 'Grace')).toHaveCount(0);
      await expect(row()).toHaveAttribute('data-live-count', '1');
      await expect(ada.tile('Grace')).toHaveCount(0);
    });

    await test.step('ending the meeting sends everyone out', async () => {
      await row().getByTestId('admin-room-end').click();
      await expect(ada.page.getByText(/ended the meeting/i)).toBeVisible();
      await expect(row()).toHaveAttribute('data-live-count', '0');
    });
  } finally {
    await ada.close();
    await grace.close();
  }

  await test.step('the audit log records the removal and the end', async () => {
    await page.getByTestId('admin-tab-audit').click();
    await expect(page.locator('[data-testid="audit-row"][data-action="participant.remove"]').filter({ hasText: roomId })).toHaveCount(1);
    await expect(page.locator('[data-testid="audit-row"][data-action="meeting.end"]').filter({ hasText: roomId })).toHaveCount(1);
  });

  await test.step('delete the room, after confirming', async () => {
    await page.getByTestId('admin-tab-rooms').click();
    await row().getByTestId('admin-room-delete').click();
    const confirm = page.getByRole('dialog', { name: /Delete/ });
    await expect(confirm).toBeVisible();
    await page.getByTestId('confirm-accept').click();
    await expect(row()).toHaveCount(0);
  });

  await test.step('sign out', async () => {
    await page.getByTestId('logout-button').click();
    await expect(page.getByTestId('login-submit')).toBeVisible();
    await page.reload();
    await expect(page.getByTestId('login-submit')).toBeVisible();
  });
});

test('a host sees only their own rooms, and only the Rooms tab', async ({ browser, page }) => {
  const hostName = `host-${randomBytes(3).toString('hex')}`;
  const hostPassword = 'another-host-password';
  await signIn(page);
  await page.getByTestId('admin-tab-users').click();
  await page.getByTestId('admin-create-user').click();
  await page.getByTestId('user-form-username').fill(hostName);
  await page.getByTestId('user-form-password').fill(hostPassword);
  await page.getByTestId('user-form-role').selectOption('host');
  await page.getByTestId('user-form-submit').click();
  await expect(page.locator(`[data-testid="admin-user-row"][data-username="${hostName}"]`)).toBeVisible();
  await page.getByTestId('admin-tab-rooms').click();
  await page.getByTestId('admin-create-room').click();
  await page.getByTestId('room-form-name').fill('Admin-only room');
  await page.getByTestId('room-form-submit').click();
  await expect(page.getByTestId('admin-room-row').filter({ hasText: 'Admin-only room' }).first()).toBeVisible();

  const context = await browser.newContext();
  const host = await context.newPage();
  try {
    await host.goto('/admin');
    await host.getByTestId('login-username').fill(hostName);
    await host.getByTestId('login-password').fill(hostPassword);
    await host.getByTestId('login-submit').click();
    await expect(host.getByTestId('admin-role')).toHaveText('Host');
    await expect(host.getByTestId('admin-tab-rooms')).toBeVisible();
    for (const tab of ['users', 'audit', 'health']) await expect(host.getByTestId(`admin-tab-${tab}`)).toHaveCount(0);
    await expect(host.getByText('You see the rooms you created.')).toBeVisible();
    await expect(host.getByTestId('admin-room-row')).toHaveCount(0);

    await host.getByTestId('admin-create-room').click();
    await host.getByTestId('room-form-name').fill('Host standup');
    await host.getByTestId('room-form-lobby').check();
    await host.getByTestId('room-form-submit').click();
    await expect(host.getByTestId('admin-room-row')).toHaveCount(1);
    await expect(host.getByTestId('admin-room-row')).toContainText('Host standup');
    await expect(host.getByTestId('admin-room-row')).toContainText('Lobby');
    await host.screenshot({ path: `${SHOTS}/admin-host-rooms.png` });
  } finally {
    await context.close();
  }
});

test('first start: the one-time setup link creates the first admin, signs them in, and works once', async ({ page }) => {
  // A server of its own, started with no accounts and no CONCLAVE_ADMIN_PASSWORD, so it prints a setup link.
  const port = Number(process.env.CONCLAVE_TEST_PORT ?? 3210) + 5;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    CONCLAVE_RTC_PORT: String(Number(process.env.CONCLAVE_TEST_RTC_PORT ?? 22000) + 50),
    CONCLAVE_WORKERS: '1',
    CONCLAVE_LOG_LEVEL: 'warn',
    CONCLAVE_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'conclave-setup-')),
  };
  delete env.CONCLAVE_ADMIN_PASSWORD;
  const server = spawn(process.execPath, ['apps/server/dist/main.js'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const setupPath = new Promise<string>((resolve) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /\/setup\?token=[A-Za-z0-9_-]+/.exec(output);
      if (m) resolve(m[0]);
    };
    server.stdout.on('data', onData);
    server.stderr.on('data', onData);
  });
  const base = `http://localhost:${port}`;
  try {
    const link = await Promise.race([
      setupPath,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no setup link in the server log:\n${output}`)), 30_000)),
    ]);

    await page.goto(`${base}/admin`);
    await expect(page.getByTestId('setup-needed')).toBeVisible();

    await page.goto(`${base}${link}`);
    await page.getByTestId('setup-username').fill('owner');
    await page.getByTestId('setup-password').fill('a-long-owner-password');
    await page.getByTestId('setup-password-confirm').fill('a-long-owner-password');
    await page.screenshot({ path: `${SHOTS}/admin-setup.png` });
    await page.getByTestId('setup-submit').click();

    await expect(page).toHaveURL(`${base}/admin`);
    await expect(page.getByTestId('admin-user')).toHaveText('owner');
    await expect(page.getByTestId('admin-role')).toHaveText('Administrator');

    // The link works once.
    await page.goto(`${base}${link}`);
    await expect(page.getByTestId('setup-go-admin')).toBeVisible();
  } finally {
    server.kill('SIGTERM');
  }
});
