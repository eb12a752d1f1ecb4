import { errorCode } from '../fs/error-code.js';
import type { Signal } from '../otlp/types.js';
import type { Counts, DropReason, SpoolStats } from './options.js';

const zeroCounts = (): Counts => ({ records: 0, lines: 0, bytes: 0 });

/** The writer's counters: what was written, dropped (by reason), evicted, and the errors seen. */
export class WriterStats {
  readonly written = zeroCounts();
  readonly droppedDetail: Record<DropReason, Counts> = {
    queue_full: zeroCounts(),
    spool_full: zeroCounts(),
    io_error: zeroCounts(),
    unsafe_dir: zeroCounts(),
    shutdown: zeroCounts(),
  };
  readonly evicted: SpoolStats['evicted'] = {
    segments: 0,
    bytes: 0,
    records: 0,
    shipped: 0,
    shippedRecords: 0,
  };
  /** Largest line written so far, by signal (sizes the room made before a final write). */
  readonly largestLine = new Map<Signal, number>();
  private readonly errors: Record<string, number> = {};

  drop(reason: DropReason, records: number, lines: number, bytes: number): void {
    const c = this.droppedDetail[reason];
    c.records += records;
    c.lines += lines;
    c.bytes += bytes;
  }

  /** Counts a file-system error by its code (ENOSPC, EACCES, ...). */
  countError(err: unknown): void {
    const code = errorCode(err);
    this.errors[code] = (this.errors[code] ?? 0) + 1;
  }

  /** Copies of the counters, for SpoolWriter.stats(). */
  snapshot(): Pick<SpoolStats, 'written' | 'dropped' | 'droppedDetail' | 'evicted' | 'errors'> {
    const dropped = {} as Record<DropReason, number>;
    const droppedDetail = {} as Record<DropReason, Counts>;
    for (const [reason, c] of Object.entries(this.droppedDetail) as [DropReason, Counts][]) {
      dropped[reason] = c.records;
      droppedDetail[reason] = { ...c };
    }
    return {
      written: { ...this.written },
      dropped,
      droppedDetail,
      evicted: { ...this.evicted },
      errors: { ...this.errors },
    };
  }
}
