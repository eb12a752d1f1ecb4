import { TraceFlags } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import { hrTime } from '@opentelemetry/core';
import type {
  ReadableSpan,
  Span,
  SpanExporter,
  SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { BatchExportQueueOptions, BatchExportQueueStats } from './batch-export-queue.js';
import { QueuedProcessor } from './queued-processor.js';
import { snapshotUnfinishedSpan } from './unfinished-span.js';
import { StartTimeRefiner } from './precise-start.js';

/** Spans tracked as open at most by default (`maxOpenSpans`). */
export const DEFAULT_MAX_OPEN_SPANS = 2048;

/** The open-span list is swept at least this often (in span starts). */
const MIN_SWEEP = 256;

/** A span exporter that can also write synchronously on the crash path (JsonlSpanExporter). */
export interface SyncFlushableSpanExporter extends SpanExporter {
  flushSync?(spans?: readonly ReadableSpan[], options?: { timeoutMs?: number }): void;
}

export interface SpoolSpanProcessorOptions extends BatchExportQueueOptions {
  /**
   * Keep the set of started, not yet ended spans so that `flushSync({ includeOpenSpans })` can
   * write them at a crash (the OTel JS SDK writes nothing for them, opentelemetry-js #3835).
   * Costs an array push per span and a sweep now and then. Default false.
   */
  trackOpenSpans?: boolean;
  /**
   * Open spans tracked at most; beyond it the oldest is forgotten (counted in
   * `stats().openUntracked`): it is still written if it ends, only not snapshotted at a crash.
   * Without a bound an app that starts spans and never ends them would leak them all through
   * this registry. Default 2048.
   */
  maxOpenSpans?: number;
  /**
   * Give spans whose start the SDK took from `Date.now()` (whole milliseconds) a
   * sub-millisecond start on the same clock as their end (StartTimeRefiner), so siblings
   * started in one millisecond keep their order and durations stay exact. Default true.
   */
  preciseStartTime?: boolean;
}

export interface SpoolSpanProcessorStats extends BatchExportQueueStats {
  /** Spans started and not yet ended that are tracked for the crash path (0 unless trackOpenSpans). */
  open: number;
  /** Open spans forgotten by the tracking because more than maxOpenSpans were open. */
  openUntracked: number;
}

/**
 * Span processor for the spool: `onEnd` only pushes into a bounded queue (drops beyond
 * maxQueueSize are counted), batches go to the exporter on size or timer without blocking,
 * and `flushSync` writes the queue (and optionally the spans still open) synchronously for
 * the crash path. Never throws into the instrumented code.
 */
export class SpoolSpanProcessor extends QueuedProcessor<ReadableSpan> implements SpanProcessor {
  private readonly trackOpenSpans: boolean;
  /**
   * Started spans (with trackOpenSpans), oldest first, ended ones among them until the next
   * sweep. A list swept every `sweepAt` starts rather than a Set: a Set insert and delete per
   * span cost ~0.4 µs (bench/ G1, a fifth of an SDK span), a push costs nothing and the sweep
   * reads one `ended` flag per span. Sweeps come at least every MIN_SWEEP starts, so an ended
   * span stays reachable from here about as long as it waits in the export queue anyway.
   */
  private open: Span[] = [];
  private sweepAt = MIN_SWEEP;
  private readonly maxOpenSpans: number;
  private openUntracked = 0;
  /** Open spans already written as unfinished snapshots: each span reaches the spool once. */
  private readonly snapshotted = new WeakSet<ReadableSpan>();
  private hasSnapshots = false;
  private readonly refiner: StartTimeRefiner | undefined;

  constructor(exporter: SyncFlushableSpanExporter, options: SpoolSpanProcessorOptions = {}) {
    super(exporter, options);
    this.trackOpenSpans = options.trackOpenSpans === true;
    this.maxOpenSpans = Math.max(0, options.maxOpenSpans ?? DEFAULT_MAX_OPEN_SPANS);
    this.refiner = options.preciseStartTime === false ? undefined : new StartTimeRefiner();
  }

  onStart(span: Span, _parentContext: Context): void {
    this.refiner?.refine(span);
    if (!this.trackOpenSpans) return;
    if (this.open.push(span) >= this.sweepAt) this.sweepOpen();
  }

  /**
   * Drops the ended spans from the tracking list and, beyond maxOpenSpans still open, the
   * oldest (counted in openUntracked). Linear in the list, which is at most
   * max(MIN_SWEEP, 2 × maxOpenSpans) long: amortised O(1) per span.
   */
  private sweepOpen(): void {
    const open = this.open;
    let kept = 0;
    for (let i = 0; i < open.length; i++) {
      const span = open[i]!;
      if (!span.ended) open[kept++] = span;
    }
    open.length = kept;
    if (kept > this.maxOpenSpans) {
      this.openUntracked += kept - this.maxOpenSpans;
      open.splice(0, kept - this.maxOpenSpans);
    }
    this.sweepAt = Math.max(MIN_SWEEP, 2 * open.length);
  }

  onEnd(span: ReadableSpan): void {
    if (this.isShutdown || (this.hasSnapshots && this.snapshotted.has(span))) return;
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    this.queue.push(span);
  }

  /**
   * Crash path: hands every queued span (and, with includeOpenSpans and trackOpenSpans, a
   * snapshot of each still-open span ending now, marked `otelspool.span.unfinished`) to the
   * exporter's synchronous flush, and returns when it is written.
   */
  flushSync(options: { includeOpenSpans?: boolean; timeoutMs?: number } = {}): void {
    try {
      const spans = this.queue.takeAll();
      if (this.trackOpenSpans) this.sweepOpen();
      if (options.includeOpenSpans !== false && this.open.length > 0) {
        const now = hrTime();
        for (const span of this.open) {
          if (span.ended) continue;
          if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) continue;
          spans.push(snapshotUnfinishedSpan(span, now));
          this.snapshotted.add(span);
          this.hasSnapshots = true;
        }
        this.open = [];
        this.sweepAt = MIN_SWEEP;
      }
      this.exportSync(spans, options.timeoutMs);
    } catch {
      // the crash path must not add a crash of its own
    }
  }

  stats(): SpoolSpanProcessorStats {
    if (this.trackOpenSpans) this.sweepOpen();
    return { ...this.queue.stats(), open: this.open.length, openUntracked: this.openUntracked };
  }
}
