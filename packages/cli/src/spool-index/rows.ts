import type { DatabaseSync, StatementSync } from 'node:sqlite';
import {
  attributeText,
  forEachDataPoint,
  forEachLogRecord,
  forEachSpan,
  metricType,
  type DataPoint,
  type KeyValue,
  type LogsData,
  type MetricsData,
  type OtlpDouble,
  type SpoolRecord,
  type Resource,
  type Signal,
  type TracesData,
} from '@otelspool/exporter-jsonl';
import { bodyText, plainValue } from '../logs/values.js';

/** Rows added per table by one batch of records. */
export interface RowCounts {
  spans: number;
  span_events: number;
  logs: number;
  metric_points: number;
}

export const emptyRowCounts = (): RowCounts => ({
  spans: 0,
  span_events: 0,
  logs: 0,
  metric_points: 0,
});

const INT64_MAX = 2n ** 63n - 1n;

/**
 * An OTLP fixed64 nanosecond time (a decimal string) as an SQLite INTEGER: exact through
 * BigInt (Unix nanoseconds pass 2^53 in 1970 + 104 days, so a Number would round them). Absent,
 * unparsable or beyond int64 → NULL.
 */
export function nanos(text: string | undefined): bigint | null {
  if (text === undefined || text === '') return null;
  try {
    const value = BigInt(text);
    return value >= 0n && value <= INT64_MAX ? value : null;
  } catch {
    return null;
  }
}

/** OTLP doubles as REAL; NaN and ±Infinity (written as strings in OTLP JSON) as NULL. */
function real(value: OtlpDouble | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function intOrNull(text: string | undefined): bigint | null {
  return nanos(text);
}

/** Attributes as one JSON object (key → plain value), for SQLite's `->>` and json_extract. */
export function attributesJson(attributes: readonly KeyValue[] | undefined): string {
  const out: Record<string, unknown> = {};
  for (const kv of attributes ?? []) out[kv.key] = plainValue(kv.value);
  return JSON.stringify(out);
}

const SERVICE = 'service.name';

/**
 * Each key once, with the text the dashboard's search compares (attributeText: the first
 * occurrence of a key, scalars only). A key whose value has no text is left out, so "the span has
 * no such attribute" reads the same in the index as in the scan (the resource is asked instead).
 */
export function searchableAttributes(
  attributes: readonly KeyValue[] | undefined,
): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const seen = new Set<string>();
  for (const kv of attributes ?? []) {
    if (seen.has(kv.key)) continue;
    seen.add(kv.key);
    const text = attributeText(attributes, kv.key);
    if (text !== undefined) out.push([kv.key, text]);
  }
  return out;
}

const SIGNAL_TABLES: Record<Signal, readonly string[]> = {
  traces: ['spans', 'span_events'],
  logs: ['logs'],
  metrics: ['metric_points'],
};

/**
 * Deletes the raw rows one segment gave (its file is gone or was replaced), inside the caller's
 * transaction. Resources stay: they are shared by segments and a handful of rows in all.
 * span_attributes has no index by span (it would cost as much as the table), so its rows go in
 * one pass over the table: a segment goes rarely, a search runs often.
 */
export function deleteSegmentRows(db: DatabaseSync, signal: Signal, segment: string): void {
  if (signal === 'traces') {
    db.prepare(
      'DELETE FROM span_attributes WHERE span IN (SELECT id FROM spans WHERE segment = ?)',
    ).run(segment);
  } else if (signal === 'logs') {
    // An external-content FTS table forgets a row only when told its old text.
    db.prepare(
      `INSERT INTO logs_fts (logs_fts, rowid, body) SELECT 'delete', id, body FROM logs
       WHERE segment = ?`,
    ).run(segment);
  }
  for (const table of SIGNAL_TABLES[signal]) {
    db.prepare(`DELETE FROM ${table} WHERE segment = ?`).run(segment);
  }
}

/** The prepared INSERTs of the four record tables (one set per connection). */
export class RowWriter {
  private readonly span: StatementSync;
  private readonly event: StatementSync;
  private readonly log: StatementSync;
  private readonly point: StatementSync;
  private readonly spanAttribute: StatementSync;
  private readonly logText: StatementSync;
  private readonly resourceInsert: StatementSync;
  private readonly resourceId: StatementSync;
  private readonly resourceAttribute: StatementSync;
  /** Resource JSON → id, for this writer's run (ids are never reused: resources are not deleted). */
  private readonly resources = new Map<string, number>();
  private readonly resourceObjects = new WeakMap<Resource, number>();

  constructor(db: DatabaseSync) {
    this.resourceInsert = db.prepare(
      `INSERT INTO resources (attributes, service, version, host) VALUES (?, ?, ?, ?)
       ON CONFLICT (attributes) DO NOTHING`,
    );
    this.resourceId = db.prepare('SELECT id FROM resources WHERE attributes = ?');
    this.resourceAttribute = db.prepare(
      `INSERT INTO resource_attributes (key, value, resource_id) VALUES (?, ?, ?)
       ON CONFLICT DO NOTHING`,
    );
    this.logText = db.prepare('INSERT INTO logs_fts (rowid, body) VALUES (?, ?)');
    this.spanAttribute = db.prepare(
      'INSERT OR IGNORE INTO span_attributes (key, value, span) VALUES (?, ?, ?)',
    );
    this.span = db.prepare(
      `INSERT INTO spans (trace_id, span_id, parent_span_id, name, kind, service, start_ns, end_ns,
         duration_ns, status_code, status_message, attributes, resource_id, scope, segment, line,
         position)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.event = db.prepare(
      `INSERT INTO span_events (trace_id, span_id, name, time_ns, attributes, service, segment, line)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.log = db.prepare(
      `INSERT INTO logs (time_ns, observed_ns, severity_number, severity_text, service, body,
         event_name, trace_id, span_id, attributes, resource_id, segment, line, position)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.point = db.prepare(
      `INSERT INTO metric_points (name, type, unit, service, time_ns, start_ns, value, count, sum,
         attributes, resource_id, segment, line)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  /**
   * The id of a resource, inserted the first time its attributes are seen. A concurrent indexer
   * inserting the same resource is harmless: the UNIQUE key makes both read the same id.
   */
  private resource(resource: Resource | undefined): number {
    // Every span of a batch shares its resource object: look it up once per object.
    const known = resource !== undefined ? this.resourceObjects.get(resource) : undefined;
    if (known !== undefined) return known;
    const id = this.resourceByJson(resource);
    if (resource !== undefined) this.resourceObjects.set(resource, id);
    return id;
  }

  private resourceByJson(resource: Resource | undefined): number {
    const json = attributesJson(resource?.attributes);
    const cached = this.resources.get(json);
    if (cached !== undefined) return cached;
    const attrs = resource?.attributes;
    this.resourceInsert.run(
      json,
      attributeText(attrs, SERVICE) ?? null,
      attributeText(attrs, 'service.version') ?? null,
      attributeText(attrs, 'host.name') ?? null,
    );
    const id = Number((this.resourceId.get(json) as { id: number | bigint }).id);
    for (const [key, value] of searchableAttributes(attrs)) {
      this.resourceAttribute.run(key, value, id);
    }
    this.resources.set(json, id);
    return id;
  }

  /** Inserts every row of one spool record (inside the caller's transaction). */
  write(record: SpoolRecord, counts: RowCounts): void {
    const { segment, line } = record;
    if (record.signal === 'traces') {
      forEachSpan(record.data as TracesData, (span, scopeSpans, resourceSpans) => {
        const attrs = resourceSpans.resource?.attributes;
        const service = attributeText(attrs, SERVICE) ?? null;
        const start = nanos(span.startTimeUnixNano);
        const end = nanos(span.endTimeUnixNano);
        const inserted = this.span.run(
          span.traceId,
          span.spanId,
          span.parentSpanId || null,
          span.name ?? null,
          span.kind ?? null,
          service,
          start,
          end,
          start !== null && end !== null ? end - start : null,
          span.status?.code ?? 0,
          span.status?.message || null,
          attributesJson(span.attributes),
          this.resource(resourceSpans.resource),
          scopeSpans.scope?.name ?? null,
          segment,
          line,
          record.position,
        );
        for (const [key, value] of searchableAttributes(span.attributes)) {
          this.spanAttribute.run(key, value, inserted.lastInsertRowid);
        }
        counts.spans++;
        for (const event of span.events ?? []) {
          this.event.run(
            span.traceId,
            span.spanId,
            event.name ?? null,
            nanos(event.timeUnixNano),
            attributesJson(event.attributes),
            service,
            segment,
            line,
          );
          counts.span_events++;
        }
      });
    } else if (record.signal === 'logs') {
      forEachLogRecord(record.data as LogsData, (log, _scopeLogs, resourceLogs) => {
        const attrs = resourceLogs.resource?.attributes;
        const body = bodyText(log.body);
        const inserted = this.log.run(
          nanos(log.timeUnixNano),
          nanos(log.observedTimeUnixNano),
          log.severityNumber ?? null,
          log.severityText ?? null,
          attributeText(attrs, SERVICE) ?? null,
          body,
          log.eventName || null,
          log.traceId || null,
          log.spanId || null,
          attributesJson(log.attributes),
          this.resource(resourceLogs.resource),
          segment,
          line,
          record.position,
        );
        this.logText.run(inserted.lastInsertRowid, body);
        counts.logs++;
      });
    } else {
      forEachDataPoint(record.data as MetricsData, (point, metric, _scope, resourceMetrics) => {
        const attrs = resourceMetrics.resource?.attributes;
        const type = metricType(metric) ?? 'unknown';
        const { value, count, sum } = pointValues(point);
        this.point.run(
          metric.name ?? null,
          type,
          metric.unit || null,
          attributeText(attrs, SERVICE) ?? null,
          nanos(point.timeUnixNano),
          nanos(point.startTimeUnixNano),
          value,
          count,
          sum,
          attributesJson(point.attributes),
          this.resource(resourceMetrics.resource),
          segment,
          line,
        );
        counts.metric_points++;
      });
    }
  }
}

/** Gauge/sum points carry a value; histograms, exponential histograms and summaries count+sum. */
function pointValues(point: DataPoint): {
  value: number | null;
  count: bigint | null;
  sum: number | null;
} {
  if ('asDouble' in point || 'asInt' in point) {
    const p = point as { asDouble?: OtlpDouble; asInt?: string };
    const value =
      p.asDouble !== undefined ? real(p.asDouble) : p.asInt !== undefined ? Number(p.asInt) : null;
    return { value, count: null, sum: null };
  }
  const p = point as { count?: string; sum?: OtlpDouble };
  return { value: null, count: intOrNull(p.count), sum: real(p.sum) };
}
