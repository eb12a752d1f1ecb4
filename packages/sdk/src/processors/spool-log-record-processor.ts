import { SeverityNumber } from '@opentelemetry/api-logs';
import type { Context } from '@opentelemetry/api';
import type {
  LogRecordExporter,
  LogRecordProcessor,
  ReadableLogRecord,
  SdkLogRecord,
} from '@opentelemetry/sdk-logs';
import type { BatchExportQueueOptions, BatchExportQueueStats } from './batch-export-queue.js';
import { QueuedProcessor } from './queued-processor.js';

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
export class SpoolLogRecordProcessor
  extends QueuedProcessor<ReadableLogRecord>
  implements LogRecordProcessor
{
  private readonly listeners = new Set<LogRecordListener>();

  constructor(
    exporter: SyncFlushableLogRecordExporter,
    options: SpoolLogRecordProcessorOptions = {},
  ) {
    super(exporter, options);
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

  /** Crash path: the queued records are written synchronously before it returns. */
  flushSync(options: { timeoutMs?: number } = {}): void {
    try {
      this.exportSync(this.queue.takeAll(), options.timeoutMs);
    } catch {
      // the crash path must not add a crash of its own
    }
  }

  stats(): BatchExportQueueStats {
    return this.queue.stats();
  }
}
