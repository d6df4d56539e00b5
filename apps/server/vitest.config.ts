import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

/** The integration tests start real mediasoup workers: make sure the binary exists (quick when cached). */
function workerBin(): string {
  if (process.env.MEDIASOUP_WORKER_BIN) return process.env.MEDIASOUP_WORKER_BIN;
  const script = path.resolve(import.meta.dirname, '../../scripts/mediasoup-worker/build.sh');
  return execFileSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // The hostile-client suite runs on its own (vitest.hostile.config.ts).
    exclude: ['src/**/*.hostile.test.ts', '**/node_modules/**'],
    env: { MEDIASOUP_WORKER_BIN: workerBin() },
    testTimeout: 20_000,
    hookTimeout: 30_000,
    fileParallelism: false,
  },
});
