import { SeverityNumber } from '@opentelemetry/api-logs';
import type { Context } from '@opentelemetry/api';
import type {
  LogRecordExporter,
  LogRecordProcessor,
  ReadableLogRecord,
  SdkLogRecord,
} from '@opentelemetry/sdk-logs';
import { BatchExportQueue } from './batch-export-queue.js';
import type { BatchExportQueueOptions, BatchExportQueueStats } from './batch-export-queue.js';

/** A log exporter that can also write synchronously on the crash path (JsonlLogExporter). */
export interface SyncFlushableLogRecordExporter extends LogRecordExporter {
  flushSync?(records?: readonly ReadableLogRecord[], options?: { timeoutMs?: number }): void;
}

export type LogRecordListener = (record: SdkLogRecord) => void;

export interface SpoolLogRecordProcessorOptions extends BatchExportQueueOptions {
  /** Called synchronously for every emitted record (breadcrumbs, live subscribers). */
  onEmit?: LogRecordListener;
}

/**
 * Log record processor for the spool, the counterpart of SpoolSpanProcessor: bounded queue
 * with a drop counter, export on size or timer, `flushSync` for the crash path, and listeners
 * that see every record as it is emitted. Never throws into the caller.
 */
export class SpoolLogRecordProcessor implements LogRecordProcessor {
  private readonly queue: BatchExportQueue<ReadableLogRecord>;
  private readonly listeners = new Set<LogRecordListener>();
  private isShutdown = false;

  constructor(
    private readonly exporter: SyncFlushableLogRecordExporter,
    options: SpoolLogRecordProcessorOptions = {},
  ) {
    this.queue = new BatchExportQueue((records, cb) => exporter.export(records, cb), options);
    if (options.onEmit) this.listeners.add(options.onEmit);
  }

  /** Adds a listener called for every emitted record; returns its removal function. */
  addEmitListener(listener: LogRecordListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  onEmit(logRecord: SdkLogRecord, _context?: Context): void {
    for (const listener of this.listeners) {
      try {
        listener(logRecord);
      } catch {
        // a listener's failure must not reach the code that logged
      }
    }
    if (this.isShutdown) return;
    this.queue.push(logRecord, (logRecord.severityNumber ?? 0) >= SeverityNumber.FATAL);
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

  /** Crash path: the queued records are written synchronously before it returns. */
  flushSync(options: { timeoutMs?: number } = {}): void {
    try {
      const records = this.queue.takeAll();
      if (typeof this.exporter.flushSync === 'function') {
        this.exporter.flushSync(records, options);
        this.queue.countExported(records.length);
      } else if (records.length > 0) {
        this.exporter.export(records, () => undefined);
      }
    } catch {
      // the crash path must not add a crash of its own
    }
  }

  stats(): BatchExportQueueStats {
    return this.queue.stats();
  }
}
