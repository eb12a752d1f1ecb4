import type {
  InstrumentationScope,
  LogRecord,
  LogsData,
  Metric,
  MetricsData,
  Resource,
  Span,
  TracesData,
} from '@otelspool/exporter-jsonl';
import { nanosToMs } from './otlp-values.js';
import { serviceMatches, timeMatches, type RecordFilter } from './record-filter.js';

/** Visits every span of a TracesData line that passes the filter (time = span start). */
export function forEachSpan(
  data: TracesData,
  filter: RecordFilter,
  visit: (
    span: Span,
    resource: Resource | undefined,
    scope: InstrumentationScope | undefined,
  ) => void,
): void {
  for (const rs of data.resourceSpans ?? []) {
    if (!serviceMatches(filter, rs.resource)) continue;
    for (const ss of rs.scopeSpans ?? []) {
      for (const span of ss.spans ?? []) {
        if (!timeMatches(filter, nanosToMs(span.startTimeUnixNano))) continue;
        visit(span, rs.resource, ss.scope);
      }
    }
  }
}

/** Time of a log record: its own time, else when it was observed. */
export function logTimeMs(record: LogRecord): number {
  const t = nanosToMs(record.timeUnixNano);
  return Number.isFinite(t) && t > 0 ? t : nanosToMs(record.observedTimeUnixNano);
}

export function forEachLogRecord(
  data: LogsData,
  filter: RecordFilter,
  visit: (record: LogRecord, resource: Resource | undefined) => void,
): void {
  for (const rl of data.resourceLogs ?? []) {
    if (!serviceMatches(filter, rl.resource)) continue;
    for (const sl of rl.scopeLogs ?? []) {
      for (const record of sl.logRecords ?? []) {
        if (!timeMatches(filter, logTimeMs(record))) continue;
        visit(record, rl.resource);
      }
    }
  }
}

/** Visits every metric of a MetricsData line whose resource passes the service filter. */
export function forEachMetric(
  data: MetricsData,
  filter: RecordFilter,
  visit: (metric: Metric, resource: Resource | undefined) => void,
): void {
  for (const rm of data.resourceMetrics ?? []) {
    if (!serviceMatches(filter, rm.resource)) continue;
    for (const sm of rm.scopeMetrics ?? []) {
      for (const metric of sm.metrics ?? []) visit(metric, rm.resource);
    }
  }
}
