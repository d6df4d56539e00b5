import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * The hostile-client suite: tests that play an attacker against a real
 * server (a process of its own where a crash must be seen) and record
 * figures (src/hostile/figures.ts) that `npm test` prints at its end.
 */
export default mergeConfig(
  base,
  defineConfig({
    test: {
      include: ['src/**/*.hostile.test.ts'],
      exclude: [],
      testTimeout: 120_000,
      hookTimeout: 60_000,
    },
  }),
);
