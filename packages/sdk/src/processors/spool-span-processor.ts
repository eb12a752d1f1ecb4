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

/** `started` is swept of ended spans once it reaches this length (or twice the open count). */
const MIN_SWEEP_LENGTH = 1024;

/** A span exporter that can also write synchronously on the crash path (JsonlSpanExporter). */
export interface SyncFlushableSpanExporter extends SpanExporter {
  flushSync?(spans?: readonly ReadableSpan[], options?: { timeoutMs?: number }): void;
}

export interface SpoolSpanProcessorOptions extends BatchExportQueueOptions {
  /**
   * Keep the set of started, not yet ended spans so that `flushSync({ includeOpenSpans })` can
   * write them at a crash (the OTel JS SDK writes nothing for them, opentelemetry-js #3835).
   * Costs an array push per span (ended spans are swept out in amortised batches). Default false.
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
  private readonly trackOpenSpans: boolean;
  /**
   * Spans started since the last sweep, ended or not (with trackOpenSpans). A push in onStart
   * and nothing in onEnd keeps the hot path as cheap as BatchSpanProcessor's; ended spans are
   * swept out whenever the list doubles, which costs O(1) per span amortised.
   */
  private started: Span[] = [];
  private sweepAt = MIN_SWEEP_LENGTH;
  /** Open spans already written as unfinished snapshots: each span reaches the spool once. */
  private readonly snapshotted = new WeakSet<ReadableSpan>();
  private hasSnapshots = false;
  private isShutdown = false;

  constructor(
    private readonly exporter: SyncFlushableSpanExporter,
    options: SpoolSpanProcessorOptions = {},
  ) {
    this.queue = new BatchExportQueue((spans, cb) => exporter.export(spans, cb), options);
    this.trackOpenSpans = options.trackOpenSpans === true;
  }

  onStart(span: Span, _parentContext: Context): void {
    if (!this.trackOpenSpans) return;
    if (this.started.push(span) >= this.sweepAt) this.sweepEnded();
  }

  onEnd(span: ReadableSpan): void {
    if (this.isShutdown || (this.hasSnapshots && this.snapshotted.has(span))) return;
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
      if (options.includeOpenSpans !== false && this.started.length > 0) {
        const now = hrTime();
        for (const span of this.started) {
          if (span.ended) continue;
          if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) continue;
          spans.push(snapshotUnfinishedSpan(span, now));
          this.snapshotted.add(span);
          this.hasSnapshots = true;
        }
        this.started = [];
        this.sweepAt = MIN_SWEEP_LENGTH;
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
    let open = 0;
    for (const span of this.started) if (!span.ended) open += 1;
    return { ...this.queue.stats(), open };
  }

  /** Drops ended spans from `started`; the next sweep waits until the list has doubled. */
  private sweepEnded(): void {
    const open: Span[] = [];
    for (const span of this.started) if (!span.ended) open.push(span);
    this.started = open;
    this.sweepAt = Math.max(MIN_SWEEP_LENGTH, open.length * 2);
  }
}
