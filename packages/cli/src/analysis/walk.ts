import {
  forEachLogRecord,
  forEachMetric,
  forEachSpan,
  type InstrumentationScope,
  type LogRecord,
  type LogsData,
  type Metric,
  type MetricsData,
  type Resource,
  type Span,
  type TracesData,
} from '@otelspool/exporter-jsonl';
import { nanosToMs } from './otlp-values.js';
import { serviceMatches, timeMatches, type RecordFilter } from './record-filter.js';

// The `--since` / `--service` filter over the base package's walkers: every view visits only
// the items its filter lets through, and reads their resource and scope.

/** The service test of one resource entry, remembered while its items are visited. */
function serviceTest(filter: RecordFilter): (entry: { resource?: Resource }) => boolean {
  let last: { resource?: Resource } | undefined;
  let matches = false;
  return (entry) => {
    if (entry !== last) {
      last = entry;
      matches = serviceMatches(filter, entry.resource);
    }
    return matches;
  };
}

/** Visits every span of a TracesData line that passes the filter (time = span start). */
export function forEachFilteredSpan(
  data: TracesData,
  filter: RecordFilter,
  visit: (
    span: Span,
    resource: Resource | undefined,
    scope: InstrumentationScope | undefined,
  ) => void,
): void {
  const inService = serviceTest(filter);
  forEachSpan(data, (span, ss, rs) => {
    if (inService(rs) && timeMatches(filter, nanosToMs(span.startTimeUnixNano)))
      visit(span, rs.resource, ss.scope);
  });
}

/** Time of a log record: its own time, else when it was observed. */
export function logTimeMs(record: LogRecord): number {
  const t = nanosToMs(record.timeUnixNano);
  return Number.isFinite(t) && t > 0 ? t : nanosToMs(record.observedTimeUnixNano);
}

export function forEachFilteredLogRecord(
  data: LogsData,
  filter: RecordFilter,
  visit: (record: LogRecord, resource: Resource | undefined) => void,
): void {
  const inService = serviceTest(filter);
  forEachLogRecord(data, (record, _sl, rl) => {
    if (inService(rl) && timeMatches(filter, logTimeMs(record))) visit(record, rl.resource);
  });
}

/** Visits every metric of a MetricsData line whose resource passes the service filter. */
export function forEachFilteredMetric(
  data: MetricsData,
  filter: RecordFilter,
  visit: (metric: Metric, resource: Resource | undefined) => void,
): void {
  const inService = serviceTest(filter);
  forEachMetric(data, (metric, _sm, rm) => {
    if (inService(rm)) visit(metric, rm.resource);
  });
}
