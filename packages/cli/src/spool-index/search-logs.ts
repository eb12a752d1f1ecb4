import type { DatabaseSync } from 'node:sqlite';
import { readSpool, type SpoolRecord } from '@otelspool/exporter-jsonl';
import { parseLogql } from '../logs/logql.js';
import { queryLogs, type CompiledLogQuery, type LogQueryResult } from '../logs/query.js';
import {
  IndexedReadError,
  linesInSpoolOrder,
  readIndexedLines,
  type IndexedLineRow,
  type SegmentLines,
} from './read-back.js';
import { openIndexForSearch } from './search-open.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Log rows of present segments whose body the FTS5 query (the first parameter) matches. */
const MATCHING_LOGS = `FROM logs l JOIN segments s ON s.id = l.segment_id AND s.gone = 0
  WHERE l.id IN (SELECT rowid FROM logs_fts WHERE logs_fts MATCH ?)`;
/** With MATCHING_LOGS and BY_LINE: one IndexedLineRow per spool line holding such rows. */
const LINES_OF =
  'SELECT s.segment, l.line, max(l.position) AS position, s.file, s.identity, s.compressed';
const BY_LINE = 'GROUP BY l.segment_id, l.line';

/** An FTS5 query that every needle must match, each as a quoted phrase. */
function ftsPhrases(needles: readonly string[]): string {
  return needles.map((n) => `"${n.replaceAll('"', '""')}"`).join(' AND ');
}

/** The trigram tokenizer finds substrings of 3 characters or more; shorter ones need the scan. */
const MIN_NEEDLE_CHARS = 3;
/**
 * The body substrings every match must contain: `--grep` texts and LogQL `|=` line filters.
 * (`!=`, `|~`, `!~` say nothing a text index can use; the engine applies them afterwards.)
 */
export function requiredSubstrings(compiled: CompiledLogQuery): string[] {
  const out = [...(compiled.query.grep ?? [])];
  const logql = compiled.query.logql;
  if (logql !== undefined) {
    const parsed = typeof logql === 'string' ? parseLogql(logql) : logql;
    for (const stage of parsed.pipeline) {
      if (stage.kind === 'line' && stage.filter.op === '|=') out.push(stage.filter.value);
    }
  }
  return out.filter((s) => [...s].length >= MIN_NEEDLE_CHARS);
}

/**
 * Runs a log query over the spool, through the index when it can: the index (brought up to date
 * first) names the lines whose bodies contain every required substring, only those lines are read
 * back from their segments, in spool order, and the engine applies the whole query to them. Lines
 * without such a body cannot match, so the result — entries, order, `matched` — is the scan's.
 * No index, no usable substring, a compressed or replaced segment: the scan.
 */
export async function queryLogsIndexed(
  dir: string,
  compiled: CompiledLogQuery,
  options: { signal?: AbortSignal; onRecord?: (record: SpoolRecord) => void } = {},
): Promise<LogQueryResult> {
  const needles = requiredSubstrings(compiled);
  if (needles.length > 0) {
    const db = await openIndexForSearch(dir, 'logs');
    if (db !== undefined) {
      try {
        const newest = await newestPageOfGrep(db, dir, compiled);
        if (newest !== undefined) {
          const page = await queryLogs(
            compiled,
            readIndexedLines(dir, 'logs', newest.lines),
            options.onRecord,
          );
          return { entries: page.entries, matched: newest.matched };
        }
        const lines = await candidateLines(db, dir, needles);
        if (lines !== undefined) {
          return await queryLogs(compiled, readIndexedLines(dir, 'logs', lines), options.onRecord);
        }
      } catch (err) {
        if (!(err instanceof IndexedReadError)) throw err;
      } finally {
        db.close();
      }
    }
  }
  const read = readSpool(dir, {
    signals: ['logs'],
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return queryLogs(compiled, read, options.onRecord);
}

/**
 * A query that is only body substrings and a limit (`spool logs --grep T`, the dashboard's text
 * search), answered without reading every matching line: SQL counts the matches exactly (FTS5
 * narrows, instr() checks the very text the engine checks, bodyText) and finds the time of the
 * `limit`-th newest; only the lines holding matches at or after it are read back, and the engine
 * picks the page from them (ties by spool order, as it does over the whole spool). Undefined
 * (read every candidate line instead) for any other query, or when a match has no positive
 * record time: the engine then falls back to the observed time, or reads a time beyond int64,
 * which the index stores as NULL.
 */
async function newestPageOfGrep(
  db: DatabaseSync,
  dir: string,
  compiled: CompiledLogQuery,
): Promise<{ lines: SegmentLines[]; matched: number } | undefined> {
  const { grep, limit, ...rest } = compiled.query;
  if (limit === undefined || grep === undefined || grep.length === 0) return undefined;
  if (Object.values(rest).some((v) => v !== undefined)) return undefined;
  // Every needle usable by the trigrams, and text SQLite compares as JavaScript does (a lone
  // surrogate becomes U+FFFD on the way in).
  const wellFormed = (t: string): boolean => !LONE_SURROGATE.test(t) && !t.includes('\uFFFD');
  if (!grep.every((t) => [...t].length >= MIN_NEEDLE_CHARS && wellFormed(t))) return undefined;
  const matched = `${MATCHING_LOGS} ${grep.map(() => 'AND instr(l.body, ?) > 0').join(' ')}`;
  const params = [ftsPhrases(grep), ...grep];
  const head = db
    .prepare(
      `SELECT count(*) AS n, coalesce(sum(NOT (coalesce(l.time_ns, 0) > 0)), 0) AS untimed
       ${matched}`,
    )
    .get(...params) as { n: number; untimed: number };
  if (Number(head.untimed) > 0) return undefined;
  const total = Number(head.n);
  if (limit === 0 || total === 0) return { lines: [], matched: total };
  // The engine's time is whole microseconds: records in the same one tie, and go by spool order.
  const boundary = db
    .prepare(`SELECT l.time_ns / 1000 AS us ${matched} ORDER BY l.time_ns DESC LIMIT 1 OFFSET ?`)
    .get(...params, Math.min(limit, total) - 1) as { us: number | bigint };
  const rows = db
    .prepare(`${LINES_OF} ${matched} AND l.time_ns / 1000 >= ? ${BY_LINE}`)
    .iterate(...params, boundary.us) as IterableIterator<IndexedLineRow>;
  const lines = await linesInSpoolOrder(dir, 'logs', rows);
  return lines === undefined ? undefined : { lines, matched: total };
}

/** The lines whose bodies contain every needle, in the reader's order; undefined → scan. */
async function candidateLines(
  db: DatabaseSync,
  dir: string,
  needles: string[],
): Promise<SegmentLines[] | undefined> {
  const rows = db
    .prepare(`${LINES_OF} ${MATCHING_LOGS} ${BY_LINE}`)
    .iterate(ftsPhrases(needles)) as IterableIterator<IndexedLineRow>;
  return linesInSpoolOrder(dir, 'logs', rows);
}
