import {
  attributeText,
  countRecords,
  type LogRecord,
  type LogsData,
  type Metric,
  type MetricsData,
  type Resource,
  type Span,
  type SpoolRecord,
  type TracesData,
} from '@otelspool/exporter-jsonl';
import { BoundedCounter } from './bounded-counter.js';
import { CounterStreams } from './counter-streams.js';
import { LatencyAccumulator, type LatencySnapshot } from './latency-accumulator.js';
import { LatencyHistogram } from './latency-histogram.js';
import { nanosToMs, pointValue, spanDurationMs } from './otlp-values.js';
import { serviceName, timeMatches, type RecordFilter } from './record-filter.js';
import { SeriesDownsampler } from './series-downsampler.js';
import {
  arrayAt,
  booleanAt,
  countAt,
  nullableNumberAt,
  objectAt,
  pairsAt,
  SnapshotError,
  stringAt,
} from './snapshot-check.js';
import {
  REPORT_SCHEMA_VERSION,
  type CrashesSummary,
  type Report,
  type ReportFilters,
  type SessionsSummary,
  type SpanNameStats,
  type SyncDestinationHealth,
} from './types.js';
import {
  forEachFilteredLogRecord,
  forEachFilteredMetric,
  forEachFilteredSpan,
  logTimeMs,
} from './walk.js';

/** Span names tracked individually; more distinct names fold into `(other)`. */
export const MAX_SPAN_NAMES = 1000;
export const MAX_EVENT_NAMES = 1000;
export const MAX_SERVICES = 50;
const OTHER_NAME = '(other)';

export const CPU_METRIC = 'process.cpu.utilization';
export const MEMORY_METRIC = 'process.memory.usage';
export const WRITTEN_METRIC = 'otelspool.spool.records.written';
export const DROPPED_METRIC = 'otelspool.spool.records.dropped';
export const EVICTED_METRIC = 'otelspool.spool.records.evicted';

/** Version of {@link ReportPartialJson}; fromJSON refuses any other. */
export const REPORT_PARTIAL_VERSION = 1;
const PARTIAL_KIND = 'otelspool.report-partial';

/** What {@link ReportAccumulator.finish} needs that spool lines do not hold. */
export interface ReportContext {
  dir: string;
  filters: ReportFilters;
  /** Clock of `generatedAt` (ms). */
  now: number;
  /** Top-N length of the lists. */
  top: number;
  sessions: SessionsSummary;
  crashes: CrashesSummary;
  /** The spool's segment files now (for bytes and count). */
  segments: readonly { size: number }[];
  quarantinedFiles: number;
  /** From {@link SyncHealthTracker} (scan) or `syncHealthFromLines` (index). */
  sync: SyncDestinationHealth[];
}

/**
 * The state `spool report` folds from spool lines, as a mergeable, serialisable partial: one
 * accumulator can fold the whole spool (the scan), or many can fold parts of it (one per
 * segment and hour bucket, stored by the index) and be merged into one.
 *
 * Merging is exact below the caps (span names, services, event names, counter streams): sums of
 * counts, exact sketch merges, aligned series buckets. Past a cap, which keys are kept depends on
 * the order keys were first seen, so partials must be merged in the order the scan visits them
 * (segment order) to match it. Float sums (sketch sum → mean, series sums → avg) equal the
 * one-pass ones up to addition order.
 */
export class ReportAccumulator {
  // Filter-independent counts of the spool itself (every line read, whatever the filters).
  lines = { traces: 0, metrics: 0, logs: 0 };
  recordsInSpool = 0;
  malformedLines = 0;

  readonly items = { spans: 0, dataPoints: 0, logRecords: 0 };
  private minT = Infinity;
  private maxT = -Infinity;
  private readonly services = new Set<string>();
  /**
   * Services seen through a metric, whatever the metric's point times: the scan lists a service
   * whose metrics lie before `--since`, so time-bucketed partials keep this apart from items.
   */
  private readonly metricServices = new Set<string>();
  private readonly overall = new LatencyAccumulator();
  private namesCapped = false;
  private readonly byName = new Map<string, LatencyAccumulator>();
  private readonly histogram = new LatencyHistogram();
  private readonly events = new BoundedCounter(MAX_EVENT_NAMES);
  private readonly cpu = new SeriesDownsampler(CPU_METRIC, '%');
  private readonly memory = new SeriesDownsampler(MEMORY_METRIC, 'By');
  // Self-metrics are cumulative totals: the window filter does not apply to them (the latest
  // total per process is what was written/dropped, whenever it was reported).
  private readonly written = new CounterStreams();
  private readonly dropped = new CounterStreams('reason');
  private readonly evicted = new CounterStreams('shipped');

  /** `filter`: `--since` / `--service`, applied by {@link addRecord}; none by default. */
  constructor(readonly filter: RecordFilter = {}) {}

  /** Folds one spool line: its line counts, then every item passing the filter. */
  addRecord(record: SpoolRecord): void {
    this.addLine(record);
    this.addItems(record);
  }

  /** Counts the line itself (lines per signal, records in the spool), ignoring the filter. */
  addLine(record: SpoolRecord): void {
    this.lines[record.signal]++;
    this.recordsInSpool += countRecords(record.signal, record.data);
  }

  /** A line the reader skipped as malformed. */
  addMalformedLine(): void {
    this.malformedLines++;
  }

  /** Folds the items of one line that pass the filter (not the line counts). */
  addItems(record: SpoolRecord): void {
    if (record.signal === 'traces') {
      forEachFilteredSpan(record.data as TracesData, this.filter, (span, resource) =>
        this.addSpan(span, resource),
      );
    } else if (record.signal === 'metrics') {
      forEachFilteredMetric(record.data as MetricsData, this.filter, (metric, resource) =>
        this.addMetric(metric, resource),
      );
    } else {
      forEachFilteredLogRecord(record.data as LogsData, this.filter, (log, resource) =>
        this.addLogRecord(log, resource),
      );
    }
  }

  /** One span that already passed the filter. */
  addSpan(span: Span, resource: Resource | undefined): void {
    this.items.spans++;
    this.addService(serviceName(resource));
    const duration = spanDurationMs(span.startTimeUnixNano, span.endTimeUnixNano);
    const isError = span.status?.code === 2;
    this.seen(nanosToMs(span.startTimeUnixNano));
    this.overall.add(duration, isError);
    this.histogram.add(duration);
    this.nameAccumulator(span.name || '(unnamed)').add(duration, isError);
  }

  /** One log record that already passed the filter. */
  addLogRecord(record: LogRecord, resource: Resource | undefined): void {
    this.items.logRecords++;
    this.addService(serviceName(resource));
    this.seen(logTimeMs(record));
    const name = record.eventName || attributeText(record.attributes, 'event.name');
    if (name) this.events.add(name);
  }

  /**
   * One metric whose resource passed the service filter; the time filter applies point by
   * point here (self-metrics excepted). `seq`: the metric's read order when one scan is spread
   * over partials (see {@link SeriesDownsampler.add}).
   */
  addMetric(metric: Metric, resource: Resource | undefined, seq = 0): void {
    const service = serviceName(resource);
    this.addService(service);
    if (this.metricServices.size < MAX_SERVICES) this.metricServices.add(service);
    const points =
      metric.gauge?.dataPoints ??
      metric.sum?.dataPoints ??
      metric.histogram?.dataPoints ??
      metric.exponentialHistogram?.dataPoints ??
      metric.summary?.dataPoints ??
      [];
    for (const p of points) {
      const t = nanosToMs(p.timeUnixNano);
      if (!timeMatches(this.filter, t)) continue;
      this.items.dataPoints++;
      this.seen(t);
    }
    this.addResourceSeries(metric, seq);
    if (metric.name === WRITTEN_METRIC) this.written.add(resource, metric);
    else if (metric.name === DROPPED_METRIC) this.dropped.add(resource, metric);
    else if (metric.name === EVICTED_METRIC) this.evicted.add(resource, metric);
  }

  /** Adds another partial's state (in scan order past the caps: see the class comment). */
  merge(other: ReportAccumulator): void {
    this.lines.traces += other.lines.traces;
    this.lines.metrics += other.lines.metrics;
    this.lines.logs += other.lines.logs;
    this.recordsInSpool += other.recordsInSpool;
    this.malformedLines += other.malformedLines;
    this.items.spans += other.items.spans;
    this.items.dataPoints += other.items.dataPoints;
    this.items.logRecords += other.items.logRecords;
    this.seen(other.minT);
    this.seen(other.maxT);
    for (const s of other.services) this.addService(s);
    this.overall.merge(other.overall);
    for (const [name, acc] of other.byName) {
      // Another partial's `(other)` stays `(other)` here: its names are gone.
      if (other.namesCapped && name === OTHER_NAME) {
        this.namesCapped = true;
        this.byNameEntry(OTHER_NAME).merge(acc);
      } else this.nameAccumulator(name, acc);
    }
    if (other.namesCapped) this.namesCapped = true;
    this.histogram.merge(other.histogram);
    this.events.merge(other.events);
    this.cpu.merge(other.cpu);
    this.memory.merge(other.memory);
    this.mergeTimeless(other);
  }

  /**
   * Adds only what the scan counts whatever the `--since` window: self-metric counters and the
   * services seen through metrics. Used for stored partials of buckets before the window.
   */
  mergeTimeless(other: ReportAccumulator): void {
    for (const s of other.metricServices) {
      this.addService(s);
      if (this.metricServices.size < MAX_SERVICES) this.metricServices.add(s);
    }
    this.written.merge(other.written);
    this.dropped.merge(other.dropped);
    this.evicted.merge(other.evicted);
  }

  toJSON(): ReportPartialJson {
    return {
      kind: PARTIAL_KIND,
      version: REPORT_PARTIAL_VERSION,
      lines: { ...this.lines },
      recordsInSpool: this.recordsInSpool,
      malformedLines: this.malformedLines,
      items: { ...this.items },
      minUnixMs: Number.isFinite(this.minT) ? this.minT : null,
      maxUnixMs: Number.isFinite(this.maxT) ? this.maxT : null,
      services: [...this.services],
      metricServices: [...this.metricServices],
      overall: this.overall.toJSON(),
      namesCapped: this.namesCapped,
      byName: [...this.byName].map(([name, acc]) => [name, acc.toJSON()]),
      histogram: this.histogram.toJSON(),
      events: this.events.toJSON(),
      cpu: this.cpu.toJSON(),
      memory: this.memory.toJSON(),
      written: this.written.toJSON(),
      dropped: this.dropped.toJSON(),
      evicted: this.evicted.toJSON(),
    };
  }

  /**
   * Rebuilds a partial from {@link toJSON}'s output (after JSON.parse). The input is untrusted:
   * anything but this version's exact shape throws {@link SnapshotError}.
   */
  static fromJSON(json: unknown, filter: RecordFilter = {}): ReportAccumulator {
    const o = objectAt(json, 'partial');
    if (o.kind !== PARTIAL_KIND) throw new SnapshotError('partial.kind', `"${PARTIAL_KIND}"`);
    if (o.version !== REPORT_PARTIAL_VERSION)
      throw new SnapshotError('partial.version', String(REPORT_PARTIAL_VERSION));
    const acc = new ReportAccumulator(filter);
    const lines = objectAt(o.lines, 'partial.lines');
    acc.lines = {
      traces: countAt(lines.traces, 'partial.lines.traces'),
      metrics: countAt(lines.metrics, 'partial.lines.metrics'),
      logs: countAt(lines.logs, 'partial.lines.logs'),
    };
    acc.recordsInSpool = countAt(o.recordsInSpool, 'partial.recordsInSpool');
    acc.malformedLines = countAt(o.malformedLines, 'partial.malformedLines');
    const items = objectAt(o.items, 'partial.items');
    acc.items.spans = countAt(items.spans, 'partial.items.spans');
    acc.items.dataPoints = countAt(items.dataPoints, 'partial.items.dataPoints');
    acc.items.logRecords = countAt(items.logRecords, 'partial.items.logRecords');
    const min = nullableNumberAt(o.minUnixMs, 'partial.minUnixMs');
    const max = nullableNumberAt(o.maxUnixMs, 'partial.maxUnixMs');
    if ((min === null) !== (max === null) || (min !== null && max !== null && max < min))
      throw new SnapshotError('partial.minUnixMs', 'null with maxUnixMs, or ≤ it');
    if (min !== null) acc.seen(min);
    if (max !== null) acc.seen(max);
    for (const [field, into] of [
      ['services', acc.services],
      ['metricServices', acc.metricServices],
    ] as const) {
      const names = arrayAt(o[field], `partial.${field}`);
      if (names.length > MAX_SERVICES)
        throw new SnapshotError(`partial.${field}`, `at most ${MAX_SERVICES} names`);
      names.forEach((n, i) => into.add(stringAt(n, `partial.${field}[${i}]`)));
    }
    acc.overall.merge(LatencyAccumulator.fromJSON(o.overall, 'partial.overall'));
    acc.namesCapped = booleanAt(o.namesCapped, 'partial.namesCapped');
    const byName = pairsAt(o.byName, 'partial.byName', (v, p) => LatencyAccumulator.fromJSON(v, p));
    if (byName.length > MAX_SPAN_NAMES + 1)
      throw new SnapshotError('partial.byName', `at most ${MAX_SPAN_NAMES + 1} names`);
    for (const [name, a] of byName) acc.byName.set(name, a);
    acc.histogram.merge(LatencyHistogram.fromJSON(o.histogram, 'partial.histogram'));
    acc.events.merge(BoundedCounter.fromJSON(o.events, MAX_EVENT_NAMES, 'partial.events'));
    acc.cpu.merge(SeriesDownsampler.fromJSON(o.cpu, CPU_METRIC, '%', 'partial.cpu'));
    acc.memory.merge(SeriesDownsampler.fromJSON(o.memory, MEMORY_METRIC, 'By', 'partial.memory'));
    acc.written.merge(CounterStreams.fromJSON(o.written, undefined, 'partial.written'));
    acc.dropped.merge(CounterStreams.fromJSON(o.dropped, 'reason', 'partial.dropped'));
    acc.evicted.merge(CounterStreams.fromJSON(o.evicted, 'shipped', 'partial.evicted'));
    return acc;
  }

  /** The report of everything folded so far. */
  finish(context: ReportContext): Report {
    const { top, segments } = context;
    const droppedTotals = this.dropped.totals();
    const evictedTotals = this.evicted.totals();
    const evictedTotal = this.evicted.total();
    const names: SpanNameStats[] = [...this.byName]
      .map(([name, acc]) => ({ name, ...acc.stats() }))
      .sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : 1));
    return {
      schemaVersion: REPORT_SCHEMA_VERSION,
      generatedAt: new Date(context.now).toISOString(),
      dir: context.dir,
      filters: context.filters,
      timeRange: {
        startUnixMs: Number.isFinite(this.minT) ? this.minT : null,
        endUnixMs: Number.isFinite(this.maxT) ? this.maxT : null,
      },
      services: [...this.services].sort(),
      input: {
        lines: { ...this.lines },
        items: { ...this.items },
        malformedLines: this.malformedLines,
      },
      sessions: context.sessions,
      crashes: context.crashes,
      spans: {
        overall: this.overall.stats(),
        byName: names.slice(0, top),
        distinctNames: this.byName.size - (this.namesCapped ? 1 : 0),
        namesCapped: this.namesCapped,
        latencyHistogram: this.histogram.buckets(),
      },
      events: {
        total: this.events.total,
        distinct: this.events.size,
        top: this.events.top(top),
      },
      resources: { cpuPercent: this.cpu.result(), memoryBytes: this.memory.result() },
      health: {
        // Written = what reached the spool: what it holds now plus what the byte cap evicted.
        // Taken from the spool itself, not from `otelspool.spool.records.written`, whose last
        // value cannot count the metrics line that carries it (and misses `spool serve` input).
        recordsWritten: this.recordsInSpool + evictedTotal,
        recordsInSpool: this.recordsInSpool,
        recordsWrittenSelfReported: this.written.total(),
        recordsEvicted: evictedTotal,
        recordsEvictedShipped: evictedTotals.get('true') ?? 0,
        selfMetricsCapped: this.written.capped || this.dropped.capped || this.evicted.capped,
        recordsDropped: [...droppedTotals.values()].reduce((a, b) => a + b, 0),
        droppedByReason: [...droppedTotals]
          .map(([key, count]) => ({ key: key || '(none)', count }))
          .filter((e) => e.count > 0)
          .sort((a, b) => b.count - a.count),
        spoolBytes: segments.reduce((a, s) => a + s.size, 0),
        segments: segments.length,
        quarantinedFiles: context.quarantinedFiles,
        sync: context.sync,
      },
    };
  }

  private seen(t: number): void {
    if (!Number.isFinite(t)) return;
    if (t < this.minT) this.minT = t;
    if (t > this.maxT) this.maxT = t;
  }

  private addService(name: string): void {
    if (this.services.size < MAX_SERVICES) this.services.add(name);
  }

  /** The accumulator of a span name, `(other)` once MAX_SPAN_NAMES names are tracked. */
  private nameAccumulator(name: string, from?: LatencyAccumulator): LatencyAccumulator {
    let acc = this.byName.get(name);
    if (!acc) {
      const key = this.byName.size < MAX_SPAN_NAMES ? name : OTHER_NAME;
      if (key !== name) this.namesCapped = true;
      acc = this.byNameEntry(key);
    }
    if (from) acc.merge(from);
    return acc;
  }

  private byNameEntry(key: string): LatencyAccumulator {
    let acc = this.byName.get(key);
    if (!acc) {
      acc = new LatencyAccumulator();
      this.byName.set(key, acc);
    }
    return acc;
  }

  private addResourceSeries(metric: Metric, seq: number): void {
    const points = metric.gauge?.dataPoints ?? metric.sum?.dataPoints ?? [];
    if (metric.name === CPU_METRIC) {
      // One collection observes user and system separately at the same instant: their sum is
      // the process's CPU share. Summing by timestamp within one metric object pairs them.
      const byTime = new Map<string, number>();
      for (const p of points) {
        const t = p.timeUnixNano ?? '';
        if (!timeMatches(this.filter, nanosToMs(t))) continue;
        const v = pointValue(p);
        if (Number.isFinite(v)) byTime.set(t, (byTime.get(t) ?? 0) + v);
      }
      for (const [t, v] of byTime) this.cpu.add(nanosToMs(t), v * 100, seq);
    } else if (metric.name === MEMORY_METRIC) {
      for (const p of points) {
        const t = nanosToMs(p.timeUnixNano);
        if (timeMatches(this.filter, t)) this.memory.add(t, pointValue(p), seq);
      }
    }
  }
}

/** The plain-JSON form of a {@link ReportAccumulator} (maps as `[key, value]` pairs, in order). */
export interface ReportPartialJson {
  kind: typeof PARTIAL_KIND;
  version: typeof REPORT_PARTIAL_VERSION;
  lines: { traces: number; metrics: number; logs: number };
  recordsInSpool: number;
  malformedLines: number;
  items: { spans: number; dataPoints: number; logRecords: number };
  minUnixMs: number | null;
  maxUnixMs: number | null;
  services: string[];
  metricServices: string[];
  overall: LatencySnapshot;
  namesCapped: boolean;
  byName: [string, LatencySnapshot][];
  histogram: number[];
  events: ReturnType<BoundedCounter['toJSON']>;
  cpu: ReturnType<SeriesDownsampler['toJSON']>;
  memory: ReturnType<SeriesDownsampler['toJSON']>;
  written: ReturnType<CounterStreams['toJSON']>;
  dropped: ReturnType<CounterStreams['toJSON']>;
  evicted: ReturnType<CounterStreams['toJSON']>;
}
