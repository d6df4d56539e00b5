/**
 * Starts the real server in-process for integration tests: real mediasoup
 * workers on a private port range, HTTP on a random port, quiet logs.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll } from 'vitest';
import { loadConfig, type Config } from '../config.js';
import type { App, AppOptions } from '../app.js';
import type { Logger } from '../logger.js';
import { TestClient } from './ws-client.js';

// Below Linux's ephemeral range (32768-60999): an outgoing connection cannot be holding the port.
let nextRtcPort = 24000 + (process.pid % 50) * 20;

export type TestApp = App & {
  url: string;
  wsUrl: string;
  /** A signaling URL carrying a fresh join ticket for `roomId` (giving `password` if the room has one). */
  ticketUrl(roomId: string, password?: string, cookie?: string, rejoinPass?: string): Promise<string>;
};

/**
 * `logger`: where the app logs (default: pino at TEST_LOG_LEVEL, silent), e.g. to read what the server writes.
 * `options`: what startApp takes besides the config (e.g. other ephemeral stores).
 */
export async function startTestApp(overrides: Partial<Config> = {}, logger?: Logger, options: AppOptions = {}): Promise<TestApp> {
  const { startApp } = await import('../app.js');
  const base = loadConfig({
    CONCLAVE_WORKERS: '1',
    CONCLAVE_DATA_DIR: overrides.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'conclave-test-')),
    CONCLAVE_LOG_LEVEL: 'silent',
    MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN,
  });
  const rtcPort = nextRtcPort;
  nextRtcPort += 4;
  // Unless a test says otherwise, rooms need no account (most tests are not about accounts).
  const config: Config = { ...base, port: 0, host: '127.0.0.1', rtcPort, allowAnonymousRooms: true, ...overrides };
  const app = await startApp(config, logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), options);
  const url = `http://127.0.0.1:${app.port}`;
  const wsUrl = `ws://127.0.0.1:${app.port}/ws`;
  return Object.assign(app, {
    url,
    wsUrl,
    async ticketUrl(roomId: string, password?: string, cookie?: string, rejoinPass?: string) {
      const res = await fetch(`${url}/api/rooms/${roomId}/ticket`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(cookie ? { Cookie: cookie } : {}) },
        body: JSON.stringify({
          ...(password === undefined ? {} : { password }),
          ...(rejoinPass === undefined ? {} : { rejoinPass }),
        }),
      });
      if (!res.ok) throw new Error(`ticket refused: ${res.status} ${await res.text()}`);
      const { ticket } = (await res.json()) as { ticket: string };
      return `${wsUrl}?ticket=${encodeURIComponent(ticket)}`;
    },
  });
}

/**
 * For a test file (or a describe block): one TestApp started before its
 * tests and closed after them, fresh room names (`<roomPrefix>-<pid>-<n>`),
 * and clients that have joined a room on it. `app` is there once tests run.
 */
export function useTestApp(roomPrefix: string, overrides: Partial<Config> = {}) {
  let app: TestApp | undefined;
  let roomSeq = 0;
  beforeAll(async () => {
    app = await startTestApp(overrides);
  });
  afterAll(async () => {
    await app?.close();
  });
  const suite = {
    get app(): TestApp {
      if (!app) throw new Error('the test app starts in beforeAll: use it inside a test or hook');
      return app;
    },
    newRoom: () => `${roomPrefix}-${process.pid}-${++roomSeq}`,
    /** A client that has joined `roomId` through a fresh ticket, and the join's answer (throws if it only got the lobby). */
    joined: async (roomId: string, displayName: string) => {
      const client = await TestClient.connect(await suite.app.ticketUrl(roomId));
      const info = await client.request('join', { roomId, displayName });
      if (info.status !== 'joined') throw new Error('expected to join');
      return { client, info };
    },
  };
  return suite;
}
