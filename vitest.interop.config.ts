import { defineConfig } from 'vitest/config';
import { sourceAliases } from './test/support/source-aliases.js';

// Interop suite against real peers (OpenTelemetry Collector, Jaeger v2, Prometheus),
// built once into a cache outside the repository by test/interop/peers/build-peers.sh.
export default defineConfig({
  resolve: { alias: sourceAliases() },
  test: {
    include: ['test/interop/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 900_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
