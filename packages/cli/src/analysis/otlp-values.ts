import type { NumberDataPoint } from '@otelspool/exporter-jsonl';

/** Nanoseconds since the epoch (decimal string, as the reader normalises) → ms; NaN when absent. */
export function nanosToMs(nanos: string | undefined): number {
  if (nanos === undefined || nanos === '') return NaN;
  // Number() loses precision past 2^53 ns (~104 days), far below the ms resolution needed here.
  return Number(nanos) / 1e6;
}

/** Duration of [start, end] in ms, computed on BigInt so sub-µs spans keep their precision. */
export function spanDurationMs(start: string | undefined, end: string | undefined): number {
  if (!start || !end) return NaN;
  try {
    const ns = BigInt(end) - BigInt(start);
    return Number(ns) / 1e6;
  } catch {
    return NaN;
  }
}

/** A number data point's value as a JS number (NaN for non-finite or absent values). */
export function pointValue(point: NumberDataPoint): number {
  if (point.asDouble !== undefined) {
    return typeof point.asDouble === 'number' ? point.asDouble : NaN;
  }
  if (point.asInt !== undefined) return Number(point.asInt);
  return NaN;
}
