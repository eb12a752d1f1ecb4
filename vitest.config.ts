import { defineConfig } from 'vitest/config';
import { sourceAliases } from './test/support/source-aliases.js';

// Unit and cross-package tests, against the packages' sources (test/support/source-aliases.ts);
// child processes that tests spawn import the built dist/ (npm test builds first).
export default defineConfig({
  resolve: { alias: sourceAliases() },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/e2e/**/*.test.ts', 'test/api/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    setupFiles: ['test/support/fast-check-seed.ts'],
    reporters: ['default'],
  },
});
