/**
 * Relay-only ICE through Debian's coturn. The app runs in-process with
 * CONCLAVE_TURN_URLS pointing at a coturn the test starts on 127.0.0.1 and
 * CONCLAVE_ICE_TRANSPORT_POLICY=relay; two Chromium pages meet and must decode
 * each other's encrypted video and audio. Media can then only flow
 * browser → coturn → SFU → coturn → browser, and the test checks that from
 * both ends: each browser's selected candidate pair has a local candidate of
 * type `relay`, and every transport the SFU holds sees its remote end on a
 * coturn relay port.
 *
 * coturn runs with coturn.conf with loopback peers allowed (the SFU listens on
 * 127.0.0.1; see test-support/coturn.ts). Every packet stays on 127.0.0.1.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { joinCall, launchChromium } from '../test-support/browser.js';
import { startTestApp } from '../test-support/test-app.js';
import { startCoturn, type Coturn } from '../test-support/coturn.js';
import { mediasoupOf } from '../test-support/local-media.js';

const SECRET = 'relay-test-secret-0123456789abcdef';

let coturn: Coturn;
let app: Awaited<ReturnType<typeof startTestApp>>;
let browser: Browser;

beforeAll(async () => {
  coturn = await startCoturn({ variant: 'relay-to-loopback', realm: 'localhost', secret: SECRET });
  app = await startTestApp({
    turn: {
      urls: [`turn:127.0.0.1:${coturn.port}?transport=udp`, `turn:127.0.0.1:${coturn.port}?transport=tcp`],
      secret: SECRET,
      ttlSeconds: 600,
      credentialsPerMinute: 6,
    },
    iceTransportPolicy: 'relay',
  });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await coturn?.close();
});

/** Keeps every RTCPeerConnection the page makes, so the test can read its ICE state (the app is unchanged). */
function recordPeerConnections(): void {
  const Native = window.RTCPeerConnection;
  const all: RTCPeerConnection[] = [];
  (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs = all;
  window.RTCPeerConnection = class extends Native {
    constructor(config?: RTCConfiguration) {
      super(config);
      all.push(this);
    }
  };
}

function join(name: string, link: string): Promise<Page> {
  return joinCall(browser, app.port, name, link, { initScripts: [recordPeerConnections] });
}

interface PcState {
  policy: string | undefined;
  turnUrls: string[];
  connectionState: string;
  localCandidateType: string | null;
  remoteAddress: string | null;
}

/** For each of the page's peer connections: its ICE policy and the candidates of its selected pair. */
function iceStates(page: Page): Promise<PcState[]> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs;
    return Promise.all(
      pcs.map(async (pc) => {
        const report = await pc.getStats();
        const byId = new Map<string, Record<string, unknown>>();
        report.forEach((s: Record<string, unknown>) => byId.set(s.id as string, s));
        let pair: Record<string, unknown> | undefined;
        report.forEach((s: Record<string, unknown>) => {
          if (s.type === 'transport' && s.selectedCandidatePairId) pair = byId.get(s.selectedCandidatePairId as string);
        });
        const local = pair ? byId.get(pair.localCandidateId as string) : undefined;
        const remote = pair ? byId.get(pair.remoteCandidateId as string) : undefined;
        const config = pc.getConfiguration();
        return {
          policy: config.iceTransportPolicy,
          turnUrls: (config.iceServers ?? []).flatMap((s) => (Array.isArray(s.urls) ? s.urls : [s.urls])),
          connectionState: pc.connectionState,
          localCandidateType: (local?.candidateType as string | undefined) ?? null,
          remoteAddress: remote ? `${remote.address as string}:${remote.port as number}` : null,
        };
      }),
    );
  });
}

type Stats = Array<{ displayName: string; framesDecoded: number; audioPacketsReceived: number }>;

/**
 * Waits until `page` has decoded video frames and received audio from `from`. (Polled from here:
 * Playwright's waitForFunction does not await an async predicate, it takes the Promise as truthy.)
 */
async function decodes(page: Page, from: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: Stats[number] | undefined;
  while (Date.now() < deadline) {
    const stats = (await page.evaluate(() =>
      (window as unknown as { conclave: { stats: () => Promise<unknown> } }).conclave.stats(),
    )) as Stats;
    last = stats.find((x) => x.displayName === from);
    if (last && last.framesDecoded > 10 && last.audioPacketsReceived > 10) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no media from ${from} within ${timeoutMs} ms: ${JSON.stringify(last ?? 'not in the call')}`);
}

it('two browsers with relay-only ICE decode each other through coturn and the SFU', async () => {
  const roomId = `relay-${randomBytes(3).toString('hex')}`;
  const link = `/r/${roomId}#k=${randomBytes(32).toString('base64url')}`;
  const ada = await join('Ada', link);
  const grace = await join('Grace', link);
  await decodes(ada, 'Grace');
  await decodes(grace, 'Ada');

  // Each browser: both connections (send, receive) are connected, relay-only, on a relay candidate.
  for (const page of [ada, grace]) {
    const states = (await iceStates(page)).filter((s) => s.connectionState === 'connected');
    expect(states.length, 'send and receive connections').toBeGreaterThanOrEqual(2);
    for (const s of states) {
      expect(s.policy).toBe('relay');
      expect(s.turnUrls).toContain(`turn:127.0.0.1:${coturn.port}?transport=udp`);
      expect(s.localCandidateType, 'the selected pair uses a TURN relay candidate').toBe('relay');
    }
  }

  // The SFU's side: every transport's remote end is a coturn relay port, never a browser's own socket.
  const room = app.registry.get(roomId)!;
  const transports = [...room.peers.values()].flatMap((p) => [...p.transports.values()]);
  expect(transports.length).toBe(4);
  for (const t of transports) {
    const tuple = mediasoupOf(t).iceSelectedTuple;
    expect(tuple, 'ICE selected a tuple').toBeDefined();
    expect(tuple!.remoteIp).toBe('127.0.0.1');
    expect(tuple!.remotePort).toBeGreaterThanOrEqual(coturn.relayPorts.min);
    expect(tuple!.remotePort).toBeLessThanOrEqual(coturn.relayPorts.max);
  }
}, 90_000);
