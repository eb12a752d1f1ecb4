// Structural OTLP/JSON shapes the collector reads and rewrites. They match the normalised
// objects @otelspool/exporter-jsonl's reader yields (lowerCamelCase, hex ids, int64 as decimal
// strings, integer enums); fields the collector never touches stay as `unknown` extras so they
// pass through unchanged.

export type Signal = 'traces' | 'metrics' | 'logs';
export const SIGNAL_LIST: readonly Signal[] = ['traces', 'metrics', 'logs'];

export interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  bytesValue?: string;
  arrayValue?: { values?: AnyValue[] };
  kvlistValue?: { values?: KeyValue[] };
}

export interface KeyValue {
  key: string;
  value?: AnyValue;
}

export interface Resource {
  attributes?: KeyValue[];
  [extra: string]: unknown;
}

export interface InstrumentationScope {
  name?: string;
  version?: string;
  attributes?: KeyValue[];
  [extra: string]: unknown;
}

export interface SpanEvent {
  name?: string;
  timeUnixNano?: string;
  attributes?: KeyValue[];
  [extra: string]: unknown;
}

export interface SpanLink {
  traceId?: string;
  spanId?: string;
  attributes?: KeyValue[];
  [extra: string]: unknown;
}

export interface Span {
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  name?: string;
  attributes?: KeyValue[];
  events?: SpanEvent[];
  links?: SpanLink[];
  status?: { code?: number; message?: string };
  [extra: string]: unknown;
}

export interface ScopeSpans {
  scope?: InstrumentationScope;
  spans?: Span[];
  [extra: string]: unknown;
}
export interface ResourceSpans {
  resource?: Resource;
  scopeSpans?: ScopeSpans[];
  [extra: string]: unknown;
}
export interface TracesData {
  resourceSpans?: ResourceSpans[];
}

export interface DataPoint {
  attributes?: KeyValue[];
  timeUnixNano?: string;
  startTimeUnixNano?: string;
  exemplars?: { filteredAttributes?: KeyValue[]; [extra: string]: unknown }[];
  [extra: string]: unknown;
}
export interface Metric {
  name?: string;
  gauge?: { dataPoints?: DataPoint[] };
  sum?: { dataPoints?: DataPoint[]; [extra: string]: unknown };
  histogram?: { dataPoints?: DataPoint[]; [extra: string]: unknown };
  exponentialHistogram?: { dataPoints?: DataPoint[]; [extra: string]: unknown };
  summary?: { dataPoints?: DataPoint[] };
  metadata?: KeyValue[];
  [extra: string]: unknown;
}
export interface ScopeMetrics {
  scope?: InstrumentationScope;
  metrics?: Metric[];
  [extra: string]: unknown;
}
export interface ResourceMetrics {
  resource?: Resource;
  scopeMetrics?: ScopeMetrics[];
  [extra: string]: unknown;
}
export interface MetricsData {
  resourceMetrics?: ResourceMetrics[];
}

export interface LogRecord {
  timeUnixNano?: string;
  observedTimeUnixNano?: string;
  severityNumber?: number;
  severityText?: string;
  eventName?: string;
  body?: AnyValue;
  attributes?: KeyValue[];
  [extra: string]: unknown;
}
export interface ScopeLogs {
  scope?: InstrumentationScope;
  logRecords?: LogRecord[];
  [extra: string]: unknown;
}
export interface ResourceLogs {
  resource?: Resource;
  scopeLogs?: ScopeLogs[];
  [extra: string]: unknown;
}
export interface LogsData {
  resourceLogs?: ResourceLogs[];
}

export type OtlpData = TracesData | MetricsData | LogsData;

/** The top-level array field of each signal's request (ExportXServiceRequest). */
export const RESOURCE_FIELD = {
  traces: 'resourceSpans',
  metrics: 'resourceMetrics',
  logs: 'resourceLogs',
} as const satisfies Record<Signal, string>;
