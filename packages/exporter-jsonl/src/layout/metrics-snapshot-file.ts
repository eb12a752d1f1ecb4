import { readJsonStateFileSync } from '../fs/state-file.js';
import { metricsSnapshotPath } from './spool-layout.js';

/**
 * `<spool>/metrics_snapshot.json`: the latest value of every metric series of the process that
 * last wrote the spool, replaced atomically after each collection (@otelspool/sdk's
 * MetricsSnapshotWriter). A convenience view: every value is also in the metrics segments.
 * `Stats` is the writer's `telemetry.stats()` shape, opaque to readers here.
 */
export interface MetricsSnapshot<Stats = unknown> {
  updatedAt: string;
  serviceName: string;
  sessionId: string;
  metrics: Record<string, SnapshotMetric>;
  /**
   * The writing process's `telemetry.stats()` when the file was written. After a clean
   * shutdown it is the final count, which includes the last metrics line (whose own
   * self-metrics cannot).
   */
  spool?: Stats;
}

export interface SnapshotMetric {
  type: 'sum' | 'gauge' | 'histogram' | 'exponential_histogram';
  unit: string;
  description: string;
  monotonic?: boolean;
  points: SnapshotPoint[];
}

export interface SnapshotPoint {
  attributes: Record<string, unknown>;
  time: string;
  /** Sums and gauges. */
  value?: number;
  /** Histograms. */
  count?: number;
  sum?: number;
  min?: number;
  max?: number;
}

/** A snapshot is a few KiB; anything near this is not one of ours. */
export const MAX_METRICS_SNAPSHOT_BYTES = 4 * 1024 * 1024;

export function serializeMetricsSnapshot(snapshot: MetricsSnapshot): string {
  return JSON.stringify(snapshot, null, 2) + '\n';
}

/**
 * The spool's metrics snapshot, or undefined when missing, not JSON, too large, not this
 * user's own 0600 file, or not shaped like a snapshot (fields of the wrong type are refused
 * whole: the file is a convenience, never worth a half-trusted read).
 */
export function readMetricsSnapshot(spoolDir: string): MetricsSnapshot | undefined {
  const value = readJsonStateFileSync(metricsSnapshotPath(spoolDir), {
    maxBytes: MAX_METRICS_SNAPSHOT_BYTES,
    trusted: true,
  }) as Partial<Record<keyof MetricsSnapshot, unknown>> | undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  if (typeof value.serviceName !== 'string' || typeof value.updatedAt !== 'string')
    return undefined;
  if (typeof value.metrics !== 'object' || value.metrics === null) return undefined;
  return value as MetricsSnapshot;
}
