import {
  arrayAt,
  countAt,
  integerAt,
  nullableNumberAt,
  numberAt,
  objectAt,
  SnapshotError,
} from './snapshot-check.js';
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
  /** Read order of the last sample, to break ties of time as the scan does (later read wins). */
  private lastSeq = 0;
  private lastValue: number | null = null;

  constructor(
    readonly metric: string,
    readonly unit: string,
    readonly maxPoints = MAX_SERIES_POINTS,
  ) {}

  /**
   * `seq`: the sample's position in the scan's read order, when samples of one scan are spread
   * over partials that merge in another order; at equal times the later-read sample is the last.
   * One accumulator fed in read order needs none (0: a tie goes to the later call).
   */
  add(tUnixMs: number, value: number, seq = 0): void {
    if (!Number.isFinite(tUnixMs) || !Number.isFinite(value)) return;
    if (tUnixMs > this.lastAt || (tUnixMs === this.lastAt && seq >= this.lastSeq)) {
      this.lastAt = tUnixMs;
      this.lastSeq = seq;
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
      // One doubling does not always halve sparse buckets (keys 0, 4, 8 stay distinct): loop,
      // so the width is always the smallest doubling with ≤ 2 × maxPoints buckets, whatever the
      // sample order, which is what lets partials merge exactly.
      while (this.buckets.size > 2 * this.maxPoints) this.coarsen();
    }
  }

  /**
   * Adds another series. Both widths are doublings of the same initial width and buckets are
   * aligned multiples of them, so coarsening both to the larger width and adding buckets gives
   * the buckets one downsampler fed every sample would hold (its width is the smallest doubling
   * with at most 2 × maxPoints buckets, which is never below either side's). Sums are float sums:
   * equal up to addition order. The last value is the one at the latest time (ties: `other`'s,
   * the later-read sample, as in the scan).
   */
  merge(other: SeriesDownsampler): void {
    if (
      other.lastValue !== null &&
      (other.lastAt > this.lastAt ||
        (other.lastAt === this.lastAt && other.lastSeq >= this.lastSeq))
    ) {
      this.lastAt = other.lastAt;
      this.lastSeq = other.lastSeq;
      this.lastValue = other.lastValue;
    }
    while (this.widthMs < other.widthMs) this.coarsen();
    let from = other.buckets;
    for (let w = other.widthMs; w < this.widthMs; w *= 2) from = coarsened(from);
    for (const [key, b] of from) {
      const into = this.buckets.get(key);
      if (!into) this.buckets.set(key, { ...b });
      else addBucket(into, b);
    }
    while (this.buckets.size > 2 * this.maxPoints) this.coarsen();
  }

  toJSON(): SeriesSnapshot {
    return {
      widthMs: this.widthMs,
      lastAt: this.lastValue === null ? null : this.lastAt,
      lastSeq: this.lastSeq,
      lastValue: this.lastValue,
      buckets: [...this.buckets].map(([key, b]) => [key, b.sum, b.min, b.max, b.samples]),
    };
  }

  static fromJSON(
    json: unknown,
    metric: string,
    unit: string,
    path = 'series',
    maxPoints = MAX_SERIES_POINTS,
  ): SeriesDownsampler {
    const o = objectAt(json, path);
    const series = new SeriesDownsampler(metric, unit, maxPoints);
    const width = integerAt(o.widthMs, `${path}.widthMs`);
    // Only doublings of the initial width keep buckets aligned with other partials'.
    if (width < INITIAL_BUCKET_MS || !Number.isInteger(Math.log2(width / INITIAL_BUCKET_MS)))
      throw new SnapshotError(`${path}.widthMs`, `${INITIAL_BUCKET_MS} × a power of two`);
    series.widthMs = width;
    const lastValue = nullableNumberAt(o.lastValue, `${path}.lastValue`);
    if (lastValue !== null) {
      series.lastValue = lastValue;
      series.lastAt = numberAt(o.lastAt, `${path}.lastAt`);
      series.lastSeq = countAt(o.lastSeq, `${path}.lastSeq`);
    }
    const buckets = arrayAt(o.buckets, `${path}.buckets`);
    if (buckets.length > 2 * maxPoints)
      throw new SnapshotError(`${path}.buckets`, `at most ${2 * maxPoints} buckets`);
    buckets.forEach((entry, i) => {
      const p = `${path}.buckets[${i}]`;
      const b = arrayAt(entry, p);
      if (b.length !== 5) throw new SnapshotError(p, '[key, sum, min, max, samples]');
      const key = integerAt(b[0], `${p}[0]`);
      const samples = countAt(b[4], `${p}[4]`);
      if (samples === 0) throw new SnapshotError(`${p}[4]`, 'at least 1');
      series.buckets.set(key, {
        sum: numberAt(b[1], `${p}[1]`),
        min: numberAt(b[2], `${p}[2]`),
        max: numberAt(b[3], `${p}[3]`),
        samples,
      });
    });
    return series;
  }

  private coarsen(): void {
    this.buckets = coarsened(this.buckets);
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

/** The buckets at twice the width: floor(t / 2w) = floor(floor(t / w) / 2). */
function coarsened(buckets: Map<number, Bucket>): Map<number, Bucket> {
  const merged = new Map<number, Bucket>();
  for (const [key, b] of buckets) {
    const k = Math.floor(key / 2);
    const into = merged.get(k);
    if (!into) merged.set(k, { ...b });
    else addBucket(into, b);
  }
  return merged;
}

function addBucket(into: Bucket, b: Bucket): void {
  into.sum += b.sum;
  into.samples += b.samples;
  into.min = Math.min(into.min, b.min);
  into.max = Math.max(into.max, b.max);
}

export interface SeriesSnapshot {
  widthMs: number;
  lastAt: number | null;
  lastSeq: number;
  lastValue: number | null;
  /** [bucket key (start / widthMs), sum, min, max, samples] */
  buckets: [number, number, number, number, number][];
}
