// `@otelspool/sdk/testing`: startTelemetry's wiring into an in-memory store, for unit tests
// of code that records telemetry.
export { createTestTelemetry } from './testing/test-telemetry.js';
export type {
  AttributeMatch,
  CrashRecordItem,
  LogQuery,
  MetricPointItem,
  MetricQuery,
  SpanEventItem,
  SpanEventQuery,
  SpanQuery,
  TestTelemetry,
  TestTelemetryMemoryStats,
  TestTelemetryOptions,
} from './testing/test-telemetry.js';
export type { LogItem, SpanItem } from './memory/to-otlp.js';
export type { RingStats } from './memory/bounded-ring.js';
