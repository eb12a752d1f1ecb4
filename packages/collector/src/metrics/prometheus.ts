import {
  attributesKey,
  forEachDataPoint,
  metricDataPoints,
  METRIC_TYPES,
  type DataPoint,
  type Metric,
  type MetricsData,
  type MetricType,
} from '@otelspool/exporter-jsonl';

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

/**
 * Sorts the data points of every metric by time, stably, in place on a shallow copy.
 * Points of one series never change relative order except to become time-ordered.
 */
export function orderMetricPoints(data: MetricsData): MetricsData {
  // A copy, not a visit in place: the request body is built from the spool's objects, which
  // the batch still holds (a dead letter keeps them as read).
  return {
    resourceMetrics: (data.resourceMetrics ?? []).map((rm) => ({
      ...rm,
      scopeMetrics: (rm.scopeMetrics ?? []).map((sm) => ({
        ...sm,
        metrics: (sm.metrics ?? []).map(orderedMetric),
      })),
    })),
  };
}

/** One metric with its points grouped by series (attribute set), each series in time order. */
function orderedMetric(metric: Metric): Metric {
  const points = metricDataPoints(metric);
  if (points.length < 2) return metric;
  const sorted: DataPoint[] = points
    .map((p, i) => ({ p, i, t: nanos(p.timeUnixNano), k: attributesKey(p.attributes) }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : a.t < b.t ? -1 : a.t > b.t ? 1 : a.i - b.i))
    .map((x) => x.p);
  const out: Metric = { ...metric };
  for (const type of METRIC_TYPES) {
    const body = metric[type];
    if (body) (out as Record<MetricType, unknown>)[type] = { ...body, dataPoints: sorted };
  }
  return out;
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
  forEachDataPoint(data, (p) => {
    const t = nanos(p.timeUnixNano);
    if (t === 0n) return;
    if (t < limit) stalePoints++;
    if (oldest === undefined || t < oldest) oldest = t;
  });
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

// --- OTLP → Prometheus metric names ------------------------------------------------------------

/** Unit words of the standard translation (Prometheus' OTLP receiver, `otlptranslator`). */
const UNIT_WORDS: Readonly<Record<string, string>> = {
  d: 'days',
  h: 'hours',
  min: 'minutes',
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  By: 'bytes',
  KiBy: 'kibibytes',
  MiBy: 'mebibytes',
  GiBy: 'gibibytes',
  TiBy: 'tibibytes',
  KBy: 'kilobytes',
  MBy: 'megabytes',
  GBy: 'gigabytes',
  TBy: 'terabytes',
  m: 'meters',
  V: 'volts',
  A: 'amperes',
  J: 'joules',
  W: 'watts',
  g: 'grams',
  Cel: 'celsius',
  Hz: 'hertz',
  '%': 'percent',
};
const PER_UNIT_WORDS: Readonly<Record<string, string>> = {
  s: 'second',
  m: 'minute',
  h: 'hour',
  d: 'day',
  w: 'week',
  mo: 'month',
  y: 'year',
};

function sanitize(text: string): string {
  const out = text.replace(/[^a-zA-Z0-9_:]/g, '_').replace(/_+/g, '_');
  return /^[0-9]/.test(out) ? `_${out}` : out;
}

function unitWord(unit: string, words: Readonly<Record<string, string>>): string {
  const word = words[unit] ?? unit;
  return sanitize(word).replace(/^_+|_+$/g, '');
}

export type PrometheusMetricType = 'counter' | 'gauge' | 'histogram' | 'summary';

/** How a metric arrives in Prometheus: monotonic sums are counters, other sums gauges. */
export function prometheusMetricType(metric: Metric): PrometheusMetricType | undefined {
  if (metric.gauge) return 'gauge';
  if (metric.sum) return metric.sum.isMonotonic === true ? 'counter' : 'gauge';
  if (metric.histogram || metric.exponentialHistogram) return 'histogram';
  if (metric.summary) return 'summary';
  return undefined;
}

/**
 * The Prometheus metric family name of an OTLP metric under the standard translation with
 * suffixes (Prometheus' OTLP receiver default, the Collector's Prometheus exporters): invalid
 * characters become `_`; the unit is appended as a word (`{annotations}` dropped, `ms` →
 * `milliseconds`, `By` → `bytes`, `a/s` → `a_per_second`), unit `1` on a gauge as `_ratio`;
 * counters end in `_total`. Undefined for a metric without a name or data.
 */
export function prometheusMetricName(metric: Metric): string | undefined {
  const type = prometheusMetricType(metric);
  if (!metric.name || type === undefined) return undefined;
  const tokens = sanitize(metric.name).split('_').filter(Boolean);
  const unit = (metric.unit ?? '').replace(/\{[^}]*\}/g, '').trim();
  const [main = '', per = ''] = unit.split('/', 2);
  if (main && main !== '1') {
    const word = unitWord(main, UNIT_WORDS);
    if (word && !tokens.includes(word)) tokens.push(...word.split('_'));
  }
  if (per) {
    const word = unitWord(per, PER_UNIT_WORDS);
    if (word && !tokens.includes(word)) tokens.push('per', ...word.split('_'));
  }
  if (type === 'counter') {
    const at = tokens.indexOf('total');
    if (at !== -1) tokens.splice(at, 1);
    tokens.push('total');
  }
  if (type === 'gauge' && main === '1' && !tokens.includes('ratio')) tokens.push('ratio');
  return tokens.join('_');
}

/** Every series name a metric yields (classic histograms and summaries expand). */
export function prometheusSeriesNames(metric: Metric): string[] {
  const name = prometheusMetricName(metric);
  if (name === undefined) return [];
  if (metric.histogram) return [`${name}_bucket`, `${name}_sum`, `${name}_count`];
  if (metric.summary) return [name, `${name}_sum`, `${name}_count`];
  return [name];
}

/**
 * Prometheus names of the resource and data point attributes of a metric (labels): the same
 * character translation, e.g. `service.name` → `service_name`, `cpu.mode` → `cpu_mode`.
 */
export function prometheusLabelName(attribute: string): string {
  return sanitize(attribute);
}
