import { readFile } from 'node:fs/promises';

/**
 * Just enough of OTLP/JSON to compare what peers wrote with what the fixture recorded. The test
 * compares *content*, so it flattens the resource/scope nesting (which peers may regroup) into
 * one row per span, data point and log record.
 */

interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  arrayValue?: { values?: AnyValue[] };
  kvlistValue?: { values?: KeyValue[] };
  bytesValue?: string;
}
interface KeyValue {
  key: string;
  value?: AnyValue;
}
interface Resource {
  attributes?: KeyValue[];
}

export interface SpanRow {
  resource: Record<string, unknown>;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  attributes: Record<string, unknown>;
  events: { name: string; attributes: Record<string, unknown> }[];
  statusCode: number;
}

export interface PointRow {
  resource: Record<string, unknown>;
  metric: string;
  unit: string;
  kind: 'gauge' | 'sum' | 'histogram' | 'exponentialHistogram' | 'summary';
  attributes: Record<string, unknown>;
  value?: number;
  count?: number;
  isMonotonic?: boolean;
}

export interface LogRow {
  resource: Record<string, unknown>;
  eventName: string;
  severityNumber: number;
  body: unknown;
  attributes: Record<string, unknown>;
}

export function anyValue(value: AnyValue | undefined): unknown {
  if (value === undefined) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(anyValue);
  if (value.kvlistValue !== undefined) return attributesOf(value.kvlistValue.values);
  if (value.bytesValue !== undefined) return value.bytesValue;
  return undefined;
}

export function attributesOf(list: KeyValue[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, value } of list ?? []) out[key] = anyValue(value);
  return out;
}

/** Parses JSON Lines, failing on a malformed line (peers must write well-formed lines). */
export async function readJsonLines(file: string): Promise<unknown[]> {
  const text = await readFile(file, 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, index) => {
      try {
        return JSON.parse(line) as unknown;
      } catch (error) {
        throw new Error(`${file}:${index + 1} is not JSON: ${(error as Error).message}`);
      }
    });
}

/** Lowercase hex; OTLP/JSON ids are hex, the lowercasing only guards against a peer's casing. */
const hex = (id: unknown): string => (typeof id === 'string' ? id.toLowerCase() : '');

interface TracesData {
  resourceSpans?: {
    resource?: Resource;
    scopeSpans?: {
      spans?: {
        traceId?: string;
        spanId?: string;
        parentSpanId?: string;
        name?: string;
        attributes?: KeyValue[];
        events?: { name?: string; attributes?: KeyValue[] }[];
        status?: { code?: number | string };
      }[];
    }[];
  }[];
}

const STATUS_CODES: Record<string, number> = {
  STATUS_CODE_UNSET: 0,
  STATUS_CODE_OK: 1,
  STATUS_CODE_ERROR: 2,
};

export function spanRows(documents: unknown[]): SpanRow[] {
  const rows: SpanRow[] = [];
  for (const document of documents as TracesData[]) {
    for (const rs of document.resourceSpans ?? []) {
      const resource = attributesOf(rs.resource?.attributes);
      for (const ss of rs.scopeSpans ?? []) {
        for (const span of ss.spans ?? []) {
          const code = span.status?.code ?? 0;
          rows.push({
            resource,
            traceId: hex(span.traceId),
            spanId: hex(span.spanId),
            parentSpanId: hex(span.parentSpanId),
            name: span.name ?? '',
            attributes: attributesOf(span.attributes),
            events: (span.events ?? []).map((event) => ({
              name: event.name ?? '',
              attributes: attributesOf(event.attributes),
            })),
            statusCode: typeof code === 'string' ? (STATUS_CODES[code] ?? -1) : code,
          });
        }
      }
    }
  }
  return rows;
}

interface NumberPoint {
  attributes?: KeyValue[];
  asDouble?: number;
  asInt?: string | number;
  count?: string | number;
}
interface Metric {
  name?: string;
  unit?: string;
  gauge?: { dataPoints?: NumberPoint[] };
  sum?: { dataPoints?: NumberPoint[]; isMonotonic?: boolean };
  histogram?: { dataPoints?: NumberPoint[] };
  exponentialHistogram?: { dataPoints?: NumberPoint[] };
  summary?: { dataPoints?: NumberPoint[] };
}
interface MetricsData {
  resourceMetrics?: { resource?: Resource; scopeMetrics?: { metrics?: Metric[] }[] }[];
}

export function pointRows(documents: unknown[]): PointRow[] {
  const rows: PointRow[] = [];
  for (const document of documents as MetricsData[]) {
    for (const rm of document.resourceMetrics ?? []) {
      const resource = attributesOf(rm.resource?.attributes);
      for (const sm of rm.scopeMetrics ?? []) {
        for (const metric of sm.metrics ?? []) {
          const kinds = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'] as const;
          for (const kind of kinds) {
            const data = metric[kind];
            if (data === undefined) continue;
            for (const point of data.dataPoints ?? []) {
              rows.push({
                resource,
                metric: metric.name ?? '',
                unit: metric.unit ?? '',
                kind,
                attributes: attributesOf(point.attributes),
                value:
                  point.asDouble ?? (point.asInt !== undefined ? Number(point.asInt) : undefined),
                count: point.count !== undefined ? Number(point.count) : undefined,
                isMonotonic: kind === 'sum' ? (metric.sum?.isMonotonic ?? false) : undefined,
              });
            }
          }
        }
      }
    }
  }
  return rows;
}

interface LogsData {
  resourceLogs?: {
    resource?: Resource;
    scopeLogs?: {
      logRecords?: {
        eventName?: string;
        severityNumber?: number | string;
        body?: AnyValue;
        attributes?: KeyValue[];
      }[];
    }[];
  }[];
}

const SEVERITY_NAMES: Record<string, number> = {
  SEVERITY_NUMBER_INFO: 9,
  SEVERITY_NUMBER_WARN: 13,
  SEVERITY_NUMBER_ERROR: 17,
  SEVERITY_NUMBER_FATAL: 21,
};

export function logRows(documents: unknown[]): LogRow[] {
  const rows: LogRow[] = [];
  for (const document of documents as LogsData[]) {
    for (const rl of document.resourceLogs ?? []) {
      const resource = attributesOf(rl.resource?.attributes);
      for (const sl of rl.scopeLogs ?? []) {
        for (const record of sl.logRecords ?? []) {
          const severity = record.severityNumber ?? 0;
          rows.push({
            resource,
            eventName: record.eventName ?? '',
            severityNumber:
              typeof severity === 'string' ? (SEVERITY_NAMES[severity] ?? -1) : severity,
            body: anyValue(record.body),
            attributes: attributesOf(record.attributes),
          });
        }
      }
    }
  }
  return rows;
}
