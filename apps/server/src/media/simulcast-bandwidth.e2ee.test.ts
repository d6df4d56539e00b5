/**
 * Simulcast meets a receiver's bandwidth. Two Chromium pages meet; the
 * viewer pins the other, so its tile asks for the top layer. Then the
 * viewer's downlink is squeezed (the SFU's send cap on its receive
 * transport, as a slow line would): mediasoup's bandwidth estimate sends a
 * lower layer and the browser keeps decoding it, still decrypting. (How
 * fast the estimate climbs back once the line is free again is mediasoup's
 * congestion control at work: from seconds to over a minute here, so it is
 * not timed by a test.)
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { joinCall, launchChromium } from '../test-support/browser.js';
import { startTestApp } from '../test-support/test-app.js';
import { mediasoupOf } from '../test-support/local-media.js';

let app: Awaited<ReturnType<typeof startTestApp>>;
let browser: Browser;

beforeAll(async () => {
  app = await startTestApp();
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

interface CameraStats {
  framesDecoded: number;
  frameHeight?: number;
}

async function cameraFrom(page: Page, name: string): Promise<CameraStats> {
  const all = (await page.evaluate(
    async () => await (window as unknown as { conclave: { stats: () => Promise<unknown> } }).conclave.stats(),
  )) as Array<{
    displayName: string;
    bySource?: Record<string, CameraStats>;
  }>;
  return all.find((s) => s.displayName === name)?.bySource?.['camera'] ?? { framesDecoded: 0 };
}

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

it('a squeezed downlink gets a lower layer, still decoded and decrypted', async () => {
  const roomId = `simulcast-bwe-${randomBytes(3).toString('hex')}`;
  const link = `/r/${roomId}#k=${randomBytes(32).toString('base64url')}`;
  const viewport = { width: 1280, height: 720 };
  const ada = await joinCall(browser, app.port, 'Ada', link, { viewport });
  await joinCall(browser, app.port, 'Grace', link, { viewport });
  const graceTile = ada.locator('[data-testid="remote-tile"][data-peer-name="Grace"][data-source="camera"]');
  await graceTile.waitFor({ timeout: 15_000 });
  await graceTile.getByTestId('pin-tile').click();

  const room = app.registry.get(roomId)!;
  const adaPeer = [...room.peers.values()].find((p) => p.displayName === 'Ada')!;
  const consumer = mediasoupOf([...adaPeer.consumers.values()].find((c) => c.kind === 'video' && c.appData.source === 'camera')!);
  const layer = () => consumer.currentLayers?.spatialLayer;
  await until('the pinned tile asks for the top layer', () => consumer.preferredLayers?.spatialLayer === 2);
  await until('the top layer is sent', () => layer() === 2);
  await until('and decoded', async () => ((await cameraFrom(ada, 'Grace')).frameHeight ?? 0) > 360);

  // A slow line: 400 kbit/s fits the middle layer (≤ 500 kbit/s) barely, the top one (1.5 Mbit/s) not at all.
  const recv = mediasoupOf(adaPeer.transportFor('recv')!);
  await recv.setMaxOutgoingBitrate(400_000);
  await until('a lower layer is sent', () => (layer() ?? 2) < 2);
  expect(consumer.preferredLayers?.spatialLayer, 'the tile still wants the top layer').toBe(2);
  const squeezed = await cameraFrom(ada, 'Grace');
  await until('and still decoded', async () => (await cameraFrom(ada, 'Grace')).framesDecoded > squeezed.framesDecoded + 15);
  await until('at the lower size', async () => ((await cameraFrom(ada, 'Grace')).frameHeight ?? 720) <= 360);
  await expect(graceTile.getAttribute('data-video-layer')).resolves.toMatch(/^[01]$/);
  await expect(graceTile.getAttribute('data-e2ee')).resolves.toBe('encrypted');
}, 120_000);
