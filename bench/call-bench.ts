/**
 * Call benchmark (prints figures; not a test).
 *
 *  1. Join latency: 10 times, a fresh browser joins a room where one person
 *     is already sending video; we time from the click on "Join" to the
 *     first remote video frame decoded, and, in the same joins, to the
 *     remote tile showing its frame origin as verified (data-origin), with
 *     the difference: the added latency until the origin is verified.
 *     Median and p95.
 *  2. Server cost: with 2, 4 and 6 participants in one call, the server's
 *     RSS (Node + mediasoup workers) and CPU over a 10 s window, per
 *     participant.
 *  3. Rekey latency: with 4 participants, one leaves; we time from the click
 *     on "Leave" until every remaining member's media Worker has switched to
 *     its fresh key (after which nothing they send is readable by the one who
 *     left). p50 and p95 over 20 leaves, with cameras off (the protocol's own
 *     cost) and with all four sending video (which saturates 2 cores).
 *
 * Run: npm run bench (after npm start or npm test has built everything).
 * Only some phases: tsx bench/call-bench.ts join|load|rekey …
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { treeUsage } from './process-usage.js';
import { CHROMIUM_BIN, chromiumArgs } from '../e2e/chromium-args.js';

const PORT = Number(process.env.BENCH_PORT ?? 3400);
const BASE = `http://localhost:${PORT}`;

/** A meeting link with a fresh meeting key, as "New meeting" makes. */
function meetingLink(prefix: string): string {
  return `/r/${prefix}-${Date.now().toString(36)}#k=${randomBytes(32).toString('base64url')}`;
}

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)]!;
}

async function startServer() {
  const child = spawn(process.execPath, ['apps/server/dist/main.js'], {
    env: {
      ...process.env,
      PORT: String(PORT),
      CONCLAVE_RTC_PORT: '25000',
      CONCLAVE_WORKERS: '1',
      CONCLAVE_ALLOW_ANONYMOUS_ROOMS: '1', // measures calls, not accounts
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

/**
 * Clicks join and resolves, in ms from the click (measured in the page), with
 * when the first remote video frame was decoded and when the remote tile
 * first showed its origin as verified (every track's frame hashes checked
 * against the sender's signed batches), both from the same join.
 */
async function joinAndTime(page: Page): Promise<{ firstFrame: number; verified: number }> {
  return page.evaluate(async () => {
    const t0 = performance.now();
    (document.querySelector('[data-testid="join-button"]') as HTMLButtonElement).click();
    let firstFrame: number | undefined;
    let verified: number | undefined;
    for (;;) {
      const now = performance.now() - t0;
      if (firstFrame === undefined) {
        const stats = (await window.conclave?.stats()) as Array<{ framesDecoded: number }> | undefined;
        if (stats?.some((s) => s.framesDecoded > 0)) firstFrame = performance.now() - t0;
      }
      if (verified === undefined) {
        const origin = document.querySelector('[data-testid="remote-tile"]')?.getAttribute('data-origin');
        if (origin === 'verified') verified = performance.now() - t0;
        if (origin === 'failed') throw new Error('the remote tile shows its origin as failed');
      }
      if (firstFrame !== undefined && verified !== undefined) return { firstFrame, verified };
      if (now > 30_000) throw new Error(firstFrame === undefined ? 'no frame within 30 s' : 'origin not verified within 30 s');
      await new Promise((r) => setTimeout(r, 10));
    }
  });
}

/**
 * With 4 participants, one leaves, 20 times over; times until all 3 who stay
 * send under the new epoch's keys. `video`: everyone keeps the camera on.
 */
async function benchRekey(browser: Browser, video: boolean): Promise<void> {
  const rekeyRoom = meetingLink(video ? 'bench-rekey-video' : 'bench-rekey');
  const enter = async (name: string): Promise<Page> => {
    const p = await openJoinScreen(browser, rekeyRoom, name);
    await p.getByTestId('join-button').click();
    await p.getByTestId('local-video').waitFor();
    if (!video) await p.getByTestId('toggle-camera').click();
    return p;
  };
  const stay: Page[] = [];
  for (const name of ['Stay 1', 'Stay 2', 'Stay 3']) stay.push(await enter(name));
  const rekeys: number[] = [];
  const fromAnnouncement: number[] = [];
  for (let i = 0; i < 20; i++) {
    const leaver = await enter(`Leaver ${i + 1}`);
    // The leaver is in the group: everyone shows the same member count.
    await Promise.all(stay.map((p) => p.waitForFunction((n) => window.conclave!.e2ee()?.members.length === n, 3)));
    const before = await Promise.all(stay.map((p) => p.evaluate(() => window.conclave!.e2ee()?.activeEpoch ?? null)));
    const t0 = Date.now();
    await leaver.getByTestId('leave-button').click();
    const seen = await Promise.all(
      stay.map((p, k) =>
        p.evaluate(async (old) => {
          for (;;) {
            const e = window.conclave!.e2ee();
            if (e?.activeEpoch && e.activeEpoch !== old && e.activeSince && e.lastLeaveAt) return [e.lastLeaveAt, e.activeSince];
            await new Promise((r) => setTimeout(r, 5));
          }
        }, before[k] ?? null),
      ),
    );
    const switched = Math.max(...seen.map(([, active]) => active!));
    rekeys.push(switched - t0);
    fromAnnouncement.push(switched - Math.min(...seen.map(([left]) => left!)));
    await leaver.context().close();
  }
  for (const p of stay) await p.context().close();
  rekeys.sort((a, b) => a - b);
  fromAnnouncement.sort((a, b) => a - b);
  console.log(
    `\nRekey after a leave (4 participants, 20 leaves, ${video ? 'all sending 720p video: four browsers on this machine' : 'cameras off'}): until all 3 remaining send under fresh keys`,
  );
  console.log(
    `  from the server's announcement: p50 ${percentile(fromAnnouncement, 50).toFixed(0)} ms, p95 ${percentile(fromAnnouncement, 95).toFixed(0)} ms (target < 1000 ms)`,
  );
  console.log(`  from the click on Leave:        p50 ${percentile(rekeys, 50).toFixed(0)} ms, p95 ${percentile(rekeys, 95).toFixed(0)} ms`);
  console.log('  (both include the 250 ms activation delay that lets receivers install the new keys first)');
}

const phases = process.argv.slice(2);
const want = (phase: 'join' | 'load' | 'rekey') => phases.length === 0 || phases.includes(phase);

async function main() {
  let server = await startServer();
  const browser = await chromium.launch({ executablePath: CHROMIUM_BIN, args: chromiumArgs() });
  try {
    // 1. Join latency
    if (want('join')) {
      const room = meetingLink('bench-join');
      const host = await openJoinScreen(browser, room, 'Host');
      await host.getByTestId('join-button').click();
      await host.getByTestId('local-video').waitFor();
      const samples: number[] = [];
      const verifiedSamples: number[] = [];
      const addedSamples: number[] = [];
      for (let i = 0; i < 10; i++) {
        const guest = await openJoinScreen(browser, room, `Guest ${i + 1}`);
        const { firstFrame, verified } = await joinAndTime(guest);
        samples.push(firstFrame);
        verifiedSamples.push(verified);
        addedSamples.push(verified - firstFrame);
        await guest.context().close();
      }
      await host.context().close();
      samples.sort((a, b) => a - b);
      console.log('\nJoin → first decoded remote frame (10 joins):');
      console.log(`  median ${percentile(samples, 50).toFixed(0)} ms, p95 ${percentile(samples, 95).toFixed(0)} ms`);
      console.log(`  samples: ${samples.map((s) => s.toFixed(0)).join(', ')} ms`);
      verifiedSamples.sort((a, b) => a - b);
      addedSamples.sort((a, b) => a - b);
      console.log('Join → remote tile shows data-origin="verified" (the same 10 joins):');
      console.log(`  median ${percentile(verifiedSamples, 50).toFixed(0)} ms, p95 ${percentile(verifiedSamples, 95).toFixed(0)} ms`);
      console.log(`  samples: ${verifiedSamples.map((s) => s.toFixed(0)).join(', ')} ms`);
      console.log('Added latency until the origin is verified (verified − first frame, per join):');
      console.log(`  median ${percentile(addedSamples, 50).toFixed(0)} ms, p95 ${percentile(addedSamples, 95).toFixed(0)} ms`);
      console.log(`  samples: ${addedSamples.map((s) => s.toFixed(0)).join(', ')} ms`);
    }

    // 2. Server cost per participant, on a fresh server so the baseline is clean
    if (want('load')) {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
      server = await startServer();
      await new Promise((r) => setTimeout(r, 2000));
      console.log('\nServer (Node + mediasoup worker) with N participants sending 720p VP8 + Opus:');
      console.log('  N   RSS MB   CPU %   CPU %/participant');
      const rssAt: number[] = [];
      const baseline = treeUsage(server.pid!);
      const pages: Page[] = [];
      const callRoom = meetingLink('bench-load');
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
        rssAt.push(after.rssMb);
        console.log(
          `  ${n}   ${after.rssMb.toFixed(0).padStart(6)}   ${cpuPct.toFixed(1).padStart(5)}   ${(cpuPct / n).toFixed(2).padStart(17)}`,
        );
      }
      console.log(`  (idle server: ${baseline.rssMb.toFixed(0)} MB RSS in ${baseline.processes} processes;`);
      console.log(`   marginal RSS per participant from 2 to 6: ${((rssAt[2]! - rssAt[0]!) / 4).toFixed(1)} MB)`);
      for (const p of pages) await p.context().close();
    }

    // 3. Rekey latency after a leave, with 4 participants: first with cameras
    //    off (the protocol and its crypto), then with everyone sending video
    //    (four browsers encoding and decoding on this one machine).
    if (want('rekey')) {
      await benchRekey(browser, false);
      await benchRekey(browser, true);
    }
    console.log(
      `\nMachine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`,
    );
  } finally {
    await browser.close();
    server.kill('SIGTERM');
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
