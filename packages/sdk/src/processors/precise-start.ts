import type { HrTime } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/sdk-trace-base';

/**
 * The fields of the SDK's SpanImpl this module reads (node_modules/@opentelemetry/sdk-trace,
 * build/src/Span.js, 2.x): the constructor takes `startTime` from `Date.now()` (whole
 * milliseconds), remembers `_performanceStartTime = performance.now()` and
 * `_performanceOffset = Date.now() - (performance.now() + timeOrigin)`, and `_startTimeProvided`
 * says whether the caller gave a start time. `end()` without a time is
 * `startTime + (performance.now() - _performanceStartTime)`: sub-millisecond. So siblings started
 * in one millisecond all share one start, while their ends and durations are exact.
 */
interface SdkSpanClock {
  startTime: HrTime;
  _performanceStartTime?: unknown;
  _performanceOffset?: unknown;
  _startTimeProvided?: unknown;
}

/**
 * Gives spans whose start the SDK took from `Date.now()` a sub-millisecond start on the
 * performance clock, mapped to wall time by one offset per refiner (so every span's start and,
 * through the SDK's own `end()` arithmetic above, its end move together: durations stay exact
 * and starts are ordered as the spans really started). A start given by the user is left
 * untouched; a span of another SDK build (fields absent) too.
 *
 * The offset (wall − performance clock) is the largest one the SDK has measured so far:
 * `Date.now()` truncates, so each span's measured offset is at most 1 ms below the true one,
 * and the largest is the closest. A start that would fall outside its own `Date.now()`
 * millisecond (the wall clock stepped, or the clocks drifted) re-anchors the offset to that
 * span's, so a start is never more than a millisecond from the wall clock the SDK read.
 * O(1), no allocation beyond the new HrTime.
 */
export class StartTimeRefiner {
  private offsetMs: number | undefined;
  /** performance.timeOrigin split into whole milliseconds and the rest (exact in a double). */
  private readonly originWholeMs = Math.floor(performance.timeOrigin);
  private readonly originFractionMs = performance.timeOrigin - this.originWholeMs;

  /** Never throws: a span it cannot read keeps the SDK's start. */
  refine(span: Span): void {
    try {
      this.refineUnsafe(span);
    } catch {
      // the SDK's own start stays
    }
  }

  // On the hot path of every span (G1 in bench/): plain double arithmetic and one HrTime
  // allocation. The earlier version built the start through three @opentelemetry/core HrTime
  // helpers (four allocations), a measurable share of span start + end.
  private refineUnsafe(span: Span): void {
    const s = span as unknown as SdkSpanClock;
    if (s._startTimeProvided !== false) return;
    const perfStart = s._performanceStartTime;
    const measured = s._performanceOffset;
    if (typeof perfStart !== 'number' || typeof measured !== 'number') return;
    const start = s.startTime;
    // The SDK's own start is whole milliseconds; anything else was not Date.now().
    if (!Array.isArray(start)) return;
    const seconds = start[0];
    const nanos = start[1];
    if (typeof seconds !== 'number' || typeof nanos !== 'number' || nanos % 1_000_000 !== 0) return;
    const wallMs = seconds * 1000 + nanos / 1e6;
    let offset = this.offsetMs;
    if (offset === undefined || measured > offset) offset = measured;
    // The precise start, timeOrigin + perfStart + offset, as a distance from wallMs. Summed from
    // the small terms first (the fraction of timeOrigin, perfStart, offset: all well below 2^53
    // at full precision) and the whole milliseconds last, exactly, so the sub-millisecond part
    // keeps nanosecond precision that the epoch-millisecond double (0.24 µs steps) would lose.
    let sinceWallMs = this.originWholeMs - wallMs + (this.originFractionMs + perfStart + offset);
    if (!(sinceWallMs >= 0 && sinceWallMs < 1)) {
      // Outside the SDK's own Date.now() millisecond: the wall clock stepped or the clocks
      // drifted. Re-anchor the offset to this span's and keep the SDK's start.
      offset = measured;
      sinceWallMs = 0;
    }
    this.offsetMs = offset;
    const subMsNanos = Math.floor(sinceWallMs * 1e6);
    if (subMsNanos <= 0) return;
    // nanos is a whole millisecond ≤ 999_000_000 and subMsNanos < 1_000_000: no carry.
    s.startTime = [seconds, nanos + Math.min(subMsNanos, 999_999)];
    // Events and ends given as performance.now() timestamps use this offset: same timeline.
    s._performanceOffset = offset;
  }
}
