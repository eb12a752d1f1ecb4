/**
 * The exact Prometheus names of what otelspool sends, as the standard OTLP→Prometheus translation
 * (Prometheus' OTLP receiver, the Collector's prometheusremotewrite exporter) gives them:
 * dots → underscores; the unit appended as a word (ms → milliseconds, By → bytes, s → seconds;
 * `{annotations}` dropped; unit "1" on a gauge → `_ratio`); `_total` on monotonic counters;
 * histograms as `_bucket`/`_sum`/`_count`. Non-monotonic sums (UpDownCounters) are gauges there.
 *
 * One table for the config-agreement test (dashboard, rules) and the Prometheus interop test,
 * which proves every row against a real Prometheus.
 */
export interface TranslatedMetric {
  /** The OpenTelemetry instrument name. */
  otel: string;
  unit: string;
  kind: 'gauge' | 'counter' | 'updowncounter' | 'histogram';
  /** Who produces it. */
  source: 'sdk' | 'cli' | 'demo' | 'collector count connector' | 'collector span_metrics connector';
  /** The Prometheus metric family name (histograms: without `_bucket/_sum/_count`). */
  prometheus: string;
}

export const TRANSLATED_METRICS: readonly TranslatedMetric[] = [
  {
    otel: 'process.cpu.utilization',
    unit: '1',
    kind: 'gauge',
    source: 'sdk',
    prometheus: 'process_cpu_utilization_ratio',
  },
  {
    otel: 'process.memory.usage',
    unit: 'By',
    kind: 'updowncounter',
    source: 'sdk',
    prometheus: 'process_memory_usage_bytes',
  },
  {
    otel: 'otelspool.spool.bytes',
    unit: 'By',
    kind: 'gauge',
    source: 'sdk',
    prometheus: 'otelspool_spool_bytes',
  },
  {
    otel: 'otelspool.spool.records.written',
    unit: '{record}',
    kind: 'counter',
    source: 'sdk',
    prometheus: 'otelspool_spool_records_written_total',
  },
  {
    otel: 'otelspool.spool.records.dropped',
    unit: '{record}',
    kind: 'counter',
    source: 'sdk',
    prometheus: 'otelspool_spool_records_dropped_total',
  },
  {
    otel: 'otelspool.spool.records.evicted',
    unit: '{record}',
    kind: 'counter',
    source: 'sdk',
    prometheus: 'otelspool_spool_records_evicted_total',
  },
  {
    otel: 'otelspool.sync.records.sent',
    unit: '{record}',
    kind: 'counter',
    source: 'cli',
    prometheus: 'otelspool_sync_records_sent_total',
  },
  {
    otel: 'otelspool.sync.requests.failed',
    unit: '{request}',
    kind: 'counter',
    source: 'cli',
    prometheus: 'otelspool_sync_requests_failed_total',
  },
  {
    otel: 'plugin.block.duration',
    unit: 'ms',
    kind: 'histogram',
    source: 'demo',
    prometheus: 'plugin_block_duration_milliseconds',
  },
  {
    otel: 'plugin.xruns',
    unit: '{xrun}',
    kind: 'counter',
    source: 'demo',
    prometheus: 'plugin_xruns_total',
  },
  {
    otel: 'otelspool.crashes',
    unit: '',
    kind: 'counter',
    source: 'collector count connector',
    prometheus: 'otelspool_crashes_total',
  },
  {
    otel: 'otelspool.sessions',
    unit: '',
    kind: 'counter',
    source: 'collector count connector',
    prometheus: 'otelspool_sessions_total',
  },
  {
    otel: 'otelspool.events',
    unit: '',
    kind: 'counter',
    source: 'collector count connector',
    prometheus: 'otelspool_events_total',
  },
  {
    otel: 'traces.span.metrics.calls',
    unit: '',
    kind: 'counter',
    source: 'collector span_metrics connector',
    prometheus: 'traces_span_metrics_calls_total',
  },
  {
    otel: 'traces.span.metrics.duration',
    unit: 'ms',
    kind: 'histogram',
    source: 'collector span_metrics connector',
    prometheus: 'traces_span_metrics_duration_milliseconds',
  },
];

/** Every series name a translated metric yields (histograms expand to three). */
export function prometheusSeriesNames(metric: TranslatedMetric): string[] {
  return metric.kind === 'histogram'
    ? ['_bucket', '_sum', '_count'].map((suffix) => metric.prometheus + suffix)
    : [metric.prometheus];
}

/** All series names otelspool data can produce in Prometheus. */
export const ALL_SERIES_NAMES: ReadonlySet<string> = new Set(
  TRANSLATED_METRICS.flatMap(prometheusSeriesNames),
);
