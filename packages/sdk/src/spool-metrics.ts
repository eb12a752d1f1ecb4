import type { Meter } from '@opentelemetry/api';
import type { SpoolWriter } from '@otelspool/exporter-jsonl';

/** Drop counts kept outside the writer (e.g. processor queues), by reason. */
export type DropSource = () => Record<string, number>;

/**
 * Self-observability of the spool as OTel metrics, so a user sees telemetry health in the same
 * place as everything else: records written, records dropped by reason (never written),
 * records evicted by the byte cap (written, then deleted; `shipped` tells whether every sync
 * destination had them first), bytes on disk. Each is the same number `telemetry.stats()`
 * returns at collection time; the SDK collects them one last time after its final flush.
 */
export function registerSpoolMetrics(
  meter: Meter,
  writer: SpoolWriter,
  extraDrops: DropSource[],
): void {
  const written = meter.createObservableCounter('otelspool.spool.records.written', {
    unit: '{record}',
    description: 'Records written to the local spool',
  });
  written.addCallback((result) => result.observe(writer.stats().written.records));

  const dropped = meter.createObservableCounter('otelspool.spool.records.dropped', {
    unit: '{record}',
    description: 'Records dropped before reaching the spool, by reason',
  });
  dropped.addCallback((result) => {
    const totals: Record<string, number> = { ...writer.stats().dropped };
    for (const source of extraDrops) {
      for (const [reason, count] of Object.entries(source())) {
        totals[reason] = (totals[reason] ?? 0) + count;
      }
    }
    for (const [reason, count] of Object.entries(totals)) result.observe(count, { reason });
  });

  const evicted = meter.createObservableCounter('otelspool.spool.records.evicted', {
    unit: '{record}',
    description:
      'Records written to the local spool and later deleted to stay under its byte cap; ' +
      'shipped="true" when every sync destination had acknowledged them',
  });
  evicted.addCallback((result) => {
    const e = writer.stats().evicted;
    result.observe(e.shippedRecords, { shipped: true });
    result.observe(e.records - e.shippedRecords, { shipped: false });
  });

  const bytes = meter.createObservableGauge('otelspool.spool.bytes', {
    unit: 'By',
    description: 'Bytes the spool occupies on disk',
  });
  bytes.addCallback((result) => result.observe(writer.stats().bytesOnDisk));
}
