import {
  ensureSpoolDir,
  metricsSnapshotPath,
  serializeMetricsSnapshot,
  writeFileAtomic,
  type MetricsSnapshot as SpoolMetricsSnapshot,
  type SnapshotMetric,
  type SnapshotPoint,
} from '@otelspool/exporter-jsonl/write-path';
import { DataPointType } from '@opentelemetry/sdk-metrics';
import type { ResourceMetrics, MetricData } from '@opentelemetry/sdk-metrics';
import type { TelemetryStats } from './telemetry.js';

/**
 * `<dir>/metrics_snapshot.json`: the latest value of every metric, replaced atomically. The
 * format belongs to the spool layout (@otelspool/exporter-jsonl); `spool` is this process's
 * `telemetry.stats()` when the file was written.
 */
export type MetricsSnapshot = SpoolMetricsSnapshot<TelemetryStats>;
export type { SnapshotMetric, SnapshotPoint };

/**
 * Keeps the latest data point of every metric series and rewrites the snapshot file after each
 * collection. Written with temp file + rename (atomic for readers) but without fsync: a snapshot
 * is a convenience view of data that is also in the spool, so it is not worth an fsync stall.
 * The temporary file is a fresh O_EXCL|O_NOFOLLOW one and the spool dir must be this user's
 * own private dir (a fixed temp name in a shared dir could be a planted symlink).
 */
export class MetricsSnapshotWriter {
  private readonly metrics = new Map<string, SnapshotMetric>();
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly dir: string,
    private readonly serviceName: string,
    private readonly sessionId: string,
    private readonly spoolStats?: () => TelemetryStats,
  ) {}

  /** Merges one collection and schedules a rewrite. Never throws. */
  update(resourceMetrics: ResourceMetrics): Promise<void> {
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) {
        this.metrics.set(metric.descriptor.name, toSnapshotMetric(metric));
      }
    }
    return this.schedule();
  }

  /** Rewrites the snapshot with the current (final) spool stats. Never throws. */
  writeFinal(): Promise<void> {
    return this.schedule();
  }

  private schedule(): Promise<void> {
    const snapshot: MetricsSnapshot = {
      updatedAt: new Date().toISOString(),
      serviceName: this.serviceName,
      sessionId: this.sessionId,
      metrics: Object.fromEntries(
        // Code-unit order, not localeCompare: the first localeCompare loads ICU collation data
        // (~8 ms at start-up, measured), and a file read by tools wants a locale-free order.
        [...this.metrics.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      ),
    };
    if (this.spoolStats) {
      try {
        snapshot.spool = this.spoolStats();
      } catch {
        // the metrics are still worth writing
      }
    }
    // Serialise writes so an older snapshot never overwrites a newer one.
    this.writing = this.writing.then(() => this.write(snapshot)).catch(() => undefined);
    return this.writing;
  }

  private async write(snapshot: MetricsSnapshot): Promise<void> {
    await ensureSpoolDir(this.dir);
    await writeFileAtomic(metricsSnapshotPath(this.dir), serializeMetricsSnapshot(snapshot), {
      fsync: false,
    });
  }
}

const TYPE_NAMES: Record<DataPointType, SnapshotMetric['type']> = {
  [DataPointType.SUM]: 'sum',
  [DataPointType.GAUGE]: 'gauge',
  [DataPointType.HISTOGRAM]: 'histogram',
  [DataPointType.EXPONENTIAL_HISTOGRAM]: 'exponential_histogram',
};

function toSnapshotMetric(metric: MetricData): SnapshotMetric {
  const snapshot: SnapshotMetric = {
    type: TYPE_NAMES[metric.dataPointType],
    unit: metric.descriptor.unit,
    description: metric.descriptor.description,
    points: [],
  };
  if (metric.dataPointType === DataPointType.SUM) snapshot.monotonic = metric.isMonotonic;
  for (const point of metric.dataPoints) {
    const base = { attributes: point.attributes, time: hrToIso(point.endTime) };
    const value = point.value;
    // Sums and gauges carry a number; both histogram kinds carry count/sum/min/max.
    snapshot.points.push(
      typeof value === 'number'
        ? { ...base, value }
        : { ...base, count: value.count, sum: value.sum, min: value.min, max: value.max },
    );
  }
  return snapshot;
}

function hrToIso([seconds, nanos]: [number, number]): string {
  return new Date(seconds * 1000 + Math.floor(nanos / 1e6)).toISOString();
}
