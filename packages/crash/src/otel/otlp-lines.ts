import { randomBytes } from 'node:crypto';
import { CRASH_SPAN_NAME } from '@otelspool/exporter-jsonl/write-path';
import type {
  AnyValue,
  KeyValue,
  LogRecord,
  LogsData,
  Span,
  TracesData,
} from '@otelspool/exporter-jsonl';

// OTLP/JSON lines for standalone use (no OTel SDK in the process). The crash package must not
// depend on the SDK packages just to encode two records, so it builds the objects of the one
// OTLP model (@otelspool/exporter-jsonl's types) and serialises them with JSON.stringify:
// https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding (lowerCamelCase, 64-bit
// integers as decimal strings, hex ids, integer enums). JSON.stringify is safe here because
// anyValue() never lets a non-finite double (it would become `null`) or a bigint (it would
// throw) into the object: they become the proto3 JSON strings and an int64 string.

export type AttributeMap = Record<string, string | number | boolean | undefined>;

export const SCOPE = { name: '@otelspool/crash', version: '0.1.0' };

/** OTLP span kind INTERNAL, status code ERROR, trace flags SAMPLED with "parent is local" known. */
const SPAN_KIND_INTERNAL = 1;
const STATUS_ERROR = 2;
const SPAN_FLAGS_SAMPLED_LOCAL_PARENT = 0x101;
const LOG_FLAGS_SAMPLED = 1;

/** An attribute value as an AnyValue that JSON.stringify writes correctly. */
function anyValue(v: unknown): AnyValue | undefined {
  switch (typeof v) {
    case 'string':
      return { stringValue: v };
    case 'boolean':
      return { boolValue: v };
    case 'bigint':
      return { intValue: BigInt.asIntN(64, v).toString() };
    case 'number':
      // Only safe integers have exact int64 text (String(1e21) is "1e+21"); the rest are doubles.
      if (Number.isSafeInteger(v)) return { intValue: String(v) };
      if (Number.isNaN(v)) return { doubleValue: 'NaN' };
      if (!Number.isFinite(v)) return { doubleValue: v > 0 ? 'Infinity' : '-Infinity' };
      return { doubleValue: v };
    default:
      // undefined (an attribute not set) and anything a JS caller slipped past the types
      return undefined;
  }
}

export function keyValues(attrs: AttributeMap): KeyValue[] {
  const out: KeyValue[] = [];
  for (const [key, v] of Object.entries(attrs)) {
    const value = anyValue(v);
    if (value !== undefined) out.push({ key, value });
  }
  return out;
}

export function msToNanos(ms: number): string {
  return (BigInt(Math.trunc(ms)) * 1_000_000n + BigInt(Math.round((ms % 1) * 1e6))).toString();
}

export function randomTraceId(): string {
  return randomBytes(16).toString('hex');
}

export function randomSpanId(): string {
  return randomBytes(8).toString('hex');
}

export interface LogLine {
  timeMs: number;
  eventName?: string;
  severityNumber: number;
  severityText: string;
  body: string;
  attributes: AttributeMap;
  traceId?: string;
  spanId?: string;
}

function logRecord(r: LogLine): LogRecord {
  const record: LogRecord = {
    timeUnixNano: msToNanos(r.timeMs),
    observedTimeUnixNano: msToNanos(r.timeMs),
    severityNumber: r.severityNumber,
    severityText: r.severityText,
    body: { stringValue: r.body },
    attributes: keyValues(r.attributes),
  };
  if (r.eventName) record.eventName = r.eventName;
  if (r.traceId && r.spanId) {
    record.traceId = r.traceId;
    record.spanId = r.spanId;
    record.flags = LOG_FLAGS_SAMPLED;
  }
  return record;
}

/** One OTLP `LogsData` line holding the given records under one resource. */
export function logsDataLine(resource: AttributeMap, records: readonly LogLine[]): string {
  const data: LogsData = {
    resourceLogs: [
      {
        resource: { attributes: keyValues(resource) },
        scopeLogs: [{ scope: SCOPE, logRecords: records.map(logRecord) }],
      },
    ],
  };
  return JSON.stringify(data);
}

export interface CrashSpanLine {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  startMs: number;
  endMs: number;
  attributes: AttributeMap;
  exception: AttributeMap;
  statusMessage: string;
}

/** One OTLP `TracesData` line with a short `crash` span carrying an `exception` event, status ERROR. */
export function crashSpanLine(resource: AttributeMap, span: CrashSpanLine): string {
  const s: Span = {
    traceId: span.traceId,
    spanId: span.spanId,
    flags: SPAN_FLAGS_SAMPLED_LOCAL_PARENT,
    name: CRASH_SPAN_NAME,
    kind: SPAN_KIND_INTERNAL,
    startTimeUnixNano: msToNanos(span.startMs),
    endTimeUnixNano: msToNanos(span.endMs),
    attributes: keyValues(span.attributes),
    events: [
      {
        timeUnixNano: msToNanos(span.endMs),
        name: 'exception',
        attributes: keyValues(span.exception),
      },
    ],
    status: { code: STATUS_ERROR, message: span.statusMessage },
  };
  if (span.parentSpanId) s.parentSpanId = span.parentSpanId;
  const data: TracesData = {
    resourceSpans: [
      { resource: { attributes: keyValues(resource) }, scopeSpans: [{ scope: SCOPE, spans: [s] }] },
    ],
  };
  return JSON.stringify(data);
}
