import { MAX_SERIES_POINTS, type MetricSeries, type SeriesPoint } from './types.js';

interface Bucket {
  sum: number;
  min: number;
  max: number;
  samples: number;
}

/** First bucket width; doubled whenever the series would need more than 2× the output points. */
const INITIAL_BUCKET_MS = 1000;

/**
 * Downsamples a time series of unknown extent in bounded memory. Buckets are aligned to
 * multiples of a width that doubles whenever more than 2 × maxPoints buckets exist (merging
 * pairs exactly: floor(t / 2w) = floor(floor(t / w) / 2)), so memory never exceeds
 * 2 × maxPoints buckets and the result is the same whatever order samples arrive in.
 */
export class SeriesDownsampler {
  private buckets = new Map<number, Bucket>();
  private widthMs = INITIAL_BUCKET_MS;
  private lastAt = -Infinity;
  private lastValue: number | null = null;

  constructor(
    readonly metric: string,
    readonly unit: string,
    readonly maxPoints = MAX_SERIES_POINTS,
  ) {}

  add(tUnixMs: number, value: number): void {
    if (!Number.isFinite(tUnixMs) || !Number.isFinite(value)) return;
    if (tUnixMs >= this.lastAt) {
      this.lastAt = tUnixMs;
      this.lastValue = value;
    }
    const key = Math.floor(tUnixMs / this.widthMs);
    const bucket = this.buckets.get(key);
    if (bucket) {
      bucket.sum += value;
      bucket.samples++;
      if (value < bucket.min) bucket.min = value;
      if (value > bucket.max) bucket.max = value;
    } else {
      this.buckets.set(key, { sum: value, min: value, max: value, samples: 1 });
      if (this.buckets.size > 2 * this.maxPoints) this.coarsen();
    }
  }

  private coarsen(): void {
    const merged = new Map<number, Bucket>();
    for (const [key, b] of this.buckets) {
      const k = Math.floor(key / 2);
      const into = merged.get(k);
      if (!into) merged.set(k, { ...b });
      else {
        into.sum += b.sum;
        into.samples += b.samples;
        into.min = Math.min(into.min, b.min);
        into.max = Math.max(into.max, b.max);
      }
    }
    this.buckets = merged;
    this.widthMs *= 2;
  }

  result(): MetricSeries {
    while (this.buckets.size > this.maxPoints) this.coarsen();
    const points: SeriesPoint[] = [...this.buckets]
      .sort((a, b) => a[0] - b[0])
      .map(([key, b]) => ({
        tUnixMs: key * this.widthMs,
        avg: b.sum / b.samples,
        max: b.max,
        min: b.min,
        samples: b.samples,
      }));
    return {
      metric: this.metric,
      unit: this.unit,
      bucketMs: this.widthMs,
      points,
      last: this.lastValue,
    };
  }
}
