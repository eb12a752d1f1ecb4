import { defineConfig } from 'vitest/config';

// Unit and cross-package tests. Sources are resolved through the "@otelspool/source"
// export condition so tests run against src/ without a build; child processes that tests
// spawn import the built dist/ (npm test builds first).
export default defineConfig({
  resolve: { conditions: ['@otelspool/source'] },
  ssr: { resolve: { conditions: ['@otelspool/source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/e2e/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    setupFiles: ['test/support/fast-check-seed.ts'],
    reporters: ['default'],
  },
});
