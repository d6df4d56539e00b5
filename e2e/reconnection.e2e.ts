/**
 * A dropped signaling connection heals by itself, without a page reload:
 * the page shows that it is reconnecting, rejoins with a fresh ticket, gets
 * new E2EE keys, and both people decode each other again; chat still works.
 * The drop is made where the network would make it: the socket is routed
 * through Playwright, which cuts it on the server's side. Then the same
 * while the browser is offline: the banner counts attempts, and the rejoin
 * happens as soon as the browser is back online, not at the next backoff.
 */
import { mkdirSync } from 'node:fs';
import { expect, test, type Page, type WebSocketRoute } from '@playwright/test';
import { adminSession, newMeeting, Participant } from './participant.js';
import { bannerLog, decodingAll, recoveryOf, seenFrom, until, watchBanner } from './reconnection/call-probe.js';

const SHOTS = 'test-results/screenshots';

/** Opens the room and routes its signaling socket through the test, so the test can cut it. */
async function joinRouted(browser: Parameters<typeof Participant.open>[0], name: string, room: string) {
  const p = await Participant.open(browser, name, room);
  const sockets: RoutedSocket[] = [];
  await p.page.routeWebSocket(/\/ws(\?|$)/, (page) => {
    const server = page.connectToServer();
    const socket: RoutedSocket = { page, server, silent: false };
    // Forwarded by hand, so that the test can make the line go silent (see silence()).
    page.onMessage((m) => !socket.silent && server.send(m));
    server.onMessage((m) => !socket.silent && page.send(m));
    page.onClose((code, reason) => !socket.silent && void server.close({ code, reason }));
    server.onClose((code, reason) => !socket.silent && void page.close({ code, reason }));
    sockets.push(socket);
  });
  await p.joinCall();
  return { p, sockets };
}

/** The page's end of a signaling socket, and the end towards the real server, both held by the test. */
interface RoutedSocket {
  page: WebSocketRoute;
  server: WebSocketRoute;
  /** Nothing gets through either way, and neither end is told: a network that died without a word. */
  silent: boolean;
}

/** The network drops the connection: both ends see it close, the server (which removes the member) and the page. */
async function dropSocket(sockets: RoutedSocket[]): Promise<void> {
  const live = sockets.at(-1);
  if (!live) throw new Error('no signaling socket was opened');
  await live.server.close({ code: 4000, reason: 'network drop (test)' });
  await live.page.close({ code: 4000, reason: 'network drop (test)' });
}

async function markPage(page: Page): Promise<string> {
  const mark = `no-reload-${Math.random().toString(36).slice(2)}`;
  await page.evaluate((m) => ((window as unknown as { __mark: string }).__mark = m), mark);
  return mark;
}

async function expectSamePage(page: Page, mark: string): Promise<void> {
  expect(await page.evaluate(() => (window as unknown as { __mark?: string }).__mark), 'the page was not reloaded').toBe(mark);
}

async function chatFromTo(from: Page, to: Page, text: string): Promise<void> {
  for (const page of [from, to]) {
    if (!(await page.getByTestId('chat-panel').isVisible())) await page.getByTestId('toggle-chat').click();
  }
  await from.getByTestId('chat-input').fill(text);
  await from.getByTestId('chat-send').click();
  await expect(to.getByTestId('chat-message').filter({ hasText: text }).getByTestId('chat-text')).toHaveText(text);
}

test('a dropped signaling connection rejoins by itself, keys and all, without a reload', async ({ browser }) => {
  const room = await newMeeting();
  const { p: ada, sockets } = await joinRouted(browser, 'Ada', room);
  const grace = await Participant.join(browser, 'Grace', room);
  await ada.expectReceiving('Grace');
  await grace.expectReceiving('Ada');
  await expect(ada.tile('Grace')).toHaveAttribute('data-e2ee', 'encrypted');
  const mark = await markPage(ada.page);
  const before = await recoveryOf(ada.page);
  const adaPeerBefore = (await seenFrom(grace.page, ['Ada']))['Ada']!.peerId;
  await watchBanner(ada.page);

  const droppedAt = await ada.page.evaluate(() => Date.now());
  await dropSocket(sockets);
  await expect(ada.page.getByTestId('reconnecting')).toBeHidden({ timeout: 15_000 });
  // Both decode each other again, under fresh keys: Ada is a new member of the room.
  const [adaAt, graceAt] = await Promise.all([
    decodingAll(ada.page, 'Ada', ['Grace'], 20_000),
    decodingAll(grace.page, 'Grace', ['Ada'], 20_000),
  ]);
  const log = await bannerLog(ada.page);
  expect(log.shown.length, 'the reconnecting banner was shown').toBeGreaterThanOrEqual(1);
  expect(log.shown[0]!.cause).toBe('server');
  expect(log.hidden.length).toBeGreaterThanOrEqual(1);
  const after = await recoveryOf(ada.page);
  expect(after.rejoins).toBe(before.rejoins + 1);
  expect(after.peerId).not.toBe(before.peerId);
  expect((await seenFrom(grace.page, ['Ada']))['Ada']!.peerId).not.toBe(adaPeerBefore);
  expect(sockets.length, 'a new socket (with a new ticket) was opened').toBe(2);
  await expect(ada.tile('Grace')).toHaveAttribute('data-e2ee', 'encrypted');
  await expect(grace.tile('Ada')).toHaveAttribute('data-e2ee', 'encrypted');
  await expect(grace.page.locator('[data-testid="remote-tile"][data-peer-name="Ada"][data-source="camera"]')).toHaveCount(1);
  await expectSamePage(ada.page, mark);
  await chatFromTo(ada.page, grace.page, 'still here after the drop');
  await chatFromTo(grace.page, ada.page, 'welcome back');
  console.log(
    `socket drop: banner shown ${log.shown[0]!.at - droppedAt} ms after the drop, for ${log.hidden[0]! - log.shown[0]!.at} ms; ` +
      `Ada decodes Grace again ${adaAt - droppedAt} ms after the drop, Grace decodes Ada ${graceAt - droppedAt} ms after (clocks: each page's)`,
  );
  await ada.close();
  await grace.close();
});

test('while offline the banner counts attempts; back online, it rejoins at once', async ({ browser }) => {
  mkdirSync(SHOTS, { recursive: true });
  const room = await newMeeting();
  const { p: ada, sockets } = await joinRouted(browser, 'Ada', room);
  const grace = await Participant.join(browser, 'Grace', room);
  await ada.expectReceiving('Grace');
  await grace.expectReceiving('Ada');
  const mark = await markPage(ada.page);

  await ada.context.setOffline(true);
  await dropSocket(sockets);
  const banner = ada.page.getByTestId('reconnecting');
  await expect(banner).toBeVisible();
  await expect(banner).toHaveAttribute('role', 'status');
  await expect(banner).toContainText('Reconnecting to the meeting');
  await expect(banner).toContainText('keeps trying by itself');
  await expect(banner.getByTestId('reconnecting-leave')).toBeVisible();
  // Attempts fail while offline, and wait longer each time.
  await expect(banner.getByTestId('reconnecting-progress')).toHaveText(/Attempt [4-9] · next try in \d s/, { timeout: 15_000 });
  await ada.page.screenshot({ path: `${SHOTS}/reconnecting.png` });
  await banner.screenshot({ path: `${SHOTS}/reconnecting-banner.png` });
  // Grace's side: Ada left (the server saw the socket go).
  await expect(grace.tile('Ada')).toHaveCount(0);

  // Back online early in a long wait: the rejoin does not wait for the timer.
  const waiting = await until('a long wait before the next attempt', 20_000, async () => {
    const r = await recoveryOf(ada.page);
    const now = await ada.page.evaluate(() => Date.now());
    return r.reconnecting?.nextAttemptAt && r.reconnecting.nextAttemptAt - now > 2000 ? r.reconnecting.nextAttemptAt - now : null;
  });
  const onlineAt = Date.now();
  await ada.context.setOffline(false);
  await expect(banner).toBeHidden({ timeout: 15_000 });
  const rejoinMs = Date.now() - onlineAt;
  expect(rejoinMs, `rejoined before the next scheduled attempt (${waiting} ms away)`).toBeLessThan(waiting);
  await ada.expectReceiving('Grace');
  await grace.expectReceiving('Ada');
  await expect(ada.tile('Grace')).toHaveAttribute('data-e2ee', 'encrypted');
  await expect(grace.tile('Ada')).toHaveAttribute('data-e2ee', 'encrypted');
  await expectSamePage(ada.page, mark);
  await chatFromTo(grace.page, ada.page, 'you are back');
  console.log(`offline: back in the call ${rejoinMs} ms after going online (the next scheduled attempt was ${waiting} ms away)`);
  await ada.close();
  await grace.close();
});

test('a guest whose connection drops gets back into a meeting locked since; a newcomer does not', async ({ browser }) => {
  const room = await newMeeting();
  const roomId = /\/r\/([^#]+)/.exec(room)![1]!;
  const { p: grace, sockets } = await joinRouted(browser, 'Grace', room);
  const ada = await Participant.join(browser, 'Ada', room);
  await grace.expectReceiving('Ada', { audio: false });
  // The admin locks the meeting (as a host could from the call).
  const base = `http://localhost:${process.env.CONCLAVE_TEST_PORT ?? 3210}`;
  const res = await fetch(`${base}/api/rooms/${roomId}`, {
    method: 'PATCH',
    headers: { 'Content-Type': 'application/json', Cookie: await adminSession(), Origin: base },
    body: JSON.stringify({ locked: true }),
  });
  expect(res.status).toBe(200);
  await expect(grace.page.getByTestId('room-locked')).toBeVisible();

  await dropSocket(sockets);
  await expect(grace.page.getByTestId('reconnecting')).toBeHidden({ timeout: 15_000 });
  await decodingAll(grace.page, 'Grace', ['Ada'], 20_000);
  await decodingAll(ada.page, 'Ada', ['Grace'], 20_000);
  await expect(ada.tile('Grace')).toHaveAttribute('data-e2ee', 'encrypted');
  expect(sockets.length, 'Grace came back through a new socket').toBe(2);

  // Someone new with the same link is still kept out.
  const newcomer = await Participant.open(browser, 'Linus', room);
  await newcomer.page.getByTestId('display-name').fill('Linus');
  await newcomer.page.getByTestId('join-button').click();
  await expect(newcomer.page.getByText(/locked/i).first()).toBeVisible();
  for (const p of [grace, ada, newcomer]) await p.close();
});

test('a connection that goes silent is noticed within seconds and replaced, with no frozen twin left behind', async ({ browser }) => {
  const room = await newMeeting();
  const { p: ada, sockets } = await joinRouted(browser, 'Ada', room);
  const grace = await Participant.join(browser, 'Grace', room);
  await ada.expectReceiving('Grace', { audio: false });
  await grace.expectReceiving('Ada', { audio: false });
  const before = await recoveryOf(ada.page);
  await watchBanner(ada.page);

  // No close, no error: every message is simply lost from now on, both ways.
  const silentAt = await ada.page.evaluate(() => Date.now());
  sockets.at(-1)!.silent = true;
  await expect(ada.page.getByTestId('reconnecting')).toBeVisible({ timeout: 25_000 });
  await expect(ada.page.getByTestId('reconnecting')).toBeHidden({ timeout: 20_000 });
  const log = await bannerLog(ada.page);
  const noticedMs = log.shown[0]!.at - silentAt;
  // The client asks after 10 s of silence and gives up 5 s later (checked every 5 s): at most about 20 s.
  expect(noticedMs).toBeLessThan(21_000);
  expect((await recoveryOf(ada.page)).rejoins).toBe(before.rejoins + 1);
  await decodingAll(grace.page, 'Grace', ['Ada'], 20_000);
  await decodingAll(ada.page, 'Ada', ['Grace'], 20_000);
  // The server still thought the old connection alive; the rejoin pass told it the newcomer is the same Ada.
  await expect(grace.page.locator('[data-testid="remote-tile"][data-peer-name="Ada"][data-source="camera"]')).toHaveCount(1);
  await expect(grace.tile('Ada')).toHaveAttribute('data-e2ee', 'encrypted');
  console.log(`silent connection: noticed ${noticedMs} ms after it went silent`);
  await ada.close();
  await grace.close();
});
