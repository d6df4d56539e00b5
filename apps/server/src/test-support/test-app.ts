/**
 * Starts the real server in-process for integration tests: real mediasoup
 * workers on a private port range, HTTP on a random port, quiet logs.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { loadConfig, type Config } from '../config.js';
import type { App } from '../app.js';

let nextRtcPort = 44000 + (process.pid % 50) * 20;

export async function startTestApp(overrides: Partial<Config> = {}): Promise<App & { url: string; wsUrl: string }> {
  const { startApp } = await import('../app.js');
  const base = loadConfig({
    CONCLAVE_WORKERS: '1',
    CONCLAVE_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'conclave-test-')),
    CONCLAVE_LOG_LEVEL: 'silent',
    MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN,
  });
  const rtcPort = nextRtcPort;
  nextRtcPort += 4;
  const config: Config = { ...base, port: 0, host: '127.0.0.1', rtcPort, ...overrides };
  const app = await startApp(config, pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }));
  return Object.assign(app, { url: `http://127.0.0.1:${app.port}`, wsUrl: `ws://127.0.0.1:${app.port}/ws` });
}
