import { createHash } from 'node:crypto';
import {
  attributesKey,
  attributeText,
  type Metric,
  type Resource,
} from '@otelspool/exporter-jsonl';
import { pointValue } from './otlp-values.js';
import { numberAt, objectAt, pairsAt, SnapshotError, stringAt } from './snapshot-check.js';

const MAX_STREAMS = 10_000;

/**
 * A stream's identity as a 128-bit digest of its resource, attributes and start time: the
 * report partials stored in the spool index keep one entry per stream, and the full key (a
 * whole resource, ~1 KB) made a partial of a spool written by many processes megabytes.
 * (Measured: 10.7 MB of metric partials on a 256 MiB spool, parsed by every indexed report.)
 */
function streamKey(identity: string): string {
  return createHash('sha256').update(identity).digest('base64url').slice(0, 22);
}

/**
 * Totals of a monotonic counter written by many processes over time. Cumulative points repeat
 * the running total, so per stream (resource + attributes + start time) only the latest value
 * counts; delta points are summed. The total of every stream is returned per `groupBy` label.
 */
export class CounterStreams {
  private readonly cumulative = new Map<string, { t: number; value: number; group: string }>();
  private readonly deltas = new Map<string, number>();
  /** A stream was left out (MAX_STREAMS kept already): the totals are lower bounds. */
  private streamsCapped = false;

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
      const key = streamKey(
        `${resourceKey}\u0002${attributesKey(point.attributes)}\u0002${point.startTimeUnixNano ?? ''}`,
      );
      const t = Number(point.timeUnixNano ?? 0);
      const prev = this.cumulative.get(key);
      if (prev) {
        if (t >= prev.t) {
          prev.t = t;
          prev.value = value;
        }
      } else if (this.cumulative.size < MAX_STREAMS) {
        this.cumulative.set(key, { t, value, group });
      } else {
        this.streamsCapped = true;
      }
    }
  }

  /**
   * Adds another set of streams: per cumulative stream the later point wins (ties: `other`'s, as
   * the scan keeps the later-read point), deltas add. Merging partials of one scan in scan order
   * gives the one-pass totals; past MAX_STREAMS which streams are kept depends on that order.
   */
  merge(other: CounterStreams): void {
    if (other.streamsCapped) this.streamsCapped = true;
    for (const [group, value] of other.deltas)
      this.deltas.set(group, (this.deltas.get(group) ?? 0) + value);
    for (const [key, point] of other.cumulative) {
      const prev = this.cumulative.get(key);
      if (prev) {
        if (point.t >= prev.t) {
          prev.t = point.t;
          prev.value = point.value;
        }
      } else if (this.cumulative.size < MAX_STREAMS) {
        this.cumulative.set(key, { ...point });
      } else {
        this.streamsCapped = true;
      }
    }
  }

  toJSON(): CounterStreamsSnapshot {
    return {
      cumulative: [...this.cumulative].map(([key, p]) => [key, { ...p }]),
      deltas: [...this.deltas],
      ...(this.streamsCapped ? { capped: true } : {}),
    };
  }

  static fromJSON(json: unknown, groupBy: string | undefined, path = 'counter'): CounterStreams {
    const o = objectAt(json, path);
    const streams = new CounterStreams(groupBy);
    const cumulative = pairsAt(o.cumulative, `${path}.cumulative`, (v, p) => {
      const point = objectAt(v, p);
      return {
        t: numberAt(point.t, `${p}.t`),
        value: numberAt(point.value, `${p}.value`),
        group: stringAt(point.group, `${p}.group`),
      };
    });
    if (cumulative.length > MAX_STREAMS)
      throw new SnapshotError(`${path}.cumulative`, `at most ${MAX_STREAMS} streams`);
    for (const [key, point] of cumulative) streams.cumulative.set(key, point);
    for (const [group, value] of pairsAt(o.deltas, `${path}.deltas`, numberAt))
      streams.deltas.set(group, value);
    if (o.capped !== undefined && o.capped !== true)
      throw new SnapshotError(`${path}.capped`, 'true when present');
    streams.streamsCapped = o.capped === true;
    return streams;
  }

  totals(): Map<string, number> {
    const out = new Map(this.deltas);
    for (const { value, group } of this.cumulative.values()) {
      out.set(group, (out.get(group) ?? 0) + value);
    }
    return out;
  }

  /** True when more than MAX_STREAMS cumulative streams were seen: totals() are lower bounds. */
  get capped(): boolean {
    return this.streamsCapped;
  }

  total(): number {
    let sum = 0;
    for (const v of this.totals().values()) sum += v;
    return sum;
  }
}

export interface CounterStreamsSnapshot {
  cumulative: [string, { t: number; value: number; group: string }][];
  deltas: [string, number][];
  capped?: true;
}
