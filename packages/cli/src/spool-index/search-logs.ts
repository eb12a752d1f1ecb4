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

/** The lines whose bodies contain every needle, in the reader's order; undefined → scan. */
async function candidateLines(
  db: DatabaseSync,
  dir: string,
  needles: string[],
): Promise<SegmentLines[] | undefined> {
  const match = needles.map((n) => `"${n.replaceAll('"', '""')}"`).join(' AND ');
  const rows = db
    .prepare(
      `SELECT s.segment, l.line, max(l.position) AS position, s.file, s.identity, s.compressed
       FROM logs l JOIN segments s ON s.id = l.segment_id AND s.gone = 0
       WHERE l.id IN (SELECT rowid FROM logs_fts WHERE logs_fts MATCH ?)
       GROUP BY l.segment_id, l.line`,
    )
    .iterate(match) as IterableIterator<IndexedLineRow>;
  return linesInSpoolOrder(dir, 'logs', rows);
}
