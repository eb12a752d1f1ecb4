import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import {
  msToNs,
  SpanFilter,
  SpanPage,
  spanDurationNs,
  type SpanHit,
  type SpanSearch,
  type SpanSearchResult,
} from '../web/trace-search.js';
import { nsToMs } from '../web/trace-index.js';
import { openIndexForSearch } from './search-open.js';

const STATUS_ERROR = 2;
const UNKNOWN_SERVICE = 'unknown_service';

interface SpanRow {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  name: string | null;
  service: string | null;
  start_ns: bigint | null;
  end_ns: bigint | null;
  status_code: bigint;
}

/**
 * /api/search answered from the spool index, or undefined when the spool has no index (or it
 * cannot be brought up to date): the caller scans instead. SQL narrows by what it compares
 * exactly (service, status, attribute text through span_attributes/resource_attributes, the
 * segments still in the spool); the name, the times and the order are checked here by the same
 * code the scan uses, so both give the same page and total.
 */
export async function searchSpansFromIndex(
  dir: string,
  search: SpanSearch,
): Promise<SpanSearchResult | undefined> {
  const db = await openIndexForSearch(dir, 'traces');
  if (db === undefined) return undefined;
  try {
    return runSpanSearch(db, search);
  } finally {
    db.close();
  }
}

function runSpanSearch(db: DatabaseSync, search: SpanSearch): SpanSearchResult {
  const where: string[] = [
    "s.trace_id <> ''",
    // Rows of segments the byte cap evicted may still be in the index; the scan cannot see them.
    "s.segment IN (SELECT segment FROM segments WHERE signal = 'traces' AND gone = 0)",
  ];
  const params: SQLInputValue[] = [];
  if (search.service !== undefined) {
    where.push(`coalesce(r.service, '${UNKNOWN_SERVICE}') = ?`);
    params.push(search.service);
  }
  if (search.errorOnly === true) where.push(`s.status_code = ${STATUS_ERROR}`);
  for (const { key, value } of search.attributes ?? []) {
    const resources = db
      .prepare('SELECT resource_id FROM resource_attributes WHERE key = ? AND value = ?')
      .all(key, value) as Array<{ resource_id: number }>;
    const onSpan = 's.id IN (SELECT span FROM span_attributes WHERE key = ? AND value = ?)';
    if (resources.length === 0) {
      where.push(onSpan);
      params.push(key, value);
    } else {
      // "the span's attribute, else the resource's": the resource counts only when the span
      // has no text for the key at all.
      const ids = resources.map((r) => Number(r.resource_id)).join(',');
      where.push(
        `(${onSpan} OR (s.resource_id IN (${ids}) AND NOT EXISTS (
           SELECT 1 FROM span_attributes a WHERE a.key = ? AND a.span = s.id)))`,
      );
      params.push(key, value, key);
    }
  }
  const columns = `s.trace_id, s.span_id, s.parent_span_id, s.name, r.service, s.start_ns,
       s.end_ns, s.status_code`;
  const from = 'FROM spans s JOIN resources r ON r.id = s.resource_id';
  if (search.name === undefined) return sqlPage(db, search, columns, from, where, params);
  const statement = db.prepare(`SELECT ${columns} ${from} WHERE ${where.join(' AND ')}`);
  // Unix nanoseconds pass 2^53: read them as BigInt, as the scan does.
  statement.setReadBigInts(true);
  const page = new SpanPage(search);
  const filter = new SpanFilter(search);
  for (const raw of statement.iterate(...params)) {
    const row = raw as unknown as SpanRow;
    const name = row.name ?? '';
    if (!filter.nameMatches(name)) continue;
    const startNs = positive(row.start_ns);
    const durationNs = spanDurationNs(startNs, positive(row.end_ns));
    if (!filter.timesMatch(startNs, durationNs)) continue;
    page.add({ startNs, durationNs, hit: spanHit(row, startNs, durationNs) });
  }
  return page.result();
}

function spanHit(row: SpanRow, startNs: bigint, durationNs: bigint): SpanHit {
  return {
    traceId: row.trace_id,
    spanId: row.span_id,
    name: row.name ?? '',
    service: row.service ?? UNKNOWN_SERVICE,
    startTimeMs: nsToMs(startNs),
    durationMs: nsToMs(durationNs),
    error: Number(row.status_code) === STATUS_ERROR,
    root: row.parent_span_id === null,
  };
}

// The scan's times in SQL: toNs (absent or non-positive → 0) and spanDurationNs (never < 0).
const START = 'CASE WHEN s.start_ns > 0 THEN s.start_ns ELSE 0 END';
const END = 'CASE WHEN s.end_ns > 0 THEN s.end_ns ELSE 0 END';
const DURATION = `CASE WHEN ${END} > ${START} THEN ${END} - ${START} ELSE 0 END`;

/**
 * Without a name filter (the one test SQLite's lower() cannot do as JavaScript does) every filter
 * is an exact comparison in SQL, so SQLite counts the matches and picks the page: in the scan's
 * order, ties by trace id + span id (hex: byte order is the scan's string order).
 */
function sqlPage(
  db: DatabaseSync,
  search: SpanSearch,
  columns: string,
  from: string,
  baseWhere: string[],
  baseParams: SQLInputValue[],
): SpanSearchResult {
  const where = [...baseWhere];
  const params = [...baseParams];
  const bound = (sql: string, ms: number | undefined): void => {
    if (ms === undefined) return;
    where.push(sql);
    params.push(msToNs(ms));
  };
  bound(`${DURATION} >= ?`, search.minDurationMs);
  bound(`${DURATION} <= ?`, search.maxDurationMs);
  bound(`${START} >= ?`, search.sinceMs);
  bound(`${START} < ?`, search.untilMs);
  const filter = where.join(' AND ');
  const total = db.prepare(`SELECT count(*) AS n ${from} WHERE ${filter}`).get(...params) as {
    n: number;
  };
  const key = search.sort === 'duration' ? DURATION : START;
  const statement = db.prepare(
    `SELECT ${columns} ${from} WHERE ${filter}
     ORDER BY ${key} ${search.order === 'desc' ? 'DESC' : 'ASC'}, s.trace_id || s.span_id ASC
     LIMIT ? OFFSET ?`,
  );
  statement.setReadBigInts(true);
  const hits: SpanHit[] = [];
  for (const raw of statement.iterate(...params, search.limit, search.offset)) {
    const row = raw as unknown as SpanRow;
    const startNs = positive(row.start_ns);
    hits.push(spanHit(row, startNs, spanDurationNs(startNs, positive(row.end_ns))));
  }
  return {
    total: Number(total.n),
    offset: search.offset,
    limit: search.limit,
    sort: search.sort,
    order: search.order,
    hits,
  };
}

/** The scan's toNs: absent or non-positive → 0. */
function positive(value: bigint | null): bigint {
  return value !== null && value > 0n ? value : 0n;
}
