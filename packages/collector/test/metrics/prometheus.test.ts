import { describe, expect, it } from 'vitest';
import {
  findStalePoints,
  orderMetricPoints,
  prometheusMetricName,
  prometheusSeriesNames,
} from '../../src/metrics/prometheus.js';
import type { MetricsData } from '@otelspool/exporter-jsonl';

describe('metrics replay order', () => {
  it('orders the points of each series by time', () => {
    const point = (t: number, series: string) => ({
      timeUnixNano: String(t),
      asInt: String(t),
      attributes: [{ key: 's', value: { stringValue: series } }],
    });
    const data: MetricsData = {
      resourceMetrics: [
        {
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'm',
                  gauge: {
                    dataPoints: [point(30, 'a'), point(10, 'b'), point(20, 'a'), point(5, 'b')],
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    const points =
      orderMetricPoints(data).resourceMetrics?.[0]?.scopeMetrics?.[0]?.metrics?.[0]?.gauge
        ?.dataPoints ?? [];
    const bySeries = (s: string) =>
      points.filter((p) => p.attributes?.[0]?.value?.stringValue === s).map((p) => p.timeUnixNano);
    expect(bySeries('a')).toEqual(['20', '30']);
    expect(bySeries('b')).toEqual(['5', '10']);
    expect(findStalePoints(data, 1000, 1).stalePoints).toBe(0);
  });
});

describe('OTLP → Prometheus names (standard translation with suffixes)', () => {
  const name = (m: Record<string, unknown>) =>
    prometheusMetricName({ name: 'x', ...m } as Parameters<typeof prometheusMetricName>[0]);
  const counter = { sum: { isMonotonic: true, dataPoints: [] } };
  const upDown = { sum: { isMonotonic: false, dataPoints: [] } };
  const gauge = { gauge: { dataPoints: [] } };

  it('turns dots into underscores, appends unit words, _total on counters, _ratio on unit 1 gauges', () => {
    expect(name({ name: 'otelspool.spool.records.written', unit: '{record}', ...counter })).toBe(
      'otelspool_spool_records_written_total',
    );
    expect(name({ name: 'process.cpu.utilization', unit: '1', ...gauge })).toBe(
      'process_cpu_utilization_ratio',
    );
    expect(name({ name: 'process.memory.usage', unit: 'By', ...upDown })).toBe(
      'process_memory_usage_bytes',
    );
    expect(name({ name: 'otelspool.crashes', unit: '', ...counter })).toBe(
      'otelspool_crashes_total',
    );
    expect(name({ name: 'http.server.request.duration', unit: 's', histogram: {} })).toBe(
      'http_server_request_duration_seconds',
    );
    expect(name({ name: 'net.io', unit: 'By/s', ...gauge })).toBe('net_io_bytes_per_second');
    expect(name({ name: 'requests_total', unit: '', ...counter })).toBe('requests_total');
    expect(name({ name: 'latency.ms', unit: 'ms', ...gauge })).toBe('latency_ms_milliseconds');
    expect(name({ name: 'up.time.seconds', unit: 's', ...gauge })).toBe('up_time_seconds');
  });

  it('expands classic histograms into _bucket/_sum/_count', () => {
    expect(
      prometheusSeriesNames({ name: 'plugin.block.duration', unit: 'ms', histogram: {} }),
    ).toEqual([
      'plugin_block_duration_milliseconds_bucket',
      'plugin_block_duration_milliseconds_sum',
      'plugin_block_duration_milliseconds_count',
    ]);
    expect(prometheusSeriesNames({ name: 'no.data' })).toEqual([]);
  });
});
