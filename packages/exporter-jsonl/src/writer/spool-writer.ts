import type { Signal } from '../otlp/types.js';
import { AppendQueue, type Entry } from './append-queue.js';
import { ByteCap } from './byte-cap.js';
import { ChunkWriter } from './chunk-writer.js';
import { GroupSync } from './group-sync.js';
import { DEFAULT_WRITER_OPTIONS } from './options.js';
import type { Durability, SpoolStats, SpoolWriterOptions } from './options.js';
import { SegmentFiles, type Segment } from './segment-files.js';
import { WriterStats } from './writer-stats.js';

const FLUSH_SYNC_DEFAULT_MS = 2000;

/**
 * Appends OTLP-JSON lines to this process's segment files of a spool directory.
 *
 * - The hot path (`append`) only queues the line (append-queue.ts); a drain pass on the next
 *   turn of the event loop writes everything queued, whole lines, many per write(2)
 *   (chunk-writer.ts), never one line across two writes. A pass has no time budget: the lines
 *   arrive in increments proportional to what the app produced in its last turn, and a writer
 *   that stopped early would let a burst outrun it until its bounded queue dropped lines.
 * - Writes are synchronous on purpose: page-cache writes take microseconds, they keep the
 *   order of lines simple, and `flushSync()` (the crash path) can write whatever is queued
 *   without racing an in-flight asynchronous write. fsync, the slow part, always runs on the
 *   libuv pool (except in `flushSync`); under 'batch' one group fsync at a time covers every
 *   pass written since the previous one, and each line is acknowledged after it
 *   (group-sync.ts).
 * - Segments rotate by size and age and are sealed, closed and optionally gzipped in the
 *   background (segment-files.ts); the spool byte cap evicts the oldest sealed segments,
 *   shipped ones first (byte-cap.ts). Counters live in writer-stats.ts.
 * - Every failure (full queue, spool cap, ENOSPC/EACCES/EROFS/ENOENT/EISDIR...) drops the
 *   affected lines, counts them by reason, and never throws; opening is retried with backoff
 *   so writing resumes by itself when the file system allows it again.
 */
export class SpoolWriter {
  readonly dir: string;
  readonly durability: Durability;
  private readonly counters = new WriterStats();
  private readonly queue: AppendQueue;
  private readonly cap: ByteCap;
  private readonly segments: SegmentFiles;
  private readonly groupSync: GroupSync;
  private readonly chunks: ChunkWriter;
  private intervalTimer: NodeJS.Timeout | undefined;
  private shutdownPromise: Promise<void> | undefined;

  constructor(options: SpoolWriterOptions) {
    const o = { ...DEFAULT_WRITER_OPTIONS, ...stripUndefined(options) };
    this.dir = options.dir;
    this.durability = o.durability;
    const counters = this.counters;
    this.queue = new AppendQueue(Math.max(0, o.maxQueueBytes), counters, () => this.drainPass());
    this.cap = new ByteCap(this.dir, Math.max(0, o.maxSpoolBytes), counters);
    this.segments = new SegmentFiles(
      this.dir,
      this.durability,
      Math.max(0, o.maxSegmentAgeMs),
      o.compressSealed,
      this.cap,
      counters,
    );
    this.groupSync = new GroupSync(this.queue, this.segments, counters);
    this.chunks = new ChunkWriter(
      Math.max(1, o.maxSegmentBytes),
      this.segments,
      this.cap,
      counters,
    );
    if (this.durability === 'interval') {
      const fsyncIntervalMs = Math.max(1, o.fsyncIntervalMs);
      this.intervalTimer = setInterval(() => this.segments.syncDirty(), fsyncIntervalMs);
      this.intervalTimer.unref();
    }
  }

  /**
   * Queues one line (without its newline) holding `records` records: text, or its UTF-8 bytes
   * (kept, not copied, until written: do not change them after). Returns false when the line
   * was dropped (queue full or writer shut down); the drop is counted.
   */
  append(signal: Signal, line: string | Uint8Array, records: number): boolean {
    return this.queue.enqueue(signal, line, records, undefined);
  }

  /**
   * Like `append`, and resolves once the line is written (and fsynced under 'batch'):
   * true when it is on disk, false when it was dropped.
   */
  write(signal: Signal, line: string | Uint8Array, records: number): Promise<boolean> {
    return new Promise((resolve) => {
      this.queue.enqueue(signal, line, records, resolve);
    });
  }

  /** Resolves when everything appended so far is written (and fsynced under 'batch') or dropped. */
  flush(): Promise<void> {
    return this.queue.whenSettled();
  }

  /**
   * Crash path: writes the queue synchronously (bounded by `timeoutMs`, default 2 s) and,
   * unless durability is 'none', fsyncs every open segment before returning.
   */
  flushSync(options: { timeoutMs?: number } = {}): void {
    const deadline = Date.now() + (options.timeoutMs ?? FLUSH_SYNC_DEFAULT_MS);
    const processed: Entry[] = [];
    const touched = new Set<Segment>();
    this.writeQueued(processed, touched, deadline);
    if (this.durability !== 'none') this.segments.syncAllNow();
    for (const seg of touched) this.segments.closeIfSealed(seg);
    this.queue.complete(processed, this.groupSync.idle);
  }

  /** Writes what is queued, closes the segments and waits for background compression. */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= this.close();
    return this.shutdownPromise;
  }

  private async close(): Promise<void> {
    // From here on appends are refused (counted as 'shutdown'); what was queued is written.
    this.queue.closed = true;
    await this.flush();
    if (this.intervalTimer) clearInterval(this.intervalTimer);
    this.intervalTimer = undefined;
    this.segments.sealAll();
    await this.segments.settled();
  }

  /**
   * Evicts now (counted like any eviction) so that the next `bytes` (default: twice the largest
   * `signal` line written so far) fit under the byte cap without evicting. A process calls it
   * right before its final self-metrics are collected, so that the last export, which cannot
   * count itself, does not evict records after their count was taken.
   */
  makeRoom(signal: Signal, bytes?: number): void {
    const wanted = bytes ?? 2 * (this.counters.largestLine.get(signal) ?? 0);
    this.cap.makeRoom(wanted, this.segments.active, this.segments.writerId);
  }

  stats(): SpoolStats {
    const activeSegments: Partial<Record<Signal, string>> = {};
    for (const [signal, seg] of this.segments.active) activeSegments[signal] = seg.path;
    const { written, dropped, droppedDetail, evicted, errors } = this.counters.snapshot();
    return {
      written,
      dropped,
      droppedDetail,
      evicted,
      bytesOnDisk: Math.max(0, this.cap.usage.bytes),
      segments: Math.max(0, this.cap.usage.segments),
      queuedBytes: this.queue.queuedBytes,
      queuedLines: this.queue.queuedLines,
      errors,
      activeSegments,
    };
  }

  /** One drain pass: writes everything queued, then acknowledges it (after the fsync under 'batch'). */
  private drainPass(): void {
    const queue = this.queue;
    queue.passStarted();
    const processed: Entry[] = [];
    const touched = new Set<Segment>();
    this.writeQueued(processed, touched, Number.POSITIVE_INFINITY);
    if (this.durability === 'batch' && (touched.size > 0 || this.groupSync.waiting)) {
      // Acked only after an fsync that started after the write.
      this.groupSync.add(processed, touched);
    } else {
      for (const seg of touched) this.segments.closeIfSealed(seg);
      queue.complete(processed, this.groupSync.idle);
    }
    if (queue.hasPending()) queue.scheduleDrain();
  }

  /** Writes queued chunks until the queue is empty or `deadline` (Date.now()) has passed. */
  private writeQueued(processed: Entry[], touched: Set<Segment>, deadline: number): void {
    const queue = this.queue;
    queue.draining = true;
    this.segments.passTouched = touched;
    try {
      while (
        queue.hasPending() &&
        (deadline === Number.POSITIVE_INFINITY || Date.now() < deadline)
      ) {
        const chunk = queue.takeChunk();
        this.chunks.write(chunk, touched);
        for (const e of chunk) processed.push(e);
      }
    } catch (err) {
      // ChunkWriter handles I/O errors itself; this is a last line of defence.
      this.counters.countError(err);
    } finally {
      this.segments.passTouched = undefined;
      queue.draining = false;
    }
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o))
    if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
