/**
 * Call benchmark (prints figures; not a test).
 *
 *  1. Join latency: 10 times, a fresh browser joins a room where one person
 *     is already sending video; we time from the click on "Join" to the
 *     first remote video frame decoded. Median and p95.
 *  2. Server cost: with 2, 4 and 6 participants in one call, the server's
 *     RSS (Node + mediasoup workers) and CPU over a 10 s window, per
 *     participant.
 *
 * Run: npm run bench (after npm start or npm test has built everything).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { treeUsage } from './process-usage.js';

const PORT = Number(process.env.BENCH_PORT ?? 3400);
const BASE = `http://localhost:${PORT}`;
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
  '--autoplay-policy=no-user-gesture-required', '--disable-renderer-backgrounding', '--disable-background-timer-throttling',
  '--disable-backgrounding-occluded-windows',
];

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)]!;
}

async function startServer() {
  const child = spawn(process.execPath, ['apps/server/dist/main.js'], {
    env: {
      ...process.env,
      PORT: String(PORT),
      CONCLAVE_RTC_PORT: '45000',
      CONCLAVE_WORKERS: '1',
      CONCLAVE_LOG_LEVEL: 'warn',
      CONCLAVE_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'conclave-bench-')),
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${BASE}/healthz`)).ok) return child;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error('server did not start');
}

async function openJoinScreen(browser: Browser, room: string, name: string): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 960, height: 540 } })).newPage();
  await page.goto(`${BASE}${room}`);
  await page.getByTestId('display-name').fill(name);
  await page.waitForFunction(() => document.querySelector('[data-testid="join-button"]:not([disabled])'));
  return page;
}

/** Clicks join and resolves with ms until the first remote video frame is decoded (measured in the page). */
async function joinAndTimeFirstFrame(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const t0 = performance.now();
    (document.querySelector('[data-testid="join-button"]') as HTMLButtonElement).click();
    for (;;) {
      const stats = (await window.conclave?.stats()) as Array<{ framesDecoded: number }> | undefined;
      if (stats?.some((s) => s.framesDecoded > 0)) return performance.now() - t0;
      if (performance.now() - t0 > 30_000) throw new Error('no frame within 30 s');
      await new Promise((r) => setTimeout(r, 10));
    }
  });
}

async function main() {
  let server = await startServer();
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    // 1. Join latency
    const room = `/r/bench-join-${Date.now().toString(36)}`;
    const host = await openJoinScreen(browser, room, 'Host');
    await host.getByTestId('join-button').click();
    await host.getByTestId('local-video').waitFor();
    const samples: number[] = [];
    for (let i = 0; i < 10; i++) {
      const guest = await openJoinScreen(browser, room, `Guest ${i + 1}`);
      samples.push(await joinAndTimeFirstFrame(guest));
      await guest.context().close();
    }
    await host.context().close();
    samples.sort((a, b) => a - b);
    console.log('\nJoin → first decoded remote frame (10 joins):');
    console.log(`  median ${percentile(samples, 50).toFixed(0)} ms, p95 ${percentile(samples, 95).toFixed(0)} ms`);
    console.log(`  samples: ${samples.map((s) => s.toFixed(0)).join(', ')} ms`);

    // 2. Server cost per participant, on a fresh server so the baseline is clean
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    server = await startServer();
    await new Promise((r) => setTimeout(r, 2000));
    console.log('\nServer (Node + mediasoup worker) with N participants sending 720p VP8 + Opus:');
    console.log('  N   RSS MB   RSS/participant MB   CPU %   CPU %/participant');
    const baseline = treeUsage(server.pid!);
    const pages: Page[] = [];
    const callRoom = `/r/bench-load-${Date.now().toString(36)}`;
    for (const n of [2, 4, 6]) {
      while (pages.length < n) {
        const p = await openJoinScreen(browser, callRoom, `P${pages.length + 1}`);
        await p.getByTestId('join-button').click();
        await p.getByTestId('local-video').waitFor();
        pages.push(p);
      }
      await new Promise((r) => setTimeout(r, 5000)); // let bitrates settle
      const before = treeUsage(server.pid!);
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, 10_000));
      const after = treeUsage(server.pid!);
      const seconds = (performance.now() - t0) / 1000;
      const cpuPct = ((after.cpuSeconds - before.cpuSeconds) / seconds) * 100;
      const rssAdded = after.rssMb - baseline.rssMb;
      console.log(
        `  ${n}   ${after.rssMb.toFixed(0).padStart(6)}   ${(rssAdded / n).toFixed(1).padStart(19)}   ${cpuPct.toFixed(1).padStart(5)}   ${(cpuPct / n).toFixed(2).padStart(17)}`,
      );
    }
    console.log(`  (idle server: ${baseline.rssMb.toFixed(0)} MB RSS in ${baseline.processes} processes)`);
    console.log(`\nMachine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`);
  } finally {
    await browser.close();
    server.kill('SIGTERM');
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
