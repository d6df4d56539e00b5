/**
 * A room made on the admin page gets a meeting key in its link (`#k=…`),
 * made in the admin's browser and shown once: the key is in none of the
 * requests or WebSocket frames the admin's or the guests' pages send, nor
 * anywhere the server writes, and the link alone is enough to join the
 * encrypted meeting. A passphrase room's link has no key; a passphrase below
 * the strength floor is refused in the admin's form and on the join screen,
 * before anything is sent.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { Participant } from './participant.js';

const ADMIN_PASSWORD = process.env.CONCLAVE_TEST_ADMIN_PASSWORD ?? 'correct-horse-battery';
const SHOTS = 'test-results/screenshots';

/** Everything a page sends: each request's URL, headers and body, and each WebSocket frame. */
class SentLog {
  readonly requests: { method: string; url: string; headers: string; body: Buffer }[] = [];
  readonly frames: Buffer[] = [];

  watch(page: Page): void {
    page.on('request', (r) => {
      this.requests.push({
        method: r.method(),
        url: r.url(),
        headers: JSON.stringify(r.headers()),
        body: r.postDataBuffer() ?? Buffer.alloc(0),
      });
    });
    page.on('websocket', (ws) => ws.on('framesent', (f) => this.frames.push(Buffer.from(f.payload))));
  }

  /** Every place `secret` (in any of the given text forms, or as raw bytes) was sent. */
  find(texts: string[], bytes?: Buffer): string[] {
    const hits: string[] = [];
    const has = (b: Buffer) => texts.some((t) => b.includes(t)) || (bytes !== undefined && b.includes(bytes));
    for (const r of this.requests) {
      if (texts.some((t) => r.url.includes(t))) hits.push(`URL of ${r.method} ${r.url}`);
      if (texts.some((t) => r.headers.includes(t))) hits.push(`headers of ${r.method} ${r.url}`);
      if (has(r.body)) hits.push(`body of ${r.method} ${r.url}`);
    }
    this.frames.forEach((f, i) => has(f) && hits.push(`WebSocket frame ${i}`));
    return hits;
  }
}

/** The test server's log and every file under its data directory, as text. */
function serverWrites(): string {
  const files = [process.env.CONCLAVE_TEST_SERVER_LOG!];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else files.push(p);
    }
  };
  walk(process.env.CONCLAVE_TEST_DATA_DIR!);
  return files.map((f) => readFileSync(f, 'latin1')).join('\n');
}

async function signIn(page: Page): Promise<void> {
  await page.goto('/admin');
  await page.getByTestId('login-username').fill('admin');
  await page.getByTestId('login-password').fill(ADMIN_PASSWORD);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('logout-button')).toBeVisible();
}

async function openCreateForm(page: Page, name: string): Promise<void> {
  await page.getByTestId('admin-create-room').click();
  await expect(page.getByRole('dialog', { name: 'Create a room' })).toBeVisible();
  await page.getByTestId('room-form-name').fill(name);
}

test('a room made on the admin page has its key in the link, shown once and never sent; the link joins the meeting', async ({
  browser,
}) => {
  const roomName = `Board ${randomBytes(3).toString('hex')}`;
  const sent = new SentLog();
  let admin: BrowserContext | null = null;
  let guest: BrowserContext | null = null;
  let grace: Participant | null = null;
  try {
    admin = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
    const page = await admin.newPage();
    sent.watch(page);
    await signIn(page);

    // Create, in the default mode: a key in the link.
    await openCreateForm(page, roomName);
    await expect(page.getByTestId('admin-room-key-mode-link')).toBeChecked();
    const created = page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/api/rooms');
    await page.getByTestId('room-form-submit').click();
    const createBody = JSON.parse((await created).postData() ?? '{}') as Record<string, unknown>;
    expect(Object.keys(createBody).sort()).toEqual(['lobby', 'maxParticipants', 'name']);

    const linkField = page.getByTestId('admin-room-link');
    await expect(linkField).toHaveValue(/#k=/);
    const link = await linkField.inputValue();
    const match = /^http:\/\/localhost:\d+\/r\/([a-z]{4}-[a-z]{4}-[a-z]{5})#k=([A-Za-z0-9_-]{43})$/.exec(link);
    expect(match, link).not.toBeNull();
    const [, roomId, key] = match!;
    await expect(page.getByTestId('admin-room-link-once')).toContainText('Shown only this once');
    await expect(page.getByTestId('admin-room-link-once')).toContainText('does not keep it');
    await page.getByTestId('admin-room-link-copy').click();
    await expect(page.getByTestId('admin-room-link-copy')).toHaveText('Copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link);
    await page.screenshot({ path: `${SHOTS}/admin-room-link.png` });

    // Closed, it cannot come back: the list has the room, and only its link without a key.
    await page.getByTestId('admin-room-link-done').click();
    await expect(page.getByTestId('room-form')).toHaveCount(0);
    const row = page.locator(`[data-testid="admin-room-row"][data-room-id="${roomId}"]`);
    await expect(row).toBeVisible();
    await expect(page.getByTestId('admin-rooms-key-note')).toContainText('only once');
    await expect(page.locator('body')).not.toContainText(key!);

    // A guest opens the link in a browser of their own and meets a second guest who has the same link.
    guest = await browser.newContext();
    const ada = await guest.newPage();
    sent.watch(ada);
    await ada.goto(link);
    await expect(ada.getByTestId('e2ee-passphrase')).toHaveCount(0);
    await ada.getByTestId('display-name').fill('Ada');
    await ada.getByTestId('join-button').click();
    await expect(ada.getByTestId('local-video')).toBeVisible();
    grace = await Participant.join(browser, 'Grace', link);
    await grace.expectReceiving('Ada', { audio: false });
    await expect(ada.locator('[data-testid="remote-tile"][data-peer-name="Grace"][data-source="camera"]')).toHaveAttribute(
      'data-e2ee',
      'encrypted',
    );

    // The key never left the browsers: in no request, no header (Referer included), no WebSocket frame, nothing the server wrote.
    const bytes = Buffer.from(key!, 'base64url');
    expect(bytes).toHaveLength(32);
    expect(sent.requests.some((r) => r.url.includes(`/r/${roomId}`))).toBe(true); // the log saw the pages open
    expect(sent.frames.length).toBeGreaterThan(0); // and the signaling
    expect(sent.find([key!, bytes.toString('base64'), bytes.toString('hex')], bytes)).toEqual([]);
    const written = serverWrites();
    expect(written).toContain(roomName); // the search reads what the server stores
    expect(written).not.toContain(key!);
  } finally {
    await grace?.close();
    await guest?.close();
    await admin?.close();
  }
});

test('a passphrase room: the link has no key, and a weak passphrase is refused in the form and on the join screen', async ({
  browser,
  page,
}) => {
  const sent = new SentLog();
  sent.watch(page);
  await signIn(page);
  await openCreateForm(page, `Passphrase room ${randomBytes(3).toString('hex')}`);
  await page.getByTestId('admin-room-key-mode-passphrase').check();
  const field = page.getByTestId('admin-room-passphrase');
  await field.fill('password1');
  await expect(page.getByTestId('passphrase-weak')).toContainText('at least 12 characters');
  await expect(page.getByTestId('room-form-submit')).toBeDisabled();
  await field.fill('qwertyuiop123456789!');
  await expect(page.getByTestId('passphrase-weak')).toContainText('count as one, which leaves 3');
  await expect(page.getByTestId('room-form-submit')).toBeDisabled();
  await page.screenshot({ path: `${SHOTS}/admin-room-passphrase-weak.png` });
  const passphrase = `Harbour lights ${randomBytes(3).toString('hex')}!`;
  await field.fill(passphrase);
  await expect(page.getByTestId('passphrase-weak')).toHaveCount(0);
  await page.getByTestId('room-form-submit').click();
  const link = await page.getByTestId('admin-room-link').inputValue();
  expect(link).toMatch(/^http:\/\/localhost:\d+\/r\/[a-z]{4}-[a-z]{4}-[a-z]{5}$/);
  await expect(page.getByTestId('admin-room-link-once')).toContainText('type the passphrase you chose');
  expect(sent.find([passphrase])).toEqual([]);

  const guest = await Participant.open(browser, 'Linus', link);
  try {
    const join = guest.page.getByTestId('join-button');
    await guest.page.getByTestId('display-name').fill('Linus');
    await guest.page.getByTestId('e2ee-passphrase').fill('a'.repeat(24));
    const weak = guest.page.getByTestId('passphrase-weak');
    await expect(weak).toContainText('Too weak');
    await expect(weak).toContainText('count as one, which leaves 1');
    await expect(join).toBeDisabled();
    await guest.page.getByTestId('e2ee-passphrase').fill('short');
    await expect(weak).toContainText('at least 12 characters with 3 of lower-case, upper-case, digits and symbols');
    await expect(join).toBeDisabled();
    await guest.page.screenshot({ path: `${SHOTS}/join-passphrase-weak.png` });
    await guest.page.getByTestId('e2ee-passphrase').fill(passphrase);
    await expect(weak).toHaveCount(0);
    await expect(join).toBeEnabled();
  } finally {
    await guest.close();
  }
});
