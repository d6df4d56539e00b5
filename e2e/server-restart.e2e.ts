/**
 * The server crashes (SIGKILL, media workers and all) and a supervisor starts
 * it again on the same ports and data: every participant's page rejoins by
 * itself, with new E2EE keys, and decodes everyone again, encrypted, within
 * 10 s of the server being healthy again, without a reload.
 */
import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { expect, test, type Page } from '@playwright/test';
import { decodingAll, recoveryOf } from './reconnection/call-probe.js';
import { OwnServer } from './reconnection/own-server.js';

const PORT = 3290;
const RTC_PORT = 42100;
const NAMES = ['Ada', 'Grace', 'Linus'];

test('after a server crash and restart, everyone is back in the room, encrypted, within 10 s', async ({ browser }) => {
  test.setTimeout(150_000);
  mkdirSync('test-results', { recursive: true });
  const server = new OwnServer({ port: PORT, rtcPort: RTC_PORT, logFile: 'test-results/server-restart-server.log' });
  const contexts = [];
  try {
    await server.start();
    const roomId = await server.createRoom('Restart drill');
    const link = `${server.baseUrl}/r/${roomId}#k=${randomBytes(32).toString('base64url')}`;
    const pages: Record<string, Page> = {};
    for (const name of NAMES) {
      const context = await browser.newContext();
      contexts.push(context);
      const page = await context.newPage();
      page.on('pageerror', (err) => console.log(`[${name}] page error: ${err.message}`));
      page.on('console', (m) => {
        if (m.type() === 'warning' || m.type() === 'error') console.log(`[${name}] ${m.type()}: ${m.text()}`);
      });
      await page.goto(link);
      await page.getByTestId('display-name').fill(name);
      await page.getByTestId('join-button').click();
      await expect(page.getByTestId('local-video')).toBeVisible();
      pages[name] = page;
    }
    for (const name of NAMES) await decodingAll(pages[name]!, name, NAMES.filter((n) => n !== name), 40_000);
    const before: Record<string, string | null> = {};
    for (const name of NAMES) {
      before[name] = (await recoveryOf(pages[name]!)).peerId;
      await pages[name]!.evaluate(() => ((window as unknown as { __mark: string }).__mark = 'before-crash'));
    }

    const killedAt = Date.now();
    await server.kill('SIGKILL');
    // Every page notices and says so.
    for (const name of NAMES) await expect(pages[name]!.getByTestId('reconnecting')).toBeVisible();
    mkdirSync('test-results/screenshots', { recursive: true });
    await pages['Ada']!.screenshot({ path: 'test-results/screenshots/reconnecting-server-down.png' });
    await server.start();
    const healthyAt = Date.now();

    const rejoinedAt: number[] = [];
    const backAt = await Promise.all(
      NAMES.map(async (name, i) => {
        await expect(pages[name]!.getByTestId('reconnecting')).toBeHidden({ timeout: 10_000 });
        rejoinedAt[i] = Date.now();
        return decodingAll(pages[name]!, name, NAMES.filter((n) => n !== name), healthyAt + 10_000 - Date.now());
      }),
    );
    const worst = Math.max(...backAt) - healthyAt;
    for (const name of NAMES) {
      const page = pages[name]!;
      await expect(page.getByTestId('reconnecting')).toBeHidden();
      for (const other of NAMES.filter((n) => n !== name)) {
        await expect(page.locator(`[data-testid="remote-tile"][data-peer-name="${other}"][data-source="camera"]`)).toHaveAttribute('data-e2ee', 'encrypted');
      }
      const r = await recoveryOf(page);
      expect(r.rejoins, `${name} rejoined once`).toBe(1);
      expect(r.peerId).not.toBe(before[name]);
      expect(await page.evaluate(() => (window as unknown as { __mark?: string }).__mark), `${name}'s page was not reloaded`).toBe('before-crash');
    }
    console.log(
      `server restart: down ${healthyAt - killedAt} ms (kill to healthy); back in the room decoding everyone encrypted ` +
        NAMES.map((n, i) => `${n} ${backAt[i]! - healthyAt} ms (rejoined ${rejoinedAt[i]! - healthyAt} ms)`).join(', ') +
        ` after healthy (worst ${worst} ms)`,
    );
    expect(worst).toBeLessThanOrEqual(10_000);
  } finally {
    for (const c of contexts) await c.close().catch(() => undefined);
    await server.close();
  }
});
