import type {
  AnyValue,
  ExponentialHistogramDataPoint,
  HistogramDataPoint,
  KeyValue,
  LogRecord,
  LogsData,
  Metric,
  MetricsData,
  NumberDataPoint,
  OtlpData,
  OtlpDataBySignal,
  ResourceLogs,
  ResourceMetrics,
  ResourceSpans,
  ScopeLogs,
  ScopeMetrics,
  ScopeSpans,
  Signal,
  Span,
  SummaryDataPoint,
  TracesData,
} from './types.js';

// The walkers over the one OTLP model (types.ts): every package visits resource → scope →
// item through these instead of writing the three nested loops again. Visitors receive the
// containers too, so a caller can read the resource and scope, or edit an item in place.

/** The top-level field of each signal's OTLP data. */
export const RESOURCE_FIELD = Object.freeze({
  traces: 'resourceSpans',
  metrics: 'resourceMetrics',
  logs: 'resourceLogs',
} as const satisfies Record<Signal, string>);

/** A data point of any of the five metric types. */
export type DataPoint =
  NumberDataPoint | HistogramDataPoint | ExponentialHistogramDataPoint | SummaryDataPoint;

/** The five metric data fields, in the order OTLP's `Metric.data` oneof lists them. */
export type MetricType = 'gauge' | 'sum' | 'histogram' | 'exponentialHistogram' | 'summary';

export const METRIC_TYPES: readonly MetricType[] = Object.freeze([
  'gauge',
  'sum',
  'histogram',
  'exponentialHistogram',
  'summary',
] as const);

/** Which of the five data fields a metric carries (the first set), undefined for none. */
export function metricType(metric: Metric): MetricType | undefined {
  for (const type of METRIC_TYPES) if (metric[type] !== undefined) return type;
  return undefined;
}

/** The data points of one metric, whatever its type (empty when it has none). */
export function metricDataPoints(metric: Metric): readonly DataPoint[] {
  const type = metricType(metric);
  return (type && metric[type]?.dataPoints) ?? [];
}

export function forEachSpan(
  data: TracesData,
  visit: (span: Span, scopeSpans: ScopeSpans, resourceSpans: ResourceSpans) => void,
): void {
  for (const rs of data.resourceSpans ?? [])
    for (const ss of rs.scopeSpans ?? []) for (const span of ss.spans ?? []) visit(span, ss, rs);
}

export function forEachLogRecord(
  data: LogsData,
  visit: (record: LogRecord, scopeLogs: ScopeLogs, resourceLogs: ResourceLogs) => void,
): void {
  for (const rl of data.resourceLogs ?? [])
    for (const sl of rl.scopeLogs ?? [])
      for (const record of sl.logRecords ?? []) visit(record, sl, rl);
}

export function forEachMetric(
  data: MetricsData,
  visit: (metric: Metric, scopeMetrics: ScopeMetrics, resourceMetrics: ResourceMetrics) => void,
): void {
  for (const rm of data.resourceMetrics ?? [])
    for (const sm of rm.scopeMetrics ?? [])
      for (const metric of sm.metrics ?? []) visit(metric, sm, rm);
}

export function forEachDataPoint(
  data: MetricsData,
  visit: (
    point: DataPoint,
    metric: Metric,
    scopeMetrics: ScopeMetrics,
    resourceMetrics: ResourceMetrics,
  ) => void,
): void {
  forEachMetric(data, (metric, sm, rm) => {
    for (const point of metricDataPoints(metric)) visit(point, metric, sm, rm);
  });
}

/** Records in one signal's data, as OTLP counts them: spans, metric data points, log records. */
export function countRecords<S extends Signal>(signal: S, data: OtlpDataBySignal[S]): number;
export function countRecords(signal: Signal, data: OtlpData): number;
export function countRecords(signal: Signal, data: OtlpData): number {
  let n = 0;
  if (signal === 'traces') {
    for (const rs of (data as TracesData).resourceSpans ?? [])
      for (const ss of rs.scopeSpans ?? []) n += ss.spans?.length ?? 0;
  } else if (signal === 'metrics') {
    forEachMetric(data as MetricsData, (metric) => (n += metricDataPoints(metric).length));
  } else {
    for (const rl of (data as LogsData).resourceLogs ?? [])
      for (const sl of rl.scopeLogs ?? []) n += sl.logRecords?.length ?? 0;
  }
  return n;
}

/**
 * One request from many lines: OTLP allows several Resource* entries per request, so lines are
 * merged by concatenating their top-level arrays (no re-grouping, nothing is copied deeply).
 */
export function mergeData<S extends Signal>(
  signal: S,
  parts: readonly OtlpDataBySignal[S][],
): OtlpDataBySignal[S];
export function mergeData(signal: Signal, parts: readonly OtlpData[]): OtlpData;
export function mergeData(signal: Signal, parts: readonly OtlpData[]): OtlpData {
  const field = RESOURCE_FIELD[signal];
  const merged: unknown[] = [];
  for (const part of parts) {
    const list = (part as unknown as Record<string, unknown>)[field];
    if (Array.isArray(list)) for (const entry of list) merged.push(entry);
  }
  return { [field]: merged } as unknown as OtlpData;
}

/** The value of the first attribute named `key`, undefined when absent. */
export function findAttribute(
  attributes: readonly KeyValue[] | undefined,
  key: string,
): AnyValue | undefined {
  if (!attributes) return undefined;
  for (const kv of attributes) if (kv.key === key) return kv.value;
  return undefined;
}

/** A scalar AnyValue as text (int64 exact, as written); undefined for arrays, maps, bytes. */
export function scalarText(value: AnyValue | undefined): string | undefined {
  if (!value) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return value.intValue;
  if (value.doubleValue !== undefined) return String(value.doubleValue);
  if (value.boolValue !== undefined) return String(value.boolValue);
  return undefined;
}

/** The text of a scalar attribute, undefined when absent or not a scalar. */
export function attributeText(
  attributes: readonly KeyValue[] | undefined,
  key: string,
): string | undefined {
  return scalarText(findAttribute(attributes, key));
}

/**
 * An identity for an attribute set: equal for the same keys and typed values in any order,
 * different when a value's type differs (`intValue: "1"` is not `stringValue: "1"`). For
 * grouping (metric series, report rows), not for display.
 */
export function attributesKey(attributes: readonly KeyValue[] | undefined): string {
  if (!attributes || attributes.length === 0) return '';
  const parts = attributes.map((kv) => JSON.stringify([kv.key, kv.value ?? null]));
  return parts.sort().join('\u0001');
}
