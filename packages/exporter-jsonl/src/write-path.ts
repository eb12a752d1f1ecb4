// `@otelspool/exporter-jsonl/write-path`: the write side of the spool, for @otelspool/sdk and
// @otelspool/crash. The same objects as the package root, without the reader, the normaliser
// and the rule tables only sync needs: a process that only writes telemetry loads some 35 fewer
// modules at start-up (the start-up row of `npm run bench`, bench/startup/).
export { SpoolWriter } from './writer/spool-writer.js';
export type { SpoolWriterOptions } from './writer/options.js';
export { JsonlSpanExporter } from './exporters/span-exporter.js';
export { JsonlMetricExporter } from './exporters/metric-exporter.js';
export { JsonlLogExporter } from './exporters/log-exporter.js';
export { encodeTraces } from './otlp/encode-traces.js';
export { encodeMetrics } from './otlp/encode-metrics.js';
export { encodeLogs } from './otlp/encode-logs.js';
export { resolveSpoolDir } from './fs/spool-dir.js';
export { ensureDirSync, ensureSpoolDir, ensureSpoolDirSync } from './fs/ensure-dir.js';
export {
  atomicTempPath,
  WRITE_NOFOLLOW_FLAGS,
  writeFileAtomic,
  writeFileAtomicSync,
} from './fs/atomic-write.js';
export { UnsafeSpoolPathError, warnUnsafePathOnce } from './fs/safe-dir.js';
export { openStateFileSync, readJsonStateFileSync, readStateFileSync } from './fs/state-file.js';
export {
  APP_CRASH_EVENT_NAME,
  CRASH_ATTRIBUTES,
  CRASH_LOG_SEVERITY,
  CRASH_SPAN_NAME,
  OTELSPOOL_ATTRIBUTES,
} from './semconv/crash.js';
export { currentHomeDir, currentUserName } from './privacy/home-rules.js';
export {
  createCaptureScrubber,
  createTextScrubber,
  type TextScrubber,
} from './privacy/text-scrubber.js';
export {
  compactIsoTime,
  CRASH_REPORT_NAME,
  crashesDir,
  crashReportFileName,
  installIdPath,
  lastSessionPath,
  ledgerPath,
  metricsSnapshotPath,
  sessionDir,
  SPOOL_FILES,
  SPOOL_FOLDERS,
} from './layout/spool-layout.js';
export { errorCode } from './fs/error-code.js';
export { processIsAlive } from './fs/process-alive.js';
export {
  serializeMetricsSnapshot,
  type MetricsSnapshot,
  type SnapshotMetric,
  type SnapshotPoint,
} from './layout/metrics-snapshot-file.js';
export { FifoQueue } from './util/fifo-queue.js';
export {
  attributeText,
  countRecords,
  findAttribute,
  forEachDataPoint,
  forEachLogRecord,
  forEachMetric,
  forEachSpan,
  metricDataPoints,
  scalarText,
} from './otlp/walk.js';
