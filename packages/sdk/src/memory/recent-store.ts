import { SpanStatusCode, TraceFlags } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { LogRecordProcessor, SdkLogRecord } from '@opentelemetry/sdk-logs';
import { CRASH_ATTRIBUTES } from '@otelspool/exporter-jsonl/write-path';
import { findAttribute } from '@otelspool/exporter-jsonl/write-path';
import { BoundedRing } from './bounded-ring.js';
import type { RingStats } from './bounded-ring.js';
import { estimateLogBytes, estimateSpanBytes } from './estimate-size.js';
import { toLogItem, toSpanItem } from './to-otlp.js';
import type { LogItem, SpanItem } from './to-otlp.js';

/** Bounds of {@link createRecentStore}; each of its three lists has both. */
export interface RecentStoreOptions {
  /** Records kept per list (spans, log records, errors), newest kept. Default 200. */
  maxRecords?: number;
  /** Estimated OTLP/JSON bytes kept per list, newest kept. Default 1 MiB. */
  maxBytes?: number;
}

/** A span or a log record from the store, in the one OTLP model. */
export type RecentRecord = ({ signal: 'traces' } & SpanItem) | ({ signal: 'logs' } & LogItem);

/** What each list holds now and how many records it evicted. */
export interface RecentStoreStats {
  spans: RingStats;
  logs: RingStats;
  errors: RingStats;
}

/**
 * The last records of this process, for an app that shows its own recent telemetry (an
 * "errors" panel, a crash banner). Pass its processors to startTelemetry:
 * `startTelemetry({ spanProcessors: [recent.spanProcessor], logRecordProcessors: [recent.logRecordProcessor] })`.
 */
export interface RecentStore {
  readonly spanProcessor: SpanProcessor;
  readonly logRecordProcessor: LogRecordProcessor;
  /** Ended (sampled) spans, newest first. */
  spans(limit?: number): SpanItem[];
  /** Log records, newest first. */
  logs(limit?: number): LogItem[];
  /** Spans with status ERROR and log records at ERROR or FATAL, newest first. */
  errors(limit?: number): RecentRecord[];
  /** The errors that are crash records (they carry `otelspool.crash.report_id`), newest first. */
  crashes(limit?: number): RecentRecord[];
  stats(): RecentStoreStats;
  /** Forgets everything held and resets the eviction counts. */
  clear(): void;
}

type Held = { signal: 'traces'; sdk: ReadableSpan } | { signal: 'logs'; sdk: SdkLogRecord };

const DEFAULT_MAX_RECORDS = 200;
const DEFAULT_MAX_BYTES = 1024 * 1024;

/**
 * A bounded in-process store that runs beside the file spool. On the hot path (`onEnd`,
 * `onEmit`) it estimates the record's size from the SDK object (estimate-size.ts: no encoding,
 * no allocation but the ring entry) and puts it in a fixed circular array: O(1) apart from the
 * attribute walk the estimate does, bounded by the span limits. Records are encoded into the
 * OTLP model only when a query asks for them, with the spool's own encoder. Never throws into
 * the code that ended a span or logged.
 */
export function createRecentStore(options: RecentStoreOptions = {}): RecentStore {
  const maxRecords = bound(options.maxRecords, DEFAULT_MAX_RECORDS, 'maxRecords');
  const maxBytes = bound(options.maxBytes, DEFAULT_MAX_BYTES, 'maxBytes');
  const spans = new BoundedRing<ReadableSpan>(maxRecords, maxBytes);
  const logs = new BoundedRing<SdkLogRecord>(maxRecords, maxBytes);
  const errors = new BoundedRing<Held>(maxRecords, maxBytes);

  const spanProcessor: SpanProcessor = {
    onStart: (_span: Span, _context: Context) => undefined,
    onEnd: (span: ReadableSpan) => {
      try {
        if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
        const size = estimateSpanBytes(span);
        spans.push(span, size);
        if (span.status.code === SpanStatusCode.ERROR)
          errors.push({ signal: 'traces', sdk: span }, size);
      } catch {
        // the store is a view: a record it cannot hold is not the host's problem
      }
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };

  const logRecordProcessor: LogRecordProcessor = {
    onEmit: (record: SdkLogRecord) => {
      try {
        const size = estimateLogBytes(record);
        logs.push(record, size);
        if ((record.severityNumber ?? 0) >= SeverityNumber.ERROR) {
          errors.push({ signal: 'logs', sdk: record }, size);
        }
      } catch {
        // as above
      }
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };

  const errorRecords = (): RecentRecord[] => {
    const out: RecentRecord[] = [];
    for (const held of errors.toArray().reverse()) {
      const item = toRecent(held);
      if (item) out.push(item);
    }
    return out;
  };

  return {
    spanProcessor,
    logRecordProcessor,
    spans: (limit) => newest(spans.toArray(), limit, toSpanItem),
    logs: (limit) => newest(logs.toArray(), limit, toLogItem),
    errors: (limit) => errorRecords().slice(0, limitOf(limit)),
    crashes: (limit) => errorRecords().filter(isCrashRecord).slice(0, limitOf(limit)),
    stats: () => ({ spans: spans.stats(), logs: logs.stats(), errors: errors.stats() }),
    clear: () => {
      spans.clear();
      logs.clear();
      errors.clear();
    },
  };
}

function toRecent(held: Held): RecentRecord | undefined {
  if (held.signal === 'traces') {
    const item = toSpanItem(held.sdk);
    return item && { signal: 'traces', ...item };
  }
  const item = toLogItem(held.sdk);
  return item && { signal: 'logs', ...item };
}

function isCrashRecord(record: RecentRecord): boolean {
  const attributes =
    record.signal === 'traces' ? record.span.attributes : record.logRecord.attributes;
  return findAttribute(attributes, CRASH_ATTRIBUTES.reportId) !== undefined;
}

function newest<S, I>(held: S[], limit: number | undefined, convert: (s: S) => I | undefined): I[] {
  const out: I[] = [];
  const max = limitOf(limit);
  for (let i = held.length - 1; i >= 0 && out.length < max; i--) {
    const item = convert(held[i] as S);
    if (item) out.push(item);
  }
  return out;
}

function limitOf(limit: number | undefined): number {
  return limit === undefined ? Number.POSITIVE_INFINITY : Math.max(0, Math.trunc(limit));
}

/** A bound option: a non-negative integer, or a TypeError naming the option. */
export function bound(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) {
    throw new TypeError(`${name} must be a non-negative integer, got ${String(value)}`);
  }
  return value;
}
