/**
 * Chat as people use it, and what the server learns of it: three people
 * exchange messages and each sees the others' with sender and time; text is
 * shown as text (line breaks kept, no HTML, no links); unread messages are
 * counted on the chat button; a phone gets the chat full screen. A random
 * marker sent in the chat is then searched for in everything the server
 * wrote (its log and every file of its data directory, SQLite included, as
 * bytes) and is not there, while every browser shows it. Someone holding a
 * different meeting key sees the others' messages as undecryptable.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { newMeeting, Participant } from './participant.js';

const SHOTS = 'test-results/screenshots';

function chat(page: Page) {
  return {
    toggle: page.getByTestId('toggle-chat'),
    panel: page.getByTestId('chat-panel'),
    input: page.getByTestId('chat-input'),
    send: page.getByTestId('chat-send'),
    messages: page.getByTestId('chat-message'),
    unread: page.getByTestId('chat-unread'),
  };
}

async function openChat(page: Page): Promise<void> {
  const c = chat(page);
  if (!(await c.panel.isVisible())) await c.toggle.click();
  await expect(c.panel).toBeVisible();
  await expect(c.input).toBeFocused();
}

/** Every message in the panel as [sender, time, text, status]. */
async function shown(page: Page): Promise<Array<[string, string, string, string]>> {
  return chat(page).messages.evaluateAll((items) =>
    items.map((li) => [
      li.querySelector('[data-testid="chat-sender"]')?.textContent ?? '',
      li.querySelector('[data-testid="chat-time"]')?.textContent ?? '',
      li.querySelector<HTMLElement>('[data-testid="chat-text"]')?.innerText ?? '',
      li.getAttribute('data-status') ?? '',
    ]),
  );
}

/** Everything the test server wrote: its log, and each file under its data directory. */
function serverFiles(): string[] {
  const dataDir = process.env.CONCLAVE_TEST_DATA_DIR;
  const log = process.env.CONCLAVE_TEST_SERVER_LOG;
  if (!dataDir || !log) throw new Error('playwright.config.ts exports CONCLAVE_TEST_DATA_DIR and CONCLAVE_TEST_SERVER_LOG');
  const files = [log];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else files.push(p);
    }
  };
  walk(dataDir);
  return files;
}

test('three people chat end to end encrypted; the server writes none of it', async ({ browser }) => {
  const marker = `zebra-${randomBytes(9).toString('hex')}`;
  // The room's name is stored by the server: the search below must find it, to show it reads what is there.
  const roomName = `Design review ${randomBytes(3).toString('hex')}`;
  const room = await newMeeting({ name: roomName });
  const ada = await Participant.join(browser, 'Ada', room);
  const grace = await Participant.join(browser, 'Grace', room);
  const linus = await Participant.join(browser, 'Linus', room);
  const people = [ada, grace, linus];
  // Everyone holds everyone's keys.
  for (const me of people) {
    for (const other of people.filter((p) => p !== me)) await expect(me.tile(other.name)).toHaveAttribute('data-e2ee', 'encrypted');
  }

  // Ada opens the chat: empty, and says what it is.
  const a = chat(ada.page);
  await expect(a.toggle).toHaveAccessibleName('Chat');
  await openChat(ada.page);
  await expect(a.toggle).toHaveAttribute('aria-expanded', 'true');
  await expect(a.panel).toContainText('end-to-end encrypted');
  await expect(a.send).toBeDisabled();
  await a.input.press('Enter'); // nothing to send
  await expect(a.messages).toHaveCount(0);

  // Enter sends; her own message is "You".
  const first = `Morning all, the secret word is ${marker}`;
  await a.input.fill(first);
  await a.input.press('Enter');
  await expect(a.input).toHaveValue('');
  await expect(a.messages).toHaveCount(1);
  await expect(a.messages.first()).toHaveAttribute('data-status', 'sent');
  expect((await shown(ada.page))[0]).toEqual(['You', expect.stringMatching(/^\d\d:\d\d$/), first, 'sent']);

  // The others see an unread count on the button, then the message with its sender and time.
  for (const p of [grace, linus]) {
    const c = chat(p.page);
    await expect(c.unread).toHaveText('1');
    await expect(c.toggle).toHaveAccessibleName('Chat, 1 unread message');
    await openChat(p.page);
    await expect(c.unread).toHaveCount(0);
    await expect(c.messages).toHaveCount(1);
    await expect(c.messages.first()).toHaveAttribute('data-status', 'received');
    expect((await shown(p.page))[0]).toEqual(['Ada', expect.stringMatching(/^\d\d:\d\d$/), first, 'received']);
  }

  // Grace writes two lines (Shift+Enter), Linus sends with the button something that looks like HTML and a link.
  const g = chat(grace.page);
  await g.input.pressSequentially('Two things:');
  await g.input.press('Shift+Enter');
  await g.input.pressSequentially(`1. ${marker} again`);
  await expect(g.input).toHaveValue(`Two things:\n1. ${marker} again`);
  await g.input.press('Enter');
  const html = '<b>not bold</b> <img src=x onerror="window.pwned=1"> see https://example.com/agenda';
  const l = chat(linus.page);
  await l.input.fill(html);
  await l.send.click();

  const expected = (me: string): Array<[string, string, string, string]> =>
    [
      ['Ada', first],
      ['Grace', `Two things:\n1. ${marker} again`],
      ['Linus', html],
    ].map(([who, text]) => [
      who === me ? 'You' : who!,
      expect.stringMatching(/^\d\d:\d\d$/) as unknown as string,
      text!,
      who === me ? 'sent' : 'received',
    ]);
  for (const p of people) {
    await expect(chat(p.page).messages).toHaveCount(3);
    await expect(chat(p.page).messages.last()).toHaveAttribute('data-status', /sent|received/);
    await expect.poll(() => shown(p.page), { message: `${p.name} sees all three messages` }).toEqual(expected(p.name));
    // Plain text only: no element was made from a message, and no script ran.
    const texts = chat(p.page).messages.getByTestId('chat-text');
    await expect(texts.locator('b, img, a')).toHaveCount(0);
    expect(await p.page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    // The time's tooltip says the whole date and time, and its datetime is the server's, just now.
    const time = chat(p.page).messages.first().getByTestId('chat-time');
    await expect(time).toHaveAttribute('title', /\d{4}/);
    const at = Date.parse((await time.getAttribute('datetime')) ?? '');
    expect(Math.abs(Date.now() - at)).toBeLessThan(120_000);
  }
  // Every message is announced to screen readers as it arrives.
  await expect(ada.page.getByRole('log', { name: 'Chat messages' })).toHaveAttribute('aria-live', 'polite');

  // The text box stops at the limit and says so.
  await l.input.fill('x'.repeat(2100));
  await expect(l.input).toHaveValue('x'.repeat(2000));
  await expect(linus.page.getByTestId('chat-counter')).toHaveText('2000 / 2000');
  await l.input.fill('');

  await ada.page.screenshot({ path: `${SHOTS}/chat.png` });

  // Closed, the chat counts what arrives, and keeps what was being typed; Escape closes it too.
  await g.input.fill('half a thought');
  await grace.page.getByTestId('chat-close').click();
  await expect(g.panel).toHaveCount(0);
  await expect(g.toggle).toBeFocused();
  await l.input.fill('Grace, are you still there?');
  await l.input.press('Enter');
  await a.input.fill('She is, just busy.');
  await a.input.press('Enter');
  await expect(g.unread).toHaveText('2');
  await grace.page.getByRole('toolbar', { name: 'Call controls' }).screenshot({ path: `${SHOTS}/chat-unread.png` });
  await openChat(grace.page);
  await expect(g.messages).toHaveCount(5);
  await expect(g.input).toHaveValue('half a thought');
  await g.input.fill('');
  await grace.page.keyboard.press('Escape');
  await expect(g.panel).toHaveCount(0);

  // On a phone the chat covers the screen, and closing it returns to the call.
  await linus.page.setViewportSize({ width: 390, height: 844 });
  await expect
    .poll(() => l.panel.boundingBox(), { message: 'the chat covers the phone screen' })
    .toEqual({ x: 0, y: 0, width: 390, height: 844 });
  await l.input.fill('On my phone now 📱');
  await l.input.press('Enter');
  await expect(l.messages).toHaveCount(6);
  await expect(l.messages.last()).toHaveAttribute('data-status', 'sent');
  await expect(l.messages.last()).toBeInViewport();
  await linus.page.screenshot({ path: `${SHOTS}/chat-mobile.png` });
  await linus.page.getByTestId('chat-close').click();
  await expect(linus.page.getByTestId('local-video')).toBeVisible();
  await linus.page.screenshot({ path: `${SHOTS}/chat-mobile-closed.png` });

  // Every browser shows the marker...
  await openChat(grace.page);
  await openChat(linus.page);
  for (const p of people) await expect(chat(p.page).messages.filter({ hasText: marker })).toHaveCount(2);

  // ...and nothing the server wrote contains it, in any encoding a careless write might use.
  await ada.page.waitForTimeout(500);
  const files = serverFiles();
  expect(
    files.some((f) => f.endsWith('conclave.db')),
    'the data directory holds the database',
  ).toBe(true);
  const log = readFileSync(process.env.CONCLAVE_TEST_SERVER_LOG!, 'utf8');
  expect(log, 'the server log is captured').toContain('peer joined');
  expect(
    files.some((f) => readFileSync(f).includes(Buffer.from(roomName))),
    'the search finds what the server did store',
  ).toBe(true);
  const needles = [
    marker,
    Buffer.from(marker).toString('base64'),
    Buffer.from(marker).toString('base64url'),
    Buffer.from(marker).toString('hex'),
  ];
  for (const file of files) {
    const bytes = readFileSync(file);
    for (const needle of needles) {
      expect(bytes.includes(Buffer.from(needle)), `${needle} in ${file}`).toBe(false);
      expect(bytes.includes(Buffer.from(needle, 'utf16le')), `${needle} (UTF-16) in ${file}`).toBe(false);
    }
  }

  for (const p of people) await p.close();
});

test('someone with a different meeting key cannot read the chat, nor send into it', async ({ browser }) => {
  const room = await newMeeting();
  const ada = await Participant.join(browser, 'Ada', room);
  const mallory = await Participant.join(browser, 'Mallory', room.replace(/#k=.*/, `#k=${randomBytes(32).toString('base64url')}`));
  // Never let into the group: Ada shows Mallory as not yet encrypted; Mallory, once she has waited, as cannot-decrypt.
  await expect(ada.tile('Mallory')).toHaveAttribute('data-e2ee', 'waiting-for-key');
  await expect(mallory.tile('Ada')).toHaveAttribute('data-e2ee', 'cannot-decrypt', { timeout: 30_000 });

  await openChat(ada.page);
  await chat(ada.page).input.fill('for the right key only');
  await chat(ada.page).input.press('Enter');
  const adas = mallory.page.locator('[data-testid="chat-message"][data-mine="false"]');
  await openChat(mallory.page);
  await expect(adas).toHaveCount(1);
  await expect(adas).toHaveAttribute('data-status', 'undecryptable', { timeout: 10_000 });
  await expect(adas).toContainText('Ada');
  await expect(adas).toContainText('could not be decrypted');

  // Outside the group there is nothing to seal with: her message is refused in her own browser, never sent.
  await chat(mallory.page).input.fill('let me in');
  await chat(mallory.page).input.press('Enter');
  const hers = mallory.page.locator('[data-testid="chat-message"][data-mine="true"]');
  await expect(hers).toHaveAttribute('data-status', 'failed');
  await expect(hers).toContainText('encryption is not ready');
  await expect(mallory.page.getByTestId('chat-panel')).not.toContainText('for the right key only');
  await openChat(ada.page);
  await expect(ada.page.locator('[data-testid="chat-message"][data-mine="false"]')).toHaveCount(0);
  await mallory.page.screenshot({ path: `${SHOTS}/chat-undecryptable.png` });
  for (const p of [ada, mallory]) await p.close();
});
