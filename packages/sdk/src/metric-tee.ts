import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { AggregationTemporality } from '@opentelemetry/sdk-metrics';
import type {
  InstrumentType,
  PushMetricExporter,
  ResourceMetrics,
} from '@opentelemetry/sdk-metrics';

/**
 * Passes every collection to the spool exporter and to side listeners (metrics snapshot, live
 * subscribers). Listener failures are swallowed: the spool write is what matters.
 */
export class MetricTeeExporter implements PushMetricExporter {
  constructor(
    private readonly inner: PushMetricExporter,
    private readonly listeners: Array<(metrics: ResourceMetrics) => unknown>,
  ) {}

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    for (const listener of this.listeners) {
      try {
        const pending = listener(metrics);
        if (pending instanceof Promise) pending.catch(() => undefined);
      } catch {
        // side views never break the export
      }
    }
    try {
      this.inner.export(metrics, resultCallback);
    } catch (error) {
      resultCallback({ code: ExportResultCode.FAILED, error: error as Error });
    }
  }

  selectAggregationTemporality(instrumentType: InstrumentType): AggregationTemporality {
    return (
      this.inner.selectAggregationTemporality?.(instrumentType) ?? AggregationTemporality.CUMULATIVE
    );
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}
