import { isUtf8 } from 'node:buffer';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import {
  DEFAULT_MAX_LINE_BYTES,
  listSegments,
  parseOtlpJson,
  readSpool,
  type LogsData,
  type SpoolRecord,
} from '@otelspool/exporter-jsonl';
import { parseLogql } from '../logs/logql.js';
import { queryLogs, type CompiledLogQuery, type LogQueryResult } from '../logs/query.js';
import { openIndexForSearch } from './search-open.js';

/** The trigram tokenizer finds substrings of 3 characters or more; shorter ones need the scan. */
const MIN_NEEDLE_CHARS = 3;
/** First read when looking back from a line's end for its start; doubled until found. */
const FIRST_WINDOW = 16 * 1024;

/** A line the index pointed at could not be read back as the reader would: scan instead. */
class IndexedReadError extends Error {}

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
          return await queryLogs(compiled, readLines(dir, lines), options.onRecord);
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

interface SegmentFile {
  segment: string;
  file: string;
  identity: string;
  lines: Array<{ line: number; position: number }>;
}

/** Above this many matching lines a search scans instead (see candidateLines). */
const MAX_CANDIDATE_LINES = 100_000;

/** The candidate lines by segment, in the reader's segment order; undefined → scan. */
async function candidateLines(
  db: DatabaseSync,
  dir: string,
  needles: string[],
): Promise<SegmentFile[] | undefined> {
  const match = needles.map((n) => `"${n.replaceAll('"', '""')}"`).join(' AND ');
  const rows = db
    .prepare(
      `SELECT l.segment, l.line, max(l.position) AS position, s.file, s.identity, s.compressed
       FROM logs l JOIN segments s ON s.signal = 'logs' AND s.segment = l.segment AND s.gone = 0
       WHERE l.id IN (SELECT rowid FROM logs_fts WHERE logs_fts MATCH ?)
       GROUP BY l.segment, l.line ORDER BY l.segment, l.line`,
    )
    .iterate(match) as IterableIterator<{
    segment: string;
    line: number;
    position: number;
    file: string;
    identity: string;
    compressed: number;
  }>;
  const bySegment = new Map<string, SegmentFile>();
  let candidates = 0;
  for (const r of rows) {
    // Memory stays bounded whatever the needle: past this many candidate lines the index
    // narrows little, and the scan (which keeps only a page) is as fast.
    if (++candidates > MAX_CANDIDATE_LINES) return undefined;
    // Positions in a .gz are in decompressed bytes: no random access, so scan.
    if (r.compressed) return undefined;
    let entry = bySegment.get(r.segment);
    if (entry === undefined) {
      entry = { segment: r.segment, file: r.file, identity: r.identity, lines: [] };
      bySegment.set(r.segment, entry);
    }
    entry.lines.push({ line: Number(r.line), position: Number(r.position) });
  }
  const order = (await listSegments(dir, ['logs'])).map((s) => s.segment);
  const out: SegmentFile[] = [];
  for (const segment of order) {
    const entry = bySegment.get(segment);
    if (entry !== undefined) out.push(entry);
    bySegment.delete(segment);
  }
  // A segment the index knows but the listing does not: gone since the update, so scan.
  return bySegment.size === 0 ? out : undefined;
}

/** The candidate lines read back and parsed as the reader parses them. */
function* readLines(dir: string, segments: SegmentFile[]): Generator<SpoolRecord> {
  for (const seg of segments) {
    const path = join(dir, 'logs', seg.file);
    let fd: number;
    try {
      // O_NOFOLLOW: never read through a link planted in the spool.
      fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
    } catch {
      throw new IndexedReadError(`${path}: cannot open`);
    }
    try {
      const st = fstatSync(fd);
      if (!st.isFile() || `${st.dev}:${st.ino}` !== seg.identity) {
        throw new IndexedReadError(`${path}: not the file the index read`);
      }
      for (const { line, position } of seg.lines) {
        if (position > st.size) throw new IndexedReadError(`${path}: shorter than indexed`);
        const text = lineEndingAt(fd, position, line);
        const parsed = parseOtlpJson('logs', text, { dropInvalidItems: true });
        if (!parsed.ok) throw new IndexedReadError(`${path}:${line}: ${parsed.reason}`);
        yield {
          signal: 'logs',
          file: path,
          segment: seg.segment,
          line,
          position,
          data: parsed.data as LogsData,
        };
      }
    } finally {
      closeSync(fd);
    }
  }
}

/**
 * The text of the line that ends at `position` (just after its '\n', or the end of an
 * unterminated last line), as the segment reader delivers it: without CR, without a first line's
 * BOM, valid UTF-8.
 */
function lineEndingAt(fd: number, position: number, line: number): string {
  for (let window = FIRST_WINDOW; ; window *= 2) {
    // The reader accepts no line above DEFAULT_MAX_LINE_BYTES, so no indexed line is longer: a
    // longer look-back means the file is not what was indexed, and memory stays bounded.
    if (window > 2 * (DEFAULT_MAX_LINE_BYTES + 2)) {
      throw new IndexedReadError('line longer than any indexed');
    }
    const start = Math.max(0, position - window);
    const buf = Buffer.alloc(position - start);
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, start + got);
      if (n === 0) throw new IndexedReadError('segment ended early');
      got += n;
    }
    let end = buf.length;
    if (end > 0 && buf[end - 1] === 0x0a) end--;
    const newline = buf.lastIndexOf(0x0a, end - 1);
    if (newline < 0 && start > 0) continue; // the line starts before this window
    let from = newline + 1;
    if (end > from && buf[end - 1] === 0x0d) end--;
    if (line === 1 && buf[from] === 0xef && buf[from + 1] === 0xbb && buf[from + 2] === 0xbf) {
      from += 3;
    }
    const bytes = buf.subarray(from, end);
    if (!isUtf8(bytes)) throw new IndexedReadError('invalid UTF-8');
    return bytes.toString('utf8');
  }
}
