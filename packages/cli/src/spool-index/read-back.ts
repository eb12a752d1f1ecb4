import { isUtf8 } from 'node:buffer';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_MAX_LINE_BYTES,
  listSegments,
  parseOtlpJson,
  type Signal,
  type SpoolRecord,
} from '@otelspool/exporter-jsonl';

// Reading back the lines an index query found: the index says where (segment, line, the byte
// offset just after the line), the segment file says what. Every view that answers from the
// index this way (log search, trace detail, incident) then runs the scan's own code over those
// records, so its result is the scan's by construction; the index only narrows which lines.

/** First read when looking back from a line's end for its start; doubled until found. */
const FIRST_WINDOW = 16 * 1024;
/** Above this many lines a view scans instead: the index narrows little, the scan is as fast. */
export const MAX_READ_BACK_LINES = 100_000;

/** A line the index pointed at could not be read back as the reader would: scan instead. */
export class IndexedReadError extends Error {}

/** One indexed line, as an index query returns it (joined with its segment's bookkeeping). */
export interface IndexedLineRow {
  segment: string;
  line: number | bigint;
  position: number | bigint;
  file: string;
  identity: string;
  compressed: number | bigint;
}

/** The lines to read back from one segment, in line order. */
export interface SegmentLines {
  segment: string;
  file: string;
  identity: string;
  lines: Array<{ line: number; position: number }>;
}

/**
 * The rows' lines grouped by segment in the reader's order (segments as listSegments lists them,
 * lines ascending, each line once), or undefined when reading back cannot give the scan's
 * answer: more than MAX_READ_BACK_LINES lines, a compressed segment (positions in a .gz are
 * decompressed bytes: no random access), or a segment the index knows that is no longer listed.
 */
export async function linesInSpoolOrder(
  dir: string,
  signal: Signal,
  rows: Iterable<IndexedLineRow>,
): Promise<SegmentLines[] | undefined> {
  // By position, not line number: a position is a line's identity in its file.
  const bySegment = new Map<string, SegmentLines & { seen: Set<number> }>();
  let count = 0;
  for (const r of rows) {
    if (Number(r.compressed) !== 0) return undefined;
    let entry = bySegment.get(r.segment);
    if (entry === undefined) {
      entry = {
        segment: r.segment,
        file: r.file,
        identity: r.identity,
        lines: [],
        seen: new Set(),
      };
      bySegment.set(r.segment, entry);
    }
    const position = Number(r.position);
    if (entry.seen.has(position)) continue;
    if (++count > MAX_READ_BACK_LINES) return undefined;
    entry.seen.add(position);
    entry.lines.push({ line: Number(r.line), position });
  }
  const out: SegmentLines[] = [];
  for (const { segment } of await listSegments(dir, [signal])) {
    const entry = bySegment.get(segment);
    if (entry === undefined) continue;
    bySegment.delete(segment);
    entry.lines.sort((a, b) => a.position - b.position);
    out.push({
      segment: entry.segment,
      file: entry.file,
      identity: entry.identity,
      lines: entry.lines,
    });
  }
  // A segment the index knows but the listing does not: gone since the update, so scan.
  return bySegment.size === 0 ? out : undefined;
}

/**
 * The lines read back and parsed as the reader parses them, in the given order. Throws
 * IndexedReadError when a file is not the one indexed (another inode, shorter, a line that does
 * not parse): the caller then scans.
 */
export function* readIndexedLines(
  dir: string,
  signal: Signal,
  segments: readonly SegmentLines[],
): Generator<SpoolRecord> {
  for (const seg of segments) {
    const path = join(dir, signal, seg.file);
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
        const parsed = parseOtlpJson(signal, text, { dropInvalidItems: true });
        if (!parsed.ok) throw new IndexedReadError(`${path}:${line}: ${parsed.reason}`);
        yield { signal, file: path, segment: seg.segment, line, position, data: parsed.data };
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
