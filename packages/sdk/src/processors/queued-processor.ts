import type { ExportResult } from '@opentelemetry/core';
import { BatchExportQueue, type BatchExportQueueOptions } from './batch-export-queue.js';

/**
 * What both spool processors need of their exporter: the SDK's exporter interface, plus the
 * optional synchronous write of the spool's own exporters (JsonlSpanExporter, JsonlLogExporter)
 * for the crash path.
 */
export interface QueueExporter<T> {
  export(items: T[], resultCallback: (result: ExportResult) => void): void;
  forceFlush?(): Promise<void>;
  shutdown(): Promise<void>;
  flushSync?(items?: readonly T[], options?: { timeoutMs?: number }): void;
}

/**
 * The part SpoolSpanProcessor and SpoolLogRecordProcessor share: a BatchExportQueue in front
 * of the exporter, flush and shutdown through it, and the crash path's synchronous hand-off.
 */
export abstract class QueuedProcessor<T> {
  protected readonly queue: BatchExportQueue<T>;
  protected isShutdown = false;

  constructor(
    protected readonly exporter: QueueExporter<T>,
    options: BatchExportQueueOptions,
  ) {
    this.queue = new BatchExportQueue((items, cb) => exporter.export(items, cb), options);
  }

  /** Everything queued so far exported, then the exporter's own flush. */
  async forceFlush(): Promise<void> {
    await this.queue.flush();
    await this.exporter.forceFlush?.();
  }

  /** The queue drained into the exporter, then the exporter shut down (once). */
  async shutdown(): Promise<void> {
    if (this.isShutdown) return;
    this.isShutdown = true;
    await this.queue.flush();
    await this.exporter.shutdown();
  }

  /**
   * The crash path's hand-off: `items` (taken from the queue) are written synchronously when
   * the exporter can, else handed to its asynchronous export as a last chance. May throw; the
   * processors' flushSync catches.
   */
  protected exportSync(items: T[], timeoutMs: number | undefined): void {
    if (typeof this.exporter.flushSync === 'function') {
      this.exporter.flushSync(items, { timeoutMs });
      this.queue.countExported(items.length);
    } else if (items.length > 0) {
      this.exporter.export(items, () => undefined);
    }
  }
}
