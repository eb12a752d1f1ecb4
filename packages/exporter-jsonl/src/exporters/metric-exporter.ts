import { AggregationTemporality } from '@opentelemetry/sdk-metrics';
import type {
  AggregationTemporalitySelector,
  InstrumentType,
  MetricData,
  PushMetricExporter,
  ResourceMetrics,
  ScopeMetrics,
} from '@opentelemetry/sdk-metrics';
import type { Resource } from '@opentelemetry/resources';
import { encodeMetrics } from '../otlp/encode-metrics.js';
import type { JsonlExporterOptions } from './exporter-options.js';
import { JsonlExporterBase } from './jsonl-exporter-base.js';

/** One metric with the scope and resource it belongs to: the unit a large export is split by. */
interface MetricItem {
  resource: Resource;
  scope: ScopeMetrics['scope'];
  metric: MetricData;
}

/** Consecutive items (all of one ResourceMetrics) back into one ResourceMetrics → one line. */
function encodeMetricItems(items: readonly MetricItem[]): string {
  const first = items[0];
  if (!first) return '';
  const scopeMetrics: ScopeMetrics[] = [];
  let current: ScopeMetrics | undefined;
  for (const item of items) {
    if (!current || current.scope !== item.scope) {
      current = { scope: item.scope, metrics: [] };
      scopeMetrics.push(current);
    }
    current.metrics.push(item.metric);
  }
  return encodeMetrics({ resource: first.resource, scopeMetrics });
}

export type JsonlMetricExporterOptions = JsonlExporterOptions & {
  /** Temporality per instrument type; default cumulative for all (the OTLP default). */
  temporalitySelector?: AggregationTemporalitySelector;
};

/**
 * PushMetricExporter writing OTLP-JSON `MetricsData` lines into `<dir>/metrics/`. A large
 * collection is split by metric into lines of at most 512 metrics (and under 1 MiB). Never throws.
 */
export class JsonlMetricExporter
  extends JsonlExporterBase<ResourceMetrics, MetricItem>
  implements PushMetricExporter
{
  private readonly temporalitySelector: AggregationTemporalitySelector;

  constructor(options: JsonlMetricExporterOptions) {
    super('metrics', options, encodeMetricItems, 'JsonlMetricExporter', countDataPoints);
    this.temporalitySelector =
      options.temporalitySelector ?? (() => AggregationTemporality.CUMULATIVE);
  }

  selectAggregationTemporality(instrumentType: InstrumentType): AggregationTemporality {
    return this.temporalitySelector(instrumentType);
  }

  protected toItems(metrics: ResourceMetrics): readonly MetricItem[] {
    return toItems(metrics);
  }
}

/** A metric's records are its data points, the unit OTLP (and every reader here) counts. */
function countDataPoints(items: readonly MetricItem[]): number {
  let points = 0;
  for (const item of items) points += item.metric.dataPoints.length;
  return points;
}

function toItems(rm: ResourceMetrics): MetricItem[] {
  const items: MetricItem[] = [];
  for (const sm of rm.scopeMetrics) {
    for (const metric of sm.metrics) {
      if (metric.dataPoints.length > 0)
        items.push({ resource: rm.resource, scope: sm.scope, metric });
    }
  }
  return items;
}
