export { startTelemetry } from './start-telemetry.js';
export type { Telemetry, TelemetryStats, LastRunInfo } from './telemetry.js';
export type { TelemetryOptions, Durability, SpoolSignals } from './options.js';
export type { InstrumentationLike } from './instrumentations.js';
export { resolveOptions } from './options.js';
export type { CollectedEvent, CollectedMetric } from './facade.js';
export type { LiveRecord, LiveConsumer } from './live-stream.js';
export type { MetricsSnapshot, SnapshotMetric, SnapshotPoint } from './metrics-snapshot.js';
export { SpoolSpanProcessor, SpoolLogRecordProcessor } from './processors/index.js';
export { createRecentStore } from './memory/recent-store.js';
export type {
  RecentRecord,
  RecentStore,
  RecentStoreOptions,
  RecentStoreStats,
} from './memory/recent-store.js';
export type { LogItem, SpanItem } from './memory/to-otlp.js';
export type { RingStats } from './memory/bounded-ring.js';
