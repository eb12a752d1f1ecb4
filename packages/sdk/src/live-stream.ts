import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { LogRecordProcessor, SdkLogRecord } from '@opentelemetry/sdk-logs';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { encodeLogs, encodeMetrics, encodeTraces } from '@otelspool/exporter-jsonl/write-path';
import type { LogsData, MetricsData, Signal, TracesData } from '@otelspool/exporter-jsonl';

/** A record delivered live, in the same OTLP/JSON shape the spool reader yields. */
export type LiveRecord =
  | { signal: 'traces'; data: TracesData }
  | { signal: 'metrics'; data: MetricsData }
  | { signal: 'logs'; data: LogsData };

export type LiveConsumer = (record: LiveRecord) => void;

/**
 * In-process live streaming of records (`telemetry.subscribe`). With no subscriber the hooks
 * cost one size check; with subscribers, records are batched and encoded off the caller's
 * stack (setImmediate), and a throwing consumer is isolated from the host and from others.
 */
export class LiveStream {
  private readonly consumers = new Set<LiveConsumer>();
  private pendingSpans: ReadableSpan[] = [];
  private pendingLogs: SdkLogRecord[] = [];
  private scheduled = false;

  subscribe(consumer: LiveConsumer): () => void {
    this.consumers.add(consumer);
    return () => {
      this.consumers.delete(consumer);
    };
  }

  readonly spanProcessor: SpanProcessor = {
    onStart: (_span: Span, _ctx: Context) => undefined,
    onEnd: (span: ReadableSpan) => {
      if (this.consumers.size === 0) return;
      this.pendingSpans.push(span);
      this.schedule();
    },
    forceFlush: async () => this.deliver(),
    shutdown: async () => this.deliver(),
  };

  readonly logProcessor: LogRecordProcessor = {
    onEmit: (record: SdkLogRecord) => {
      if (this.consumers.size === 0) return;
      this.pendingLogs.push(record);
      this.schedule();
    },
    forceFlush: async () => this.deliver(),
    shutdown: async () => this.deliver(),
  };

  onMetrics(resourceMetrics: ResourceMetrics): void {
    if (this.consumers.size === 0) return;
    this.emit('metrics', encodeMetrics(resourceMetrics));
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.deliver());
  }

  private deliver(): void {
    this.scheduled = false;
    const spans = this.pendingSpans;
    const logs = this.pendingLogs;
    this.pendingSpans = [];
    this.pendingLogs = [];
    if (spans.length > 0) this.emit('traces', encodeTraces(spans));
    if (logs.length > 0) this.emit('logs', encodeLogs(logs));
  }

  private emit(signal: Signal, line: string): void {
    if (line === '') return;
    let data: unknown;
    try {
      data = JSON.parse(line);
    } catch {
      return;
    }
    const record = { signal, data } as LiveRecord;
    for (const consumer of this.consumers) {
      try {
        consumer(record);
      } catch {
        // A subscriber's bug must not reach the host or the other subscribers.
      }
    }
  }
}
