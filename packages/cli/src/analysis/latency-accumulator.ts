import { DDSketch } from '@datadog/sketches-js';
import {
  arrayAt,
  countAt,
  integerAt,
  numberAt,
  objectAt,
  SnapshotError,
} from './snapshot-check.js';
import type { LatencyStats } from './types.js';

/** Relative accuracy of every percentile in the report (DDSketch guarantee). */
export const SKETCH_RELATIVE_ACCURACY = 0.01;

/**
 * Count, errors and a latency sketch for one set of spans. DDSketch keeps memory bounded by the
 * value range (≈ 1 000 bins for 1 µs … 1 h at 1 %), whatever the number of spans, and sketches
 * merge exactly, so per-name sketches add up to the overall one.
 */
export class LatencyAccumulator {
  readonly sketch = new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY });
  count = 0;
  errors = 0;

  add(durationMs: number, isError: boolean): void {
    this.count++;
    if (isError) this.errors++;
    // A span with a broken or negative clock still counts; only its latency is unknown.
    if (Number.isFinite(durationMs) && durationMs >= 0) this.sketch.accept(durationMs);
  }

  /**
   * Adds another accumulator's spans. Bins, counts, min and max merge exactly (same mapping), so
   * quantiles equal those of one sketch fed every value; `sum` is a float sum, equal to the
   * one-pass sum up to addition order (exact when the durations are exactly representable).
   */
  merge(other: LatencyAccumulator): void {
    this.count += other.count;
    this.errors += other.errors;
    this.sketch.merge(other.sketch);
  }

  /**
   * Plain-JSON state. The sketch is kept as its non-empty bins rather than DDSketch's
   * `toProto()`, which carries neither min, max nor sum (the report shows max and mean).
   */
  toJSON(): LatencySnapshot {
    const s = this.sketch;
    const bins: [number, number][] = [];
    const store = s.store;
    for (let i = 0; i < store.bins.length; i++) {
      const c = store.bins[i] ?? 0;
      if (c > 0) bins.push([i + store.offset, c]);
    }
    return {
      count: this.count,
      errors: this.errors,
      sketch:
        s.count > 0 ? { bins, zeroCount: s.zeroCount, min: s.min, max: s.max, sum: s.sum } : null,
    };
  }

  static fromJSON(json: unknown, path = 'latency'): LatencyAccumulator {
    const o = objectAt(json, path);
    const acc = new LatencyAccumulator();
    acc.count = countAt(o.count, `${path}.count`);
    acc.errors = countAt(o.errors, `${path}.errors`);
    if (acc.errors > acc.count) throw new SnapshotError(`${path}.errors`, 'at most count');
    if (o.sketch === null) return acc;
    const k = objectAt(o.sketch, `${path}.sketch`);
    const s = acc.sketch;
    let binned = 0;
    arrayAt(k.bins, `${path}.sketch.bins`).forEach((b, i) => {
      const pair = arrayAt(b, `${path}.sketch.bins[${i}]`);
      const key = integerAt(pair[0], `${path}.sketch.bins[${i}][0]`);
      const c = countAt(pair[1], `${path}.sketch.bins[${i}][1]`);
      // Keys of 1 µs … days at 1 % stay within a few thousand; a wild key would allocate GBs.
      if (Math.abs(key) > 100_000)
        throw new SnapshotError(`${path}.sketch.bins[${i}][0]`, 'a plausible bin key');
      if (c > 0) s.store.add(key, c);
      binned += c;
    });
    s.zeroCount = countAt(k.zeroCount, `${path}.sketch.zeroCount`);
    s.count = binned + s.zeroCount;
    if (s.count === 0 || s.count > acc.count)
      throw new SnapshotError(`${path}.sketch`, 'a sketch of 1 … count values');
    s.min = numberAt(k.min, `${path}.sketch.min`);
    s.max = numberAt(k.max, `${path}.sketch.max`);
    s.sum = numberAt(k.sum, `${path}.sketch.sum`);
    if (s.min < 0 || s.max < s.min) throw new SnapshotError(`${path}.sketch`, '0 ≤ min ≤ max');
    return acc;
  }

  /** Value at quantile q (0..1), null when no latency was recorded. */
  quantile(q: number): number | null {
    return this.sketch.count > 0 ? this.sketch.getValueAtQuantile(q) : null;
  }

  stats(): LatencyStats {
    const timed = this.sketch.count;
    return {
      count: this.count,
      errors: this.errors,
      errorRate: this.count > 0 ? this.errors / this.count : null,
      p50Ms: round3(this.quantile(0.5)),
      p95Ms: round3(this.quantile(0.95)),
      p99Ms: round3(this.quantile(0.99)),
      maxMs: timed > 0 ? round3(this.sketch.max) : null,
      meanMs: timed > 0 ? round3(this.sketch.sum / timed) : null,
    };
  }
}

export interface LatencySnapshot {
  count: number;
  errors: number;
  /** null when no span had a usable duration. */
  sketch: {
    bins: [number, number][];
    zeroCount: number;
    min: number;
    max: number;
    sum: number;
  } | null;
}

/** Three decimals of a millisecond (1 µs) is finer than the sketch's accuracy anyway. */
function round3(value: number | null): number | null {
  return value === null ? null : Math.round(value * 1000) / 1000;
}
