import { defineConfig } from 'vitest/config';

// Interop suite against real peers (OpenTelemetry Collector, Jaeger v2, Prometheus),
// built once into a cache outside the repository by test/interop/peers/build-peers.sh.
export default defineConfig({
  resolve: { conditions: ['@otelspool/source'] },
  ssr: { resolve: { conditions: ['@otelspool/source'] } },
  test: {
    include: ['test/interop/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 900_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
