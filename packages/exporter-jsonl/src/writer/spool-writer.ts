import {
  close,
  fdatasync,
  fdatasyncSync,
  fstatSync,
  ftruncateSync,
  unlink,
  writeSync,
  writevSync,
} from 'node:fs';

// "fsync" below is fdatasync(2): it makes the appended data and the metadata needed to read it
// back (the file size) durable, and skips the timestamp update a full fsync would also force.
const fsync = fdatasync;
const fsyncSync = fdatasyncSync;
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSegment } from './compress.js';
import { ensureOwnerDir, errorCode, openExclusiveAppend } from './fs-ops.js';
import { warnUnsafePathOnce } from '../fs/safe-dir.js';
import { DEFAULT_WRITER_OPTIONS } from './options.js';
import type { Counts, DropReason, Durability, SpoolStats, SpoolWriterOptions } from './options.js';
import { newWriterId, segmentFileName } from './segment-name.js';
import type { Signal } from './signal.js';
import { evictOldest, scanSegments } from './spool-usage.js';

/** Largest single write(2) of several lines: amortises the syscall, stays ~0.1 ms. */
const MAX_WRITE_BYTES = 256 * 1024;
/**
 * Lines of a write up to this size are copied into one reused buffer with their newlines and
 * written with one write(2); a larger write goes out as writev(2) of the lines' own buffers.
 */
const SCRATCH_BYTES = 1024 * 1024;
/** writev(2) takes at most IOV_MAX (1024 on Linux) buffers; two per line. */
const MAX_WRITEV_LINES = 512;
/** Queued bytes that make `append` write right away, in the caller's turn. */
const INLINE_DRAIN_BYTES = 4 * 1024 * 1024;
const NEWLINE = Buffer.from('\n');
const EMPTY = Buffer.alloc(0);
const LF = 10;
const CR = 13;
/**
 * Under 'batch', passes written back to back share one fsync (started when the queue is
 * drained or this many bytes wait for it): each fdatasync costs the same CPU and journal
 * commit whether it covers 64 KiB or 1 MiB, so fewer, larger ones keep 'batch' close to 'none'.
 */
const GROUP_SYNC_BYTES = 1024 * 1024;
/**
 * ... and a new group fsync starts at most this long after the previous one started, unless
 * GROUP_SYNC_BYTES are waiting: back-to-back fsyncs (one per pass) cost ~15% of throughput in
 * kernel CPU, a few milliseconds of extra acknowledgement latency cost nothing.
 */
const GROUP_SYNC_WINDOW_MS = 4;
/** The spool size estimate is refreshed from disk at least this often while writing. */
const USAGE_RESCAN_MS = 5000;
const BACKOFF_MIN_MS = 100;
const BACKOFF_MAX_MS = 30_000;
const OPEN_ATTEMPTS = 5;
const FLUSH_SYNC_DEFAULT_MS = 2000;
interface Entry {
  signal: Signal;
  /**
   * The line as UTF-8, without its newline. Encoded at append time, once: the encoder's rope
   * of string pieces is flattened and converted while young, a newline check is a memchr, and
   * the write is a copy of bytes.
   */
  data: Buffer;
  /** UTF-8 bytes including the trailing newline. */
  bytes: number;
  records: number;
  seq: number;
  ok: boolean;
  done: ((ok: boolean) => void) | undefined;
}

interface Segment {
  signal: Signal;
  fd: number;
  path: string;
  bytes: number;
  records: number;
  openedAt: number;
  dirty: boolean;
  sealed: boolean;
  closing: boolean;
  pendingSyncs: number;
}

interface Waiter {
  target: number;
  resolve: () => void;
}

const zeroCounts = (): Counts => ({ records: 0, lines: 0, bytes: 0 });

/**
 * Appends OTLP-JSON lines to this process's segment files of a spool directory.
 *
 * - The hot path (`append`) only queues the line; a drain pass on the next turn of the event
 *   loop writes everything queued, whole lines, many per write(2) (at most MAX_WRITE_BYTES
 *   each), never one line across two writes. A pass has no time budget: the lines arrive in
 *   increments proportional to what the app produced in its last turn, and a writer that
 *   stopped early would let a burst outrun it until its bounded queue dropped lines.
 * - Writes are synchronous on purpose: page-cache writes take microseconds, they keep the
 *   order of lines simple, and `flushSync()` (the crash path) can write whatever is queued
 *   without racing an in-flight asynchronous write. fsync, the slow part, always runs on the
 *   libuv pool (except in `flushSync`); under 'batch' one group fsync at a time covers every
 *   pass written since the previous one, and each line is acknowledged after it.
 * - Every failure (full queue, spool cap, ENOSPC/EACCES/EROFS/ENOENT/EISDIR...) drops the
 *   affected lines, counts them by reason, and never throws; opening is retried with backoff
 *   so writing resumes by itself when the file system allows it again.
 */
export class SpoolWriter {
  readonly dir: string;
  readonly durability: Durability;
  private readonly fsyncIntervalMs: number;
  private readonly maxSegmentBytes: number;
  private readonly maxSegmentAgeMs: number;
  private readonly maxSpoolBytes: number;
  private readonly maxQueueBytes: number;
  private readonly compressSealed: boolean;
  private readonly writerId = newWriterId();
  private nextSeq = 0;

  private queue: Entry[] = [];
  private head = 0;
  private queuedBytes = 0;
  private enqueued = 0;
  private completed = 0;
  private waiters: Waiter[] = [];
  private drainScheduled = false;
  private draining = false;
  /**
   * 'batch' passes written and not yet covered by an fsync, oldest first. One fsync per
   * segment runs at a time (group commit): passes written meanwhile wait for the next one, so
   * writing never stalls on the disk and a slow fsync covers more lines instead of queueing
   * more fsyncs.
   */
  private unsynced: { processed: Entry[]; touched: Set<Segment> }[] = [];
  private groupSyncRunning = false;
  private unsyncedBytes = 0;
  private lastGroupSyncAt = Number.NEGATIVE_INFINITY;
  private groupSyncTimer: NodeJS.Timeout | undefined;
  private currentTouched: Set<Segment> | undefined;

  private readonly active = new Map<Signal, Segment>();
  private readonly open = new Set<Segment>();
  private readonly backoff = new Map<Signal, { until: number; delay: number }>();
  private readonly background = new Set<Promise<unknown>>();
  private readonly sealedRecords = new Map<string, number>();
  private usage = { bytes: 0, segments: 0, scannedAt: Number.NEGATIVE_INFINITY };
  private intervalTimer: NodeJS.Timeout | undefined;
  private shutDown = false;
  private shutdownPromise: Promise<void> | undefined;
  private scratch: Buffer | undefined;

  private readonly written = zeroCounts();
  private readonly droppedDetail: Record<DropReason, Counts> = {
    queue_full: zeroCounts(),
    spool_full: zeroCounts(),
    io_error: zeroCounts(),
    unsafe_dir: zeroCounts(),
    shutdown: zeroCounts(),
  };
  /** Signals whose directory was last refused as unsafe (their drops count as unsafe_dir). */
  private readonly unsafeSignals = new Set<Signal>();
  private readonly evicted = { segments: 0, bytes: 0, records: 0, shipped: 0, shippedRecords: 0 };
  /** Largest line written so far, by signal (sizes the room made before a final write). */
  private readonly largestLine = new Map<Signal, number>();
  private readonly errors: Record<string, number> = {};

  constructor(options: SpoolWriterOptions) {
    const o = { ...DEFAULT_WRITER_OPTIONS, ...stripUndefined(options) };
    this.dir = options.dir;
    this.durability = o.durability;
    this.fsyncIntervalMs = Math.max(1, o.fsyncIntervalMs);
    this.maxSegmentBytes = Math.max(1, o.maxSegmentBytes);
    this.maxSegmentAgeMs = Math.max(0, o.maxSegmentAgeMs);
    this.maxSpoolBytes = Math.max(0, o.maxSpoolBytes);
    this.maxQueueBytes = Math.max(0, o.maxQueueBytes);
    this.compressSealed = o.compressSealed;
    if (this.durability === 'interval') {
      this.intervalTimer = setInterval(() => this.syncDirtySegments(), this.fsyncIntervalMs);
      this.intervalTimer.unref();
    }
  }

  /**
   * Queues one line (without its newline) holding `records` records. Returns false when the
   * line was dropped (queue full or writer shut down); the drop is counted.
   */
  append(signal: Signal, line: string, records: number): boolean {
    return this.enqueue(signal, line, records, undefined);
  }

  /**
   * Like `append`, and resolves once the line is written (and fsynced under 'batch'):
   * true when it is on disk, false when it was dropped.
   */
  write(signal: Signal, line: string, records: number): Promise<boolean> {
    return new Promise((resolve) => {
      this.enqueue(signal, line, records, resolve);
    });
  }

  /** Resolves when everything appended so far is written (and fsynced under 'batch') or dropped. */
  flush(): Promise<void> {
    if (this.completed === this.enqueued) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push({ target: this.enqueued, resolve });
      this.scheduleDrain();
    });
  }

  /**
   * Crash path: writes the queue synchronously (bounded by `timeoutMs`, default 2 s) and,
   * unless durability is 'none', fsyncs every open segment before returning.
   */
  flushSync(options: { timeoutMs?: number } = {}): void {
    const deadline = Date.now() + (options.timeoutMs ?? FLUSH_SYNC_DEFAULT_MS);
    const processed: Entry[] = [];
    const touched = new Set<Segment>();
    this.currentTouched = touched;
    this.draining = true;
    try {
      while (this.head < this.queue.length && Date.now() < deadline) {
        const chunk = this.takeChunk();
        this.writeEntries(chunk, touched);
        for (const e of chunk) processed.push(e);
      }
      if (this.durability !== 'none') {
        for (const seg of this.open) {
          if (seg.closing) continue;
          try {
            fsyncSync(seg.fd);
            seg.dirty = false;
          } catch (err) {
            this.countError(err);
          }
        }
      }
    } catch (err) {
      this.countError(err);
    } finally {
      this.currentTouched = undefined;
      this.draining = false;
    }
    this.compactQueue();
    for (const seg of touched) this.closeIfSealed(seg);
    this.complete(processed);
  }

  /** Writes what is queued, closes the segments and waits for background compression. */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= this.close();
    return this.shutdownPromise;
  }

  private async close(): Promise<void> {
    // From here on appends are refused (counted as 'shutdown'); what was queued is written.
    this.shutDown = true;
    await this.flush();
    if (this.intervalTimer) clearInterval(this.intervalTimer);
    this.intervalTimer = undefined;
    for (const seg of [...this.active.values()]) this.seal(seg);
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
  }

  /**
   * Evicts now (counted like any eviction) so that the next `bytes` (default: twice the largest
   * `signal` line written so far) fit under the byte cap without evicting. A process calls it
   * right before its final self-metrics are collected, so that the last export, which cannot
   * count itself, does not evict records after their count was taken.
   */
  makeRoom(signal: Signal, bytes?: number): void {
    const wanted = bytes ?? 2 * (this.largestLine.get(signal) ?? 0);
    if (wanted <= 0 || this.maxSpoolBytes <= 0) return;
    try {
      // Never beyond the cap itself: evicting everything cannot make room for more than that.
      this.usage.scannedAt = Number.NEGATIVE_INFINITY;
      this.reserveSpoolBytes(Math.min(wanted, this.maxSpoolBytes));
    } catch (err) {
      this.countError(err);
    }
  }

  stats(): SpoolStats {
    const dropped = {} as Record<DropReason, number>;
    const droppedDetail = {} as Record<DropReason, Counts>;
    for (const [reason, c] of Object.entries(this.droppedDetail) as [DropReason, Counts][]) {
      dropped[reason] = c.records;
      droppedDetail[reason] = { ...c };
    }
    const activeSegments: Partial<Record<Signal, string>> = {};
    for (const [signal, seg] of this.active) activeSegments[signal] = seg.path;
    return {
      written: { ...this.written },
      dropped,
      droppedDetail,
      evicted: { ...this.evicted },
      bytesOnDisk: Math.max(0, this.usage.bytes),
      segments: Math.max(0, this.usage.segments),
      queuedBytes: this.queuedBytes,
      queuedLines: this.queue.length - this.head,
      errors: { ...this.errors },
      activeSegments,
    };
  }

  // --- queue -------------------------------------------------------------------------------

  private enqueue(
    signal: Signal,
    line: string,
    records: number,
    done: ((ok: boolean) => void) | undefined,
  ): boolean {
    if (line.length === 0) {
      done?.(true);
      return true;
    }
    let data = Buffer.from(line, 'utf8');
    // A raw CR/LF can only be insignificant whitespace in valid JSON (inside strings they must
    // be escaped), so replacing them keeps the JSON equal and the line one line.
    if (data.indexOf(LF) !== -1 || data.indexOf(CR) !== -1) {
      data = Buffer.from(line.replace(/[\r\n]/g, ' '), 'utf8');
    }
    const bytes = data.length + 1;
    if (this.shutDown) {
      this.drop('shutdown', records, 1, bytes);
      done?.(false);
      return false;
    }
    if (this.queuedBytes + bytes > this.maxQueueBytes) {
      this.drop('queue_full', records, 1, bytes);
      done?.(false);
      return false;
    }
    this.enqueued += 1;
    this.queue.push({ signal, data, bytes, records, seq: this.enqueued, ok: false, done });
    this.queuedBytes += bytes;
    // A turn that produced this much writes part of it at once rather than on the next turn:
    // the queue's byte bound then protects memory from a stalled disk, never from a burst.
    if (this.queuedBytes >= INLINE_DRAIN_BYTES && !this.draining) this.drainPass();
    else this.scheduleDrain();
    return true;
  }

  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    setImmediate(() => this.drainPass());
  }

  /** Up to MAX_WRITE_BYTES of entries from the head of the queue (at least one). */
  private takeChunk(): Entry[] {
    const chunk: Entry[] = [];
    let bytes = 0;
    while (this.head < this.queue.length) {
      const e = this.queue[this.head] as Entry;
      if (chunk.length > 0 && bytes + e.bytes > MAX_WRITE_BYTES) break;
      chunk.push(e);
      bytes += e.bytes;
      this.head += 1;
      this.queuedBytes -= e.bytes;
    }
    return chunk;
  }

  private compactQueue(): void {
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  private drainPass(): void {
    this.drainScheduled = false;
    this.draining = true;
    const processed: Entry[] = [];
    const touched = new Set<Segment>();
    this.currentTouched = touched;
    try {
      while (this.head < this.queue.length) {
        const chunk = this.takeChunk();
        this.writeEntries(chunk, touched);
        for (const e of chunk) processed.push(e);
      }
    } catch (err) {
      // writeEntries handles I/O errors itself; this is a last line of defence.
      this.countError(err);
    } finally {
      this.currentTouched = undefined;
      this.draining = false;
    }
    this.compactQueue();
    if (this.durability === 'batch' && (touched.size > 0 || this.unsynced.length > 0)) {
      // Acked only after an fsync that started after the write; a pass without writes (all
      // dropped) still waits its turn so acknowledgements stay in write order.
      for (const seg of touched) seg.pendingSyncs += 1; // keeps the fd open until synced
      this.unsynced.push({ processed, touched });
      for (const e of processed) if (e.ok) this.unsyncedBytes += e.bytes;
      this.startGroupSync();
      if (this.head < this.queue.length) this.scheduleDrain();
      return;
    }
    for (const seg of touched) this.closeIfSealed(seg);
    this.complete(processed);
    if (this.head < this.queue.length) this.scheduleDrain();
  }

  /** Starts one fsync per segment written by the waiting passes, unless one is running. */
  private startGroupSync(): void {
    if (this.groupSyncRunning || this.unsynced.length === 0) return;
    // More lines are about to be written: let them join this fsync (bounded by bytes).
    if (this.head < this.queue.length && this.unsyncedBytes < GROUP_SYNC_BYTES) return;
    const wait = this.lastGroupSyncAt + GROUP_SYNC_WINDOW_MS - performance.now();
    if (wait > 0 && this.unsyncedBytes < GROUP_SYNC_BYTES) {
      this.groupSyncTimer ??= setTimeout(() => {
        this.groupSyncTimer = undefined;
        this.startGroupSync();
      }, wait);
      return;
    }
    if (this.groupSyncTimer !== undefined) clearTimeout(this.groupSyncTimer);
    this.groupSyncTimer = undefined;
    this.lastGroupSyncAt = performance.now();
    const passes = this.unsynced;
    this.unsynced = [];
    this.unsyncedBytes = 0;
    const owed = new Map<Segment, number>();
    for (const pass of passes) {
      for (const seg of pass.touched) owed.set(seg, (owed.get(seg) ?? 0) + 1);
    }
    const finish = (): void => {
      this.groupSyncRunning = false;
      for (const pass of passes) this.complete(pass.processed);
      this.startGroupSync();
      if (this.head < this.queue.length) this.scheduleDrain();
    };
    if (owed.size === 0) {
      finish();
      return;
    }
    this.groupSyncRunning = true;
    let pending = owed.size;
    for (const [seg, passCount] of owed) {
      seg.dirty = false;
      fsync(seg.fd, (err) => {
        seg.pendingSyncs -= passCount;
        if (err) {
          this.countError(err);
          for (const pass of passes) {
            if (!pass.touched.has(seg)) continue;
            for (const e of pass.processed) if (e.ok && e.signal === seg.signal) e.ok = false;
          }
        }
        this.closeIfSealed(seg);
        pending -= 1;
        if (pending === 0) finish();
      });
    }
  }

  private complete(processed: Entry[]): void {
    if (processed.length === 0) {
      this.resolveWaiters();
      return;
    }
    for (const e of processed) {
      if (e.done) {
        const done = e.done;
        e.done = undefined;
        try {
          done(e.ok);
        } catch {
          // a callback's failure is not the writer's
        }
      }
    }
    const last = (processed[processed.length - 1] as Entry).seq;
    if (last > this.completed) this.completed = last;
    this.resolveWaiters();
  }

  private resolveWaiters(): void {
    if (this.waiters.length === 0) return;
    const queueEmpty =
      this.head >= this.queue.length && this.unsynced.length === 0 && !this.groupSyncRunning;
    const remaining: Waiter[] = [];
    for (const w of this.waiters) {
      if (w.target <= this.completed || (queueEmpty && this.completed === this.enqueued)) {
        w.resolve();
      } else remaining.push(w);
    }
    this.waiters = remaining;
  }

  // --- writing -----------------------------------------------------------------------------

  /** Writes a chunk, keeping each signal's lines in order; marks each entry ok or drops it. */
  private writeEntries(chunk: Entry[], touched: Set<Segment>): void {
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
    let i = 0;
    // After the spool cap refused a group of lines, lines are tried one by one so that each
    // line that still fits is written and only the others are dropped.
    let oneByOne = false;
    while (i < list.length) {
      const seg = this.segmentFor(signal);
      if (!seg) {
        this.dropEntries(
          list,
          i,
          list.length,
          this.unsafeSignals.has(signal) ? 'unsafe_dir' : 'io_error',
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
        this.seal(seg);
        continue;
      }
      if (!this.reserveSpoolBytes(bytes)) {
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
      this.usage.bytes += bytes;
      this.written.records += records;
      this.written.lines += j - i;
      this.written.bytes += bytes;
      let largest = this.largestLine.get(signal) ?? 0;
      for (let k = i; k < j; k++) {
        const e = list[k] as Entry;
        if (e.bytes > largest) largest = e.bytes;
        e.ok = true;
        e.data = EMPTY; // written: let the bytes go before the (batch-mode) fsync completes
      }
      this.largestLine.set(signal, largest);
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
      this.drop(reason, e.records, 1, e.bytes);
    }
  }

  private drop(reason: DropReason, records: number, lines: number, bytes: number): void {
    const c = this.droppedDetail[reason];
    c.records += records;
    c.lines += lines;
    c.bytes += bytes;
  }

  private countError(err: unknown): void {
    const code = errorCode(err);
    this.errors[code] = (this.errors[code] ?? 0) + 1;
  }

  /**
   * A failed or short write may have left part of a line in the file: cut the file back to
   * its last whole line so readers never see a torn line in the middle of a segment, then
   * seal the segment and back off before opening the next one.
   */
  private onWriteError(seg: Segment, err: unknown): void {
    this.countError(err);
    try {
      ftruncateSync(seg.fd, seg.bytes);
    } catch {
      // the file may be gone or read-only; readers skip a torn last line anyway
    }
    this.seal(seg);
    this.bumpBackoff(seg.signal);
  }

  private bumpBackoff(signal: Signal): void {
    const prev = this.backoff.get(signal);
    const delay = prev ? Math.min(prev.delay * 2, BACKOFF_MAX_MS) : BACKOFF_MIN_MS;
    this.backoff.set(signal, { until: Date.now() + delay, delay });
  }

  /** The open segment for `signal`, rotated or (re)opened as needed; undefined while failing. */
  private segmentFor(signal: Signal): Segment | undefined {
    const now = Date.now();
    const current = this.active.get(signal);
    if (current && this.stillUsable(current, now)) return current;
    if (current) this.seal(current);
    const backoff = this.backoff.get(signal);
    if (backoff && now < backoff.until) return undefined;
    try {
      // Checks the spool dir and the signal dir every time a segment is opened: another local
      // user must not get our segments written through a dir or link they planted.
      const signalDir = ensureOwnerDir(this.dir, signal);
      this.unsafeSignals.delete(signal);
      let fd: number | undefined;
      let path = '';
      for (let attempt = 0; fd === undefined; attempt++) {
        this.nextSeq += 1;
        path = join(
          signalDir,
          segmentFileName(new Date(now), process.pid, this.writerId, this.nextSeq),
        );
        try {
          fd = openExclusiveAppend(path);
        } catch (err) {
          if (errorCode(err) !== 'EEXIST' || attempt + 1 >= OPEN_ATTEMPTS) throw err;
        }
      }
      const seg: Segment = {
        signal,
        fd,
        path,
        bytes: 0,
        records: 0,
        openedAt: now,
        dirty: false,
        sealed: false,
        closing: false,
        pendingSyncs: 0,
      };
      this.active.set(signal, seg);
      this.open.add(seg);
      this.backoff.delete(signal);
      this.refreshUsage();
      return seg;
    } catch (err) {
      this.countError(err);
      if (warnUnsafePathOnce(err)) this.unsafeSignals.add(signal);
      this.bumpBackoff(signal);
      return undefined;
    }
  }

  private stillUsable(seg: Segment, now: number): boolean {
    if (now - seg.openedAt >= this.maxSegmentAgeMs && seg.bytes > 0) return false;
    try {
      // Deleted under us (spool dir removed, file evicted by hand): writes would vanish into
      // the unlinked inode, so a new file is opened (and its directory recreated) instead.
      return fstatSync(seg.fd).nlink > 0;
    } catch (err) {
      this.countError(err);
      return false;
    }
  }

  // --- segment lifecycle -------------------------------------------------------------------

  private seal(seg: Segment): void {
    if (seg.sealed) return;
    seg.sealed = true;
    if (this.active.get(seg.signal) === seg) this.active.delete(seg.signal);
    if (seg.bytes > 0) this.sealedRecords.set(seg.path, seg.records);
    // A segment written in the running pass is closed after that pass (and its fsync).
    if (this.currentTouched?.has(seg)) return;
    this.closeIfSealed(seg);
  }

  private closeIfSealed(seg: Segment): void {
    if (!seg.sealed || seg.closing || seg.pendingSyncs > 0) return;
    seg.closing = true;
    const task = new Promise<void>((resolve) => {
      const finish = (): void => {
        close(seg.fd, () => {
          this.open.delete(seg);
          if (seg.bytes === 0) {
            unlink(seg.path, () => resolve());
          } else if (this.compressSealed) {
            void this.compress(seg).then(resolve);
          } else resolve();
        });
      };
      if (this.durability !== 'none' && seg.dirty) {
        seg.dirty = false;
        fsync(seg.fd, (err) => {
          if (err) this.countError(err);
          finish();
        });
      } else finish();
    });
    this.track(task);
  }

  private async compress(seg: Segment): Promise<void> {
    const size = await gzipSegment(seg.path);
    if (size === undefined) return;
    this.usage.bytes -= seg.bytes - size;
    const records = this.sealedRecords.get(seg.path);
    if (records !== undefined) {
      this.sealedRecords.delete(seg.path);
      this.sealedRecords.set(`${seg.path}.gz`, records);
    }
  }

  private track(task: Promise<unknown>): void {
    this.background.add(task);
    void task.finally(() => this.background.delete(task));
  }

  private syncDirtySegments(): void {
    for (const seg of this.active.values()) {
      if (!seg.dirty || seg.closing) continue;
      seg.dirty = false;
      seg.pendingSyncs += 1;
      fsync(seg.fd, (err) => {
        seg.pendingSyncs -= 1;
        if (err) this.countError(err);
        this.closeIfSealed(seg);
      });
    }
  }

  // --- spool byte cap ----------------------------------------------------------------------

  private refreshUsage(): void {
    try {
      const segments = scanSegments(this.dir);
      let bytes = 0;
      for (const s of segments) bytes += s.size;
      this.usage = { bytes, segments: segments.length, scannedAt: Date.now() };
    } catch (err) {
      this.countError(err);
    }
  }

  /**
   * True when `bytes` more fit under maxSpoolBytes, after deleting the oldest sealed segments
   * of the spool if needed. The on-disk size is an estimate between scans (other processes
   * write too), refreshed at every rotation, every few seconds, and whenever it nears the cap.
   */
  private reserveSpoolBytes(bytes: number): boolean {
    const now = Date.now();
    const fresh = now - this.usage.scannedAt < USAGE_RESCAN_MS;
    if (fresh && this.usage.bytes + bytes <= this.maxSpoolBytes) return true;
    try {
      const ownActive = new Set<string>();
      for (const seg of this.active.values()) ownActive.add(seg.path);
      const result = evictOldest(this.dir, this.maxSpoolBytes, bytes, ownActive, this.writerId);
      for (const e of result.evicted) {
        this.evicted.segments += 1;
        this.evicted.bytes += e.size;
        if (e.shipped) this.evicted.shipped += 1;
        const records = this.sealedRecords.get(e.path);
        if (records !== undefined) {
          this.evicted.records += records;
          if (e.shipped) this.evicted.shippedRecords += records;
          this.sealedRecords.delete(e.path);
        }
      }
      this.usage = { bytes: result.totalBytes, segments: result.segments, scannedAt: now };
      return result.totalBytes + bytes <= this.maxSpoolBytes;
    } catch (err) {
      this.countError(err);
      return this.usage.bytes + bytes <= this.maxSpoolBytes;
    }
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o))
    if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
