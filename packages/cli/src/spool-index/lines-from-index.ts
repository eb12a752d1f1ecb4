import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import type { Signal, SpoolRecord } from '@otelspool/exporter-jsonl';
import {
  IndexedReadError,
  linesInSpoolOrder,
  readIndexedLines,
  type IndexedLineRow,
  type SegmentLines,
} from './read-back.js';
import { openIndexForSearch } from './search-open.js';

// The index queries of the views that read back lines (read-back.ts): the dashboard's trace
// list and trace detail, and `spool incident`. Each names the spool lines that hold what the
// view looks for; the view runs its scan code over exactly those lines.

/** Rows of this signal's table whose segment the index still counts as present. */
const LINE_COLUMNS = (table: 'spans' | 'logs'): string =>
  `SELECT g.segment, t.line, t.position, g.file, g.identity, g.compressed
   FROM ${table} t JOIN segments g ON g.id = t.segment_id AND g.gone = 0`;

/** The records an index query picked, per signal, or undefined when a view has to scan. */
export type IndexedRecords = Partial<Record<Signal, () => Iterable<SpoolRecord>>>;

/**
 * Opens the index for `signals` (brought up to date), asks `select` for each signal's lines, and
 * gives `consume` the records on those lines in the reader's order. Undefined when the spool has
 * no usable index, a query cannot narrow (too many lines, a compressed segment), or a line could
 * not be read back as indexed: the caller then scans, and gets the same answer.
 */
export async function readBackFromIndex<T>(
  dir: string,
  signals: readonly Signal[],
  select: (db: DatabaseSync, signal: Signal) => Iterable<IndexedLineRow> | undefined,
  consume: (records: IndexedRecords) => T | Promise<T>,
): Promise<T | undefined> {
  const db = await openIndexForSearch(dir, signals);
  if (db === undefined) return undefined;
  try {
    const records: IndexedRecords = {};
    // One read transaction: every query sees the index at the same moment.
    db.exec('BEGIN');
    try {
      for (const signal of signals) {
        const rows = select(db, signal);
        const lines: SegmentLines[] | undefined =
          rows === undefined ? undefined : await linesInSpoolOrder(dir, signal, [...rows]);
        if (lines === undefined) return undefined;
        records[signal] = () => readIndexedLines(dir, signal, lines);
      }
    } finally {
      db.exec('COMMIT');
    }
    return await consume(records);
  } catch (err) {
    if (err instanceof IndexedReadError) return undefined;
    throw err;
  } finally {
    db.close();
  }
}

/** The lines holding spans of any of `traceIds`. */
export function spanLinesOfTraces(
  db: DatabaseSync,
  traceIds: readonly string[],
): Iterable<IndexedLineRow> {
  return linesWhere(db, 'spans', 't.trace_id', traceIds);
}

/** The lines holding log records of any of `traceIds`. */
export function logLinesOfTraces(
  db: DatabaseSync,
  traceIds: readonly string[],
): Iterable<IndexedLineRow> {
  return linesWhere(db, 'logs', 't.trace_id', traceIds);
}

/**
 * The lines holding ERROR spans (`signal` traces) or ERROR/FATAL log records (logs) of the
 * resources whose `session.id` is one of `sessionIds` (the partial indexes spans_errors and
 * logs_errors hold exactly those rows).
 */
export function errorLinesOfSessions(
  db: DatabaseSync,
  signal: 'traces' | 'logs',
  sessionIds: readonly string[],
): Iterable<IndexedLineRow> {
  const resources = inChunks(sessionIds, (chunk) =>
    db
      .prepare(
        `SELECT resource_id FROM resource_attributes
         WHERE key = 'session.id' AND value IN (${marks(chunk.length)})`,
      )
      .all(...chunk)
      .map((r) => Number((r as { resource_id: number | bigint }).resource_id)),
  );
  if (resources.length === 0) return [];
  return signal === 'traces'
    ? linesWhere(db, 'spans', 't.resource_id', resources, 't.status_code = 2')
    : linesWhere(db, 'logs', 't.resource_id', resources, 't.severity_number >= 17');
}

/**
 * The ids of the `limit` traces whose first span started last (newest first), or undefined when
 * the index cannot say for sure without a full pass (then the caller scans). Walks spans_start
 * from the newest start down; a trace seen there gets its true first start from spans_trace.
 * Once `limit` traces start after the walk's position, no trace not yet seen can beat them (all
 * of its spans, its first included, start at or before that position), so the page is certain.
 */
export function newestTraceIds(db: DatabaseSync, limit: number): string[] | undefined {
  const live = `segment_id IN (SELECT id FROM segments WHERE signal = 'traces' AND gone = 0)`;
  const walk = db.prepare(
    `SELECT trace_id, start_ns FROM spans INDEXED BY spans_start
     WHERE start_ns > 0 AND trace_id <> '' AND ${live} ORDER BY start_ns DESC`,
  );
  walk.setReadBigInts(true);
  const firstStart = db.prepare(
    `SELECT min(CASE WHEN start_ns > 0 THEN start_ns ELSE 0 END) AS first
     FROM spans WHERE trace_id = ? AND ${live}`,
  );
  firstStart.setReadBigInts(true);
  // Where the scan first meets the trace (segments in the reader's name order, then lines, then
  // the order within a line): the scan's tie-break between traces that start at the same time.
  const firstSeen = db.prepare(
    `SELECT g.segment, s.line, s.id FROM spans s JOIN segments g ON g.id = s.segment_id
     WHERE s.trace_id = ? AND g.gone = 0 ORDER BY g.segment, s.line, s.id LIMIT 1`,
  );
  const traces = new Map<string, { first: bigint; seen: [string, number, number] }>();
  // First starts of the traces seen, not yet certain (first ≤ the walk's position): a trace
  // becomes certain once the walk passes below its first start, and stays so.
  const pending = new MaxHeap();
  let certain = 0;
  let visited = 0;
  for (const raw of walk.iterate()) {
    const { trace_id: traceId, start_ns: at } = raw as { trace_id: string; start_ns: bigint };
    while (pending.size > 0 && pending.top() > at) {
      pending.pop();
      certain++;
    }
    if (certain >= limit) break;
    // A page that needs this many spans walked is left to the scan rather than walking the
    // whole table here.
    if (++visited > MAX_WALKED_SPANS) return undefined;
    if (traces.has(traceId)) continue;
    const { first } = firstStart.get(traceId) as { first: bigint };
    const at0 = firstSeen.get(traceId) as { segment: string; line: number; id: number };
    traces.set(traceId, { first, seen: [at0.segment, Number(at0.line), Number(at0.id)] });
    pending.push(first);
  }
  // Walked to the end with fewer than `limit` certain: traces with no positive start (which
  // the walk skips) may fill the page, and only a full pass knows their order.
  while (pending.size > 0 && pending.top() > 0n) {
    pending.pop();
    certain++;
  }
  if (certain < limit) {
    const rest = db.prepare(
      `SELECT 1 FROM spans WHERE NOT (coalesce(start_ns, 0) > 0) AND trace_id <> '' AND ${live}
       LIMIT 1`,
    );
    if (rest.get() !== undefined) return undefined;
  }
  return [...traces]
    .sort(([, a], [, b]) =>
      a.first !== b.first ? (a.first > b.first ? -1 : 1) : compareSeen(a.seen, b.seen),
    )
    .slice(0, limit)
    .map(([id]) => id);
}

function compareSeen(a: [string, number, number], b: [string, number, number]): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  return a[1] !== b[1] ? a[1] - b[1] : a[2] - b[2];
}

/** How far newestTraceIds walks spans_start before leaving the page to the scan. */
const MAX_WALKED_SPANS = 200_000;

/** A binary max-heap of bigints (the pending first starts of newestTraceIds). */
class MaxHeap {
  private readonly items: bigint[] = [];

  get size(): number {
    return this.items.length;
  }

  top(): bigint {
    return this.items[0]!;
  }

  push(value: bigint): void {
    const a = this.items;
    a.push(value);
    for (let i = a.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (a[parent]! >= a[i]!) break;
      [a[parent], a[i]] = [a[i]!, a[parent]!];
      i = parent;
    }
  }

  pop(): void {
    const a = this.items;
    const last = a.pop()!;
    if (a.length === 0) return;
    a[0] = last;
    for (let i = 0; ;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && a[l]! > a[m]!) m = l;
      if (r < a.length && a[r]! > a[m]!) m = r;
      if (m === i) break;
      [a[m], a[i]] = [a[i]!, a[m]!];
      i = m;
    }
  }
}

function linesWhere(
  db: DatabaseSync,
  table: 'spans' | 'logs',
  column: string,
  values: readonly SQLInputValue[],
  extra?: string,
): IndexedLineRow[] {
  const sql = LINE_COLUMNS(table);
  return inChunks(
    values,
    (chunk) =>
      db
        .prepare(
          `${sql} WHERE ${column} IN (${marks(chunk.length)})${extra ? ` AND ${extra}` : ''}`,
        )
        .all(...chunk) as unknown as IndexedLineRow[],
  );
}

/** SQLite binds at most 32,766 parameters per statement: long lists go in chunks. */
function inChunks<T, R>(values: readonly T[], run: (chunk: T[]) => R[]): R[] {
  const out: R[] = [];
  for (let i = 0; i < values.length; i += 500) out.push(...run(values.slice(i, i + 500)));
  return out;
}

function marks(n: number): string {
  return new Array<string>(n).fill('?').join(', ');
}
