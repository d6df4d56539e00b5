import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * The hostile-client suite: tests that play an attacker against a real
 * server (a process of its own where a crash must be seen) and record
 * figures (src/hostile/figures.ts) that `npm test` prints at its end.
 *
 * Built from the base config by replacing its test section's include and
 * exclude (mergeConfig would concatenate the arrays, and the base excludes
 * exactly these files).
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['src/**/*.hostile.test.ts'],
    exclude: ['**/node_modules/**'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
