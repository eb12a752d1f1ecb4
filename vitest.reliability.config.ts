import { defineConfig } from 'vitest/config';
import { sourceAliases } from './test/support/source-aliases.js';

// Fault-injection suite (kill, disk, network, fuzz, privacy, load, memory). Bounded in time.
export default defineConfig({
  resolve: { alias: sourceAliases() },
  test: {
    include: ['test/reliability/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: 'forks',
    setupFiles: ['test/support/fast-check-seed.ts'],
    fileParallelism: false,
  },
});
