import { RESOURCE_FIELD, type Signal } from '@otelspool/exporter-jsonl';
import type { ExportResult, Exporter, ItemBatch, Processor, TelemetryItem } from './types.js';

export interface PipelineOptions {
  processors: Processor[];
  exporter: Exporter;
  /**
   * Batching: items of one signal are packed until the next one would exceed this size
   * (estimated from the item's JSON length). 0 = one item per export (receiver path).
   */
  maxBatchBytes?: number;
  /** Called after each export with the batch and its outcome (cursors commit here). */
  onExported?: (batch: ItemBatch, result: ExportResult) => void | Promise<void>;
}

export interface PipelineStats {
  /** Items that entered the pipeline. */
  received: number;
  /** Records dropped by a processor, per processor name. */
  droppedBy: Record<string, number>;
  exports: number;
}

/**
 * A linear pipeline: `consume()` runs the processors then hands the item to the batcher;
 * full batches are exported in order (one export in flight at a time, so cursors only ever
 * move forward over acknowledged data). `consume()` resolves with the result of an export it
 * triggered, so the caller (the receiver) can stop on a retryable failure.
 */
export class Pipeline {
  private readonly pending = new Map<
    Signal,
    { items: TelemetryItem[]; bytes: number; records: number }
  >();
  readonly stats: PipelineStats = { received: 0, droppedBy: {}, exports: 0 };

  constructor(private readonly options: PipelineOptions) {}

  /** Processes one item; exports a batch when it is full. Never throws for data problems. */
  async consume(item: TelemetryItem, sizeHint?: number): Promise<ExportResult | undefined> {
    this.stats.received++;
    let current: TelemetryItem | undefined = item;
    for (const processor of this.options.processors) {
      const before: number = current.records;
      current = processor.process(current);
      if (!current) {
        this.stats.droppedBy[processor.name] = (this.stats.droppedBy[processor.name] ?? 0) + before;
        // Still batched, empty, so its spool position is acknowledged with the batch.
        if (!item.origin) return undefined;
        const empty = { [RESOURCE_FIELD[item.signal]]: [] } as unknown as TelemetryItem['data'];
        return this.add({ signal: item.signal, data: empty, records: 0, origin: item.origin }, 0);
      }
      if (current.records < before) {
        this.stats.droppedBy[processor.name] =
          (this.stats.droppedBy[processor.name] ?? 0) + (before - current.records);
      }
    }
    return this.add(current, sizeHint);
  }

  /**
   * Adds an item that already went through the processors, or that was dropped by them but
   * still needs its origin acknowledged (an empty item moves the cursor without sending).
   */
  private async add(item: TelemetryItem, sizeHint?: number): Promise<ExportResult | undefined> {
    const max = this.options.maxBatchBytes ?? 0;
    if (max <= 0)
      return this.exportBatch({ signal: item.signal, items: [item], records: item.records });
    const size = sizeHint ?? JSON.stringify(item.data).length;
    const batch = this.pending.get(item.signal) ?? { items: [], bytes: 0, records: 0 };
    let result: ExportResult | undefined;
    if (batch.items.length > 0 && batch.bytes + size > max) {
      result = await this.flushSignal(item.signal);
      if (result && result.status === 'retryable') return result;
    }
    const next = this.pending.get(item.signal) ?? { items: [], bytes: 0, records: 0 };
    next.items.push(item);
    next.bytes += size;
    next.records += item.records;
    this.pending.set(item.signal, next);
    return result;
  }

  /** Exports what is pending for one signal. */
  async flushSignal(signal: Signal): Promise<ExportResult | undefined> {
    const batch = this.pending.get(signal);
    if (!batch || batch.items.length === 0) return undefined;
    this.pending.delete(signal);
    return this.exportBatch({ signal, items: batch.items, records: batch.records });
  }

  /** Exports every pending batch; stops at the first retryable failure (returned). */
  async flush(): Promise<ExportResult | undefined> {
    let last: ExportResult | undefined;
    for (const signal of [...this.pending.keys()]) {
      last = await this.flushSignal(signal);
      if (last?.status === 'retryable') return last;
    }
    return last;
  }

  /** Items still waiting in the batcher (not exported, cursors not moved). */
  pendingItems(): number {
    let n = 0;
    for (const b of this.pending.values()) n += b.items.length;
    return n;
  }

  private async exportBatch(batch: ItemBatch): Promise<ExportResult> {
    this.stats.exports++;
    const result = await this.options.exporter.export(batch);
    await this.options.onExported?.(batch, result);
    return result;
  }

  async shutdown(): Promise<void> {
    await this.options.exporter.shutdown?.();
  }
}
