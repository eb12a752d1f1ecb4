// Public API of @otelspool/exporter-jsonl: every name by hand, from the module that defines it
// (`export *` is banned by lint, so a new export is always a decision). Sibling-only helpers
// live in ./internal.ts (`@otelspool/exporter-jsonl/internal`), the lean write side for the
// SDK and the crash handler in ./write-path.ts.

// The OTLP model (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding) and its walkers.
export { SIGNALS } from './otlp/types.js';
export type {
  AggregationTemporality,
  AnyValue,
  ArrayValue,
  Exemplar,
  ExponentialHistogram,
  ExponentialHistogramBuckets,
  ExponentialHistogramDataPoint,
  Gauge,
  Histogram,
  HistogramDataPoint,
  InstrumentationScope,
  KeyValue,
  KeyValueList,
  LogRecord,
  LogsData,
  Metric,
  MetricsData,
  NumberDataPoint,
  OtlpData,
  OtlpDataBySignal,
  OtlpDouble,
  Resource,
  ResourceLogs,
  ResourceMetrics,
  ResourceSpans,
  ScopeLogs,
  ScopeMetrics,
  ScopeSpans,
  SeverityNumber,
  Signal,
  Span,
  SpanEvent,
  SpanKind,
  SpanLink,
  Status,
  StatusCode,
  Sum,
  Summary,
  SummaryDataPoint,
  TracesData,
  ValueAtQuantile,
} from './otlp/types.js';
export {
  attributesKey,
  attributeText,
  countRecords,
  findAttribute,
  forEachDataPoint,
  forEachLogRecord,
  forEachMetric,
  forEachSpan,
  mergeData,
  metricDataPoints,
  metricType,
  METRIC_TYPES,
  RESOURCE_FIELD,
  scalarText,
  type DataPoint,
  type MetricType,
} from './otlp/walk.js';

// Encoding: SDK objects → OTLP/JSON lines, and OTLP objects → OTLP/JSON text.
export { encodeTraces } from './otlp/encode-traces.js';
export { encodeMetrics } from './otlp/encode-metrics.js';
export { encodeLogs } from './otlp/encode-logs.js';
export { stringifyOtlpJson } from './otlp/stringify-otlp-json.js';

// The exporters and the spool writer they share.
export { JsonlSpanExporter } from './exporters/span-exporter.js';
export {
  JsonlMetricExporter,
  type JsonlMetricExporterOptions,
} from './exporters/metric-exporter.js';
export { JsonlLogExporter } from './exporters/log-exporter.js';
export type { JsonlExporterOptions } from './exporters/exporter-options.js';
export type { LineExportStats } from './exporters/line-export-engine.js';
export { SpoolWriter } from './writer/spool-writer.js';
export {
  DEFAULT_WRITER_OPTIONS,
  type Counts,
  type DropReason,
  type Durability,
  type SpoolStats,
  type SpoolWriterOptions,
} from './writer/options.js';

// The spool reader and the OTLP/JSON parser.
export { readSpool } from './reader/read-spool.js';
export { listSegments } from './reader/list-segments.js';
export {
  normalizeOtlpItems,
  parseOtlpJson,
  type DroppedItems,
  type ParseOtlpOptions,
  type ParseOtlpResult,
} from './reader/normalize/parse-otlp-json.js';
export { normalizeOtlp } from './reader/normalize/normalize-otlp.js';
export { OtlpShapeError } from './reader/normalize/shape-error.js';
export {
  DEFAULT_MAX_LINE_BYTES,
  type MalformedEntry,
  type ReadSpoolOptions,
  type ResumePoint,
  type SegmentInfo,
  type SpoolRecord,
} from './reader/types.js';

// Where the spool is.
export {
  listServiceSpools,
  locateSpoolDir,
  resolveSpoolDir,
  serviceSpoolDir,
  spoolRoot,
  SpoolLocationError,
  type SpoolDirSource,
  type SpoolLocation,
} from './fs/spool-dir.js';
export { UnsafeSpoolPathError } from './fs/safe-dir.js';
