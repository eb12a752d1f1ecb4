/**
 * OTLP/JSON object shapes (opentelemetry-proto v1: trace, metrics, logs, common, resource) as
 * plain interfaces, for code that reads spool records or receives OTLP/JSON bodies.
 *
 * These describe the *normalised* form that `readSpool`, `parseOtlpJson` and `normalizeOtlp`
 * produce (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding):
 * - trace and span ids are lowercase hex strings (32 / 16 characters), or '' where optional;
 * - 64-bit integers (timestamps, counts, int values) are decimal strings;
 * - enums (span kind, status code, severity number, aggregation temporality) are integers;
 * - doubles are JS numbers: the proto3 JSON strings "NaN" / "Infinity" / "-Infinity" are read
 *   as NaN / ±Infinity, and -0 keeps its sign (write such data with `stringifyOtlpJson`, never
 *   plain JSON.stringify, which turns them into `null` and `0`);
 * - bytes are base64 strings.
 * Fields at their proto3 default may be absent. Fields unknown to this version of the proto are
 * kept as they were received (proto3 JSON readers must ignore them, so forwarding is harmless).
 */

/** The three OTLP signals; each has its own sub-directory of the spool. */
export type Signal = 'traces' | 'metrics' | 'logs';

export const SIGNALS: readonly Signal[] = Object.freeze(['traces', 'metrics', 'logs'] as const);

/**
 * A proto3 JSON double: a number, or one of the strings for non-finite values (what OTLP/JSON
 * text holds; the reader gives numbers, data built elsewhere may hold either).
 */
export type OtlpDouble = number | 'NaN' | 'Infinity' | '-Infinity';

// ---------------------------------------------------------------- common.proto / resource.proto

export interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  /** int64 as a decimal string. */
  intValue?: string;
  doubleValue?: OtlpDouble;
  arrayValue?: ArrayValue;
  kvlistValue?: KeyValueList;
  /** base64 */
  bytesValue?: string;
}

export interface ArrayValue {
  values?: AnyValue[];
}

export interface KeyValueList {
  values?: KeyValue[];
}

export interface KeyValue {
  key: string;
  value?: AnyValue;
}

export interface InstrumentationScope {
  name?: string;
  version?: string;
  attributes?: KeyValue[];
  droppedAttributesCount?: number;
}

export interface Resource {
  attributes?: KeyValue[];
  droppedAttributesCount?: number;
}

// ---------------------------------------------------------------------------------- trace.proto

export interface TracesData {
  resourceSpans: ResourceSpans[];
}

export interface ResourceSpans {
  resource?: Resource;
  scopeSpans?: ScopeSpans[];
  schemaUrl?: string;
}

export interface ScopeSpans {
  scope?: InstrumentationScope;
  spans?: Span[];
  schemaUrl?: string;
}

/** SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
export type SpanKind = 0 | 1 | 2 | 3 | 4 | 5;

export interface Span {
  traceId: string;
  spanId: string;
  traceState?: string;
  /** '' or absent for a root span. */
  parentSpanId?: string;
  /** fixed32: W3C trace flags in bits 0-7, parent is-remote known/value in bits 8 and 9. */
  flags?: number;
  name?: string;
  kind?: SpanKind;
  startTimeUnixNano?: string;
  endTimeUnixNano?: string;
  attributes?: KeyValue[];
  droppedAttributesCount?: number;
  events?: SpanEvent[];
  droppedEventsCount?: number;
  links?: SpanLink[];
  droppedLinksCount?: number;
  status?: Status;
}

export interface SpanEvent {
  timeUnixNano?: string;
  name?: string;
  attributes?: KeyValue[];
  droppedAttributesCount?: number;
}

export interface SpanLink {
  traceId: string;
  spanId: string;
  traceState?: string;
  attributes?: KeyValue[];
  droppedAttributesCount?: number;
  flags?: number;
}

/** StatusCode: 0 unset, 1 ok, 2 error. */
export type StatusCode = 0 | 1 | 2;

export interface Status {
  message?: string;
  code?: StatusCode;
}

// -------------------------------------------------------------------------------- metrics.proto

export interface MetricsData {
  resourceMetrics: ResourceMetrics[];
}

export interface ResourceMetrics {
  resource?: Resource;
  scopeMetrics?: ScopeMetrics[];
  schemaUrl?: string;
}

export interface ScopeMetrics {
  scope?: InstrumentationScope;
  metrics?: Metric[];
  schemaUrl?: string;
}

/** A metric carries at most one of gauge / sum / histogram / exponentialHistogram / summary. */
export interface Metric {
  name?: string;
  description?: string;
  unit?: string;
  gauge?: Gauge;
  sum?: Sum;
  histogram?: Histogram;
  exponentialHistogram?: ExponentialHistogram;
  summary?: Summary;
  metadata?: KeyValue[];
}

/** AggregationTemporality: 0 unspecified, 1 delta, 2 cumulative. */
export type AggregationTemporality = 0 | 1 | 2;

export interface Gauge {
  dataPoints?: NumberDataPoint[];
}

export interface Sum {
  dataPoints?: NumberDataPoint[];
  aggregationTemporality?: AggregationTemporality;
  isMonotonic?: boolean;
}

export interface Histogram {
  dataPoints?: HistogramDataPoint[];
  aggregationTemporality?: AggregationTemporality;
}

export interface ExponentialHistogram {
  dataPoints?: ExponentialHistogramDataPoint[];
  aggregationTemporality?: AggregationTemporality;
}

export interface Summary {
  dataPoints?: SummaryDataPoint[];
}

export interface NumberDataPoint {
  attributes?: KeyValue[];
  startTimeUnixNano?: string;
  timeUnixNano?: string;
  /** At most one of asDouble / asInt. */
  asDouble?: OtlpDouble;
  /** int64 as a decimal string. */
  asInt?: string;
  exemplars?: Exemplar[];
  flags?: number;
}

export interface HistogramDataPoint {
  attributes?: KeyValue[];
  startTimeUnixNano?: string;
  timeUnixNano?: string;
  count?: string;
  sum?: OtlpDouble;
  /** uint64 counts as decimal strings. */
  bucketCounts?: string[];
  explicitBounds?: OtlpDouble[];
  exemplars?: Exemplar[];
  flags?: number;
  min?: OtlpDouble;
  max?: OtlpDouble;
}

export interface ExponentialHistogramBuckets {
  offset?: number;
  bucketCounts?: string[];
}

export interface ExponentialHistogramDataPoint {
  attributes?: KeyValue[];
  startTimeUnixNano?: string;
  timeUnixNano?: string;
  count?: string;
  sum?: OtlpDouble;
  scale?: number;
  zeroCount?: string;
  positive?: ExponentialHistogramBuckets;
  negative?: ExponentialHistogramBuckets;
  flags?: number;
  exemplars?: Exemplar[];
  min?: OtlpDouble;
  max?: OtlpDouble;
  zeroThreshold?: OtlpDouble;
}

export interface ValueAtQuantile {
  quantile?: OtlpDouble;
  value?: OtlpDouble;
}

export interface SummaryDataPoint {
  attributes?: KeyValue[];
  startTimeUnixNano?: string;
  timeUnixNano?: string;
  count?: string;
  sum?: OtlpDouble;
  quantileValues?: ValueAtQuantile[];
  flags?: number;
}

export interface Exemplar {
  filteredAttributes?: KeyValue[];
  timeUnixNano?: string;
  asDouble?: OtlpDouble;
  asInt?: string;
  /** '' or absent when the measurement had no sampled span. */
  spanId?: string;
  traceId?: string;
}

// ----------------------------------------------------------------------------------- logs.proto

export interface LogsData {
  resourceLogs: ResourceLogs[];
}

export interface ResourceLogs {
  resource?: Resource;
  scopeLogs?: ScopeLogs[];
  schemaUrl?: string;
}

export interface ScopeLogs {
  scope?: InstrumentationScope;
  logRecords?: LogRecord[];
  schemaUrl?: string;
}

/** SeverityNumber: 0 unspecified, 1-4 TRACE, 5-8 DEBUG, 9-12 INFO, 13-16 WARN, 17-20 ERROR, 21-24 FATAL. */
export type SeverityNumber = number;

export interface LogRecord {
  timeUnixNano?: string;
  observedTimeUnixNano?: string;
  severityNumber?: SeverityNumber;
  severityText?: string;
  body?: AnyValue;
  attributes?: KeyValue[];
  droppedAttributesCount?: number;
  flags?: number;
  /** '' or absent when the record was not emitted inside a span. */
  traceId?: string;
  spanId?: string;
  eventName?: string;
}

// ------------------------------------------------------------------------------------ by signal

/** The top-level OTLP/JSON object of one spool line or one export request, per signal. */
export interface OtlpDataBySignal {
  traces: TracesData;
  metrics: MetricsData;
  logs: LogsData;
}

export type OtlpData = TracesData | MetricsData | LogsData;
