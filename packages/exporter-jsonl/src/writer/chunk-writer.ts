import { ftruncateSync, writeSync, writevSync } from 'node:fs';
import type { Signal } from '../otlp/types.js';
import { MAX_WRITE_BYTES, type Entry } from './append-queue.js';
import type { ByteCap } from './byte-cap.js';
import type { DropReason } from './options.js';
import type { Segment, SegmentFiles } from './segment-files.js';
import type { WriterStats } from './writer-stats.js';

/**
 * Lines of a write up to this size are copied into one reused buffer with their newlines and
 * written with one write(2); a larger write goes out as writev(2) of the lines' own buffers.
 */
const SCRATCH_BYTES = 1024 * 1024;
/** writev(2) takes at most IOV_MAX (1024 on Linux) buffers; two per line. */
const MAX_WRITEV_LINES = 512;
const NEWLINE = Buffer.from('\n');
const EMPTY = Buffer.alloc(0);
const LF = 10;

/**
 * Writes chunks of queued lines into the segments: whole lines only, each signal's lines in
 * order, rotating when a segment is full, within the byte cap (lines that do not fit are
 * dropped as spool_full), and cutting a torn line back after a failed write.
 */
export class ChunkWriter {
  private scratch: Buffer | undefined;

  constructor(
    private readonly maxSegmentBytes: number,
    private readonly segments: SegmentFiles,
    private readonly cap: ByteCap,
    private readonly stats: WriterStats,
  ) {}

  /** Writes a chunk, keeping each signal's lines in order; marks each entry ok or drops it. */
  write(chunk: Entry[], touched: Set<Segment>): void {
    let first: Signal | undefined;
    let mixed = false;
    for (const e of chunk) {
      if (first === undefined) first = e.signal;
      else if (e.signal !== first) mixed = true;
    }
    if (!mixed) {
      if (first !== undefined) this.writeSignal(first, chunk, touched);
      return;
    }
    const bySignal = new Map<Signal, Entry[]>();
    for (const e of chunk) {
      let list = bySignal.get(e.signal);
      if (!list) bySignal.set(e.signal, (list = []));
      list.push(e);
    }
    for (const [signal, list] of bySignal) this.writeSignal(signal, list, touched);
  }

  private writeSignal(signal: Signal, list: Entry[], touched: Set<Segment>): void {
    const segments = this.segments;
    let i = 0;
    // After the spool cap refused a group of lines, lines are tried one by one so that each
    // line that still fits is written and only the others are dropped.
    let oneByOne = false;
    while (i < list.length) {
      const seg = segments.segmentFor(signal);
      if (!seg) {
        this.dropEntries(
          list,
          i,
          list.length,
          segments.unsafeSignals.has(signal) ? 'unsafe_dir' : 'io_error',
        );
        return;
      }
      const room = this.maxSegmentBytes - seg.bytes;
      let j = i;
      let bytes = 0;
      let records = 0;
      while (j < list.length) {
        const e = list[j] as Entry;
        if (j > i && (oneByOne || bytes + e.bytes > room || bytes + e.bytes > MAX_WRITE_BYTES)) {
          break;
        }
        bytes += e.bytes;
        records += e.records;
        j += 1;
      }
      if (bytes > room && seg.bytes > 0) {
        // Does not fit: seal this segment and put the line(s) at the start of a new one.
        segments.seal(seg);
        continue;
      }
      if (!this.cap.reserve(bytes, segments.active, segments.writerId)) {
        if (j - i > 1) {
          oneByOne = true;
          continue;
        }
        this.dropEntries(list, i, j, 'spool_full');
        i = j;
        continue;
      }
      try {
        const n = this.writeLines(seg.fd, list, i, j, bytes);
        if (n !== bytes) {
          const short = new Error(`short write: ${n} of ${bytes} bytes`) as NodeJS.ErrnoException;
          short.code = 'ESHORTWRITE';
          throw short;
        }
      } catch (err) {
        this.onWriteError(seg, err);
        this.dropEntries(list, i, j, 'io_error');
        i = j;
        continue;
      }
      seg.bytes += bytes;
      seg.records += records;
      seg.dirty = true;
      touched.add(seg);
      this.cap.usage.bytes += bytes;
      const written = this.stats.written;
      written.records += records;
      written.lines += j - i;
      written.bytes += bytes;
      let largest = this.stats.largestLine.get(signal) ?? 0;
      for (let k = i; k < j; k++) {
        const e = list[k] as Entry;
        if (e.bytes > largest) largest = e.bytes;
        e.ok = true;
        e.data = EMPTY; // written: let the bytes go before the (batch-mode) fsync completes
      }
      this.stats.largestLine.set(signal, largest);
      i = j;
    }
  }

  /** One write(2) of list[from..to) as lines; returns the bytes written. */
  private writeLines(fd: number, list: Entry[], from: number, to: number, bytes: number): number {
    if (bytes > SCRATCH_BYTES) {
      let written = 0;
      for (let k = from; k < to; k += MAX_WRITEV_LINES) {
        const buffers: Buffer[] = [];
        let want = 0;
        for (let m = k; m < Math.min(to, k + MAX_WRITEV_LINES); m++) {
          const e = list[m] as Entry;
          buffers.push(e.data, NEWLINE);
          want += e.bytes;
        }
        const n = writevSync(fd, buffers);
        written += n;
        if (n !== want) break;
      }
      return written;
    }
    const scratch = (this.scratch ??= Buffer.allocUnsafe(SCRATCH_BYTES));
    let offset = 0;
    for (let k = from; k < to; k++) {
      const data = (list[k] as Entry).data;
      offset += data.copy(scratch, offset);
      scratch[offset++] = LF;
    }
    return writeSync(fd, scratch, 0, offset);
  }

  private dropEntries(list: Entry[], from: number, to: number, reason: DropReason): void {
    for (let k = from; k < to; k++) {
      const e = list[k] as Entry;
      e.ok = false;
      this.stats.drop(reason, e.records, 1, e.bytes);
    }
  }

  /**
   * A failed or short write may have left part of a line in the file: cut the file back to
   * its last whole line so readers never see a torn line in the middle of a segment, then
   * seal the segment and back off before opening the next one.
   */
  private onWriteError(seg: Segment, err: unknown): void {
    this.stats.countError(err);
    try {
      ftruncateSync(seg.fd, seg.bytes);
    } catch {
      // the file may be gone or read-only; readers skip a torn last line anyway
    }
    this.segments.seal(seg);
    this.segments.bumpBackoff(seg.signal);
  }
}
