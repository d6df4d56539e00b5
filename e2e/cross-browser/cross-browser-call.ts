/**
 * Runs inside the test's network namespace (see netns.ts): starts the
 * server, puts one participant in Firefox ESR and two in Chromium in one
 * encrypted meeting, and prints one JSON line saying who decoded whom.
 * The Playwright test firefox-interop.e2e.ts drives it.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { FirefoxParticipant } from './firefox-participant.js';
import { NETNS_MEDIA_IP } from './netns.js';
import { CHROMIUM_BIN, chromiumArgs } from '../chromium-args.js';

const PORT = 3300;
const BASE = `http://localhost:${PORT}`;

interface Seen {
  framesDecoded: number;
  audioPacketsReceived: number;
  e2ee: string | null;
  origin: string | null;
}

async function until<T>(what: string | (() => string), timeoutMs: number, probe: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => null);
    if (v !== null) return v;
    if (Date.now() > deadline) throw new Error(`timed out: ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function seenFrom(page: { evaluate: Page['evaluate'] }, name: string): Promise<Seen> {
  return page.evaluate(async (n) => {
    const stats = (await window.conclave!.stats()) as Array<{ displayName: string; framesDecoded: number; audioPacketsReceived: number }>;
    const s = stats.find((x) => x.displayName === n);
    const tile = document.querySelector(`[data-testid="remote-tile"][data-peer-name="${n}"]`);
    return {
      framesDecoded: s?.framesDecoded ?? 0,
      audioPacketsReceived: s?.audioPacketsReceived ?? 0,
      e2ee: tile?.getAttribute('data-e2ee') ?? null,
      origin: tile?.getAttribute('data-origin') ?? null,
    };
  }, name);
}

async function main(): Promise<void> {
  const server = spawn(process.execPath, ['apps/server/dist/main.js'], {
    env: {
      ...process.env,
      PORT: String(PORT),
      CONCLAVE_PUBLIC_IP: NETNS_MEDIA_IP,
      CONCLAVE_RTC_LISTEN_IP: NETNS_MEDIA_IP,
      CONCLAVE_WORKERS: '1',
      CONCLAVE_ALLOW_ANONYMOUS_ROOMS: '1', // this test is about browsers, not accounts
      CONCLAVE_LOG_LEVEL: 'warn',
      CONCLAVE_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'conclave-xb-')),
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const chrome = await chromium.launch({ executablePath: CHROMIUM_BIN, args: chromiumArgs() });
  let fox: FirefoxParticipant | null = null;
  try {
    await until('server up', 20_000, async () => ((await fetch(`${BASE}/healthz`)).ok ? true : null));
    const link = `/r/xb-${randomBytes(3).toString('hex')}#k=${randomBytes(32).toString('base64url')}`;
    fox = await FirefoxParticipant.join('Fox', `${BASE}${link}`);
    const pages: Record<string, Page> = {};
    for (const name of ['Ada', 'Grace']) {
      const page = await (await chrome.newContext({ permissions: ['camera', 'microphone'] })).newPage();
      await page.goto(`${BASE}${link}`);
      await page.getByTestId('display-name').fill(name);
      await page.getByTestId('join-button').click();
      await page.getByTestId('local-video').waitFor();
      pages[name] = page;
    }
    const viewers: Array<[string, { evaluate: Page['evaluate'] }]> = [
      ['Fox', fox.page],
      ['Ada', pages['Ada']!],
      ['Grace', pages['Grace']!],
    ];
    const result: Record<string, Record<string, Seen>> = {};
    for (const [viewer, page] of viewers) {
      result[viewer] = {};
      for (const other of ['Fox', 'Ada', 'Grace'].filter((n) => n !== viewer)) {
        const first = await until(`${viewer} decodes ${other}`, 40_000, async () => {
          const s = await seenFrom(page, other);
          return s.framesDecoded > 5 && s.audioPacketsReceived > 10 && s.e2ee === 'encrypted' ? s : null;
        });
        // Still growing a moment later: decoding goes on, it was not a burst.
        let last = first;
        result[viewer][other] = await until(
          () => `${viewer} keeps decoding ${other} (from ${JSON.stringify(first)}, last seen: ${JSON.stringify(last)})`,
          15_000,
          async () => {
            const s = (last = await seenFrom(page, other));
            return s.framesDecoded > first.framesDecoded + 10 ? s : null;
          },
        );
      }
    }
    await fox.page.screenshot({ path: 'test-results/screenshots/firefox-participant.png' });
    console.log(`RESULT ${JSON.stringify(result)}`);
  } finally {
    await fox?.close().catch(() => undefined);
    await chrome.close();
    server.kill('SIGTERM');
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`cross-browser call failed: ${(err as Error).message}`);
    process.exit(1);
  },
);
