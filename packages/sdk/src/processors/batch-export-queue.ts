import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { FifoQueue } from '@otelspool/exporter-jsonl/write-path';

export interface BatchExportQueueOptions {
  /** Items waiting for the exporter at most; beyond it new items are dropped and counted. Default 2048. */
  maxQueueSize?: number;
  /** Items per export call at most; a full batch is handed over at once. Default 512. */
  maxExportBatchSize?: number;
  /** A batch smaller than TURN_BATCH_MIN is exported after this delay. Default 1000 ms. */
  scheduledDelayMillis?: number;
  /** An export whose callback has not come after this long counts as failed. Default 30 s. */
  exportTimeoutMillis?: number;
  /**
   * Export calls in flight at once; items wait in the queue beyond it. Default 8. The spool's
   * own exporters encode the batch inside `export()`, so a call in flight holds only encoded
   * bytes, which the SpoolWriter bounds (`maxQueueBytes`): `startTelemetry` sets no limit here.
   */
  maxConcurrentExports?: number;
}

export interface BatchExportQueueStats {
  /** Items waiting to be handed to the exporter. */
  queued: number;
  /** Items refused because the queue was full. */
  dropped: number;
  /** Items the exporter reported written. */
  exported: number;
  /** Items the exporter reported failed (or that timed out). */
  failed: number;
}

/**
 * Fewer items than this are left for the timer at the end of a turn (a trickle); more are
 * exported on the next turn of the event loop (a burst). A trickle then still makes lines of
 * many records, while a burst never waits for a timer and never piles up SDK objects.
 */
export const TURN_BATCH_MIN = 32;

/** Extra queue slots only priority items (FATAL log records) may use. */
export const PRIORITY_RESERVE = 64;

type ExportFn<T> = (items: T[], callback: (result: ExportResult) => void) => void;

/**
 * The bounded queue behind the spool processors. `push` is the hot path: an array push and a
 * length check. A full batch is exported right away, in the caller's turn; what a turn leaves
 * behind is exported on the next turn (setImmediate) or, for a trickle, on a timer. So the
 * exporter keeps pace with whatever rate the producer reaches in a burst: unlike a fixed time
 * budget per turn, no producer can outrun it while the CPU keeps up, and the work arrives in
 * increments proportional to what the app itself just did. It never throws into the caller.
 */
export class BatchExportQueue<T> {
  private readonly items = new FifoQueue<T>(4096);
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private exportScheduled = false;
  private flushWaiters: (() => void)[] = [];
  private readonly counters = { dropped: 0, exported: 0, failed: 0 };
  private readonly maxQueueSize: number;
  private readonly maxExportBatchSize: number;
  private readonly turnBatchMin: number;
  private readonly scheduledDelayMillis: number;
  private readonly exportTimeoutMillis: number;
  private readonly maxConcurrentExports: number;

  constructor(
    private readonly exportFn: ExportFn<T>,
    options: BatchExportQueueOptions = {},
  ) {
    this.maxQueueSize = Math.max(1, options.maxQueueSize ?? 2048);
    this.maxExportBatchSize = Math.max(
      1,
      Math.min(options.maxExportBatchSize ?? 512, this.maxQueueSize),
    );
    this.turnBatchMin = Math.min(TURN_BATCH_MIN, this.maxExportBatchSize);
    this.scheduledDelayMillis = Math.max(0, options.scheduledDelayMillis ?? 1000);
    this.exportTimeoutMillis = Math.max(1, options.exportTimeoutMillis ?? 30_000);
    this.maxConcurrentExports = Math.max(1, options.maxConcurrentExports ?? 8);
  }

  /**
   * Queues one item; false (and counted) when the queue is full. A `priority` item (a crash's
   * FATAL log record) may use PRIORITY_RESERVE slots beyond the bound: it is the one record the
   * user most needs, it arrives when the app is failing (and queues may well be full), and the
   * reserve keeps memory bounded even if an app logs FATAL in a loop.
   */
  push(item: T, priority = false): boolean {
    const queued = this.items.size;
    const bound = priority ? this.maxQueueSize + PRIORITY_RESERVE : this.maxQueueSize;
    if (queued >= bound) {
      this.counters.dropped += 1;
      return false;
    }
    this.items.push(item);
    if (queued + 1 >= this.maxExportBatchSize) {
      if (this.inFlight < this.maxConcurrentExports) this.exportNext(false);
    } else if (queued + 1 >= this.turnBatchMin) {
      this.scheduleExport();
    } else if (this.timer === undefined) {
      this.startTimer();
    }
    return true;
  }

  /** Resolves once everything queued so far has been exported (successfully or not). */
  flush(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => {
      this.flushWaiters.push(resolve);
      this.scheduleExport();
    });
  }

  /** Crash path: removes and returns everything still queued. */
  takeAll(): T[] {
    const rest = this.items.takeAll();
    this.clearTimer();
    return rest;
  }

  /** Counts items that were handed to the exporter outside the export loop (flushSync). */
  countExported(n: number): void {
    this.counters.exported += n;
  }

  stats(): BatchExportQueueStats {
    return { queued: this.items.size, ...this.counters };
  }

  private isIdle(): boolean {
    return this.items.size === 0 && this.inFlight === 0;
  }

  private startTimer(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.exportNext(true);
    }, this.scheduledDelayMillis);
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Exports what is queued, partial batches included, on the next turn of the event loop. */
  private scheduleExport(): void {
    if (this.exportScheduled) return;
    this.exportScheduled = true;
    setImmediate(() => {
      this.exportScheduled = false;
      this.exportNext(true);
    });
  }

  /** Starts exports while allowed; a partial batch only when `partial`. */
  private exportNext(partial: boolean): void {
    while (this.inFlight < this.maxConcurrentExports) {
      const queued = this.items.size;
      if (queued === 0 || (!partial && queued < this.maxExportBatchSize)) break;
      this.startExport(this.items.take(this.maxExportBatchSize));
    }
    const queued = this.items.size;
    if (queued === 0) this.clearTimer();
    else if (this.timer === undefined && this.inFlight < this.maxConcurrentExports) {
      this.startTimer();
    }
    this.resolveFlushWaiters();
  }

  private startExport(batch: T[]): void {
    this.inFlight += 1;
    // The callback keeps only the count: the items must be collectable once the exporter has
    // encoded them, not held until the write completes (they would survive into the old space).
    const count = batch.length;
    let settled = false;
    let timeout: NodeJS.Timeout | undefined;
    const finish = (result: ExportResult): void => {
      if (settled) return;
      settled = true;
      if (timeout !== undefined) clearTimeout(timeout);
      this.inFlight -= 1;
      if (result.code === ExportResultCode.SUCCESS) this.counters.exported += count;
      else this.counters.failed += count;
      const queued = this.items.size;
      if (queued >= this.turnBatchMin || (queued > 0 && this.flushWaiters.length > 0)) {
        this.scheduleExport();
      } else if (queued > 0 && this.timer === undefined) {
        this.startTimer();
      }
      this.resolveFlushWaiters();
    };
    try {
      this.exportFn(batch, finish);
    } catch {
      finish({ code: ExportResultCode.FAILED });
    }
    // Armed only if the export did not complete inside the call (most spool exports complete
    // on a later turn, once written): a timer per batch is the costliest part of a fast path.
    if (!settled) {
      timeout = setTimeout(
        () => finish({ code: ExportResultCode.FAILED }),
        this.exportTimeoutMillis,
      );
      timeout.unref();
    }
  }

  private resolveFlushWaiters(): void {
    if (this.flushWaiters.length === 0 || !this.isIdle()) return;
    const waiters = this.flushWaiters;
    this.flushWaiters = [];
    for (const w of waiters) w();
  }
}
