import {
  attributesKey,
  attributeText,
  type Metric,
  type Resource,
} from '@otelspool/exporter-jsonl';
import { pointValue } from './otlp-values.js';

const MAX_STREAMS = 10_000;

/**
 * Totals of a monotonic counter written by many processes over time. Cumulative points repeat
 * the running total, so per stream (resource + attributes + start time) only the latest value
 * counts; delta points are summed. The total of every stream is returned per `groupBy` label.
 */
export class CounterStreams {
  private readonly cumulative = new Map<string, { t: number; value: number; group: string }>();
  private readonly deltas = new Map<string, number>();

  constructor(private readonly groupBy?: string) {}

  add(resource: Resource | undefined, metric: Metric): void {
    const sum = metric.sum;
    if (!sum?.dataPoints) return;
    const resourceKey = attributesKey(resource?.attributes);
    const isDelta = sum.aggregationTemporality === 1;
    for (const point of sum.dataPoints) {
      const value = pointValue(point);
      if (!Number.isFinite(value)) continue;
      const group = this.groupBy ? (attributeText(point.attributes, this.groupBy) ?? '') : '';
      if (isDelta) {
        this.deltas.set(group, (this.deltas.get(group) ?? 0) + value);
        continue;
      }
      const key = `${resourceKey}\u0002${attributesKey(point.attributes)}\u0002${point.startTimeUnixNano ?? ''}`;
      const t = Number(point.timeUnixNano ?? 0);
      const prev = this.cumulative.get(key);
      if (prev) {
        if (t >= prev.t) {
          prev.t = t;
          prev.value = value;
        }
      } else if (this.cumulative.size < MAX_STREAMS) {
        this.cumulative.set(key, { t, value, group });
      }
    }
  }

  totals(): Map<string, number> {
    const out = new Map(this.deltas);
    for (const { value, group } of this.cumulative.values()) {
      out.set(group, (out.get(group) ?? 0) + value);
    }
    return out;
  }

  total(): number {
    let sum = 0;
    for (const v of this.totals().values()) sum += v;
    return sum;
  }
}
