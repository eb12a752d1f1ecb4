import { arrayAt, countAt, SnapshotError } from './snapshot-check.js';
import type { HistogramBucket } from './types.js';

/**
 * Upper bounds (ms) of the report's latency histogram: 1-2-5 steps from 0.1 ms to 60 s. Fixed
 * rather than data-driven so charts of two spools (or two runs) are comparable bar for bar.
 */
export const LATENCY_BOUNDS_MS: readonly number[] = Object.freeze([
  0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 60_000,
]);

/** Counts durations into (previous bound, bound] buckets plus an open-ended last bucket. */
export class LatencyHistogram {
  private readonly counts = new Array<number>(LATENCY_BOUNDS_MS.length + 1).fill(0);

  add(durationMs: number): void {
    if (!Number.isFinite(durationMs) || durationMs < 0) return;
    let i = 0;
    while (i < LATENCY_BOUNDS_MS.length && durationMs > (LATENCY_BOUNDS_MS[i] ?? Infinity)) i++;
    this.counts[i] = (this.counts[i] ?? 0) + 1;
  }

  merge(other: LatencyHistogram): void {
    other.counts.forEach((c, i) => (this.counts[i] = (this.counts[i] ?? 0) + c));
  }

  /** The bucket counts, in bound order (the bounds are fixed, so they are not stored). */
  toJSON(): number[] {
    return [...this.counts];
  }

  static fromJSON(json: unknown, path = 'histogram'): LatencyHistogram {
    const counts = arrayAt(json, path);
    if (counts.length !== LATENCY_BOUNDS_MS.length + 1)
      throw new SnapshotError(path, `${LATENCY_BOUNDS_MS.length + 1} bucket counts`);
    const h = new LatencyHistogram();
    counts.forEach((c, i) => (h.counts[i] = countAt(c, `${path}[${i}]`)));
    return h;
  }

  buckets(): HistogramBucket[] {
    return this.counts.map((count, i) => ({ upperMs: LATENCY_BOUNDS_MS[i] ?? null, count }));
  }
}
