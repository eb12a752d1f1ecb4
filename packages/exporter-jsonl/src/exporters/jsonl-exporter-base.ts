import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { SpoolStats } from '../writer/options.js';
import type { Signal } from '../otlp/types.js';
import type { SpoolWriter } from '../writer/spool-writer.js';
import { LineExportEngine } from './line-export-engine.js';
import type { LineExportStats } from './line-export-engine.js';
import { resolveWriter } from './exporter-options.js';
import type { JsonlExporterOptions } from './exporter-options.js';

/**
 * What the three JSONL exporters share: writer ownership, the shutdown state, the line
 * export engine, the crash-path flushSync and stats. A subclass only says how one export
 * call's argument becomes the items a line is encoded from. Never throws.
 */
export abstract class JsonlExporterBase<TBatch, TItem> {
  readonly writer: SpoolWriter;
  private readonly ownsWriter: boolean;
  private readonly engine: LineExportEngine<TItem>;
  private isShutdown = false;

  protected constructor(
    signal: Signal,
    options: JsonlExporterOptions,
    encode: (items: readonly TItem[]) => string | Buffer,
    private readonly exporterName: string,
    recordsOf?: (items: readonly TItem[]) => number,
  ) {
    const { writer, owned } = resolveWriter(options);
    this.writer = writer;
    this.ownsWriter = owned;
    this.engine = new LineExportEngine(signal, writer, encode, recordsOf);
  }

  /** The items one export call carries, in order. */
  protected abstract toItems(batch: TBatch): readonly TItem[];

  export(batch: TBatch, resultCallback: (result: ExportResult) => void): void {
    if (this.isShutdown) {
      resultCallback({
        code: ExportResultCode.FAILED,
        error: new Error(`${this.exporterName} is shut down`),
      });
      return;
    }
    let items: readonly TItem[];
    try {
      items = this.toItems(batch);
    } catch (err) {
      resultCallback({ code: ExportResultCode.FAILED, error: err as Error });
      return;
    }
    this.engine.export(items, resultCallback);
  }

  /** Crash path: pending batches and `batch` are written synchronously before it returns. */
  flushSync(batch?: TBatch, options?: { timeoutMs?: number }): void {
    try {
      this.engine.flushSync(batch === undefined ? undefined : this.toItems(batch), options);
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

  stats(): LineExportStats & { writer: SpoolStats } {
    return { ...this.engine.stats(), writer: this.writer.stats() };
  }
}
