import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import type { Signal } from '../otlp/types.js';
import { parseOtlpJson } from './normalize/parse-otlp-json.js';
import { LineSplitter, type LineSink } from './line-splitter.js';
import { badLineFrom, type BadLine } from './quarantine.js';
import type { SpoolRecord } from './types.js';

/** Bytes read per system call from a plain segment: big reads, few syscalls, bounded memory. */
export const READ_CHUNK_BYTES = 1024 * 1024;

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

  constructor(
    readonly signal: Signal,
    readonly segment: string,
    maxLineBytes: number,
    from: number,
  ) {
    this.splitter = new LineSplitter(maxLineBytes, from);
  }
}

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
    const result = parseOtlpJson(this.signal, buf.toString('utf8', from, stop));
    if (result.ok) {
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
 * Reads a plain segment from where `state` stopped to the current end of the file, one batch
 * per chunk. `buffer` is the caller's reusable read buffer. Throws on I/O errors (the caller
 * reports them); stops between chunks when `signal` aborts.
 */
export async function* readPlainSegment(
  state: SegmentState,
  file: string,
  buffer: Buffer,
  signal: AbortSignal | undefined,
): AsyncGenerator<SegmentBatch> {
  const handle = await open(file, 'r');
  try {
    const st = await handle.stat();
    if (state.ino !== -1 && (st.ino !== state.ino || st.size < state.splitter.consumed)) {
      // Replaced or truncated (not something our writer does, but a user or another tool may):
      // read the new content from its start, as `tail -F` does.
      throw new SegmentReplacedError();
    }
    state.ino = st.ino;
    const sink = new BatchSink(state.signal, file, state.segment);
    let offset = state.splitter.consumed;
    for (;;) {
      if (signal?.aborted) return;
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
      if (bytesRead === 0) return;
      offset += bytesRead;
      state.splitter.feed(buffer.subarray(0, bytesRead), sink);
      const batch = sink.take();
      if (batch.records.length > 0 || batch.bad.length > 0) yield batch;
    }
  } finally {
    await handle.close();
  }
}

/**
 * Reads a gzip segment from its start, dropping the decompressed bytes `state` already consumed
 * from the plain copy. A truncated or corrupt gzip stream throws after the lines before the
 * damage were delivered.
 */
export async function* readCompressedSegment(
  state: SegmentState,
  file: string,
  signal: AbortSignal | undefined,
): AsyncGenerator<SegmentBatch> {
  const source = createReadStream(file, { highWaterMark: 256 * 1024 });
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  source.on('error', (err) => gunzip.destroy(err));
  source.pipe(gunzip);
  state.splitter.skip = state.splitter.consumed;
  const sink = new BatchSink(state.signal, file, state.segment);
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      if (signal?.aborted) return;
      state.splitter.feed(chunk, sink);
      const batch = sink.take();
      if (batch.records.length > 0 || batch.bad.length > 0) yield batch;
    }
    state.compressedDone = true;
  } finally {
    state.splitter.skip = 0;
    source.destroy();
    gunzip.destroy();
  }
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
