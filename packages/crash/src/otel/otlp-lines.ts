import { randomBytes } from 'node:crypto';
import { CRASH_SPAN_NAME } from '@otelspool/exporter-jsonl/write-path';

// Hand-built OTLP/JSON lines for standalone use (no OTel SDK in the process). The crash package
// must not depend on the SDK packages just to encode two records, and the shapes are small and
// fixed: https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding (lowerCamelCase,
// 64-bit integers as decimal strings, hex ids, integer enums).

export type AttributeMap = Record<string, string | number | boolean | undefined>;

export const SCOPE = { name: '@otelspool/crash', version: '0.1.0' };

type KeyValue = { key: string; value: Record<string, unknown> };

function anyValue(v: string | number | boolean): Record<string, unknown> {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (Number.isInteger(v)) return { intValue: String(v) };
  return { doubleValue: v };
}

export function keyValues(attrs: AttributeMap): KeyValue[] {
  const out: KeyValue[] = [];
  for (const [key, v] of Object.entries(attrs)) {
    if (v === undefined) continue;
    out.push({ key, value: anyValue(v) });
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

/** One OTLP `LogsData` line holding the given records under one resource. */
export function logsDataLine(resource: AttributeMap, records: readonly LogLine[]): string {
  return JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: keyValues(resource) },
        scopeLogs: [
          {
            scope: SCOPE,
            logRecords: records.map((r) => {
              const rec: Record<string, unknown> = {
                timeUnixNano: msToNanos(r.timeMs),
                observedTimeUnixNano: msToNanos(r.timeMs),
                severityNumber: r.severityNumber,
                severityText: r.severityText,
                body: { stringValue: r.body },
                attributes: keyValues(r.attributes),
              };
              if (r.eventName) rec.eventName = r.eventName;
              if (r.traceId && r.spanId) {
                rec.traceId = r.traceId;
                rec.spanId = r.spanId;
                rec.flags = 1;
              }
              return rec;
            }),
          },
        ],
      },
    ],
  });
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
  const s: Record<string, unknown> = {
    traceId: span.traceId,
    spanId: span.spanId,
    flags: 0x101,
    name: CRASH_SPAN_NAME,
    kind: 1,
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
    status: { code: 2, message: span.statusMessage },
  };
  if (span.parentSpanId) s.parentSpanId = span.parentSpanId;
  return JSON.stringify({
    resourceSpans: [
      { resource: { attributes: keyValues(resource) }, scopeSpans: [{ scope: SCOPE, spans: [s] }] },
    ],
  });
}
