import type { HrTime } from '@opentelemetry/api';
import { addHrTimes, hrTime, hrTimeDuration, millisToHrTime } from '@opentelemetry/core';
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

  /** Never throws: a span it cannot read keeps the SDK's start. */
  refine(span: Span): void {
    try {
      this.refineUnsafe(span);
    } catch {
      // the SDK's own start stays
    }
  }

  private refineUnsafe(span: Span): void {
    const s = span as unknown as SdkSpanClock;
    if (s._startTimeProvided !== false) return;
    const perfStart = s._performanceStartTime;
    const measured = s._performanceOffset;
    if (typeof perfStart !== 'number' || typeof measured !== 'number') return;
    const start = s.startTime;
    // The SDK's own start is whole milliseconds; anything else was not Date.now().
    if (!Array.isArray(start) || start[1] % 1_000_000 !== 0) return;
    const wallMs = start[0] * 1000 + start[1] / 1e6;
    let offset = this.offsetMs;
    if (offset === undefined || measured > offset) offset = measured;
    // performance.timeOrigin + perfStart + offset, kept inside [wallMs, wallMs + 1).
    let precise = performance.timeOrigin + perfStart + offset;
    if (precise < wallMs || precise >= wallMs + 1) {
      offset = measured;
      precise = wallMs;
    }
    this.offsetMs = offset;
    if (precise === wallMs) return;
    // hrTime(perf) adds timeOrigin at full precision; the offset is small (ms), so adding it as
    // an HrTime keeps sub-microsecond precision that an epoch-ms double would lose.
    const refined = addOffset(hrTime(perfStart), offset);
    // The HrTime sum and the double above can differ by a rounding step: keep the start inside
    // the SDK's own millisecond, compared exactly on [seconds, nanoseconds].
    if (compareHrTime(refined, start) < 0 || compareHrTime(refined, addHrTimes(start, ONE_MS)) >= 0)
      return;
    s.startTime = refined;
    // Events and ends given as performance.now() timestamps use this offset: same timeline.
    s._performanceOffset = offset;
  }
}

const ONE_MS: HrTime = [0, 1_000_000];

function compareHrTime(a: HrTime, b: HrTime): number {
  return a[0] !== b[0] ? a[0] - b[0] : a[1] - b[1];
}

function addOffset(time: HrTime, offsetMs: number): HrTime {
  return offsetMs >= 0
    ? addHrTimes(time, millisToHrTime(offsetMs))
    : hrTimeDuration(millisToHrTime(-offsetMs), time);
}
