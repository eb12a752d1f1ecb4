import { isUtf8 } from 'node:buffer';
import { constants, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { Signal } from '../otlp/types.js';
import { parseOtlpJson } from './normalize/parse-otlp-json.js';
import { LineSplitter, type LineSink } from './line-splitter.js';
import { badLineFrom, type BadLine } from './quarantine.js';
import type { SpoolRecord } from './types.js';

/** Bytes read per system call from a plain segment: big reads, few syscalls, bounded memory. */
export const READ_CHUNK_BYTES = 1024 * 1024;

/**
 * Segments are opened read-only, never through a symlink (another local user may plant one in a
 * shared spool: O_NOFOLLOW fails with ELOOP), and without blocking on a FIFO planted under a
 * segment's name (O_NONBLOCK; a FIFO is then refused as not a regular file). Windows has neither
 * flag; there the listing's lstat is the guard.
 */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** How much of a segment one read takes. */
export interface ReadBounds {
  /**
   * Read no further than this many (file) bytes, e.g. the size the listing saw. A read never goes
   * past the size fstat reports when it opens the file either, so one read of a file that is
   * appended to forever ends.
   */
  maxBytes?: number;
  /**
   * Nothing will read this segment again (a one-shot read): a pending partial line longer than
   * the line limit is reported as a bad line now, since no later read completes it. A short
   * torn last line is still left alone: its writer may be completing it.
   */
  final: boolean;
}

/** What one chunk of a segment produced. */
export interface SegmentBatch {
  records: SpoolRecord[];
  bad: BadLine[];
}

/**
 * Reading state of one segment, kept across reads so that follow mode continues where it
 * stopped (including a pending torn line) and can switch from the plain file to its `.gz` when
 * the writer compresses it (positions are in decompressed bytes, the same in both).
 */
export class SegmentState {
  readonly splitter: LineSplitter;
  /** Identity of the plain file being read (to notice replacement or truncation). */
  ino = -1;
  /** The compressed copy has been read to its end. */
  compressedDone = false;
  /** A read error was reported for this size/mtime; not retried until the file changes. */
  failedAt: string | undefined;
  /**
   * An overlong line ran past the scan limit: the rest of this segment was quarantined unread
   * and is not read again (unless the file is replaced), so follow mode does not chase it.
   */
  abandoned = false;
  /**
   * Reading starts at a resume point not yet checked against the file (the byte before it must
   * be a '\n'); cleared by the first read, which falls back to the start when it is not.
   */
  resumeUnchecked = false;

  constructor(
    readonly signal: Signal,
    readonly segment: string,
    maxLineBytes: number,
    from: number,
    maxScanBytes?: number,
    /** Lines up to `from`, when the caller knows them (a ResumePoint): read from `from` on. */
    fromLine?: number,
  ) {
    this.splitter = new LineSplitter(maxLineBytes, from, maxScanBytes);
    if (fromLine !== undefined && from > 0) {
      this.splitter.startAt(from, fromLine);
      this.resumeUnchecked = true;
    }
  }

  /** Resumed at a point given by the caller and nothing read yet. */
  get resumedUnread(): boolean {
    return this.resumeUnchecked && this.ino === -1;
  }
}

const TOLERANT = { dropInvalidItems: true } as const;

/** Turns complete lines into records or bad lines (the per-line hot path). */
class BatchSink implements LineSink {
  records: SpoolRecord[] = [];
  bad: BadLine[] = [];

  constructor(
    private readonly signal: Signal,
    private readonly file: string,
    private readonly segment: string,
  ) {}

  line(
    buf: Buffer,
    start: number,
    end: number,
    line: number,
    position: number,
    utf8Checked: boolean,
  ): void {
    let stop = end;
    if (stop > start && buf[stop - 1] === 0x0d) stop--; // CRLF files
    let from = start;
    if (line === 1 && hasUtf8Bom(buf, start, stop)) from += 3; // files saved by editors
    if (stop === from) return; // blank line: nothing to read, nothing lost
    if (!utf8Checked && !isUtf8(buf.subarray(from, stop))) {
      this.bad.push(badLineFrom(buf.subarray(start, end), line, position, 'invalid UTF-8'));
      return;
    }
    // Item-level tolerance: a bad span/point/record is dropped alone (issue 11 item 13).
    const result = parseOtlpJson(this.signal, buf.toString('utf8', from, stop), TOLERANT);
    if (result.ok) {
      if (result.dropped) {
        // The rest of the line is delivered; the original line goes to quarantine with the count.
        this.bad.push(badLineFrom(buf.subarray(start, end), line, position, result.dropped.reason));
      }
      this.records.push({
        signal: this.signal,
        file: this.file,
        segment: this.segment,
        line,
        position,
        data: result.data,
      });
    } else {
      this.bad.push(badLineFrom(buf.subarray(start, end), line, position, result.reason));
    }
  }

  overlong(bad: BadLine): void {
    this.bad.push(bad);
  }

  take(): SegmentBatch {
    const batch = { records: this.records, bad: this.bad };
    this.records = [];
    this.bad = [];
    return batch;
  }
}

/**
 * Reads a plain segment from where `state` stopped to the current end of the file (or
 * `bounds.maxBytes`), one batch per chunk. `buffer` is the caller's reusable read buffer. Throws
 * on I/O errors (the caller reports them); stops between chunks when `signal` aborts.
 */
export async function* readPlainSegment(
  state: SegmentState,
  file: string,
  buffer: Buffer,
  signal: AbortSignal | undefined,
  bounds: ReadBounds = { final: false },
): AsyncGenerator<SegmentBatch> {
  const handle = await openSegment(file);
  try {
    const st = await regularFileStats(handle);
    if (state.ino !== -1 && (st.ino !== state.ino || st.size < state.splitter.consumed)) {
      // Replaced or truncated (not something our writer does, but a user or another tool may):
      // read the new content from its start, as `tail -F` does.
      throw new SegmentReplacedError();
    }
    if (state.resumeUnchecked) {
      state.resumeUnchecked = false;
      if (!(await endsLineAt(handle, state.splitter.consumed, st.size))) {
        // Not the file the resume point was taken from: number its lines from the start.
        state.splitter.startAt(0, 0);
      }
    }
    state.ino = st.ino;
    if (state.abandoned) return;
    const limit = Math.min(st.size, bounds.maxBytes ?? Number.POSITIVE_INFINITY);
    const sink = new BatchSink(state.signal, file, state.segment);
    let offset = state.splitter.consumed;
    while (offset < limit) {
      if (signal?.aborted) return;
      const want = Math.min(buffer.length, limit - offset);
      const { bytesRead } = await handle.read(buffer, 0, want, offset);
      if (bytesRead === 0) break; // truncated since the fstat
      offset += bytesRead;
      state.splitter.feed(buffer.subarray(0, bytesRead), sink);
      if (state.splitter.scanExceeded) {
        // No '\n' in the scan limit: do not read the rest (it may be a sparse 100 GB hole).
        // Its size is known without reading it, so the entry still says how much was skipped.
        const runBytes = limit - state.splitter.position;
        abandon(state, sink, state.splitter.takeOverlongTail('scan', runBytes));
        yield sink.take();
        return;
      }
      const batch = sink.take();
      if (batch.records.length > 0 || batch.bad.length > 0) yield batch;
    }
    if (bounds.final) {
      const tail = finalTail(state);
      if (tail) yield tail;
    }
  } finally {
    await handle.close();
  }
}

/**
 * Reads a gzip segment from its start, dropping the decompressed bytes `state` already consumed
 * from the plain copy. A truncated or corrupt gzip stream throws after the lines before the
 * damage were delivered. Only the compressed bytes present when the file was opened (and at most
 * `bounds.maxBytes`) are read.
 */
export async function* readCompressedSegment(
  state: SegmentState,
  file: string,
  signal: AbortSignal | undefined,
  bounds: ReadBounds = { final: false },
): AsyncGenerator<SegmentBatch> {
  if (state.abandoned) {
    state.compressedDone = true;
    return;
  }
  const handle = await openSegment(file);
  let source: Readable;
  try {
    const st = await regularFileStats(handle);
    const limit = Math.min(st.size, bounds.maxBytes ?? Number.POSITIVE_INFINITY);
    // An empty stream still reaches gunzip, which reports it as "unexpected end of file".
    source =
      limit > 0
        ? handle.createReadStream({ start: 0, end: limit - 1, highWaterMark: 256 * 1024 })
        : Readable.from([]);
  } catch (err) {
    await handle.close();
    throw err;
  }
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  source.on('error', (err) => gunzip.destroy(err));
  source.pipe(gunzip);
  state.splitter.skip = state.splitter.consumed;
  const sink = new BatchSink(state.signal, file, state.segment);
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      if (signal?.aborted) return;
      state.splitter.feed(chunk, sink);
      if (state.splitter.scanExceeded) {
        // A gzip bomb of one endless line: stop inflating it.
        abandon(state, sink, state.splitter.takeOverlongTail('scan'));
        state.compressedDone = true;
        yield sink.take();
        return;
      }
      const batch = sink.take();
      if (batch.records.length > 0 || batch.bad.length > 0) yield batch;
    }
    state.compressedDone = true;
    if (bounds.final) {
      const tail = finalTail(state);
      if (tail) yield tail;
    }
  } finally {
    state.splitter.skip = 0;
    source.destroy();
    gunzip.destroy();
    // The stream closes the handle itself once it is done or destroyed; closing it again here is
    // harmless (an already closed handle) but must not throw into the reader.
    await handle.close().catch(() => undefined);
  }
}

/** True when the byte before `position` is a '\n' (and the file is at least that long). */
async function endsLineAt(handle: FileHandle, position: number, size: number): Promise<boolean> {
  if (position > size) return false;
  const byte = Buffer.alloc(1);
  const { bytesRead } = await handle.read(byte, 0, 1, position - 1);
  return bytesRead === 1 && byte[0] === 0x0a;
}

async function openSegment(file: string): Promise<FileHandle> {
  return open(file, OPEN_FLAGS);
}

/** fstat of an open segment; anything but a regular file (directory, FIFO, device) is refused. */
async function regularFileStats(handle: FileHandle): Promise<Stats> {
  const st = await handle.stat();
  if (!st.isFile()) throw new NotRegularFileError(st);
  return st;
}

function abandon(state: SegmentState, sink: BatchSink, bad: BadLine | undefined): void {
  state.abandoned = true;
  if (bad) sink.overlong(bad);
}

/** A one-shot read ended inside an overlong line: report it now, once, as a bad line. */
function finalTail(state: SegmentState): SegmentBatch | undefined {
  if (!state.splitter.overlongPending) return undefined;
  const bad = state.splitter.takeOverlongTail('eof');
  return bad ? { records: [], bad: [bad] } : undefined;
}

function hasUtf8Bom(buf: Buffer, start: number, stop: number): boolean {
  return (
    stop - start >= 3 && buf[start] === 0xef && buf[start + 1] === 0xbb && buf[start + 2] === 0xbf
  );
}

/** The plain file at a segment's path is no longer the one the state was reading. */
export class SegmentReplacedError extends Error {
  constructor() {
    super('segment replaced or truncated');
    this.name = 'SegmentReplacedError';
  }
}

/** A segment name that is not a regular file (a directory, a FIFO, a device). */
export class NotRegularFileError extends Error {
  readonly code: string;
  constructor(st: Stats) {
    const what = st.isDirectory()
      ? 'a directory'
      : st.isFIFO()
        ? 'a FIFO'
        : st.isSocket()
          ? 'a socket'
          : 'a device or special file';
    super(`${what}, not a regular file`);
    this.name = 'NotRegularFileError';
    // EISDIR for a directory, as reading one reports it
    this.code = st.isDirectory() ? 'EISDIR' : 'ENOTREG';
  }
}
