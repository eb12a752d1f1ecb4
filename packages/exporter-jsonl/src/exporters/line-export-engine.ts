import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { Signal } from '../otlp/types.js';
import type { SpoolWriter } from '../writer/spool-writer.js';

/** Records per OTLP-JSON line at most: a batch of more is split into several lines. */
const MAX_LINE_ITEMS = 512;
/**
 * A line longer than this (UTF-16 code units, about bytes for telemetry) is re-encoded as two
 * halves, down to one record per line: the OpenTelemetry Collector's `otlpjsonfile` receiver
 * refuses lines over 1 MiB, and spool files should stay readable by it.
 */
const MAX_LINE_CHARS = 1024 * 1024 - 4096;

export interface LineExportStats {
  /** Items whose export was reported successful. */
  exported: number;
  /** Items whose export was reported failed (dropped by the writer or not encodable). */
  failed: number;
  /** Items that could not be encoded (a bug or a hostile object); counted in `failed` too. */
  encodeErrors: number;
}

/**
 * The export engine shared by the three JSONL exporters. `export()` encodes the batch into
 * OTLP-JSON lines right away, in the caller's turn, and queues them in the writer, so the SDK
 * objects die young and the exporter can never fall behind the producer while the CPU keeps
 * up (the processors hand over batches in increments proportional to what the app just did,
 * see the SDK's BatchExportQueue). The callback reports success once every line is written
 * (and fsynced under 'batch'). It never throws.
 */
export class LineExportEngine<T> {
  private pending = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly counters: LineExportStats = { exported: 0, failed: 0, encodeErrors: 0 };

  constructor(
    private readonly signal: Signal,
    private readonly writer: SpoolWriter,
    private readonly encode: (items: readonly T[]) => string | Buffer,
    /** Records an item stands for (metrics: its data points, as OTLP and readers count them). */
    private readonly recordsOf: (items: readonly T[]) => number = (items) => items.length,
  ) {}

  export(items: readonly T[], callback: (result: ExportResult) => void): void {
    if (items.length === 0) {
      callback({ code: ExportResultCode.SUCCESS });
      return;
    }
    const writes: Promise<boolean>[] = [];
    const encodeFailed = this.encodeInto(items, (line, records) => {
      writes.push(this.writer.write(this.signal, line, records));
    });
    this.pending += 1;
    // Only the count waits for the writes: the SDK objects must not outlive their encoding.
    const count = items.length;
    void Promise.all(writes).then((results) => {
      const ok = !encodeFailed && results.every(Boolean);
      this.settle(count, ok, encodeFailed, callback);
    });
  }

  /**
   * Crash path: encodes `items` now and has the writer write everything queued synchronously
   * (and fsync it, unless durability is 'none') before it returns.
   */
  flushSync(items?: readonly T[], options?: { timeoutMs?: number }): void {
    // Drain the writer first: what the crash path encodes next must find room in its bounded
    // queue, not be dropped as queue_full because the app was busy when it died.
    this.writer.flushSync(options);
    if (items && items.length > 0) {
      this.encodeInto(items, (line, records) => this.writer.append(this.signal, line, records));
      this.writer.flushSync(options);
    }
  }

  /** Resolves when every export() so far has been settled. */
  whenIdle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stats(): LineExportStats {
    return { ...this.counters };
  }

  /** Encodes `items` as lines of at most MAX_LINE_ITEMS records; true if any failed to encode. */
  private encodeInto(
    items: readonly T[],
    emit: (line: string | Buffer, records: number) => void,
  ): boolean {
    let failed = false;
    for (let start = 0; start < items.length; start += MAX_LINE_ITEMS) {
      const end = Math.min(items.length, start + MAX_LINE_ITEMS);
      const chunk = start === 0 && end === items.length ? items : items.slice(start, end);
      if (!this.encodeChunk(chunk, emit)) failed = true;
    }
    return failed;
  }

  private encodeChunk(
    chunk: readonly T[],
    emit: (line: string | Buffer, records: number) => void,
  ): boolean {
    let line: string | Buffer;
    try {
      line = this.encode(chunk);
    } catch {
      // One hostile record must not cost the others: split until it is isolated.
      if (chunk.length > 1) return this.encodeHalves(chunk, emit);
      this.counters.encodeErrors += chunk.length;
      return false;
    }
    if (line.length > MAX_LINE_CHARS && chunk.length > 1) return this.encodeHalves(chunk, emit);
    if (line.length > 0) emit(line, this.recordsOf(chunk));
    return true;
  }

  private encodeHalves(
    chunk: readonly T[],
    emit: (line: string | Buffer, records: number) => void,
  ): boolean {
    const mid = chunk.length >> 1;
    const a = this.encodeChunk(chunk.slice(0, mid), emit);
    const b = this.encodeChunk(chunk.slice(mid), emit);
    return a && b;
  }

  private settle(
    count: number,
    ok: boolean,
    encodeFailed: boolean,
    callback: (result: ExportResult) => void,
  ): void {
    if (ok) this.counters.exported += count;
    else this.counters.failed += count;
    try {
      callback(
        ok
          ? { code: ExportResultCode.SUCCESS }
          : {
              code: ExportResultCode.FAILED,
              error: new Error(
                encodeFailed
                  ? `${this.signal}: some records could not be encoded`
                  : `${this.signal}: the spool writer dropped part of the batch (see its stats())`,
              ),
            },
      );
    } catch {
      // the SDK's callback failing is not ours to surface
    } finally {
      this.pending -= 1;
      if (this.pending === 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const w of waiters) w();
      }
    }
  }
}
