import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanStatusCode, TraceFlags } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span as SdkSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { LogRecordProcessor, SdkLogRecord } from '@opentelemetry/sdk-logs';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { encodeMetrics } from '@otelspool/exporter-jsonl/write-path';
import {
  attributeText,
  findAttribute,
  forEachDataPoint,
  scalarText,
} from '@otelspool/exporter-jsonl';
import type {
  DataPoint,
  InstrumentationScope,
  KeyValue,
  Metric,
  MetricsData,
  Resource,
  SpanEvent,
} from '@otelspool/exporter-jsonl';
import { CRASH_ATTRIBUTES } from '@otelspool/exporter-jsonl/write-path';
import { listCrashReports } from '@otelspool/crash';
import type { CrashReport } from '@otelspool/crash';
import { resolveOptions } from '../options.js';
import type { TelemetryOptions } from '../options.js';
import { startIsolatedTelemetry } from '../start-telemetry.js';
import type { Telemetry } from '../telemetry.js';
import { BoundedRing } from '../memory/bounded-ring.js';
import type { RingStats } from '../memory/bounded-ring.js';
import { bound } from '../memory/recent-store.js';
import { estimateLogBytes, estimateSpanBytes } from '../memory/estimate-size.js';
import { toLogItem, toSpanItem } from '../memory/to-otlp.js';
import type { LogItem, SpanItem } from '../memory/to-otlp.js';

/** Options of {@link createTestTelemetry}: startTelemetry's, plus where the records go. */
export interface TestTelemetryOptions extends TelemetryOptions {
  /**
   * Also write the file spool, as startTelemetry would. Default false (memory only). Its
   * directory is `dir`, else a fresh temporary directory removed by shutdown(); never
   * $SPOOL_DIR or the user's data dir.
   */
  fileSpool?: boolean;
  /**
   * Spans, log records and metric collections kept each; beyond it the oldest are evicted
   * (counted in memoryStats()). Default 10 000.
   */
  maxRecords?: number;
  /** Estimated OTLP/JSON bytes kept per signal. Default 64 MiB. */
  maxBytes?: number;
}

/** Attribute values to match: compared as text (`attributeText`), so 200 matches `intValue: "200"`. */
export type AttributeMatch = Record<string, string | number | boolean>;

export interface SpanQuery {
  /** Exact name, or a pattern. */
  name?: string | RegExp;
  attributes?: AttributeMatch;
  /** true: status ERROR only; false: anything but ERROR. */
  error?: boolean;
  /** Lowercase hex, as the spool holds it. */
  traceId?: string;
}

export interface SpanEventQuery {
  name?: string | RegExp;
  attributes?: AttributeMatch;
  /** Only events of spans matching this. */
  span?: SpanQuery;
}

/** Severity names and their lowest OTel severity number (logs data model). */
const SEVERITY_FLOOR = { trace: 1, debug: 5, info: 9, warn: 13, error: 17, fatal: 21 } as const;

export interface LogQuery {
  /** This severity and above: a name, or an OTel severity number. */
  severity?: keyof typeof SEVERITY_FLOOR | number;
  /** Text contained in the body (a string body, or a scalar's text), or a pattern. */
  body?: string | RegExp;
  attributes?: AttributeMatch;
  /** The record's event name (telemetry.event). */
  eventName?: string;
  traceId?: string;
}

export interface MetricQuery {
  name?: string | RegExp;
  /** The data point's attributes. */
  attributes?: AttributeMatch;
}

/** A span event with the span it belongs to. */
export type SpanEventItem = SpanItem & { event: SpanEvent };

/** A metric data point with its metric, scope and resource. */
export interface MetricPointItem {
  point: DataPoint;
  metric: Metric;
  scope: InstrumentationScope;
  resource: Resource;
}

/** A crash record: a span, span event or log record carrying `otelspool.crash.report_id`. */
export type CrashRecordItem =
  | ({ signal: 'traces' } & SpanItem)
  | ({ signal: 'traces'; event: SpanEvent } & SpanItem)
  | ({ signal: 'logs' } & LogItem);

export interface TestTelemetryMemoryStats {
  spans: RingStats;
  logs: RingStats;
  metrics: RingStats;
}

/** The Telemetry handle, plus what a unit test reads back. Records are in the one OTLP model. */
export interface TestTelemetry extends Telemetry {
  /** Ended (sampled) spans, oldest first. */
  findSpans(query?: SpanQuery): SpanItem[];
  findSpanEvents(query?: SpanEventQuery): SpanEventItem[];
  findLogs(query?: LogQuery): LogItem[];
  /**
   * Collects metrics now (no waiting for `metricIntervalMs`), then returns the matching points
   * of that collection (cumulative sums and histograms: the latest collection has it all).
   */
  findMetricPoints(query?: MetricQuery): Promise<MetricPointItem[]>;
  /** Every metric collection held (each is one metrics line of the spool), oldest first. */
  metricCollections(): MetricsData[];
  /** Crash spans, exception events and FATAL log records of crashes, oldest first. */
  findCrashRecords(): CrashRecordItem[];
  /** Crash reports written into this telemetry's own directory (with `crash: true`). */
  crashReports(): CrashReport[];
  memoryStats(): TestTelemetryMemoryStats;
  /** Forgets every record held (the pipeline keeps running). */
  reset(): void;
  /** Shuts the pipeline down and removes the temporary directory it created. */
  shutdown(): Promise<void>;
}

/**
 * `startTelemetry`'s wiring (resource, processors, limits, sampler, instrumentations, the same
 * option names) storing into a bounded in-memory store, for a plugin author's unit tests:
 *
 * ```ts
 * import { createTestTelemetry } from '@otelspool/sdk/testing';
 * const telemetry = await createTestTelemetry({ serviceName: 'my-plugin' });
 * // ... run the code under test ...
 * expect(telemetry.findSpans({ name: 'render', error: true })).toHaveLength(1);
 * await telemetry.shutdown();
 * ```
 *
 * Differences from startTelemetry, all so that a test touches nothing of the user's: crash
 * handling is off unless `crash: true`; the directory is a fresh temporary one unless `dir`
 * is given; every call builds a pipeline of its own (no sharing by dir); OTEL_SDK_DISABLED does
 * not turn it off. Records are encoded by the spool's own encoders, so a test sees exactly
 * what the spool would hold.
 */
export async function createTestTelemetry(
  options: TestTelemetryOptions = {},
): Promise<TestTelemetry> {
  const maxRecords = bound(options.maxRecords, 10_000, 'maxRecords');
  const maxBytes = bound(options.maxBytes, 64 * 1024 * 1024, 'maxBytes');
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'otelspool-test-'));
  const resolved = { ...resolveOptions({ ...options, dir, crash: options.crash ?? false }) };
  resolved.disabled = false;

  const spans = new BoundedRing<ReadableSpan>(maxRecords, maxBytes);
  const logs = new BoundedRing<SdkLogRecord>(maxRecords, maxBytes);
  const metrics = new BoundedRing<MetricsData>(maxRecords, maxBytes);

  const spanProcessor: SpanProcessor = {
    onStart: (_span: SdkSpan, _context: Context) => undefined,
    onEnd: (span) => {
      // What the spool's processor keeps: sampled spans only.
      if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) !== 0)
        spans.push(span, estimateSpanBytes(span));
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const logRecordProcessor: LogRecordProcessor = {
    onEmit: (record) => logs.push(record, estimateLogBytes(record)),
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const onMetrics = (resourceMetrics: ResourceMetrics): void => {
    const line = encodeMetrics(resourceMetrics);
    if (line !== '') metrics.push(JSON.parse(line) as MetricsData, line.length);
  };

  let telemetry: Telemetry;
  try {
    telemetry = await startIsolatedTelemetry(resolved, options, {
      spool: options.fileSpool === true,
      spanProcessors: [spanProcessor],
      logRecordProcessors: [logRecordProcessor],
      metricListeners: [onMetrics],
    });
  } catch (error) {
    if (ownDir) rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  const spanItems = (): SpanItem[] => present(spans.toArray().map(toSpanItem));
  const logItems = (): LogItem[] => present(logs.toArray().map(toLogItem));
  const findSpans = (query: SpanQuery = {}): SpanItem[] =>
    spanItems().filter((item) => spanMatches(item, query));

  const extra: Omit<TestTelemetry, keyof Telemetry> & Pick<TestTelemetry, 'shutdown'> = {
    findSpans,
    findSpanEvents: (query = {}) => {
      const out: SpanEventItem[] = [];
      for (const item of findSpans(query.span)) {
        for (const event of item.span.events ?? []) {
          if (
            textMatches(event.name, query.name) &&
            attributesMatch(event.attributes, query.attributes)
          ) {
            out.push({ ...item, event });
          }
        }
      }
      return out;
    },
    findLogs: (query = {}) => logItems().filter((item) => logMatches(item, query)),
    findMetricPoints: async (query = {}) => {
      await telemetry.forceFlush();
      const latest = metrics.toArray().at(-1);
      const out: MetricPointItem[] = [];
      if (!latest) return out;
      forEachDataPoint(latest, (point, metric, sm, rm) => {
        if (
          textMatches(metric.name, query.name) &&
          attributesMatch(point.attributes, query.attributes)
        ) {
          out.push({ point, metric, scope: sm.scope ?? {}, resource: rm.resource ?? {} });
        }
      });
      return out;
    },
    metricCollections: () => metrics.toArray(),
    findCrashRecords: () => {
      const out: CrashRecordItem[] = [];
      for (const item of spanItems()) {
        if (isCrash(item.span.attributes)) out.push({ signal: 'traces', ...item });
        for (const event of item.span.events ?? []) {
          if (isCrash(event.attributes)) out.push({ signal: 'traces', ...item, event });
        }
      }
      for (const item of logItems())
        if (isCrash(item.logRecord.attributes)) out.push({ signal: 'logs', ...item });
      return out;
    },
    crashReports: () => listCrashReports(dir),
    memoryStats: () => ({ spans: spans.stats(), logs: logs.stats(), metrics: metrics.stats() }),
    reset: () => {
      spans.clear();
      logs.clear();
      metrics.clear();
    },
    shutdown: async () => {
      try {
        await telemetry.shutdown();
      } finally {
        if (ownDir) rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  // Own properties over the pipeline handle (whose shutdown is read-only, start-telemetry.ts).
  return Object.create(telemetry, Object.getOwnPropertyDescriptors(extra)) as TestTelemetry;
}

function present<T>(items: Array<T | undefined>): T[] {
  return items.filter((item): item is T => item !== undefined);
}

function textMatches(text: string | undefined, want: string | RegExp | undefined): boolean {
  if (want === undefined) return true;
  if (text === undefined) return false;
  return typeof want === 'string' ? text === want : want.test(text);
}

function attributesMatch(
  attributes: readonly KeyValue[] | undefined,
  want: AttributeMatch | undefined,
): boolean {
  if (!want) return true;
  for (const [key, value] of Object.entries(want)) {
    if (attributeText(attributes, key) !== String(value)) return false;
  }
  return true;
}

function spanMatches(item: SpanItem, query: SpanQuery | undefined): boolean {
  if (!query) return true;
  const { span } = item;
  if (!textMatches(span.name, query.name)) return false;
  if (query.traceId !== undefined && span.traceId !== query.traceId.toLowerCase()) return false;
  if (query.error !== undefined && (span.status?.code === SpanStatusCode.ERROR) !== query.error)
    return false;
  return attributesMatch(span.attributes, query.attributes);
}

function logMatches(item: LogItem, query: LogQuery): boolean {
  const record = item.logRecord;
  if (query.severity !== undefined) {
    const floor =
      typeof query.severity === 'number' ? query.severity : SEVERITY_FLOOR[query.severity];
    if ((record.severityNumber ?? 0) < floor) return false;
  }
  if (query.body !== undefined) {
    const text = scalarText(record.body);
    if (text === undefined) return false;
    if (typeof query.body === 'string' ? !text.includes(query.body) : !query.body.test(text))
      return false;
  }
  if (query.eventName !== undefined && record.eventName !== query.eventName) return false;
  if (query.traceId !== undefined && record.traceId !== query.traceId.toLowerCase()) return false;
  return attributesMatch(record.attributes, query.attributes);
}

function isCrash(attributes: readonly KeyValue[] | undefined): boolean {
  return findAttribute(attributes, CRASH_ATTRIBUTES.reportId) !== undefined;
}
