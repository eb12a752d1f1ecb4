import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import {
  msToNs,
  SpanFilter,
  SpanPage,
  spanDurationNs,
  type SpanHit,
  type SpanSearch,
  type SpanSearchResult,
} from '../web/span-search-model.js';
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
    // One read transaction: term ids resolved first stay those of the count and the page (an
    // index run may delete a term and reuse its id meanwhile).
    db.exec('BEGIN');
    try {
      return runSpanSearch(db, search);
    } finally {
      db.exec('COMMIT');
    }
  } finally {
    db.close();
  }
}

function runSpanSearch(db: DatabaseSync, search: SpanSearch): SpanSearchResult {
  const where: string[] = [
    "s.trace_id <> ''",
    // Rows of segments the byte cap evicted may still be in the index; the scan cannot see them.
    "s.segment_id IN (SELECT id FROM segments WHERE signal = 'traces' AND gone = 0)",
  ];
  const params: SQLInputValue[] = [];
  // Set when the only filter is one span attribute no resource has: its matches are exactly its
  // span_attributes rows (see countOfOneAttribute).
  let onlyAttribute: { term: number | undefined } | undefined;
  if (search.service !== undefined) {
    where.push(`coalesce(r.service, '${UNKNOWN_SERVICE}') = ?`);
    params.push(search.service);
  }
  // Through spans_errors (the few ERROR spans) rather than a pass over every span.
  if (search.errorOnly === true) {
    where.push(
      `s.status_code = ${STATUS_ERROR} AND s.id IN (SELECT id FROM spans INDEXED BY spans_errors WHERE status_code = ${STATUS_ERROR})`,
    );
  }
  for (const { key, value } of search.attributes ?? []) {
    const resources = db
      .prepare('SELECT resource_id FROM resource_attributes WHERE key = ? AND value = ?')
      .all(key, value) as Array<{ resource_id: number }>;
    const term = termId(db, key, value);
    // A term id is an integer from the index: inlined, so the newest-first walk can turn the
    // list into a probe (newestByStart).
    const onSpan = term === undefined ? '0' : onSpanTerm(term);
    if (resources.length === 0) {
      where.push(onSpan);
      onlyAttribute = { term };
    } else {
      // "the span's attribute, else the resource's": the resource counts only when the span
      // has no text for the key at all.
      const ids = resources.map((r) => Number(r.resource_id)).join(',');
      where.push(
        `(${onSpan} OR (s.resource_id IN (${ids}) AND NOT EXISTS (
           SELECT 1 FROM span_attributes a WHERE a.span = s.id
             AND a.term IN (SELECT id FROM attribute_terms WHERE key = ?))))`,
      );
      params.push(key);
    }
  }
  const columns = `s.trace_id, s.span_id, s.parent_span_id, s.name, r.service, s.start_ns,
       s.end_ns, s.status_code`;
  const from = 'FROM spans s JOIN resources r ON r.id = s.resource_id';
  const single =
    onlyAttribute !== undefined &&
    search.attributes?.length === 1 &&
    search.service === undefined &&
    search.errorOnly !== true &&
    search.minDurationMs === undefined &&
    search.maxDurationMs === undefined &&
    search.sinceMs === undefined &&
    search.untilMs === undefined
      ? onlyAttribute
      : undefined;
  if (search.name === undefined) return sqlPage(db, search, columns, from, where, params, single);
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
  onlyAttribute?: { term: number | undefined },
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
  const total = Number(
    onlyAttribute !== undefined
      ? countOfOneAttribute(db, onlyAttribute)
      : (db.prepare(`SELECT count(*) AS n ${from} WHERE ${filter}`).get(...params) as { n: number })
          .n,
  );
  const keep = search.offset + search.limit;
  // Newest first over many matches: walk spans_start and stop at the page instead of sorting
  // every match (oldest first would have to start with the spans without a start time). The
  // walk is bounded (newestByStart): matches that are many but sit in old data (measured: 1,312
  // in 1.2M spans, 2.6 s for a whole-table walk) are sorted below instead.
  if (search.sort === 'time' && search.order === 'desc' && total >= 20 * keep) {
    const walked = newestByStart(db, search, columns, filter, params);
    if (walked !== undefined && walked.length === Math.min(keep, total) - search.offset) {
      return {
        total,
        offset: search.offset,
        limit: search.limit,
        sort: search.sort,
        order: search.order,
        hits: walked,
      };
    }
  }
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
    total,
    offset: search.offset,
    limit: search.limit,
    sort: search.sort,
    order: search.order,
    hits,
  };
}

/**
 * How many spans have this attribute text: its span_attributes rows, one per span (the primary
 * key). Equal to the general count because every indexed span has a trace id (the reader drops
 * spans without one) and an evicted segment's rows are deleted in the transaction that marks it
 * gone (and a search first brings the index up to date).
 */
function countOfOneAttribute(db: DatabaseSync, attr: { term: number | undefined }): number {
  if (attr.term === undefined) return 0;
  const row = db
    .prepare('SELECT count(*) AS n FROM span_attributes WHERE term = ?')
    .get(attr.term) as { n: number | bigint };
  return Number(row.n);
}

/** The attribute_terms id of (key, value), or undefined when no span has that text. */
function termId(db: DatabaseSync, key: string, value: string): number | undefined {
  const row = db
    .prepare('SELECT id FROM attribute_terms WHERE key = ? AND value = ?')
    .get(key, value) as { id: number | bigint } | undefined;
  return row === undefined ? undefined : Number(row.id);
}

const onSpanTerm = (term: number): string =>
  `s.id IN (SELECT span FROM span_attributes WHERE term = ${term})`;

/**
 * One page newest first by walking spans_start down (only spans with a positive start, whose
 * START is their start_ns; the others come last in this order), ties by trace id + span id as
 * sqlPage orders them. The attribute filters become per-row primary-key probes (EXISTS) instead
 * of a materialised list of every match.
 */
function newestByStart(
  db: DatabaseSync,
  search: SpanSearch,
  columns: string,
  filter: string,
  params: SQLInputValue[],
): SpanHit[] | undefined {
  const probe = filter.replace(
    /s\.id IN \(SELECT span FROM span_attributes WHERE term = (\d+)\)/g,
    'EXISTS (SELECT 1 FROM span_attributes p WHERE p.term = $1 AND p.span = s.id)',
  );
  const walk = Math.max(WALK_PER_HIT * (search.offset + search.limit), MIN_WALK);
  // The start of the last span the walk may pass: a hit at that start may have peers beyond it.
  const edgeStatement = db.prepare(
    `SELECT start_ns FROM spans INDEXED BY spans_start WHERE start_ns > 0
     ORDER BY start_ns DESC LIMIT 1 OFFSET ?`,
  );
  edgeStatement.setReadBigInts(true);
  const edge = edgeStatement.get(walk - 1) as { start_ns: bigint } | undefined;
  const statement = db.prepare(
    `SELECT ${columns} FROM (
       SELECT * FROM spans INDEXED BY spans_start WHERE start_ns > 0
       ORDER BY start_ns DESC LIMIT ?
     ) AS s JOIN resources r ON r.id = s.resource_id
     WHERE ${probe}
     ORDER BY s.start_ns DESC, s.trace_id || s.span_id ASC LIMIT ? OFFSET ?`,
  );
  statement.setReadBigInts(true);
  const hits: SpanHit[] = [];
  let last = 0n;
  for (const raw of statement.iterate(walk, ...params, search.limit, search.offset)) {
    const row = raw as unknown as SpanRow;
    const startNs = positive(row.start_ns);
    last = startNs;
    hits.push(spanHit(row, startNs, spanDurationNs(startNs, positive(row.end_ns))));
  }
  if (edge !== undefined && hits.length > 0 && last <= edge.start_ns) return undefined;
  if (edge !== undefined && hits.length < search.limit) return undefined;
  return hits;
}

/** How many spans the newest-first walk passes per hit of the page, at least MIN_WALK. */
const WALK_PER_HIT = 200;
const MIN_WALK = 2_000;

/** The scan's toNs: absent or non-positive → 0. */
function positive(value: bigint | null): bigint {
  return value !== null && value > 0n ? value : 0n;
}
