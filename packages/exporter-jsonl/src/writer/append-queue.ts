import type { Signal } from '../otlp/types.js';
import type { WriterStats } from './writer-stats.js';
import { FifoQueue } from '../util/fifo-queue.js';

/** Largest single write(2) of several lines: amortises the syscall, stays ~0.1 ms. */
export const MAX_WRITE_BYTES = 256 * 1024;
/** Queued bytes that make `append` write right away, in the caller's turn. */
const INLINE_DRAIN_BYTES = 4 * 1024 * 1024;
const LF = 10;
const CR = 13;
const SPACE = 0x20;

/** One queued line. */
export interface Entry {
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
  /** Position in append order (1, 2, ...): what `flush()` waits for. */
  seq: number;
  /** Written (and, under 'batch', fsynced); false once dropped. */
  ok: boolean;
  /** `write()`'s acknowledgement, called once with `ok`. */
  done: ((ok: boolean) => void) | undefined;
}

interface Waiter {
  target: number;
  resolve: () => void;
}

/**
 * The bounded queue of lines waiting to be written, and their acknowledgements: `enqueue` is
 * the whole cost of `SpoolWriter.append` (a UTF-8 conversion and a push), the drain pass takes
 * the lines off in chunks, and `complete` acknowledges them in append order and resolves the
 * `flush()` promises they satisfy.
 */
export class AppendQueue {
  /** Set by shutdown: appends are refused (counted as 'shutdown'). */
  closed = false;
  /** A drain pass (or flushSync) is writing: no inline pass from `enqueue` meanwhile. */
  draining = false;
  queuedBytes = 0;
  private readonly entries = new FifoQueue<Entry>(1024);
  private enqueued = 0;
  private completed = 0;
  private waiters: Waiter[] = [];
  private drainScheduled = false;

  /** `drain` is the writer's drain pass, bound once. */
  constructor(
    private readonly maxQueueBytes: number,
    private readonly stats: WriterStats,
    private readonly drain: () => void,
  ) {}

  /** Lines queued and not yet taken by a pass. */
  get queuedLines(): number {
    return this.entries.size;
  }

  hasPending(): boolean {
    return this.entries.size > 0;
  }

  /** Every line appended so far has been acknowledged (written or dropped). */
  get settled(): boolean {
    return this.completed === this.enqueued;
  }

  /**
   * Queues one line; false (and `done(false)`) when it was dropped and counted: the writer is
   * shut down or the queue holds maxQueueBytes.
   */
  enqueue(
    signal: Signal,
    line: string | Uint8Array,
    records: number,
    done: ((ok: boolean) => void) | undefined,
  ): boolean {
    if (line.length === 0) {
      done?.(true);
      return true;
    }
    // Bytes are the caller's UTF-8 (the span exporter encodes straight to bytes); kept as given.
    let data =
      typeof line === 'string'
        ? Buffer.from(line, 'utf8')
        : Buffer.from(line.buffer, line.byteOffset, line.byteLength);
    // A raw CR/LF can only be insignificant whitespace in valid JSON (inside strings they must
    // be escaped), so replacing them keeps the JSON equal and the line one line.
    if (data.indexOf(LF) !== -1 || data.indexOf(CR) !== -1) {
      data = Buffer.from(data);
      for (let i = data.indexOf(LF); i !== -1; i = data.indexOf(LF, i + 1)) data[i] = SPACE;
      for (let i = data.indexOf(CR); i !== -1; i = data.indexOf(CR, i + 1)) data[i] = SPACE;
    }
    const bytes = data.length + 1;
    if (this.closed) {
      this.stats.drop('shutdown', records, 1, bytes);
      done?.(false);
      return false;
    }
    if (this.queuedBytes + bytes > this.maxQueueBytes) {
      this.stats.drop('queue_full', records, 1, bytes);
      done?.(false);
      return false;
    }
    this.enqueued += 1;
    this.entries.push({ signal, data, bytes, records, seq: this.enqueued, ok: false, done });
    this.queuedBytes += bytes;
    // A turn that produced this much writes part of it at once rather than on the next turn:
    // the queue's byte bound then protects memory from a stalled disk, never from a burst.
    if (this.queuedBytes >= INLINE_DRAIN_BYTES && !this.draining) this.drain();
    else this.scheduleDrain();
    return true;
  }

  /** Runs the drain pass on the next turn of the event loop (once, however often asked). */
  scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    setImmediate(this.drain);
  }

  /** Called by the drain pass as it starts: a later append schedules the next one. */
  passStarted(): void {
    this.drainScheduled = false;
    this.draining = true;
  }

  /** Resolves once everything appended so far is acknowledged. */
  whenSettled(): Promise<void> {
    if (this.completed === this.enqueued) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push({ target: this.enqueued, resolve });
      this.scheduleDrain();
    });
  }

  /** Up to MAX_WRITE_BYTES of entries from the head of the queue (at least one). */
  takeChunk(): Entry[] {
    const chunk: Entry[] = [];
    let bytes = 0;
    for (let e = this.entries.peek(); e !== undefined; e = this.entries.peek()) {
      if (chunk.length > 0 && bytes + e.bytes > MAX_WRITE_BYTES) break;
      chunk.push(e);
      bytes += e.bytes;
      this.entries.shift();
      this.queuedBytes -= e.bytes;
    }
    return chunk;
  }

  /**
   * Acknowledges `processed` (in append order) and resolves the `flush()` promises now
   * satisfied. `syncIdle`: no group fsync is running or waiting (group-sync.ts).
   */
  complete(processed: Entry[], syncIdle: boolean): void {
    if (processed.length === 0) {
      this.resolveWaiters(syncIdle);
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
    this.resolveWaiters(syncIdle);
  }

  private resolveWaiters(syncIdle: boolean): void {
    if (this.waiters.length === 0) return;
    const queueEmpty = this.entries.size === 0 && syncIdle;
    const remaining: Waiter[] = [];
    for (const w of this.waiters) {
      if (w.target <= this.completed || (queueEmpty && this.completed === this.enqueued)) {
        w.resolve();
      } else remaining.push(w);
    }
    this.waiters = remaining;
  }
}
