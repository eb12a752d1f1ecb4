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
import { MAX_SLOT, segmentRowRange } from './schema.js';

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
 * transaction: one id range per table (segmentRowRange). Resources stay: they are shared by
 * segments and a handful of rows in all. Attribute terms no span uses any more go with the
 * segment's span_attributes rows, so high-cardinality values do not outlive the byte cap.
 */
export function deleteSegmentRows(db: DatabaseSync, signal: Signal, slot: number): void {
  const [lo, hi] = segmentRowRange(slot);
  if (signal === 'traces') {
    db.exec('CREATE TEMP TABLE IF NOT EXISTS gone_terms (term INTEGER PRIMARY KEY)');
    db.prepare(
      'INSERT OR IGNORE INTO gone_terms SELECT term FROM span_attributes WHERE span >= ? AND span < ?',
    ).run(lo, hi);
    db.prepare('DELETE FROM span_attributes WHERE span >= ? AND span < ?').run(lo, hi);
    db.exec(
      `DELETE FROM attribute_terms WHERE id IN (SELECT term FROM gone_terms)
         AND NOT EXISTS (SELECT 1 FROM span_attributes a WHERE a.term = attribute_terms.id);
       DELETE FROM gone_terms;`,
    );
  } else if (signal === 'logs') {
    // An external-content FTS table forgets a row only when told its old text.
    db.prepare(
      `INSERT INTO logs_fts (logs_fts, rowid, body) SELECT 'delete', id, body FROM logs
       WHERE id >= ? AND id < ?`,
    ).run(lo, hi);
  }
  for (const table of SIGNAL_TABLES[signal]) {
    db.prepare(`DELETE FROM ${table} WHERE id >= ? AND id < ?`).run(lo, hi);
  }
}

/** Distinct attribute terms kept in memory per segment before the cache starts over. */
const TERM_CACHE_SIZE = 65_536;

/**
 * The prepared INSERTs of the four record tables (one set per connection). Rows are written
 * segment by segment: beginSegment() before a segment's first record, inside the transaction
 * that writes them.
 */
export class RowWriter {
  private readonly span: StatementSync;
  private readonly event: StatementSync;
  private readonly log: StatementSync;
  private readonly point: StatementSync;
  private readonly spanAttribute: StatementSync;
  private readonly termInsert: StatementSync;
  private readonly termId: StatementSync;
  private readonly logText: StatementSync;
  private readonly resourceInsert: StatementSync;
  private readonly resourceId: StatementSync;
  private readonly resourceAttribute: StatementSync;
  private readonly lastIds: StatementSync[];
  /** Resource JSON → id, for this writer's run (ids are never reused: resources are not deleted). */
  private readonly resources = new Map<string, number>();
  private readonly resourceObjects = new WeakMap<Resource, number>();
  /** `key \0 value` → attribute_terms id, for the current segment (terms can be deleted). */
  private readonly terms = new Map<string, number>();
  private segmentId = 0;
  private nextId = 0;

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
    this.termId = db.prepare('SELECT id FROM attribute_terms WHERE key = ? AND value = ?');
    this.termInsert = db.prepare('INSERT INTO attribute_terms (key, value) VALUES (?, ?)');
    this.spanAttribute = db.prepare(
      'INSERT OR IGNORE INTO span_attributes (term, span) VALUES (?, ?)',
    );
    this.span = db.prepare(
      `INSERT INTO spans (id, trace_id, span_id, parent_span_id, name, kind, start_ns, end_ns,
         status_code, status_message, attributes, resource_id, scope, segment_id, line, position)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.event = db.prepare(
      `INSERT INTO span_events (id, trace_id, span_id, name, time_ns, attributes, resource_id,
         segment_id, line)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.log = db.prepare(
      `INSERT INTO logs (id, time_ns, observed_ns, severity_number, severity_text, body,
         event_name, trace_id, span_id, attributes, resource_id, segment_id, line, position)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.point = db.prepare(
      `INSERT INTO metric_points (id, name, type, unit, time_ns, start_ns, value, count, sum,
         attributes, resource_id, segment_id, line)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.lastIds = ['spans', 'span_events', 'logs', 'metric_points'].map((table) =>
      db.prepare(`SELECT max(id) AS id FROM ${table} WHERE id >= ? AND id < ?`),
    );
  }

  /**
   * Starts writing the rows of segment `segmentId` (segments.id) in `slot` (segments.slot): its
   * next row id follows the rows an earlier run gave it.
   */
  beginSegment(segmentId: number, slot: number): void {
    if (!Number.isSafeInteger(slot) || slot < 1 || slot > MAX_SLOT) {
      throw new Error(`segment slot ${slot} is outside 1..${MAX_SLOT}`);
    }
    const [lo, hi] = segmentRowRange(slot);
    let last = lo - 1;
    for (const statement of this.lastIds) {
      const row = statement.get(lo, hi) as { id: number | null };
      if (row.id !== null && Number(row.id) > last) last = Number(row.id);
    }
    this.segmentId = segmentId;
    this.nextId = last + 1;
    this.terms.clear();
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

  /** The attribute_terms id of (key, value), inserted when new (the caller holds the write lock). */
  private term(key: string, value: string): number {
    const cacheKey = `${key}\0${value}`;
    const cached = this.terms.get(cacheKey);
    if (cached !== undefined) return cached;
    const row = this.termId.get(key, value) as { id: number | bigint } | undefined;
    const id = Number(row !== undefined ? row.id : this.termInsert.run(key, value).lastInsertRowid);
    if (this.terms.size >= TERM_CACHE_SIZE) this.terms.clear();
    this.terms.set(cacheKey, id);
    return id;
  }

  /** Inserts every row of one spool record (inside the caller's transaction). */
  write(record: SpoolRecord, counts: RowCounts): void {
    const { line } = record;
    const segmentId = this.segmentId;
    if (record.signal === 'traces') {
      forEachSpan(record.data as TracesData, (span, scopeSpans, resourceSpans) => {
        const resourceId = this.resource(resourceSpans.resource);
        const id = this.nextId++;
        this.span.run(
          id,
          span.traceId,
          span.spanId,
          span.parentSpanId || null,
          span.name ?? null,
          span.kind ?? null,
          nanos(span.startTimeUnixNano),
          nanos(span.endTimeUnixNano),
          span.status?.code ?? 0,
          span.status?.message || null,
          attributesJson(span.attributes),
          resourceId,
          scopeSpans.scope?.name ?? null,
          segmentId,
          line,
          record.position,
        );
        for (const [key, value] of searchableAttributes(span.attributes)) {
          this.spanAttribute.run(this.term(key, value), id);
        }
        counts.spans++;
        for (const event of span.events ?? []) {
          this.event.run(
            this.nextId++,
            span.traceId,
            span.spanId,
            event.name ?? null,
            nanos(event.timeUnixNano),
            attributesJson(event.attributes),
            resourceId,
            segmentId,
            line,
          );
          counts.span_events++;
        }
      });
    } else if (record.signal === 'logs') {
      forEachLogRecord(record.data as LogsData, (log, _scopeLogs, resourceLogs) => {
        const body = bodyText(log.body);
        const id = this.nextId++;
        this.log.run(
          id,
          nanos(log.timeUnixNano),
          nanos(log.observedTimeUnixNano),
          log.severityNumber ?? null,
          log.severityText ?? null,
          body,
          log.eventName || null,
          log.traceId || null,
          log.spanId || null,
          attributesJson(log.attributes),
          this.resource(resourceLogs.resource),
          segmentId,
          line,
          record.position,
        );
        this.logText.run(id, body);
        counts.logs++;
      });
    } else {
      forEachDataPoint(record.data as MetricsData, (point, metric, _scope, resourceMetrics) => {
        const type = metricType(metric) ?? 'unknown';
        const { value, count, sum } = pointValues(point);
        this.point.run(
          this.nextId++,
          metric.name ?? null,
          type,
          metric.unit || null,
          nanos(point.timeUnixNano),
          nanos(point.startTimeUnixNano),
          value,
          count,
          sum,
          attributesJson(point.attributes),
          this.resource(resourceMetrics.resource),
          segmentId,
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
