import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
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
import type { SpoolStats } from '../writer/options.js';
import type { SpoolWriter } from '../writer/spool-writer.js';
import { ChunkedLineExporter } from './chunked-line-exporter.js';
import type { ChunkedExportStats } from './chunked-line-exporter.js';
import { resolveWriter } from './exporter-options.js';
import type { JsonlExporterOptions } from './exporter-options.js';

/** One metric with the scope and resource it belongs to: the unit a large export is sliced by. */
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
 * collection is sliced by metric so encoding never holds the event loop long. Never throws.
 */
export class JsonlMetricExporter implements PushMetricExporter {
  readonly writer: SpoolWriter;
  private readonly ownsWriter: boolean;
  private readonly engine: ChunkedLineExporter<MetricItem>;
  private readonly temporalitySelector: AggregationTemporalitySelector;
  private isShutdown = false;

  constructor(options: JsonlMetricExporterOptions) {
    const { writer, owned } = resolveWriter(options);
    this.writer = writer;
    this.ownsWriter = owned;
    this.engine = new ChunkedLineExporter('metrics', writer, encodeMetricItems);
    this.temporalitySelector =
      options.temporalitySelector ?? (() => AggregationTemporality.CUMULATIVE);
  }

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    if (this.isShutdown) {
      resultCallback({
        code: ExportResultCode.FAILED,
        error: new Error('JsonlMetricExporter is shut down'),
      });
      return;
    }
    this.engine.export(toItems(metrics), resultCallback);
  }

  selectAggregationTemporality(instrumentType: InstrumentType): AggregationTemporality {
    return this.temporalitySelector(instrumentType);
  }

  /** Crash path: pending exports and `metrics` are written synchronously before it returns. */
  flushSync(metrics?: ResourceMetrics, options?: { timeoutMs?: number }): void {
    try {
      this.engine.flushSync(metrics ? toItems(metrics) : undefined, options);
    } catch {
      // never into the host
    }
  }

  async forceFlush(): Promise<void> {
    await this.engine.whenIdle();
    await this.writer.flush();
  }

  async shutdown(): Promise<void> {
    if (this.isShutdown) return;
    this.isShutdown = true;
    await this.engine.whenIdle();
    if (this.ownsWriter) await this.writer.shutdown();
    else await this.writer.flush();
  }

  stats(): ChunkedExportStats & { writer: SpoolStats } {
    return { ...this.engine.stats(), writer: this.writer.stats() };
  }
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
