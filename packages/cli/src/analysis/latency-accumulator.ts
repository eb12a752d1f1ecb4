import { DDSketch } from '@datadog/sketches-js';
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

/** Three decimals of a millisecond (1 µs) is finer than the sketch's accuracy anyway. */
function round3(value: number | null): number | null {
  return value === null ? null : Math.round(value * 1000) / 1000;
}
