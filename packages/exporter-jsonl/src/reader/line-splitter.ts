import { createHash, type Hash } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import { QUARANTINE_RAW_LIMIT, type BadLine } from './quarantine.js';

const NEWLINE = 0x0a;

/** Receives the complete lines of a stream, in order. */
export interface LineSink {
  /**
   * A complete line: bytes [start, end) of `buf` (without the '\n'). `buf` is only valid during
   * the call (the reader reuses its chunk buffer). `utf8Checked` is true when the bytes are
   * already known to be valid UTF-8.
   */
  line(
    buf: Buffer,
    start: number,
    end: number,
    line: number,
    position: number,
    utf8Checked: boolean,
  ): void;
  /** A line longer than the limit, streamed: never held whole in memory. */
  overlong(bad: BadLine): void;
}

interface OverlongLine {
  hash: Hash;
  prefix: Buffer[];
  prefixBytes: number;
  bytes: number;
}

/**
 * Splits a byte stream (fed in chunks of any size) into lines, tracking 1-based line numbers
 * and the byte position after each line's '\n'. The bytes after the last '\n' are kept as the
 * pending (possibly torn) line until more bytes arrive, so one splitter can follow a growing
 * file. A line that grows beyond `maxLineBytes` switches to streaming: only a bounded prefix,
 * its length and a running sha256 are kept until its '\n', then it is reported via `overlong`.
 * Lines ending at or before `from` are counted but not reported (resume from a cursor).
 *
 * An overlong line is followed to its '\n' only up to `maxScanBytes`: {@link scanExceeded} then
 * tells the reader to stop, and {@link takeOverlongTail} turns the unterminated run into one bad
 * line (also used for an overlong torn tail at the end of a one-shot read).
 */
export class LineSplitter {
  /** Position just after the last complete line (= where the pending partial line starts). */
  position = 0;
  /** Number of complete lines seen. */
  lineNo = 0;
  /** Bytes to drop from the start of the next input: they were consumed from another copy. */
  skip = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private long: OverlongLine | undefined;

  constructor(
    private readonly maxLineBytes: number,
    private readonly from: number,
    private readonly maxScanBytes = Number.POSITIVE_INFINITY,
  ) {}

  /**
   * Continues a stream read elsewhere up to `position` (just after a '\n'), `line` lines in:
   * the next byte fed is the one at `position`. Only before anything was fed.
   */
  startAt(position: number, line: number): void {
    this.position = position;
    this.lineNo = line;
  }

  /** Every byte fed so far, complete lines plus the pending partial line. */
  get consumed(): number {
    return this.position + (this.long ? this.long.bytes : this.pendingBytes);
  }

  /** True when bytes after the last '\n' are waiting (a torn or still-being-written line). */
  get hasPartial(): boolean {
    return this.long !== undefined || this.pendingBytes > 0;
  }

  /** The pending partial line is already longer than the line limit. */
  get overlongPending(): boolean {
    return this.long !== undefined;
  }

  /** The pending overlong line has run past `maxScanBytes` without a '\n': stop reading. */
  get scanExceeded(): boolean {
    return this.long !== undefined && this.long.bytes >= this.maxScanBytes;
  }

  /**
   * Ends the pending overlong line without its '\n' and returns it as a bad line (undefined when
   * there is none, or when it lies before the resume position). `why` says where the read
   * stopped: at the end of what a one-shot read reads (`eof`), or past `maxScanBytes` (`scan`),
   * when the rest of the segment is not read at all. `runBytes` is the length of the whole
   * unterminated run when the caller knows it (from the file's size); the stored prefix and
   * sha256 cover only what was fed.
   */
  takeOverlongTail(why: 'eof' | 'scan', runBytes = 0): BadLine | undefined {
    const long = this.long;
    if (!long) return undefined;
    this.long = undefined;
    this.lineNo++;
    const start = this.position;
    const bytes = Math.max(runBytes, long.bytes);
    const end = start + bytes;
    this.position = end;
    if (end <= this.from) return undefined;
    let reason: string;
    if (why === 'eof') {
      reason =
        `unterminated line of ${bytes} bytes at the end of the segment is longer than the ` +
        `${this.maxLineBytes}-byte limit`;
    } else {
      const rest =
        bytes > long.bytes ? `(${bytes} bytes from offset ${start}) ` : `from offset ${start} `;
      reason =
        `line longer than the ${this.maxLineBytes}-byte limit has no newline in its first ` +
        `${long.bytes} bytes: the rest of the segment ${rest}is not read ` +
        `(sha256 covers the first ${long.bytes} bytes)`;
    }
    return {
      line: this.lineNo,
      position: end,
      reason,
      prefix: Buffer.concat(long.prefix, long.prefixBytes),
      bytes,
      sha256: long.hash.digest('hex'),
    };
  }

  feed(chunk: Buffer, sink: LineSink): void {
    let start = 0;
    if (this.skip > 0) {
      start = Math.min(this.skip, chunk.length);
      this.skip -= start;
      if (start === chunk.length) return;
    }
    let nl = chunk.indexOf(NEWLINE, start);
    if (this.hasPartial) {
      if (nl === -1) {
        this.appendPartial(chunk, start, chunk.length);
        return;
      }
      this.appendPartial(chunk, start, nl);
      this.finishPartial(sink);
      start = nl + 1;
      nl = chunk.indexOf(NEWLINE, start);
    }
    if (nl !== -1) {
      // One UTF-8 validation for every complete line in the chunk (simdutf, GB/s); lines are
      // re-checked one by one only when the chunk as a whole is not valid.
      const last = chunk.lastIndexOf(NEWLINE);
      const utf8Checked = isUtf8(chunk.subarray(start, last));
      const max = this.maxLineBytes;
      const from = this.from;
      let position = this.position;
      let lineNo = this.lineNo;
      while (nl !== -1) {
        const end = position + (nl - start) + 1;
        lineNo++;
        if (end > from) {
          if (nl - start > max) {
            this.position = position;
            this.lineNo = lineNo - 1;
            this.appendPartial(chunk, start, nl);
            this.finishPartial(sink);
          } else {
            sink.line(chunk, start, nl, lineNo, end, utf8Checked);
          }
        }
        position = end;
        start = nl + 1;
        nl = chunk.indexOf(NEWLINE, start);
      }
      this.position = position;
      this.lineNo = lineNo;
    }
    if (start < chunk.length) this.appendPartial(chunk, start, chunk.length);
  }

  private appendPartial(chunk: Buffer, start: number, end: number): void {
    if (end <= start) return;
    const long = this.long;
    if (long) {
      this.feedLong(long, chunk.subarray(start, end));
      return;
    }
    if (this.pendingBytes + (end - start) > this.maxLineBytes) {
      const started: OverlongLine = {
        hash: createHash('sha256'),
        prefix: [],
        prefixBytes: 0,
        bytes: 0,
      };
      for (const piece of this.pending) this.feedLong(started, piece);
      this.pending = [];
      this.pendingBytes = 0;
      this.long = started;
      this.feedLong(started, chunk.subarray(start, end));
      return;
    }
    // A copy: the chunk buffer is reused for the next read.
    this.pending.push(Buffer.from(chunk.subarray(start, end)));
    this.pendingBytes += end - start;
  }

  private feedLong(long: OverlongLine, bytes: Buffer): void {
    long.hash.update(bytes);
    long.bytes += bytes.length;
    const room = QUARANTINE_RAW_LIMIT - long.prefixBytes;
    if (room > 0) {
      const kept = Buffer.from(bytes.subarray(0, Math.min(room, bytes.length)));
      long.prefix.push(kept);
      long.prefixBytes += kept.length;
    }
  }

  private finishPartial(sink: LineSink): void {
    this.lineNo++;
    const long = this.long;
    if (long) {
      this.long = undefined;
      const end = this.position + long.bytes + 1;
      this.position = end;
      if (end > this.from) {
        sink.overlong({
          line: this.lineNo,
          position: end,
          reason: `line of ${long.bytes} bytes is longer than the ${this.maxLineBytes}-byte limit`,
          prefix: Buffer.concat(long.prefix, long.prefixBytes),
          bytes: long.bytes,
          sha256: long.hash.digest('hex'),
        });
      }
      return;
    }
    const buf =
      this.pending.length === 1
        ? (this.pending[0] as Buffer)
        : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    const end = this.position + buf.length + 1;
    this.position = end;
    if (end > this.from) sink.line(buf, 0, buf.length, this.lineNo, end, false);
  }
}
