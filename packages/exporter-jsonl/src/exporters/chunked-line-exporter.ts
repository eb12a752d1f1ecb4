import { performance } from 'node:perf_hooks';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { Signal } from '../writer/signal.js';
import type { SpoolWriter } from '../writer/spool-writer.js';

/**
 * Synchronous encoding per slice; a slice is followed by a yield to the event loop. The
 * writer's pass may run in the same turn, so both together stay under ~1 ms.
 */
const SLICE_BUDGET_MS = 0.6;
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
 * exceeds ~0.5 ms whatever the batch size. The chunk size adapts to the measured encoding
 * cost per item (so it holds on slow machines and for unusually large records). Batches are
 * encoded one after another in arrival order; the callback reports success only once every
 * line of the batch is written (and fsynced under 'batch' durability). It never throws.
 */
export class ChunkedLineExporter<T> {
  private readonly jobs: Job<T>[] = [];
  private running = false;
  private chunkItems = FIRST_CHUNK_ITEMS;
  private lastChunkMs = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly counters: ChunkedExportStats = { exported: 0, failed: 0, encodeErrors: 0 };

  constructor(
    private readonly signal: Signal,
    private readonly writer: SpoolWriter,
    private readonly encode: (items: readonly T[]) => string,
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
    const deadline = performance.now() + SLICE_BUDGET_MS;
    let chunks = 0;
    for (;;) {
      const job = this.jobs[0];
      if (!job) {
        this.running = false;
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
      // Start another chunk only if one more (at the last measured cost) still fits.
      if (chunks > 0 && performance.now() + this.lastChunkMs > deadline) break;
      this.encodeChunk(job, this.chunkItems);
      chunks += 1;
    }
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
    if (line.length > 0) job.writes.push(this.writer.write(this.signal, line, chunk.length));
    this.adaptChunkSize(chunk.length, performance.now() - t0);
  }

  private adaptChunkSize(items: number, elapsedMs: number): void {
    this.lastChunkMs = elapsedMs;
    if (items < this.chunkItems && elapsedMs < SLICE_BUDGET_MS / 2) return; // a short tail says little
    const perItem = Math.max(elapsedMs, 0.001) / items;
    const target = Math.max(1, Math.floor((SLICE_BUDGET_MS * 0.8) / perItem));
    // Shrink at once when a chunk ran long; grow halfway towards the target so one lucky
    // measurement cannot overshoot the budget.
    const next = target < this.chunkItems ? target : Math.round((this.chunkItems + target) / 2);
    this.chunkItems = Math.min(MAX_CHUNK_ITEMS, Math.max(1, next));
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
