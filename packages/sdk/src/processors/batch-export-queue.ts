import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';

export interface BatchExportQueueOptions {
  /** Items held at most; beyond it new items are dropped and counted. Default 2048. */
  maxQueueSize?: number;
  /**
   * Items per export call at most. Default 512. Batches are handed over once 128 items (or
   * this many, if fewer) are queued, so an export call usually carries fewer.
   */
  maxExportBatchSize?: number;
  /** A partial batch is exported after this delay. Default 1000 ms. */
  scheduledDelayMillis?: number;
  /** An export whose callback has not come after this long counts as failed. Default 30 s. */
  exportTimeoutMillis?: number;
  /**
   * Export calls in flight at once. Several let the next batches be encoded and written while earlier ones
   * is being fsynced. Default 8.
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
 * A batch is handed to the exporter once this many items wait (or maxExportBatchSize, if
 * smaller), not only when a full batch is queued: the spool exporters encode as they receive,
 * so smaller, earlier batches let the SDK objects die young instead of being copied and
 * promoted by the garbage collector while a large batch fills up.
 */
const EAGER_EXPORT_ITEMS = 128;

/** Extra queue slots only priority items (FATAL log records) may use. */
export const PRIORITY_RESERVE = 64;

type ExportFn<T> = (items: T[], callback: (result: ExportResult) => void) => void;

/**
 * The bounded queue behind the spool processors. `push` is the hot path: an array push and a
 * length check, nothing else; exporting happens on a timer or, once a full batch is waiting,
 * on the next turn of the event loop. It never throws into the caller.
 */
export class BatchExportQueue<T> {
  private items: T[] = [];
  private head = 0;
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private exportScheduled = false;
  private flushWaiters: (() => void)[] = [];
  private readonly counters = { dropped: 0, exported: 0, failed: 0 };
  private readonly maxQueueSize: number;
  private readonly maxExportBatchSize: number;
  private readonly eagerExportSize: number;
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
    this.eagerExportSize = Math.min(EAGER_EXPORT_ITEMS, this.maxExportBatchSize);
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
    const queued = this.items.length - this.head;
    const bound = priority ? this.maxQueueSize + PRIORITY_RESERVE : this.maxQueueSize;
    if (queued >= bound) {
      this.counters.dropped += 1;
      return false;
    }
    this.items.push(item);
    if (queued + 1 >= this.eagerExportSize) {
      // A batch goes to the exporter at once (as BatchSpanProcessor does with a full one),
      // and already at EAGER_EXPORT_ITEMS: the spool exporters encode it right away, in
      // slices, so the items die young, which the garbage collector rewards.
      if (this.inFlight < this.maxConcurrentExports) this.exportNext(false);
    } else if (this.timer === undefined) this.startTimer();
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
    const rest = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    this.clearTimer();
    return rest;
  }

  /** Counts items that were handed to the exporter outside the export loop (flushSync). */
  countExported(n: number): void {
    this.counters.exported += n;
  }

  stats(): BatchExportQueueStats {
    return { queued: this.items.length - this.head, ...this.counters };
  }

  private isIdle(): boolean {
    return this.head === this.items.length && this.inFlight === 0;
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

  private scheduleExport(): void {
    if (this.exportScheduled) return;
    this.exportScheduled = true;
    setImmediate(() => {
      this.exportScheduled = false;
      this.exportNext(this.flushWaiters.length > 0);
    });
  }

  /** Starts exports while allowed; a partial batch only when `partial` (timer or flush). */
  private exportNext(partial: boolean): void {
    while (this.inFlight < this.maxConcurrentExports) {
      const queued = this.items.length - this.head;
      if (queued === 0 || (!partial && queued < this.eagerExportSize)) break;
      const end = this.head + Math.min(queued, this.maxExportBatchSize);
      const batch = this.items.slice(this.head, end);
      this.head = end;
      if (this.head === this.items.length) {
        this.items = [];
        this.head = 0;
      } else if (this.head > 4096 && this.head * 2 > this.items.length) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
      this.startExport(batch);
    }
    const queued = this.items.length - this.head;
    if (queued > 0 && this.timer === undefined && this.inFlight < this.maxConcurrentExports) {
      this.startTimer();
    } else if (queued === 0) {
      this.clearTimer();
    }
    this.resolveFlushWaiters();
  }

  private startExport(batch: T[]): void {
    this.inFlight += 1;
    let settled = false;
    const timeout = setTimeout(
      () => finish({ code: ExportResultCode.FAILED }),
      this.exportTimeoutMillis,
    );
    timeout.unref();
    const finish = (result: ExportResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timeout);
      this.inFlight -= 1;
      if (result.code === ExportResultCode.SUCCESS) this.counters.exported += batch.length;
      else this.counters.failed += batch.length;
      const queued = this.items.length - this.head;
      if (queued >= this.eagerExportSize || (queued > 0 && this.flushWaiters.length > 0)) {
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
  }

  private resolveFlushWaiters(): void {
    if (this.flushWaiters.length === 0 || !this.isIdle()) return;
    const waiters = this.flushWaiters;
    this.flushWaiters = [];
    for (const w of waiters) w();
  }
}
