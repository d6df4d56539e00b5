/**
 * The server's own view of an encrypted call. Two real Chromium pages meet;
 * the test then consumes one participant's producers on the server through a
 * mediasoup DirectTransport, rebuilds frames from the RTP it receives, and
 * shows that every frame is clear codec bytes + a valid SFrame header +
 * ciphertext that authenticates with that sender's key (taken from its
 * browser) and with no other key, on every simulcast layer of the camera.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { joinCall, launchChromium } from '../test-support/browser.js';
import { sframeDecrypt } from '@conclave/e2ee';
import { decodeHeader } from '@conclave/e2ee/frames';
import { kidFor } from '@conclave/e2ee/group';
import { startTestApp } from '../test-support/test-app.js';
import { FrameAssembler } from '../test-support/rtp-frames.js';
import { localRouter, mediasoupOf } from '../test-support/local-media.js';

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

function join(name: string, link: string): Promise<Page> {
  return joinCall(browser, app.port, name, link, {
    initScripts: [() => ((window as unknown as { __CONCLAVE_TEST_HOOKS__: boolean }).__CONCLAVE_TEST_HOOKS__ = true)],
  });
}

/** The sender's MLS epoch key (RFC 9605 §5.2 base key of its leaf) and the KIDs of its camera and microphone. */
async function sendKey(page: Page): Promise<{ camera: bigint; mic: bigint; baseKey: Uint8Array }> {
  const k = await page.evaluate(() =>
    (window as unknown as { conclave: { sendKey: () => { epoch: string; leaf: number; baseKey: string } | null } }).conclave.sendKey(),
  );
  if (!k) throw new Error('no send key yet');
  return {
    camera: kidFor('camera', k.leaf, BigInt(k.epoch)),
    mic: kidFor('mic', k.leaf, BigInt(k.epoch)),
    baseKey: Uint8Array.from(Buffer.from(k.baseKey, 'hex')),
  };
}

async function decryptsWith(suite: number, key: Uint8Array, metadata: Uint8Array, sframe: Uint8Array): Promise<boolean> {
  try {
    await sframeDecrypt(suite, key, metadata, sframe);
    return true;
  } catch {
    return false;
  }
}

it('every frame the SFU relays is clear codec bytes + SFrame that only its sender key opens', async () => {
  const roomId = `server-view-${randomBytes(3).toString('hex')}`;
  const link = `/r/${roomId}#k=${randomBytes(32).toString('base64url')}`;
  const ada = await join('Ada', link);
  const grace = await join('Grace', link);
  // Both must be encrypting and decoding before we look (keys exchanged, frames flowing).
  // (Polled from here: waitForFunction would take an async predicate's promise as truthy.)
  const decoding = async () =>
    grace.evaluate(async () => {
      const stats = await (window as unknown as { conclave: { stats: () => Promise<Array<{ framesDecoded: number }>> } }).conclave.stats();
      return stats.some((s) => s.framesDecoded > 10);
    });
  const until = Date.now() + 30_000;
  while (!(await decoding())) {
    if (Date.now() > until) throw new Error('Grace never decoded Ada');
    await new Promise((r) => setTimeout(r, 250));
  }

  const adaKey = await sendKey(ada);
  const graceKey = await sendKey(grace);
  const room = app.registry.get(roomId)!;
  const adaPeer = [...room.peers.values()].find((p) => p.displayName === 'Ada')!;
  const producers = [...adaPeer.producers.values()];
  const video = producers.find((p) => p.appData.source === 'camera')!;
  const audio = producers.find((p) => p.appData.source === 'mic')!;
  expect(video.rtpParameters.codecs[0]?.mimeType.toLowerCase()).toBe('video/vp8');

  // The router Ada's media lives on (in a small room, everyone's).
  const router = localRouter(adaPeer.home);
  const direct = await router.createDirectTransport();
  const videoFrames = new FrameAssembler('vp8');
  const audioFrames = new FrameAssembler('opus');
  const vc = await direct.consume({ producerId: video.id, rtpCapabilities: router.rtpCapabilities });
  const ac = await direct.consume({ producerId: audio.id, rtpCapabilities: router.rtpCapabilities });
  vc.on('rtp', (packet) => videoFrames.push(packet));
  ac.on('rtp', (packet) => audioFrames.push(packet));
  await vc.requestKeyFrame();
  const deadline = Date.now() + 20_000;
  while ((videoFrames.frames.length < 40 || audioFrames.frames.length < 50) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
  direct.close();

  // Video: VP8 clear bytes (10 on key frames, 3 on delta frames) + SFrame.
  expect(videoFrames.frames.length).toBeGreaterThanOrEqual(40);
  let keyFrames = 0;
  for (const frame of videoFrames.frames) {
    const isKey = (frame[0]! & 0x01) === 0;
    const clearLength = isKey ? 10 : 3;
    const clear = frame.subarray(0, clearLength);
    const sframe = frame.subarray(clearLength);
    if (isKey) {
      keyFrames += 1;
      expect([...clear.subarray(3, 6)], 'VP8 key frame start code stays readable').toEqual([0x9d, 0x01, 0x2a]);
    }
    const header = decodeHeader(sframe);
    expect(header.kid, "the KID names Ada's camera in this epoch").toBe(adaKey.camera);
    expect(await decryptsWith(0x0004, adaKey.baseKey, clear, sframe), 'opens with the sender key').toBe(true);
    expect(await decryptsWith(0x0004, graceKey.baseKey, clear, sframe), 'no other key opens it').toBe(false);
    // The clear bytes are authenticated as SFrame metadata: changing one breaks the frame.
    const tampered = Uint8Array.from(clear);
    tampered[clearLength - 1]! ^= 0x01;
    expect(await decryptsWith(0x0004, adaKey.baseKey, tampered, sframe)).toBe(false);
  }
  expect(keyFrames).toBeGreaterThanOrEqual(1);

  // Simulcast: every layer the camera sends is its own picture size, and every layer is encrypted.
  expect(mediasoupOf(video).type, 'the camera is sent as simulcast').toBe('simulcast');
  expect(video.rtpParameters.encodings?.length).toBe(3);
  const heights: number[] = [];
  for (const spatialLayer of [0, 1, 2]) {
    const layerTransport = await router.createDirectTransport();
    const frames = new FrameAssembler('vp8');
    const consumer = await layerTransport.consume({
      producerId: video.id,
      rtpCapabilities: router.rtpCapabilities,
      preferredLayers: { spatialLayer },
    });
    // Only frames of the layer asked for count: the consumer may start on another and switch at a key frame.
    let onLayer = false;
    consumer.on('rtp', (packet) => onLayer && frames.push(packet));
    const until = Date.now() + 15_000;
    while (consumer.currentLayers?.spatialLayer !== spatialLayer && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(consumer.currentLayers?.spatialLayer, `the browser sends layer ${spatialLayer}`).toBe(spatialLayer);
    onLayer = true;
    await consumer.requestKeyFrame();
    const keyFrame = () => frames.frames.find((f) => (f[0]! & 0x01) === 0);
    while ((!keyFrame() || frames.frames.length < 15) && Date.now() < until + 10_000) await new Promise((r) => setTimeout(r, 100));
    layerTransport.close();
    const key = keyFrame();
    expect(key, `a key frame on layer ${spatialLayer}`).toBeDefined();
    // The VP8 key frame header (clear bytes 6..9) holds the picture size: 14 bits each, little-endian.
    heights.push(key!.readUInt16LE(8) & 0x3fff);
    for (const frame of frames.frames) {
      const clearLength = (frame[0]! & 0x01) === 0 ? 10 : 3;
      expect(
        await decryptsWith(0x0004, adaKey.baseKey, frame.subarray(0, clearLength), frame.subarray(clearLength)),
        `layer ${spatialLayer} opens with the sender key`,
      ).toBe(true);
      expect(await decryptsWith(0x0004, graceKey.baseKey, frame.subarray(0, clearLength), frame.subarray(clearLength))).toBe(false);
    }
  }
  // Each layer is bigger than the one below (320×180, 640×360, 1280×720 unless the browser scaled down for CPU).
  expect(heights[0]).toBeLessThan(heights[1]!);
  expect(heights[1]).toBeLessThan(heights[2]!);
  expect(heights[2]).toBeLessThanOrEqual(720);

  // Audio: Opus keeps nothing clear; the whole frame is SFrame (suite 0x0002).
  expect(audioFrames.frames.length).toBeGreaterThanOrEqual(50);
  for (const frame of audioFrames.frames) {
    expect(decodeHeader(frame).kid, "the KID names Ada's microphone in this epoch").toBe(adaKey.mic);
    expect(await decryptsWith(0x0002, adaKey.baseKey, new Uint8Array(0), frame)).toBe(true);
    expect(await decryptsWith(0x0002, graceKey.baseKey, new Uint8Array(0), frame)).toBe(false);
  }
}, 90_000);
