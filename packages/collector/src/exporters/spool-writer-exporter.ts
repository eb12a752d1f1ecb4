import { stringifyOtlpJson, type Signal } from '@otelspool/exporter-jsonl';
import type { ExportResult, Exporter, ItemBatch } from '../pipeline/types.js';

/** What the receiver needs of a writer: a SpoolWriter, or one shared with the caller. */
export interface SpoolWriterLike {
  append(signal: Signal, line: string, records: number): boolean;
  /** Resolves true once the line is on disk (SpoolWriter has it; optional for other writers). */
  write?(signal: Signal, line: string, records: number): Promise<boolean>;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * Bytes of received lines allowed to wait for the disk at once: half the SpoolWriter's default
 * 16 MiB queue, so the receiver's own load never makes the writer refuse (and count a drop).
 */
export const DEFAULT_MAX_IN_FLIGHT_BYTES = 8 * 1024 * 1024;

/**
 * The `spool serve` exporter: each received request becomes one spool line through the shared
 * SpoolWriter, acknowledged only once the writer has it on disk (`write()`, fsynced under
 * 'batch' durability). Backpressure: when more than `maxInFlightBytes` wait for the disk, new
 * requests wait their turn instead of failing. A line the writer still refuses (spool cap,
 * I/O error, shut down) is `retryable`: the receiver answers 503 + Retry-After and the sending
 * SDK retries. Nothing is acknowledged that is not written.
 */
export class SpoolWriterExporter implements Exporter {
  readonly name = 'spool-writer';
  private inFlightBytes = 0;
  private waiting: (() => void)[] = [];

  constructor(
    private readonly writer: SpoolWriterLike,
    private readonly maxInFlightBytes = DEFAULT_MAX_IN_FLIGHT_BYTES,
  ) {}

  async export(batch: ItemBatch): Promise<ExportResult> {
    for (const item of batch.items) {
      if (item.records === 0) continue;
      // OTLP/JSON, not JSON.stringify: a NaN/±Infinity double (protobuf senders such as the Go
      // SDK have them) would become null and -0 would lose its sign.
      const line = stringifyOtlpJson(item.data);
      const size = line.length;
      while (this.inFlightBytes > 0 && this.inFlightBytes + size > this.maxInFlightBytes) {
        await new Promise<void>((resolve) => this.waiting.push(resolve));
      }
      this.inFlightBytes += size;
      let ok: boolean;
      try {
        ok = this.writer.write
          ? await this.writer.write(item.signal, line, item.records)
          : this.writer.append(item.signal, line, item.records);
      } catch {
        ok = false;
      } finally {
        this.inFlightBytes -= size;
        const wake = this.waiting;
        this.waiting = [];
        for (const resolve of wake) resolve();
      }
      if (!ok) {
        return {
          status: 'retryable',
          message: 'the spool cannot take data now (full or failing); retry later',
        };
      }
    }
    return { status: 'success' };
  }
}
