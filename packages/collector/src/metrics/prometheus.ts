import type { KeyValue, MetricsData } from '../otlp/types.js';
import { metricPoints } from '../otlp/records.js';

/**
 * Metrics replay for Prometheus. Prometheus appends samples per series in time order and,
 * by default (`out_of_order_time_window: 0`), rejects a sample older than the newest one of
 * its series, and any sample older than about one hour behind the newest sample of the head
 * block ("out of bounds"). Replaying an offline spool therefore (1) sends the points of every
 * series in time order and (2) warns when points are older than that window, with the fix.
 */
export const DEFAULT_OUT_OF_ORDER_WINDOW_MS = 60 * 60 * 1000;

function nanos(v: string | undefined): bigint {
  try {
    return v ? BigInt(v) : 0n;
  } catch {
    return 0n;
  }
}

function attrsKey(attrs: KeyValue[] | undefined): string {
  if (!attrs || attrs.length === 0) return '';
  return attrs
    .map((kv) => `${kv.key}=${JSON.stringify(kv.value ?? null)}`)
    .sort()
    .join(',');
}

/**
 * Sorts the data points of every metric by time, stably, in place on a shallow copy.
 * Points of one series never change relative order except to become time-ordered.
 */
export function orderMetricPoints(data: MetricsData): MetricsData {
  return {
    resourceMetrics: (data.resourceMetrics ?? []).map((rm) => ({
      ...rm,
      scopeMetrics: (rm.scopeMetrics ?? []).map((sm) => ({
        ...sm,
        metrics: (sm.metrics ?? []).map((m) => {
          const points = metricPoints(m);
          if (points.length < 2) return m;
          const sorted = points
            .map((p, i) => ({ p, i, t: nanos(p.timeUnixNano), k: attrsKey(p.attributes) }))
            .sort((a, b) =>
              a.k < b.k ? -1 : a.k > b.k ? 1 : a.t < b.t ? -1 : a.t > b.t ? 1 : a.i - b.i,
            )
            .map((x) => x.p);
          const out: Record<string, unknown> = { ...m };
          for (const kind of [
            'gauge',
            'sum',
            'histogram',
            'exponentialHistogram',
            'summary',
          ] as const) {
            const body = m[kind];
            if (body) out[kind] = { ...body, dataPoints: sorted };
          }
          return out;
        }),
      })),
    })),
  };
}

export interface StalenessReport {
  /** Points older than `now - windowMs`. */
  stalePoints: number;
  /** Oldest point time (ms since epoch), if any point. */
  oldestMs?: number;
}

export function findStalePoints(
  data: MetricsData,
  windowMs: number,
  now = Date.now(),
): StalenessReport {
  const limit = BigInt(Math.max(0, now - windowMs)) * 1_000_000n;
  let stalePoints = 0;
  let oldest: bigint | undefined;
  for (const rm of data.resourceMetrics ?? [])
    for (const sm of rm.scopeMetrics ?? [])
      for (const m of sm.metrics ?? [])
        for (const p of metricPoints(m)) {
          const t = nanos(p.timeUnixNano);
          if (t === 0n) continue;
          if (t < limit) stalePoints++;
          if (oldest === undefined || t < oldest) oldest = t;
        }
  return oldest === undefined
    ? { stalePoints }
    : { stalePoints, oldestMs: Number(oldest / 1_000_000n) };
}

export function staleMetricsWarning(report: StalenessReport, windowMs: number): string {
  const hours = (windowMs / 3_600_000).toFixed(windowMs % 3_600_000 === 0 ? 0 : 1);
  const oldest =
    report.oldestMs !== undefined ? ` (oldest ${new Date(report.oldestMs).toISOString()})` : '';
  return (
    `${report.stalePoints} metric points are older than ${hours} h${oldest}. Prometheus rejects ` +
    `samples that far behind its newest sample unless out-of-order ingestion is on: set ` +
    `storage.tsdb.out_of_order_time_window (e.g. 7d) in prometheus.yml, or sync more often.`
  );
}
