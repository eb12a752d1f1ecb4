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

// --- transitional (removed by the lead after the merge): sibling-only names, now in ./internal ---
export {
  atomicTempPath,
  fsyncDirSync,
  OWNER_FILE_MODE,
  WRITE_NOFOLLOW_FLAGS,
  writeFileAtomic,
  type WriteFileAtomicOptions,
  writeFileAtomicSync,
} from './fs/atomic-write.js';
export {
  ensureDir,
  ensureDirSync,
  ensureSpoolDir,
  ensureSpoolDirSync,
  OWNER_DIR_MODE,
} from './fs/ensure-dir.js';
export {
  checkSpoolDirSync,
  currentUid,
  UNSAFE_PATH_CODE,
  unsafeDirReason,
  unsafeParentReason,
  warnUnsafePathOnce,
} from './fs/safe-dir.js';
export {
  openStateFileSync,
  READ_NOFOLLOW_FLAGS,
  readJsonStateFileSync,
  type ReadStateFileOptions,
  readStateFileSync,
  type StateFileOpen,
  type StateFileOptions,
  type StateFileRead,
  type StateFileRefusal,
} from './fs/state-file.js';
export {
  type ParsedSegmentName,
  parseSegmentName,
  segmentFileName,
} from './layout/segment-name.js';
export {
  ENV_SECRET_EXCEPTIONS,
  MIN_ENV_SECRET_LENGTH,
  replaceEnvSecrets,
  secretEnvValues,
} from './privacy/env-secrets.js';
export {
  currentHomeDir,
  currentUserName,
  GENERIC_USER_NAMES,
  HOME_PATH_RULES,
  homeLiteralRule,
  userNameRule,
} from './privacy/home-rules.js';
export {
  compileKeyPatterns,
  createKeyClassifier,
  DEFAULT_DROP_KEYS,
  DEFAULT_HASH_KEYS,
  type KeyAction,
  type KeyClassifier,
  type KeyDecision,
  type KeyPattern,
  type KeyRule,
  type KeyRuleOptions,
  SEMCONV_ALLOW_KEYS,
} from './privacy/key-rules.js';
export {
  ENV_KEY_WORDS,
  isEnvKey,
  isSecretKey,
  SECRET_KEY_PHRASES,
  SECRET_KEY_QUALIFIERS,
  SECRET_KEY_SUFFIXES,
  SECRET_KEY_WORDS,
  splitKeyWords,
} from './privacy/key-words.js';
export { PII_SHAPE_RULE_NAMES, PII_SHAPE_RULES } from './privacy/pii-shapes.js';
export { applyRules, type ScrubRule } from './privacy/rule.js';
export { SECRET_SHAPE_RULE_NAMES, SECRET_SHAPE_RULES } from './privacy/secret-shapes.js';
export {
  createTextScrubber,
  TEXT_SCRUB_RULE_NAMES,
  type TextScrubber,
  type TextScrubberOptions,
} from './privacy/text-scrubber.js';
export { type LineSink, LineSplitter } from './reader/line-splitter.js';
export { MAX_ANY_VALUE_DEPTH } from './reader/normalize/common.js';
export { SIGNAL_FIELD } from './reader/normalize/normalize-otlp.js';
export {
  type BadLine,
  QUARANTINE_MAX_LINES_PER_SEGMENT,
  QUARANTINE_RAW_LIMIT,
} from './reader/quarantine.js';
export {
  APP_CRASH_EVENT_NAME,
  CRASH_ATTRIBUTE_PREFIXES,
  CRASH_ATTRIBUTES,
  CRASH_LOG_SEVERITY,
  CRASH_SPAN_NAME,
  isCrashAttributeKey,
  isCrashEventName,
  OTELSPOOL_ATTRIBUTES,
} from './semconv/crash.js';
export {
  liveSegmentPaths,
  type ScannedSegment,
  scanSegments,
  shippedSegmentTest,
} from './writer/spool-usage.js';
// --- end of transitional block ---
