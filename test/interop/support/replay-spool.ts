import { SpoolWriter, countRecords, type MetricsData } from '@otelspool/exporter-jsonl';

/** One recorded sample of the replay series: when, and the values it had. */
export interface ReplayPoint {
  timeMs: number;
  /** otelspool.spool.bytes (gauge, By) → otelspool_spool_bytes */
  spoolBytes: number;
  /** otelspool.spool.records.written (cumulative counter) → otelspool_spool_records_written_total */
  recordsWritten: number;
}

const nanos = (ms: number): string => (BigInt(ms) * 1_000_000n).toString();

/**
 * Writes a spool holding two product metrics of one service at the given (past) times, through
 * the product's writer. The SDK stamps a point with the collection time, so a spool "recorded
 * days ago" is written here as the OTLP lines such a spool holds (the one OTLP model).
 */
export async function writeReplaySpool(
  dir: string,
  serviceName: string,
  points: readonly ReplayPoint[],
): Promise<void> {
  const startMs = Math.min(...points.map((p) => p.timeMs)) - 60_000;
  const data: MetricsData = {
    resourceMetrics: [
      {
        resource: {
          attributes: [
            { key: 'service.name', value: { stringValue: serviceName } },
            { key: 'service.version', value: { stringValue: '1.4.2' } },
            { key: 'os.type', value: { stringValue: 'linux' } },
          ],
        },
        scopeMetrics: [
          {
            scope: { name: '@otelspool/exporter-jsonl', version: '1.0.0' },
            metrics: [
              {
                name: 'otelspool.spool.bytes',
                unit: 'By',
                gauge: {
                  dataPoints: points.map((p) => ({
                    timeUnixNano: nanos(p.timeMs),
                    asInt: String(p.spoolBytes),
                  })),
                },
              },
              {
                name: 'otelspool.spool.records.written',
                unit: '{record}',
                sum: {
                  aggregationTemporality: 2,
                  isMonotonic: true,
                  dataPoints: points.map((p) => ({
                    startTimeUnixNano: nanos(startMs),
                    timeUnixNano: nanos(p.timeMs),
                    asInt: String(p.recordsWritten),
                  })),
                },
              },
            ],
          },
        ],
      },
    ],
  };
  const writer = new SpoolWriter({ dir, durability: 'batch' });
  const written = await writer.write(
    'metrics',
    JSON.stringify(data),
    countRecords('metrics', data),
  );
  await writer.shutdown();
  if (!written) throw new Error(`could not write the replay spool in ${dir}`);
}
