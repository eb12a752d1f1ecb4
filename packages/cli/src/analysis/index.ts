// The shared aggregation behind `spool report`, `slo`, `check`, `incident` and the web dashboard.
export {
  buildReport,
  resolveFilter,
  reportContext,
  earliestTimeMs,
  CPU_METRIC,
  MEMORY_METRIC,
  WRITTEN_METRIC,
  DROPPED_METRIC,
} from './build-report.js';
export { parseDurationMs, parseSince, formatDurationMs } from './duration.js';
export { LatencyAccumulator, SKETCH_RELATIVE_ACCURACY } from './latency-accumulator.js';
export { LatencyHistogram, LATENCY_BOUNDS_MS } from './latency-histogram.js';
export { BoundedCounter } from './bounded-counter.js';
export { SeriesDownsampler } from './series-downsampler.js';
export { CounterStreams } from './counter-streams.js';
export {
  SyncHealthTracker,
  SyncHealthFold,
  syncHealthFromLines,
  type SyncCursorState,
  type SpoolLineRow,
} from './sync-health.js';
export {
  ReportAccumulator,
  REPORT_PARTIAL_VERSION,
  type ReportContext,
  type ReportPartialJson,
} from './report-accumulator.js';
export {
  PartitionedReportAccumulator,
  mergePartials,
  addBucketItems,
  boundaryBucket,
  bucketOf,
  HOUR_MS,
  type PartitionKey,
  type ReportPartial,
} from './report-partitions.js';
export { SnapshotError } from './snapshot-check.js';
export { sessionsInWindow, summarizeSessions } from './sessions.js';
export { crashReportsInWindow, summarizeCrashes } from './crashes.js';
export { serviceName, serviceMatches, timeMatches, type RecordFilter } from './record-filter.js';
export {
  forEachFilteredSpan,
  forEachFilteredLogRecord,
  forEachFilteredMetric,
  logTimeMs,
} from './walk.js';
export { nanosToMs, spanDurationMs, pointValue } from './otlp-values.js';
export {
  REPORT_SCHEMA_VERSION,
  MAX_SERIES_POINTS,
  type Report,
  type ReportFilters,
  type ReportOptions,
  type InputSummary,
  type SessionsSummary,
  type CrashesSummary,
  type CrashGroupSummary,
  type CountByKey,
  type LatencyStats,
  type SpanNameStats,
  type HistogramBucket,
  type SpansSummary,
  type EventsSummary,
  type SeriesPoint,
  type MetricSeries,
  type ResourceUsage,
  type SyncDestinationHealth,
  type TelemetryHealth,
} from './types.js';
export {
  formatPercent,
  formatMs,
  formatBytes,
  formatCount,
  formatTime,
  sparkline,
} from './format.js';
export {
  computeSlo,
  BURN_WINDOWS,
  BURN_ALERTS,
  type SloOptions,
  type SloResult,
  type SliBudget,
  type BurnRate,
  type BurnAlert,
} from './slo.js';
export {
  prometheusRulesYaml,
  SPAN_CALLS_METRIC,
  SPAN_DURATION_METRIC,
  SPAN_DURATION_BUCKETS_MS,
  type PrometheusRulesOptions,
} from './prometheus-rules.js';
export {
  buildIncident,
  classifySeverity,
  findCrashGroup,
  type Incident,
  type IncidentImpact,
  type SeverityLevel,
  type TimelineBucket,
  type RelatedSpan,
  type RelatedLog,
} from './incident.js';
export {
  ChromeTraceIds,
  spanToTraceEvents,
  nanosToMicros,
  type TraceEvent,
} from './chrome-trace.js';
