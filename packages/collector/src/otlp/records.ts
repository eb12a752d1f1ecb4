import type {
  DataPoint,
  LogsData,
  Metric,
  MetricsData,
  OtlpData,
  Signal,
  TracesData,
} from './types.js';
import { RESOURCE_FIELD } from './types.js';

/** The data points of one metric, whatever its type. */
export function metricPoints(metric: Metric): DataPoint[] {
  return (
    metric.gauge?.dataPoints ??
    metric.sum?.dataPoints ??
    metric.histogram?.dataPoints ??
    metric.exponentialHistogram?.dataPoints ??
    metric.summary?.dataPoints ??
    []
  );
}

/** Records in a request: spans, metric data points or log records (what OTLP counts). */
export function countRecords(signal: Signal, data: OtlpData): number {
  let n = 0;
  if (signal === 'traces') {
    for (const rs of (data as TracesData).resourceSpans ?? [])
      for (const ss of rs.scopeSpans ?? []) n += ss.spans?.length ?? 0;
  } else if (signal === 'metrics') {
    for (const rm of (data as MetricsData).resourceMetrics ?? [])
      for (const sm of rm.scopeMetrics ?? [])
        for (const m of sm.metrics ?? []) n += metricPoints(m).length;
  } else {
    for (const rl of (data as LogsData).resourceLogs ?? [])
      for (const sl of rl.scopeLogs ?? []) n += sl.logRecords?.length ?? 0;
  }
  return n;
}

/**
 * One request from many lines: OTLP allows several Resource* entries per request, so lines are
 * merged by concatenating their top-level arrays (no re-grouping, nothing is copied deeply).
 */
export function mergeData(signal: Signal, parts: readonly OtlpData[]): OtlpData {
  const field = RESOURCE_FIELD[signal];
  const merged: unknown[] = [];
  for (const part of parts) {
    const list = (part as Record<string, unknown>)[field];
    if (Array.isArray(list)) for (const entry of list) merged.push(entry);
  }
  return { [field]: merged } as OtlpData;
}
