import { basename } from 'node:path';
import type { SyncSummary } from '@otelspool/collector';
import { SpoolWriter } from '@otelspool/exporter-jsonl';
import { readMetricsSnapshot } from '@otelspool/exporter-jsonl/internal';

export const SYNC_RECORDS_SENT_METRIC = 'otelspool.sync.records.sent';
export const SYNC_REQUESTS_FAILED_METRIC = 'otelspool.sync.requests.failed';

/** The service the spool belongs to: its metrics snapshot says so, else the dir's name. */
function spoolService(dir: string): string {
  return readMetricsSnapshot(dir)?.serviceName || basename(dir);
}

const nanos = (ms: number): string => (BigInt(Math.round(ms)) * 1_000_000n).toString();

/**
 * The OTLP metrics line one `spool sync` run leaves in the spool: per destination, the records
 * it delivered (`otelspool.sync.records.sent`) and the requests that failed
 * (`otelspool.sync.requests.failed`), as delta sums over the run (each run is its own process;
 * the compose Collector's deltatocumulative processor makes Prometheus counters of them:
 * `otelspool_sync_records_sent_total`, `otelspool_sync_requests_failed_total`). A later sync
 * ships the line, like any other record.
 */
export function syncMetricsLine(
  summary: SyncSummary,
  service: string,
  startMs: number,
  endMs: number,
): string {
  const point = (value: number, destination: string) => ({
    attributes: [{ key: 'destination', value: { stringValue: destination } }],
    startTimeUnixNano: nanos(startMs),
    timeUnixNano: nanos(endMs),
    asInt: String(value),
  });
  const sum = (
    name: string,
    unit: string,
    description: string,
    value: (d: SyncSummary['destinations'][number]) => number,
  ) => ({
    name,
    unit,
    description,
    sum: {
      aggregationTemporality: 1, // DELTA
      isMonotonic: true,
      dataPoints: summary.destinations.map((d) => point(value(d), d.name)),
    },
  });
  return JSON.stringify({
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeMetrics: [
          {
            scope: { name: '@otelspool/cli' },
            metrics: [
              sum(
                SYNC_RECORDS_SENT_METRIC,
                '{record}',
                'Records a sync destination acknowledged',
                (d) => d.recordsSent,
              ),
              sum(
                SYNC_REQUESTS_FAILED_METRIC,
                '{request}',
                'Sync requests that failed (retried or given up on)',
                (d) => d.requestsFailed,
              ),
            ],
          },
        ],
      },
    ],
  });
}

/**
 * Appends the sync self-metrics of a finished run to the spool. Never throws: the sync itself
 * succeeded or failed on its own; a spool that cannot take the line only loses these numbers.
 */
export async function recordSyncMetrics(
  dir: string,
  summary: SyncSummary,
  startMs: number,
  endMs = Date.now(),
): Promise<void> {
  if (summary.dryRun || summary.status === 'no-consent' || summary.destinations.length === 0) {
    return;
  }
  try {
    // No byte cap of its own: the cap belongs to the app that configured it (maxSpoolBytes
    // is per writer, not stored in the spool). With the default 256 MiB here, one sync of a
    // spool an app lets grow to 8 GiB evicted every sealed segment beyond 256 MiB to make room
    // for this one small line (found by the reliability load test).
    const writer = new SpoolWriter({
      dir,
      durability: 'batch',
      maxSpoolBytes: Number.POSITIVE_INFINITY,
    });
    const line = syncMetricsLine(summary, spoolService(dir), startMs, endMs);
    await writer.write('metrics', line, summary.destinations.length * 2);
    await writer.shutdown();
  } catch {
    // see above
  }
}
