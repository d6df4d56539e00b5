/**
 * Runs inside the test's network namespace (see ../cross-browser/netns.ts),
 * as root there: starts a server whose media goes over 10.213.0.1 while
 * signaling stays on 127.0.0.1, puts two Chromium participants in a call,
 * and then cuts only the media path with a policy-routing rule (every packet
 * to 10.213.0.1 is blackholed; loopback, so signaling, is untouched):
 *
 * 1. a short outage: both pages restart ICE and get media back without a
 *    rejoin (same peer ids), the banner saying audio and video reconnect;
 * 2. a long one: the ICE restart cannot bring media back in time, so the
 *    pages fall back to a full rejoin, and decode each other once the path
 *    is back.
 *
 * Prints one line `RESULT {json}` with what it measured. ../../e2e/ice-restart.e2e.ts drives it.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM_BIN, chromiumArgs } from '../chromium-args.js';
import { NETNS_MEDIA_IP } from '../cross-browser/netns.js';
import { bannerLog, decodingAll, recoveryOf, resumedDecoding, until, watchBanner, type Recovery } from './call-probe.js';
import { OwnServer } from './own-server.js';

const NAMES = ['Ada', 'Grace'] as const;
const SHOTS = 'test-results/screenshots';

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * Policy routing cuts the media path silently, as a dead network does: while
 * the rule (pref 10) is there, every packet to the media address is routed
 * via a gateway that does not exist, and vanishes (the sender sees no error).
 * The rule must come before the local table, which moves from pref 0 to 100.
 */
const DEAD_GATEWAY = '10.213.0.99';
function prepareRules(): void {
  ip('rule', 'add', 'pref', '100', 'lookup', 'local');
  ip('rule', 'del', 'pref', '0');
  ip('route', 'add', 'default', 'via', DEAD_GATEWAY, 'dev', 'media0', 'table', '110');
}
const cutMedia = () => ip('rule', 'add', 'pref', '10', 'to', NETNS_MEDIA_IP, 'lookup', '110');
const restoreMedia = () => ip('rule', 'del', 'pref', '10');

async function main(): Promise<void> {
  if (!process.env.CONCLAVE_IN_TEST_NETNS) throw new Error('run me through e2e/ice-restart.e2e.ts (inside a network namespace it made)');
  mkdirSync(SHOTS, { recursive: true });
  prepareRules();
  const server = new OwnServer({
    port: 3291,
    rtcPort: 22110,
    logFile: 'test-results/ice-restart-server.log',
    env: { CONCLAVE_PUBLIC_IP: NETNS_MEDIA_IP, CONCLAVE_RTC_LISTEN_IP: NETNS_MEDIA_IP },
  });
  const chrome = await chromium.launch({ executablePath: CHROMIUM_BIN, args: chromiumArgs() });
  try {
    await server.start();
    const link = `${server.baseUrl}/r/${await server.createRoom('ICE drill')}#k=${randomBytes(32).toString('base64url')}`;
    const pages: Record<string, Page> = {};
    for (const name of NAMES) {
      const page = await (
        await chrome.newContext({ permissions: ['camera', 'microphone'], viewport: { width: 1280, height: 720 } })
      ).newPage();
      page.on('console', (m) => {
        if (m.type() === 'warning' || m.type() === 'error') console.log(`[${name}] ${m.type()}: ${m.text()}`);
      });
      await page.goto(link);
      await page.getByTestId('display-name').fill(name);
      await page.getByTestId('join-button').click();
      await page.getByTestId('local-video').waitFor();
      pages[name] = page;
    }
    const other = (n: string) => NAMES.filter((x) => x !== n);
    for (const n of NAMES) await decodingAll(pages[n]!, n, other(n), 40_000);
    for (const n of NAMES) {
      await watchBanner(pages[n]!);
      await pages[n]!.evaluate(() => ((window as unknown as { __mark: string }).__mark = 'same-page'), undefined);
    }
    const start: Record<string, Recovery> = {};
    for (const n of NAMES) start[n] = await recoveryOf(pages[n]!);

    // 1. A short outage: ICE restart, no rejoin.
    const cutAt = Date.now();
    // What each page's transports do, printed as it happens (for the report, and to see a failure).
    const lastState: Record<string, string> = {};
    const sampler = setInterval(() => {
      for (const n of NAMES) {
        void recoveryOf(pages[n]!).then(
          (r) => {
            const state = `send ${r.transports.send}, recv ${r.transports.recv}, ICE restarts ${r.iceRestarts}, rejoins ${r.rejoins}`;
            if (state !== lastState[n]) console.log(`[timeline] ${n} +${Date.now() - cutAt} ms: ${(lastState[n] = state)}`);
          },
          () => undefined,
        );
      }
    }, 200);
    cutMedia();
    const restartSeen = await until('an ICE restart begins on both pages', 30_000, async () => {
      const rs = await Promise.all(NAMES.map((n) => recoveryOf(pages[n]!)));
      return rs.every((r, i) => r.iceRestarts > start[NAMES[i]!]!.iceRestarts) ? Date.now() : null;
    });
    const banner = pages['Ada']!.getByTestId('reconnecting');
    await banner.waitFor({ state: 'visible' });
    const bannerText = await banner.innerText();
    const bannerCause = await banner.getAttribute('data-cause');
    await pages['Ada']!.screenshot({ path: `${SHOTS}/reconnecting-media.png` });
    await new Promise((r) => setTimeout(r, 1500)); // the restart's own checks fail for a moment too
    const restoredAt = Date.now();
    restoreMedia();
    console.log(`[timeline] media path restored at +${restoredAt - cutAt} ms`);
    const back1: Record<string, number> = {};
    await Promise.all(
      NAMES.map(async (n) => {
        back1[n] = (await resumedDecoding(pages[n]!, n, other(n), 20_000)) - restoredAt;
        await pages[n]!.getByTestId('reconnecting').waitFor({ state: 'hidden', timeout: 10_000 });
      }),
    ).catch(async (err: unknown) => {
      for (const n of NAMES)
        console.log(`[stats] ${n}: ${JSON.stringify(await pages[n]!.evaluate(() => window.conclave?.stats(), undefined))}`);
      throw err;
    });
    clearInterval(sampler);
    const after1: Record<string, Recovery> = {};
    for (const n of NAMES) after1[n] = await recoveryOf(pages[n]!);
    const banners1: Record<string, Awaited<ReturnType<typeof bannerLog>>> = {};
    for (const n of NAMES) banners1[n] = await bannerLog(pages[n]!);

    // 2. A long outage: the restart does not bring media back in time, so the call is rejoined.
    const cut2At = Date.now();
    cutMedia();
    const rejoinSeen = await until('a fallback rejoin on both pages', 60_000, async () => {
      const rs = await Promise.all(NAMES.map((n) => recoveryOf(pages[n]!)));
      return rs.every((r, i) => r.rejoins > after1[NAMES[i]!]!.rejoins && r.reconnecting?.cause !== 'server') ? Date.now() : null;
    });
    const restored2At = Date.now();
    restoreMedia();
    const back2: Record<string, number> = {};
    await Promise.all(NAMES.map(async (n) => (back2[n] = (await decodingAll(pages[n]!, n, other(n), 30_000)) - restored2At)));
    const after2: Record<string, Recovery> = {};
    const marks: Record<string, string | undefined> = {};
    for (const n of NAMES) {
      after2[n] = await recoveryOf(pages[n]!);
      marks[n] = await pages[n]!.evaluate(() => (window as unknown as { __mark?: string }).__mark, undefined);
    }
    console.log(
      `RESULT ${JSON.stringify({
        start,
        after1,
        after2,
        marks,
        bannerText,
        bannerCause,
        banners1,
        restartAfterCutMs: restartSeen - cutAt,
        outage1Ms: restoredAt - cutAt,
        back1,
        rejoinAfterCutMs: rejoinSeen - cut2At,
        back2,
      })}`,
    );
  } finally {
    try {
      restoreMedia();
    } catch {
      // not cut
    }
    await chrome.close();
    await server.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`ICE restart run failed: ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  },
);
