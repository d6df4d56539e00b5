/**
 * Runs inside the test's network namespace (see ../cross-browser/netns.ts):
 * a server whose media listens on 10.213.0.1 but is announced at 10.213.0.2,
 * where an ImpairingRelay forwards to it; two Chromium participants, Ada and
 * Grace, in one call (the relay runs in a process of its own: relay-process.ts). It measures a clean window, then puts Ada alone behind
 * a bad link (10 % loss and 100 ± 30 ms delay each way, on every UDP socket
 * of Ada's) and measures the same window again, in the same room.
 *
 * For each direction (Grace → Ada, Ada → Grace) each window gives the frames
 * decoded per second, freezes, NACKs, PLIs, losses and retransmissions on
 * both legs, audio packets and concealment (see media-stats.ts). Last, Ada's
 * link is cut for 1.5 s: how soon both decode again, and with how many PLIs
 * and key frames.
 *
 * Prints one line `RESULT {json}`. ../lossy-network.e2e.ts drives it.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM_BIN, chromiumArgs } from '../chromium-args.js';
import { NETNS_MEDIA_IP, NETNS_PEER_IP } from '../cross-browser/netns.js';
import { decodingAll, recoveryOf, resumedDecoding, until, type Recovery } from '../reconnection/call-probe.js';
import { OwnServer } from '../reconnection/own-server.js';
import type { Impairment, RelayCounters } from './impairing-relay.js';
import { startRelayProcess } from './relay-process.js';
import { readTotals, summarize, TRACK_PEER_CONNECTIONS, type DirectionWindow, type MediaTotals } from './media-stats.js';

const NAMES = ['Ada', 'Grace'] as const;
type Name = (typeof NAMES)[number];
const other = (n: Name): Name => (n === 'Ada' ? 'Grace' : 'Ada');
const SHOTS = 'test-results/screenshots';
const RTC_PORT = 22120;
/** Each measuring window; the clean one and the lossy one are equally long. */
const WINDOW_MS = 20_000;
const IMPAIRMENT: Impairment = { loss: 0.1, delayMs: 100, jitterMs: 30 };

export interface LossyRunResult {
  seed: number;
  impairment: Impairment;
  /** Keyed by direction, "Grace→Ada" (what Ada decodes of Grace) and "Ada→Grace". */
  clean: Record<string, DirectionWindow>;
  lossy: Record<string, DirectionWindow>;
  /** What the relay did to Ada's flows during the lossy window. */
  relay: RelayCounters;
  adaPorts: number[];
  recoveryBefore: Record<Name, Recovery>;
  recoveryAfter: Record<Name, Recovery>;
  screenshot: string;
  /** After a 1.5 s cut of Ada's link, per direction: how soon decoding was back, and how (PLIs, key frames). */
  cut: Record<string, { backAfterMs: number; plis: number; senderPlis: number; keyFrames: number; nacks: number; e2ee: string | null }>;
}

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Reads both pages once a second for `ms`; returns each direction's window. */
/** Running totals of one reading, for the timeline the runner prints (not parsed). */
function timelineEntry(name: Name, t: MediaTotals): string {
  const v = t.video;
  return `${name}: decoded ${v.framesDecoded}/${v.framesReceived} (dropped ${v.framesDropped}, key ${v.keyFramesDecoded}), ${v.frameHeight ?? '-'}p, freezes ${v.freezeCount}, NACK ${v.nackCount}, PLI ${v.pliCount} (probator ${t.probatorPlis}); sent NACK ${t.sent.nackCount} PLI ${t.sent.pliCount}, ${t.sent.limitation}, ${t.sent.availableKbps ?? '-'} kbps; audio ${t.audio.packetsReceived}; ${t.e2ee}`;
}

async function measure(
  label: string,
  pages: Record<Name, Page>,
  ms: number,
  onReading?: (i: number) => Promise<void>,
): Promise<Record<string, DirectionWindow>> {
  const readings: Record<Name, MediaTotals[]> = { Ada: [], Grace: [] };
  const steps = Math.round(ms / 1000);
  const start = Date.now();
  for (let i = 0; i <= steps; i++) {
    const [ada, grace] = await Promise.all([readTotals(pages.Ada, 'Grace'), readTotals(pages.Grace, 'Ada')]);
    readings.Ada.push(ada);
    readings.Grace.push(grace);
    console.log(`~ ${label} +${((ada.at - start) / 1000).toFixed(1)} s  ${timelineEntry('Ada', ada)}  ${timelineEntry('Grace', grace)}`);
    if (onReading) await onReading(i);
    const next = start + (i + 1) * 1000;
    if (i < steps) await tick(Math.max(0, next - Date.now()));
  }
  return {
    'Grace→Ada': summarize(readings.Ada, readings.Grace),
    'Ada→Grace': summarize(readings.Grace, readings.Ada),
  };
}

async function main(): Promise<void> {
  if (!process.env.CONCLAVE_IN_TEST_NETNS) throw new Error('run me through e2e/lossy-network.e2e.ts (inside a network namespace it made)');
  mkdirSync(SHOTS, { recursive: true });
  const seed = Number(process.env.CONCLAVE_LOSSY_SEED ?? randomBytes(4).readUInt32LE(0));
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new Error(`CONCLAVE_LOSSY_SEED must be an integer in 0…4294967295, not ${process.env.CONCLAVE_LOSSY_SEED}`);
  console.log(`[lossy] relay seed ${seed} (CONCLAVE_LOSSY_SEED=${seed} draws the same loss and delays)`);
  const relay = await startRelayProcess({
    listen: { address: NETNS_PEER_IP, port: RTC_PORT },
    upstream: { address: NETNS_MEDIA_IP, port: RTC_PORT },
    seed,
  });
  const server = new OwnServer({
    port: 3292,
    rtcPort: RTC_PORT,
    logFile: 'test-results/lossy-network-server.log',
    env: { CONCLAVE_PUBLIC_IP: NETNS_PEER_IP, CONCLAVE_RTC_LISTEN_IP: NETNS_MEDIA_IP },
  });
  // A camera at 30 fps, as real ones are (the fake one's default is 20): with three temporal layers, the
  // frame rate a viewer gets when the SFU drops the top one is then 15 fps, not 10.
  const chrome = await chromium.launch({
    executablePath: CHROMIUM_BIN,
    args: chromiumArgs({ fakeDevice: '--use-fake-device-for-media-stream=fps=30' }),
  });
  try {
    await server.start();
    const link = `${server.baseUrl}/r/${await server.createRoom('Bad network')}#k=${randomBytes(32).toString('base64url')}`;
    const pages = {} as Record<Name, Page>;
    for (const name of NAMES) {
      const context = await chrome.newContext({ permissions: ['camera', 'microphone'], viewport: { width: 1280, height: 720 } });
      await context.addInitScript({ content: TRACK_PEER_CONNECTIONS });
      const page = await context.newPage();
      page.on('console', (m) => {
        if (m.type() === 'warning' || m.type() === 'error') console.log(`[${name}] ${m.type()}: ${m.text()}`);
      });
      await page.goto(link);
      await page.getByTestId('display-name').fill(name);
      await page.getByTestId('join-button').click();
      await page.getByTestId('local-video').waitFor();
      pages[name] = page;
    }
    for (const n of NAMES) await decodingAll(pages[n], n, [other(n)], 40_000);
    // Simulcast starts at the smallest layer until the viewer reports its tile: wait for the layer to settle.
    let heights = '';
    await until(
      () => `the received video sizes settle (last: ${heights})`,
      20_000,
      async () => {
        const before = `${(await readTotals(pages.Ada, 'Grace')).video.frameHeight}/${(await readTotals(pages.Grace, 'Ada')).video.frameHeight}`;
        await tick(1500);
        const after = `${(await readTotals(pages.Ada, 'Grace')).video.frameHeight}/${(await readTotals(pages.Grace, 'Ada')).video.frameHeight}`;
        heights = after;
        return before === after && !after.includes('undefined') ? true : null;
      },
    );
    const recoveryBefore = { Ada: await recoveryOf(pages.Ada), Grace: await recoveryOf(pages.Grace) };

    const clean = await measure('clean', pages, WINDOW_MS);

    // Every UDP socket of Ada's (both transports, all candidates) goes behind the bad link.
    const adaPorts = [...new Set((await readTotals(pages.Ada, 'Grace')).udpPorts)];
    const gracePorts = new Set((await readTotals(pages.Grace, 'Ada')).udpPorts);
    if (adaPorts.length === 0) throw new Error('Ada has no UDP candidate ports to impair');
    if (adaPorts.some((p) => gracePorts.has(p))) throw new Error(`Ada's and Grace's UDP ports overlap: ${adaPorts.join(',')}`);
    const seenByRelay = (await relay.snapshot()).ports;
    if (!adaPorts.some((p) => seenByRelay.includes(p)))
      throw new Error(`none of Ada's ports (${adaPorts.join(',')}) goes through the relay (it saw ${seenByRelay.join(',')})`);
    console.log(
      `[lossy] impairing Ada's UDP ports ${adaPorts.join(', ')}: loss ${IMPAIRMENT.loss * 100} %, delay ${IMPAIRMENT.delayMs} ± ${IMPAIRMENT.jitterMs} ms each way`,
    );
    await relay.impair(adaPorts, IMPAIRMENT);
    const screenshot = `${SHOTS}/lossy-network-ada.png`;
    const steps = Math.round(WINDOW_MS / 1000);
    const lossy = await measure('lossy', pages, WINDOW_MS, async (i) => {
      if (i === steps - 1) await pages.Ada.screenshot({ path: screenshot });
    });
    const counters = await relay.snapshot();

    // A 1.5 s cut on Ada's link, then a clean one: more than NACK can mend, so the receivers ask
    // for key frames (PLI through the SFU to the sender), and both decode again, still encrypted.
    const cutBefore = { Ada: await readTotals(pages.Ada, 'Grace'), Grace: await readTotals(pages.Grace, 'Ada') };
    await relay.impair(adaPorts, { loss: 1, delayMs: 0, jitterMs: 0 });
    await tick(1500);
    await relay.impair([], null);
    const restoredAt = Date.now();
    const backAt = await Promise.all(NAMES.map((n) => resumedDecoding(pages[n], n, [other(n)], 15_000)));
    await tick(1000); // let the last requests and key frames be counted
    const cutAfter = { Ada: await readTotals(pages.Ada, 'Grace'), Grace: await readTotals(pages.Grace, 'Ada') };
    const cut = {} as LossyRunResult['cut'];
    for (const [i, n] of NAMES.entries()) {
      const s = other(n);
      cut[`${s}→${n}`] = {
        backAfterMs: backAt[i]! - restoredAt,
        plis: cutAfter[n].video.pliCount - cutBefore[n].video.pliCount,
        senderPlis: cutAfter[s].sent.pliCount - cutBefore[s].sent.pliCount,
        keyFrames: cutAfter[n].video.keyFramesDecoded - cutBefore[n].video.keyFramesDecoded,
        nacks: cutAfter[n].video.nackCount - cutBefore[n].video.nackCount,
        e2ee: cutAfter[n].e2ee,
      };
    }
    const recoveryAfter = { Ada: await recoveryOf(pages.Ada), Grace: await recoveryOf(pages.Grace) };
    const result: LossyRunResult = {
      seed,
      impairment: IMPAIRMENT,
      clean,
      lossy,
      relay: counters,
      adaPorts,
      recoveryBefore,
      recoveryAfter,
      screenshot,
      cut,
    };
    console.log(`RESULT ${JSON.stringify(result)}`);
  } finally {
    await chrome.close();
    await server.close();
    await relay.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`lossy network run failed: ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  },
);
