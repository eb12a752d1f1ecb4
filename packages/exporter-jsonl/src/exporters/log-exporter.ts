import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { encodeLogs } from '../otlp/encode-logs.js';
import type { SpoolStats } from '../writer/options.js';
import type { SpoolWriter } from '../writer/spool-writer.js';
import { ChunkedLineExporter } from './chunked-line-exporter.js';
import type { ChunkedExportStats } from './chunked-line-exporter.js';
import { resolveWriter } from './exporter-options.js';
import type { JsonlExporterOptions } from './exporter-options.js';

/** LogRecordExporter writing OTLP-JSON `LogsData` lines into `<dir>/logs/`. Never throws. */
export class JsonlLogExporter implements LogRecordExporter {
  readonly writer: SpoolWriter;
  private readonly ownsWriter: boolean;
  private readonly engine: ChunkedLineExporter<ReadableLogRecord>;
  private isShutdown = false;

  constructor(options: JsonlExporterOptions) {
    const { writer, owned } = resolveWriter(options);
    this.writer = writer;
    this.ownsWriter = owned;
    this.engine = new ChunkedLineExporter('logs', writer, encodeLogs);
  }

  export(records: ReadableLogRecord[], resultCallback: (result: ExportResult) => void): void {
    if (this.isShutdown) {
      resultCallback({
        code: ExportResultCode.FAILED,
        error: new Error('JsonlLogExporter is shut down'),
      });
      return;
    }
    this.engine.export(records, resultCallback);
  }

  /** Crash path: pending batches and `records` are written synchronously before it returns. */
  flushSync(records?: readonly ReadableLogRecord[], options?: { timeoutMs?: number }): void {
    try {
      this.engine.flushSync(records, options);
    } catch {
      // never into the host
    }
  }

  async forceFlush(): Promise<void> {
    await this.engine.whenIdle();
    await this.writer.flush();
  }

  async shutdown(): Promise<void> {
    if (this.isShutdown) return;
    this.isShutdown = true;
    await this.engine.whenIdle();
    if (this.ownsWriter) await this.writer.shutdown();
    else await this.writer.flush();
  }

  stats(): ChunkedExportStats & { writer: SpoolStats } {
    return { ...this.engine.stats(), writer: this.writer.stats() };
  }
}
