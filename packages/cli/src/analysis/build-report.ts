import { readdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  attributeText,
  countRecords,
  forEachDataPoint,
  forEachLogRecord,
  forEachSpan,
  listSegments,
  readSpool,
  type LogsData,
  type Metric,
  type MetricsData,
  type SpoolRecord,
  type TracesData,
} from '@otelspool/exporter-jsonl';
import { quarantineDir } from '@otelspool/exporter-jsonl/internal';
import { BoundedCounter } from './bounded-counter.js';
import { CounterStreams } from './counter-streams.js';
import { crashReportsInWindow, summarizeCrashes } from './crashes.js';
import { parseSince } from './duration.js';
import { LatencyAccumulator } from './latency-accumulator.js';
import { LatencyHistogram } from './latency-histogram.js';
import { nanosToMs, pointValue, spanDurationMs } from './otlp-values.js';
import { serviceName, type RecordFilter } from './record-filter.js';
import { sessionsInWindow, summarizeSessions } from './sessions.js';
import { SeriesDownsampler } from './series-downsampler.js';
import { SyncHealthTracker } from './sync-health.js';
import {
  REPORT_SCHEMA_VERSION,
  type Report,
  type ReportFilters,
  type ReportOptions,
  type SpanNameStats,
} from './types.js';
import {
  forEachFilteredLogRecord,
  forEachFilteredMetric,
  forEachFilteredSpan,
  logTimeMs,
} from './walk.js';

/** Span names tracked individually; more distinct names fold into `(other)`. */
const MAX_SPAN_NAMES = 1000;
const MAX_EVENT_NAMES = 1000;
const MAX_SERVICES = 50;

export const CPU_METRIC = 'process.cpu.utilization';
export const MEMORY_METRIC = 'process.memory.usage';
export const WRITTEN_METRIC = 'otelspool.spool.records.written';
export const DROPPED_METRIC = 'otelspool.spool.records.dropped';
export const EVICTED_METRIC = 'otelspool.spool.records.evicted';

/** Resolves `--since` / `--service` into the filter every view applies. Throws RangeError. */
export function resolveFilter(options: ReportOptions): {
  filter: RecordFilter;
  filters: ReportFilters;
} {
  const filters: ReportFilters = {};
  const filter: RecordFilter = {};
  if (options.since !== undefined) {
    filters.since = options.since;
    filters.sinceUnixMs = parseSince(options.since, options.now ?? Date.now());
    filter.sinceUnixMs = filters.sinceUnixMs;
  }
  if (options.service !== undefined) {
    filters.service = options.service;
    filter.service = options.service;
  }
  return { filter, filters };
}

/**
 * Reads the whole spool once, streaming, through the shared reader and folds it into the
 * {@link Report} every view shows (terminal dashboard, `--json`, web dashboard). Memory is
 * bounded whatever the spool size: sketches for percentiles, capped name tables, downsampled
 * series. Sessions and crashes come from @otelspool/crash's readers.
 */
export async function buildReport(dir: string, options: ReportOptions = {}): Promise<Report> {
  const top = options.top ?? 20;
  const { filter, filters } = resolveFilter(options);
  const spoolDir = resolve(dir);

  const lines = { traces: 0, metrics: 0, logs: 0 };
  const items = { spans: 0, dataPoints: 0, logRecords: 0 };
  let malformedLines = 0;
  let minT = Infinity;
  let maxT = -Infinity;
  const seen = (t: number): void => {
    if (!Number.isFinite(t)) return;
    if (t < minT) minT = t;
    if (t > maxT) maxT = t;
  };
  const services = new Set<string>();

  const overall = new LatencyAccumulator();
  let namesCapped = false;
  const byName = new Map<string, LatencyAccumulator>();
  const histogram = new LatencyHistogram();
  const events = new BoundedCounter(MAX_EVENT_NAMES);
  const cpu = new SeriesDownsampler(CPU_METRIC, '%');
  const memory = new SeriesDownsampler(MEMORY_METRIC, 'By');
  const written = new CounterStreams();
  const dropped = new CounterStreams('reason');
  const evicted = new CounterStreams('shipped');
  /** Every record the spool holds, whatever the filters (health is about the whole spool). */
  let recordsInSpool = 0;
  const sync = new SyncHealthTracker(spoolDir);

  const addService = (name: string): void => {
    if (services.size < MAX_SERVICES) services.add(name);
  };

  const onTraces = (data: TracesData): void => {
    forEachFilteredSpan(data, filter, (span, resource) => {
      items.spans++;
      addService(serviceName(resource));
      const duration = spanDurationMs(span.startTimeUnixNano, span.endTimeUnixNano);
      const isError = span.status?.code === 2;
      seen(nanosToMs(span.startTimeUnixNano));
      overall.add(duration, isError);
      histogram.add(duration);
      const name = span.name || '(unnamed)';
      let acc = byName.get(name);
      if (!acc) {
        const key = byName.size < MAX_SPAN_NAMES ? name : '(other)';
        if (key !== name) namesCapped = true;
        acc = byName.get(key) ?? new LatencyAccumulator();
        byName.set(key, acc);
      }
      acc.add(duration, isError);
    });
  };

  const onMetric = (metric: Metric): void => {
    const points = metric.gauge?.dataPoints ?? metric.sum?.dataPoints ?? [];
    if (metric.name === CPU_METRIC) {
      // One collection observes user and system separately at the same instant: their sum is
      // the process's CPU share. Summing by timestamp within one metric object pairs them.
      const byTime = new Map<string, number>();
      for (const p of points) {
        const t = p.timeUnixNano ?? '';
        if (!inWindow(nanosToMs(t))) continue;
        const v = pointValue(p);
        if (Number.isFinite(v)) byTime.set(t, (byTime.get(t) ?? 0) + v);
      }
      for (const [t, v] of byTime) cpu.add(nanosToMs(t), v * 100);
    } else if (metric.name === MEMORY_METRIC) {
      for (const p of points) {
        const t = nanosToMs(p.timeUnixNano);
        if (inWindow(t)) memory.add(t, pointValue(p));
      }
    }
  };
  const inWindow = (t: number): boolean =>
    filter.sinceUnixMs === undefined || !Number.isFinite(t) || t >= filter.sinceUnixMs;

  const onMetrics = (data: MetricsData): void => {
    forEachFilteredMetric(data, filter, (metric, resource) => {
      addService(serviceName(resource));
      const points =
        metric.gauge?.dataPoints ??
        metric.sum?.dataPoints ??
        metric.histogram?.dataPoints ??
        metric.exponentialHistogram?.dataPoints ??
        metric.summary?.dataPoints ??
        [];
      for (const p of points) {
        const t = nanosToMs(p.timeUnixNano);
        if (!inWindow(t)) continue;
        items.dataPoints++;
        seen(t);
      }
      onMetric(metric);
      // Self-metrics are cumulative totals: the window filter does not apply to them (the
      // latest total per process is what was written/dropped, whenever it was reported).
      if (metric.name === WRITTEN_METRIC) written.add(resource, metric);
      else if (metric.name === DROPPED_METRIC) dropped.add(resource, metric);
      else if (metric.name === EVICTED_METRIC) evicted.add(resource, metric);
    });
  };

  const onLogs = (data: LogsData): void => {
    forEachFilteredLogRecord(data, filter, (record, resource) => {
      items.logRecords++;
      addService(serviceName(resource));
      seen(logTimeMs(record));
      const name = record.eventName || attributeText(record.attributes, 'event.name');
      if (name) events.add(name);
    });
  };

  for await (const record of readSpool(spoolDir, {
    onMalformed: (entry) => {
      if (entry.line !== undefined) malformedLines++;
    },
  })) {
    options.onRecord?.(record);
    lines[record.signal]++;
    recordsInSpool += countRecords(record.signal, record.data);
    if (record.signal === 'traces') onTraces(record.data as TracesData);
    else if (record.signal === 'metrics') onMetrics(record.data as MetricsData);
    else onLogs(record.data as LogsData);
    if (sync.active) sync.add(record, earliestTimeMs(record));
  }

  const sessions = summarizeSessions(sessionsInWindow(spoolDir, filter));
  const crashes = summarizeCrashes(crashReportsInWindow(spoolDir, filter), top);
  const segments = await listSegments(spoolDir).catch(() => []);
  const droppedTotals = dropped.totals();
  const evictedTotals = evicted.totals();
  const evictedTotal = evicted.total();

  const names: SpanNameStats[] = [...byName]
    .map(([name, acc]) => ({ name, ...acc.stats() }))
    .sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : 1));

  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    generatedAt: new Date(options.now ?? Date.now()).toISOString(),
    dir: spoolDir,
    filters,
    timeRange: {
      startUnixMs: Number.isFinite(minT) ? minT : null,
      endUnixMs: Number.isFinite(maxT) ? maxT : null,
    },
    services: [...services].sort(),
    input: { lines, items, malformedLines },
    sessions,
    crashes,
    spans: {
      overall: overall.stats(),
      byName: names.slice(0, top),
      distinctNames: byName.size - (namesCapped ? 1 : 0),
      namesCapped,
      latencyHistogram: histogram.buckets(),
    },
    events: { total: events.total, distinct: events.size, top: events.top(top) },
    resources: { cpuPercent: cpu.result(), memoryBytes: memory.result() },
    health: {
      // Written = what reached the spool: what it holds now plus what the byte cap evicted.
      // Taken from the spool itself, not from `otelspool.spool.records.written`, whose last
      // value cannot count the metrics line that carries it (and misses `spool serve` input).
      recordsWritten: recordsInSpool + evictedTotal,
      recordsInSpool,
      recordsWrittenSelfReported: written.total(),
      recordsEvicted: evictedTotal,
      recordsEvictedShipped: evictedTotals.get('true') ?? 0,
      recordsDropped: [...droppedTotals.values()].reduce((a, b) => a + b, 0),
      droppedByReason: [...droppedTotals]
        .map(([key, count]) => ({ key: key || '(none)', count }))
        .filter((e) => e.count > 0)
        .sort((a, b) => b.count - a.count),
      spoolBytes: segments.reduce((a, s) => a + s.size, 0),
      segments: segments.length,
      quarantinedFiles: await countFiles(quarantineDir(spoolDir)),
      sync: sync.result(),
    },
  };
}

/** Earliest item time in one spool line (ms), NaN when it has none. */
export function earliestTimeMs(record: SpoolRecord): number {
  let min = Infinity;
  const see = (nanos: string | undefined): void => {
    const t = nanosToMs(nanos);
    if (t > 0 && t < min) min = t;
  };
  if (record.signal === 'traces') {
    forEachSpan(record.data as TracesData, (s) => see(s.startTimeUnixNano));
  } else if (record.signal === 'logs') {
    forEachLogRecord(record.data as LogsData, (r) => see(r.timeUnixNano || r.observedTimeUnixNano));
  } else {
    forEachDataPoint(record.data as MetricsData, (p) => see(p.timeUnixNano));
  }
  return Number.isFinite(min) ? min : NaN;
}

async function countFiles(dir: string): Promise<number> {
  try {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    return entries.filter((e) => e.isFile()).length;
  } catch {
    return 0;
  }
}
