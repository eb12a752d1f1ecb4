import { performance } from 'node:perf_hooks';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { Signal } from '../writer/signal.js';
import type { SpoolWriter } from '../writer/spool-writer.js';
import { chargeTurn, turnBudgetLeft } from '../writer/turn-budget.js';

/**
 * Synchronous encoding per slice at most; a slice is followed by a yield to the event loop.
 * A slice also takes no more than what is left of the turn's shared budget (turn-budget.ts),
 * which leaves room for the writer's pass in the same turn.
 */
const SLICE_BUDGET_MS = 0.4;
/** A slice starts only with at least this much of the turn left; otherwise it waits a turn. */
const MIN_SLICE_MS = 0.05;
const FIRST_CHUNK_ITEMS = 32;
const MAX_CHUNK_ITEMS = 4096;

interface Job<T> {
  /** Emptied once encoded, so the SDK objects can be collected while the write is pending. */
  items: readonly T[];
  count: number;
  next: number;
  writes: Promise<boolean>[];
  encodeFailed: boolean;
  callback: (result: ExportResult) => void;
}

export interface ChunkedExportStats {
  /** Items whose export was reported successful. */
  exported: number;
  /** Items whose export was reported failed (dropped by the writer or not encodable). */
  failed: number;
  /** Items that could not be encoded (a bug or a hostile object); counted in `failed` too. */
  encodeErrors: number;
}

/**
 * The export engine shared by the three JSONL exporters: encodes a batch in chunks, each chunk
 * one OTLP-JSON line, yielding with setImmediate between chunks so no synchronous stretch
 * exceeds ~0.4 ms (and the turn's shared budget) whatever the batch size. The chunk size adapts to the measured encoding
 * cost per item (so it holds on slow machines and for unusually large records). Batches are
 * encoded one after another in arrival order; the callback reports success only once every
 * line of the batch is written (and fsynced under 'batch' durability). It never throws.
 */
export class ChunkedLineExporter<T> {
  private readonly jobs: Job<T>[] = [];
  private running = false;
  private chunkItems = FIRST_CHUNK_ITEMS;
  /** Measured encoding cost per item (ms), a moving average. */
  private msPerItem = SLICE_BUDGET_MS / FIRST_CHUNK_ITEMS / 4;
  private idleWaiters: (() => void)[] = [];
  private readonly counters: ChunkedExportStats = { exported: 0, failed: 0, encodeErrors: 0 };

  constructor(
    private readonly signal: Signal,
    private readonly writer: SpoolWriter,
    private readonly encode: (items: readonly T[]) => string,
    /** Records an item stands for (metrics: its data points, as OTLP and readers count them). */
    private readonly recordsOf: (items: readonly T[]) => number = (items) => items.length,
  ) {}

  export(items: readonly T[], callback: (result: ExportResult) => void): void {
    if (items.length === 0) {
      callback({ code: ExportResultCode.SUCCESS });
      return;
    }
    this.jobs.push({
      items,
      count: items.length,
      next: 0,
      writes: [],
      encodeFailed: false,
      callback,
    });
    if (!this.running) {
      // The first slice runs now, in the caller's turn: the SDK objects are then encoded
      // while still young, before the garbage collector has to copy (and promote) them.
      this.running = true;
      this.runSlice();
    }
  }

  /**
   * Crash path: encodes everything still waiting (and `extra`) right now and has the writer
   * write it synchronously. Pending export callbacks still fire later, if the process lives.
   */
  flushSync(extra?: readonly T[], options?: { timeoutMs?: number }): void {
    // Drain the writer first: what the crash path encodes next must find room in its bounded
    // queue, not be dropped as queue_full because the app was busy when it died.
    this.writer.flushSync(options);
    for (const job of this.jobs) {
      while (job.next < job.items.length) this.encodeChunk(job, Number.POSITIVE_INFINITY);
    }
    if (extra && extra.length > 0) {
      const job: Job<T> = {
        items: extra,
        count: extra.length,
        next: 0,
        writes: [],
        encodeFailed: false,
        callback: () => undefined,
      };
      while (job.next < job.items.length) this.encodeChunk(job, Number.POSITIVE_INFINITY);
    }
    this.writer.flushSync(options);
  }

  /** Resolves when every batch handed to export() so far has been encoded and queued. */
  whenIdle(): Promise<void> {
    if (!this.running && this.jobs.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stats(): ChunkedExportStats {
    return { ...this.counters };
  }

  private runSlice(): void {
    const sliceStart = performance.now();
    const budget = Math.min(SLICE_BUDGET_MS, turnBudgetLeft());
    const deadline = sliceStart + budget;
    for (;;) {
      const job = this.jobs[0];
      if (!job) {
        this.running = false;
        chargeTurn(performance.now() - sliceStart);
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const w of waiters) w();
        return;
      }
      if (job.items.length === 0) {
        this.jobs.shift();
        this.settle(job);
        continue;
      }
      const left = deadline - performance.now();
      if (left < MIN_SLICE_MS) break;
      // As many items as fit in what is left of the slice, at the last measured cost.
      const items = Math.max(
        1,
        Math.min(this.chunkItems, Math.floor((left * 0.8) / this.msPerItem)),
      );
      this.encodeChunk(job, items);
    }
    chargeTurn(performance.now() - sliceStart);
    setImmediate(() => this.runSlice());
  }

  private encodeChunk(job: Job<T>, maxItems: number): void {
    const start = job.next;
    const end = Math.min(job.items.length, start + maxItems);
    const chunk = start === 0 && end === job.items.length ? job.items : job.items.slice(start, end);
    job.next = end;
    if (end === job.items.length) {
      job.items = [];
      job.next = 0;
    }
    const t0 = performance.now();
    let line: string;
    try {
      line = this.encode(chunk);
    } catch {
      job.encodeFailed = true;
      this.counters.encodeErrors += chunk.length;
      return;
    }
    // The writer's append encodes the line to UTF-8 right away (flattening the string built
    // by the encoder), so it belongs to this slice's cost and to the measurement.
    if (line.length > 0)
      job.writes.push(this.writer.write(this.signal, line, this.recordsOf(chunk)));
    this.adaptChunkSize(chunk.length, performance.now() - t0);
  }

  private adaptChunkSize(items: number, elapsedMs: number): void {
    const perItem = Math.max(elapsedMs, 0.001) / items;
    // A long chunk (a GC pause, a cold cache) counts at once; cheaper ones pull it down slowly,
    // so one lucky measurement cannot overshoot the budget.
    this.msPerItem = perItem > this.msPerItem ? perItem : this.msPerItem * 0.75 + perItem * 0.25;
    const target = Math.max(1, Math.floor((SLICE_BUDGET_MS * 0.8) / this.msPerItem));
    this.chunkItems = Math.min(MAX_CHUNK_ITEMS, target);
  }

  private settle(job: Job<T>): void {
    void Promise.all(job.writes).then((results) => {
      const ok = !job.encodeFailed && results.every(Boolean);
      if (ok) this.counters.exported += job.count;
      else this.counters.failed += job.count;
      try {
        job.callback(
          ok
            ? { code: ExportResultCode.SUCCESS }
            : {
                code: ExportResultCode.FAILED,
                error: new Error(
                  job.encodeFailed
                    ? `${this.signal}: some records could not be encoded`
                    : `${this.signal}: the spool writer dropped part of the batch (see its stats())`,
                ),
              },
        );
      } catch {
        // the SDK's callback failing is not ours to surface
      }
    });
  }
}
