/**
 * Browser tests: real Debian Chromium with fake camera and microphone, against
 * the real server (built app, real mediasoup worker) started on test ports.
 */
import { defineConfig } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CHROMIUM_BIN, chromiumArgs } from './e2e/chromium-args.js';

export const TEST_PORT = Number(process.env.CONCLAVE_TEST_PORT ?? 3210);
/** The test server's first admin (created at start from CONCLAVE_ADMIN_PASSWORD). */
export const TEST_ADMIN_PASSWORD = (process.env.CONCLAVE_TEST_ADMIN_PASSWORD ??= 'correct-horse-battery');
/**
 * The test server's data directory, and the file its stdout and stderr (its
 * log, at debug level) go to. Exported through the environment, so that test
 * workers (which load this file again) see the same ones: the chat test
 * searches both for what the server must never have written.
 */
const dataDir = (process.env.CONCLAVE_TEST_DATA_DIR ??= mkdtempSync(path.join(os.tmpdir(), 'conclave-e2e-')));
const serverLog = (process.env.CONCLAVE_TEST_SERVER_LOG ??= path.resolve('test-results', 'e2e-server.log'));
mkdirSync(path.dirname(serverLog), { recursive: true });
/** The worker binary npm test built (quick to confirm when cached). */
const workerBin =
  process.env.MEDIASOUP_WORKER_BIN ??
  execFileSync('bash', ['scripts/mediasoup-worker/build.sh'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
// Tests that start servers of their own (the cross-browser run) need it too.
process.env.MEDIASOUP_WORKER_BIN = workerBin;

export default defineConfig({
  testDir: './e2e',
  testMatch: /.*\.e2e\.ts$/,
  fullyParallel: false,
  workers: 1,
  // One retry in CI: a real browser call on 2 shared cores can miss a deadline once. A retried pass is
  // reported as flaky (in the JSON report and the summary line), never hidden; see the issue notes.
  retries: process.env.CI ? 1 : 0,
  // A call of three or four real browsers saturates two shared cores: every click and page load then waits its turn,
  // and one such test can take over two minutes.
  timeout: 240_000,
  expect: { timeout: 15_000 },
  reporter: process.env.CI ? [['list'], ['json', { outputFile: 'test-results/e2e.json' }]] : 'list',
  outputDir: 'test-results/e2e',
  use: {
    baseURL: `http://localhost:${TEST_PORT}`,
    viewport: { width: 1280, height: 720 },
    permissions: ['camera', 'microphone'],
    launchOptions: {
      executablePath: CHROMIUM_BIN,
      args: chromiumArgs(),
    },
    screenshot: 'only-on-failure',
    trace: process.env.CI ? 'on-first-retry' : 'retain-on-failure',
  },
  webServer: {
    command: `node apps/server/dist/main.js > ${JSON.stringify(serverLog)} 2>&1`,
    url: `http://localhost:${TEST_PORT}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      PORT: String(TEST_PORT),
      HOST: '127.0.0.1',
      CONCLAVE_RTC_PORT: process.env.CONCLAVE_TEST_RTC_PORT ?? '22000',
      CONCLAVE_WORKERS: '2',
      CONCLAVE_DATA_DIR: dataDir,
      CONCLAVE_LOG_LEVEL: 'debug',
      CONCLAVE_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
      MEDIASOUP_WORKER_BIN: workerBin,
    },
  },
});
