import { expect } from 'vitest';
import { instantQuery, seriesNames } from './prometheus-query.js';
import { FIXTURE_VALUES, type SpoolFixture } from './spool-fixture.js';
import { waitFor } from './wait-for.js';

/**
 * Series per metric name that one fixture spool yields in Prometheus, named by the standard
 * OTLP→Prometheus translation (dots → underscores, unit suffix, `_ratio` for unit-1 gauges,
 * `_total` for monotonic counters, `_bucket/_sum/_count` for histograms).
 */
export const EXPECTED_SERIES: Readonly<Record<string, number>> = {
  // Emitted by the product (SDK process metrics, spool self-metrics, sync health, demo plugin).
  process_cpu_utilization_ratio: 1,
  process_memory_usage_bytes: 1,
  otelspool_spool_bytes: 1,
  otelspool_spool_records_written_total: 1,
  otelspool_spool_records_dropped_total: 2, // reason=queue_full, reason=spool_full
  otelspool_spool_records_evicted_total: 2, // shipped=true, shipped=false
  otelspool_sync_records_sent_total: 1,
  otelspool_sync_requests_failed_total: 1,
  plugin_xruns_total: 1,
  plugin_block_duration_milliseconds_bucket: 16, // OTel JS default: 15 boundaries + le="+Inf"
  plugin_block_duration_milliseconds_sum: 1,
  plugin_block_duration_milliseconds_count: 1,
  // Derived by the deployed Collector from logs (count connector) and spans (span_metrics).
  otelspool_crashes_total: 1,
  otelspool_sessions_total: 1,
  otelspool_events_total: 6, // one per event name
  traces_span_metrics_calls_total: 5, // session, plugin.load, preset.change, process_block ×2 statuses
  traces_span_metrics_duration_milliseconds_bucket: 5 * 14, // 13 configured buckets + le="+Inf"
  traces_span_metrics_duration_milliseconds_sum: 5,
  traces_span_metrics_duration_milliseconds_count: 5,
};

/** Metric names pushed exactly once by one sync (one sample per series). */
const PUSHED_ONCE = Object.keys(EXPECTED_SERIES).filter(
  (name) => !name.startsWith('traces_span_metrics_'), // re-emitted every flush interval
);

/**
 * `host`: how host.name should arrive. `spool sync` redacts before anything leaves the machine:
 * identifiers such as host.name become a salted HMAC (32 hex chars), still groupable per host.
 */
export async function expectFixtureInPrometheus(
  url: string,
  fixture: SpoolFixture,
  host: 'verbatim' | 'hashed',
): Promise<void> {
  const selector = `{service_name="${fixture.serviceName}"}`;
  const total = Object.values(EXPECTED_SERIES).reduce((a, b) => a + b, 0);
  // The Collector pushes asynchronously and span metrics flush every 15 s: wait, bounded.
  const names = await waitFor(
    async () => {
      const found = (await seriesNames(url, selector)).filter((n) => n !== 'target_info');
      return found.length >= total ? found : undefined;
    },
    { what: `${total} series of ${fixture.serviceName} in Prometheus`, attempts: 360 },
  );
  const perName: Record<string, number> = {};
  for (const name of names) perName[name] = (perName[name] ?? 0) + 1;
  expect(perName).toEqual(EXPECTED_SERIES);

  const one = async (promql: string): Promise<number> => {
    const result = await instantQuery(url, promql);
    expect(result, promql).toHaveLength(1);
    return result[0]?.value ?? Number.NaN;
  };
  const s = `service_name="${fixture.serviceName}"`;
  expect(await one(`process_cpu_utilization_ratio{${s}}`)).toBe(FIXTURE_VALUES.cpuUtilization);
  expect(await one(`process_memory_usage_bytes{${s}}`)).toBe(FIXTURE_VALUES.memoryUsage);
  expect(await one(`otelspool_spool_records_written_total{${s}}`)).toBe(
    FIXTURE_VALUES.recordsWritten,
  );
  expect(await one(`otelspool_spool_records_dropped_total{${s},reason="queue_full"}`)).toBe(3);
  expect(await one(`plugin_block_duration_milliseconds_count{${s}}`)).toBe(5);
  const crashes = await instantQuery(url, `otelspool_crashes_total{${s}}`);
  expect(crashes.map((c) => c.value)).toEqual([1]);
  const hostLabel = crashes[0]?.labels.host_name;
  if (host === 'verbatim') expect(hostLabel).toBe(fixture.hostName);
  else expect(hostLabel).toMatch(/^[0-9a-f]{32}$/);
  expect(await one(`otelspool_sessions_total{${s}}`)).toBe(1);
  expect(await one(`otelspool_events_total{${s},event_name="buffer.underrun"}`)).toBe(2);
  // span_metrics writes 0 on a series' first cumulative point (so rate() sees the first
  // increase) and the real count on its next flush (metrics_flush_interval, 15 s): wait for it.
  const errorCalls = `traces_span_metrics_calls_total{${s},span_name="process_block",status_code="STATUS_CODE_ERROR"}`;
  await waitFor(async () => ((await one(errorCalls)) === 1 ? true : undefined), {
    what: `${errorCalls} == 1`,
    attempts: 240,
  });
  expect(await one(`sum(traces_span_metrics_calls_total{${s}})`)).toBe(6);

  // Sample counts: one pass pushes each of these series exactly once.
  for (const name of PUSHED_ONCE) {
    const samples = await instantQuery(url, `count_over_time(${name}{${s}}[1h])`);
    expect(samples, name).toHaveLength(EXPECTED_SERIES[name] ?? -1);
    expect(
      samples.map((sample) => sample.value),
      `samples per ${name} series`,
    ).toEqual(samples.map(() => 1));
  }
}
