import { TraceFlags } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import { hrTime } from '@opentelemetry/core';
import type {
  ReadableSpan,
  Span,
  SpanExporter,
  SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { BatchExportQueue } from './batch-export-queue.js';
import type { BatchExportQueueOptions, BatchExportQueueStats } from './batch-export-queue.js';
import { snapshotUnfinishedSpan } from './unfinished-span.js';

/** A span exporter that can also write synchronously on the crash path (JsonlSpanExporter). */
export interface SyncFlushableSpanExporter extends SpanExporter {
  flushSync?(spans?: readonly ReadableSpan[], options?: { timeoutMs?: number }): void;
}

export interface SpoolSpanProcessorOptions extends BatchExportQueueOptions {
  /**
   * Keep the set of started, not yet ended spans so that `flushSync({ includeOpenSpans })` can
   * write them at a crash (the OTel JS SDK writes nothing for them, opentelemetry-js #3835).
   * Costs a Set add/delete per span. Default false.
   */
  trackOpenSpans?: boolean;
}

export interface SpoolSpanProcessorStats extends BatchExportQueueStats {
  /** Spans started and not yet ended (0 unless trackOpenSpans). */
  open: number;
}

/**
 * Span processor for the spool: `onEnd` only pushes into a bounded queue (drops beyond
 * maxQueueSize are counted), batches go to the exporter on size or timer without blocking,
 * and `flushSync` writes the queue (and optionally the spans still open) synchronously for
 * the crash path. Never throws into the instrumented code.
 */
export class SpoolSpanProcessor implements SpanProcessor {
  private readonly queue: BatchExportQueue<ReadableSpan>;
  private readonly openSpans: Set<Span> | undefined;
  /** Open spans already written as unfinished snapshots: each span reaches the spool once. */
  private readonly snapshotted = new WeakSet<ReadableSpan>();
  private isShutdown = false;

  constructor(
    private readonly exporter: SyncFlushableSpanExporter,
    options: SpoolSpanProcessorOptions = {},
  ) {
    this.queue = new BatchExportQueue((spans, cb) => exporter.export(spans, cb), options);
    this.openSpans = options.trackOpenSpans ? new Set() : undefined;
  }

  onStart(span: Span, _parentContext: Context): void {
    this.openSpans?.add(span);
  }

  onEnd(span: ReadableSpan): void {
    if (this.openSpans !== undefined) this.openSpans.delete(span as Span);
    if (this.isShutdown || this.snapshotted.has(span)) return;
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    this.queue.push(span);
  }

  async forceFlush(): Promise<void> {
    await this.queue.flush();
    await this.exporter.forceFlush?.();
  }

  async shutdown(): Promise<void> {
    if (this.isShutdown) return;
    this.isShutdown = true;
    await this.queue.flush();
    await this.exporter.shutdown();
  }

  /**
   * Crash path: hands every queued span (and, with includeOpenSpans and trackOpenSpans, a
   * snapshot of each still-open span ending now, marked `otelspool.span.unfinished`) to the
   * exporter's synchronous flush, and returns when it is written.
   */
  flushSync(options: { includeOpenSpans?: boolean; timeoutMs?: number } = {}): void {
    try {
      const spans = this.queue.takeAll();
      if (
        options.includeOpenSpans !== false &&
        this.openSpans !== undefined &&
        this.openSpans.size > 0
      ) {
        const now = hrTime();
        for (const span of this.openSpans) {
          if (span.ended) continue;
          if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) continue;
          spans.push(snapshotUnfinishedSpan(span, now));
          this.snapshotted.add(span);
        }
        this.openSpans.clear();
      }
      if (typeof this.exporter.flushSync === 'function') {
        this.exporter.flushSync(spans, { timeoutMs: options.timeoutMs });
        this.queue.countExported(spans.length);
      } else if (spans.length > 0) {
        this.exporter.export(spans, () => undefined);
      }
    } catch {
      // the crash path must not add a crash of its own
    }
  }

  stats(): SpoolSpanProcessorStats {
    return { ...this.queue.stats(), open: this.openSpans?.size ?? 0 };
  }
}
