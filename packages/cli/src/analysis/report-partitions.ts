import {
  attributeText,
  forEachLogRecord,
  forEachMetric,
  forEachSpan,
  type LogsData,
  type Metric,
  type MetricsData,
  type Resource,
  type SpoolRecord,
  type TracesData,
} from '@otelspool/exporter-jsonl';
import { nanosToMs } from './otlp-values.js';
import { serviceName, type RecordFilter } from './record-filter.js';
import { ReportAccumulator } from './report-accumulator.js';
import {
  forEachFilteredLogRecord,
  forEachFilteredMetric,
  forEachFilteredSpan,
  logTimeMs,
} from './walk.js';

/** Width of a partial's time bucket: one UTC hour. */
export const HOUR_MS = 3_600_000;

/**
 * The UTC hour bucket of an item time (hours since the epoch); null when the item has no usable
 * time: such items pass every `--since` filter, so their partial is always merged.
 */
export function bucketOf(tUnixMs: number): number | null {
  return Number.isFinite(tUnixMs) ? Math.floor(tUnixMs / HOUR_MS) : null;
}

/** What a partial is keyed by: enough to answer `--service` and `--since` without raw lines. */
export interface PartitionKey {
  service: string;
  /** `service.version`, '' when absent. */
  version: string;
  /** `host.name`, '' when absent. */
  host: string;
  bucket: number | null;
}

export interface ReportPartial {
  key: PartitionKey;
  state: ReportAccumulator;
}

/**
 * Folds spool lines into one {@link ReportAccumulator} per (service, version, host, hour bucket),
 * with no filter: the items of one line may land in different partials (a span's bucket is its
 * start, a log's its time, a metric point's its time). Line counts (lines, records in spool,
 * malformed lines) belong to no partition and are kept in `totals`, as the scan counts them
 * whatever the filters.
 */
export class PartitionedReportAccumulator {
  /** Spool-wide line counts only (no items). */
  readonly totals = new ReportAccumulator();
  private readonly byKey = new Map<string, ReportPartial>();
  /**
   * Read order of every metric object: samples of one time in different partials (two
   * processes sampling at the same instant) then merge to the later-read one, as in the scan.
   * The index must number metrics the same way across the spool (monotone in reader order).
   */
  private metricSeq: number;

  /**
   * `seqStart`: the read-order number of the metric before the first one folded here (the
   * index folds the spool in many runs and carries the count over, so numbers stay monotone).
   */
  constructor(seqStart = 0) {
    this.metricSeq = seqStart;
  }

  /** The read-order number of the last metric folded (`seqStart` when none). */
  get seq(): number {
    return this.metricSeq;
  }

  addMalformedLine(): void {
    this.totals.addMalformedLine();
  }

  addRecord(record: SpoolRecord): void {
    this.totals.addLine(record);
    if (record.signal === 'traces') {
      forEachSpan(record.data as TracesData, (span, _ss, rs) =>
        this.at(rs.resource, nanosToMs(span.startTimeUnixNano)).addSpan(span, rs.resource),
      );
    } else if (record.signal === 'logs') {
      forEachLogRecord(record.data as LogsData, (log, _sl, rl) =>
        this.at(rl.resource, logTimeMs(log)).addLogRecord(log, rl.resource),
      );
    } else {
      forEachMetric(record.data as MetricsData, (metric, _sm, rm) => {
        const seq = ++this.metricSeq;
        for (const [bucket, part] of splitByBucket(metric))
          this.atBucket(rm.resource, bucket).addMetric(part, rm.resource, seq);
      });
    }
  }

  /** Partials in the order their key was first seen (the scan's order, for the caps). */
  partials(): ReportPartial[] {
    return [...this.byKey.values()];
  }

  private at(resource: Resource | undefined, tUnixMs: number): ReportAccumulator {
    return this.atBucket(resource, bucketOf(tUnixMs));
  }

  private atBucket(resource: Resource | undefined, bucket: number | null): ReportAccumulator {
    const key: PartitionKey = {
      service: serviceName(resource),
      version: attributeText(resource?.attributes, 'service.version') ?? '',
      host: attributeText(resource?.attributes, 'host.name') ?? '',
      bucket,
    };
    const id = JSON.stringify([key.service, key.version, key.host, key.bucket]);
    let partial = this.byKey.get(id);
    if (!partial) {
      partial = { key, state: new ReportAccumulator() };
      this.byKey.set(id, partial);
    }
    return partial.state;
  }
}

/**
 * The bucket a `--since` cut-off falls inside when it is not on an hour boundary: that bucket
 * is only partly inside the window, so no stored partial answers it and its items must be
 * re-folded from raw lines ({@link addBucketItems}). null when `sinceUnixMs` is on a boundary
 * (or absent): then every bucket is wholly inside or wholly before the window.
 */
export function boundaryBucket(sinceUnixMs: number | undefined): number | null {
  if (sinceUnixMs === undefined || !Number.isFinite(sinceUnixMs)) return null;
  return sinceUnixMs % HOUR_MS === 0 ? null : Math.floor(sinceUnixMs / HOUR_MS);
}

/**
 * Merges stored partials into the accumulator of a filtered report, in the order given (pass
 * them in scan order: see {@link ReportAccumulator} on caps). `totals` holds the spool-wide line
 * counts. A partial counts when its service matches `filter.service` and:
 * - its bucket starts at or after `filter.sinceUnixMs` (or has no time, or there is no since):
 *   all of it;
 * - its bucket ends at or before the cut-off: only what the scan counts whatever the window
 *   (self-metric counters, services seen through metrics);
 * - its bucket is the {@link boundaryBucket}: nothing. The caller re-folds that bucket's raw
 *   lines into the result with {@link addBucketItems}.
 */
export function mergePartials(
  partials: Iterable<ReportPartial>,
  totals: ReportAccumulator,
  filter: RecordFilter,
): ReportAccumulator {
  const out = new ReportAccumulator(filter);
  out.lines = { ...totals.lines };
  out.recordsInSpool = totals.recordsInSpool;
  out.malformedLines = totals.malformedLines;
  const since = filter.sinceUnixMs;
  const boundary = boundaryBucket(since);
  for (const { key, state } of partials) {
    if (filter.service !== undefined && key.service !== filter.service) continue;
    if (since === undefined || key.bucket === null || key.bucket * HOUR_MS >= since)
      out.merge(state);
    else if (key.bucket !== boundary) out.mergeTimeless(state);
  }
  return out;
}

/**
 * Folds into `into` (a {@link mergePartials} result, whose filter it applies) the items of one raw
 * line that fall in `bucket`: how the boundary bucket of a `--since` is answered exactly. Line
 * counts are not added (they are in the totals already).
 */
export function addBucketItems(into: ReportAccumulator, record: SpoolRecord, bucket: number): void {
  const filter = into.filter;
  if (record.signal === 'traces') {
    forEachFilteredSpan(record.data as TracesData, filter, (span, resource) => {
      if (bucketOf(nanosToMs(span.startTimeUnixNano)) === bucket) into.addSpan(span, resource);
    });
  } else if (record.signal === 'logs') {
    forEachFilteredLogRecord(record.data as LogsData, filter, (log, resource) => {
      if (bucketOf(logTimeMs(log)) === bucket) into.addLogRecord(log, resource);
    });
  } else {
    forEachFilteredMetric(record.data as MetricsData, filter, (metric, resource) => {
      const part = splitByBucket(metric).get(bucket);
      if (part) into.addMetric(part, resource);
    });
  }
}

type PointField = 'gauge' | 'sum' | 'histogram' | 'exponentialHistogram' | 'summary';
const POINT_FIELDS: readonly PointField[] = [
  'gauge',
  'sum',
  'histogram',
  'exponentialHistogram',
  'summary',
];

/**
 * One metric split into copies holding only the points of each hour bucket. Every point field
 * present is filtered (and stays present, maybe empty), so each copy reads as the original does:
 * the report counts the first field with points, series read gauge ?? sum, counters read sum.
 * A metric without points still goes to the untimed bucket, since the scan lists its service.
 * Points of one timestamp stay together, so CPU user + system pairs are summed as in the scan.
 */
function splitByBucket(metric: Metric): Map<number | null, Metric> {
  const fields = POINT_FIELDS.filter((f) => metric[f]?.dataPoints !== undefined);
  const buckets = new Set<number | null>();
  for (const f of fields)
    for (const p of metric[f]?.dataPoints ?? []) buckets.add(bucketOf(nanosToMs(p.timeUnixNano)));
  const out = new Map<number | null, Metric>();
  if (buckets.size === 0) {
    out.set(null, metric);
    return out;
  }
  for (const b of buckets) {
    const copy: Record<string, unknown> = { ...metric };
    for (const f of fields) {
      const points = (metric[f]?.dataPoints ?? []) as { timeUnixNano?: string }[];
      copy[f] = {
        ...metric[f],
        dataPoints: points.filter((p) => bucketOf(nanosToMs(p.timeUnixNano)) === b),
      };
    }
    out.set(b, copy as unknown as Metric);
  }
  return out;
}
