import { defineConfig } from 'vitest/config';

// Small on purpose: the test machine has 2 cores shared with other builds.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
    pool: 'threads',
    maxWorkers: 2,
    testTimeout: 30_000,
  },
});
