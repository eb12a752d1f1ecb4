import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { encodeTraces } from '../otlp/encode-traces.js';
import type { SpoolStats } from '../writer/options.js';
import type { SpoolWriter } from '../writer/spool-writer.js';
import { ChunkedLineExporter } from './chunked-line-exporter.js';
import type { ChunkedExportStats } from './chunked-line-exporter.js';
import { resolveWriter } from './exporter-options.js';
import type { JsonlExporterOptions } from './exporter-options.js';

/** SpanExporter writing OTLP-JSON `TracesData` lines into `<dir>/traces/`. Never throws. */
export class JsonlSpanExporter implements SpanExporter {
  readonly writer: SpoolWriter;
  private readonly ownsWriter: boolean;
  private readonly engine: ChunkedLineExporter<ReadableSpan>;
  private isShutdown = false;

  constructor(options: JsonlExporterOptions) {
    const { writer, owned } = resolveWriter(options);
    this.writer = writer;
    this.ownsWriter = owned;
    this.engine = new ChunkedLineExporter('traces', writer, encodeTraces);
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (this.isShutdown) {
      resultCallback({
        code: ExportResultCode.FAILED,
        error: new Error('JsonlSpanExporter is shut down'),
      });
      return;
    }
    this.engine.export(spans, resultCallback);
  }

  /** Crash path: pending batches and `spans` are written synchronously before it returns. */
  flushSync(spans?: readonly ReadableSpan[], options?: { timeoutMs?: number }): void {
    try {
      this.engine.flushSync(spans, options);
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
