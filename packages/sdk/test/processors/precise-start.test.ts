import { describe, expect, it } from 'vitest';
import { hrTimeDuration } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { SpoolSpanProcessor } from '../../src/processors/index.js';

/** A provider with the spool processor first (as startTelemetry puts it), recording ended spans. */
function setup(preciseStartTime?: boolean): {
  spans: () => ReadableSpan[];
  tracer: ReturnType<BasicTracerProvider['getTracer']>;
} {
  const memory = new InMemorySpanExporter();
  const discard = {
    export: (_s: ReadableSpan[], cb: (r: { code: 0 }) => void) => cb({ code: 0 }),
    shutdown: () => Promise.resolve(),
  };
  const provider = new BasicTracerProvider({
    spanProcessors: [
      new SpoolSpanProcessor(discard, { preciseStartTime }),
      new SimpleSpanProcessor(memory),
    ],
  });
  return { spans: () => memory.getFinishedSpans(), tracer: provider.getTracer('t') };
}

/** Starts spans until at least `n` of them began within one Date.now() millisecond. */
function siblingsInOneMillisecond(tracer: ReturnType<BasicTracerProvider['getTracer']>, n: number) {
  for (let attempt = 0; attempt < 50; attempt++) {
    const ms = Date.now();
    const started = [];
    while (Date.now() === ms && started.length < n) started.push(tracer.startSpan('sibling'));
    if (Date.now() === ms && started.length === n) return { ms, started };
    for (const s of started) s.end();
  }
  throw new Error('could not start spans within one millisecond');
}

const nanos = (t: [number, number]): bigint => BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]);

describe('precise span start times (issue 13)', () => {
  it('siblings started within one millisecond get strictly increasing sub-ms starts', () => {
    const { tracer, spans } = setup();
    const { ms, started } = siblingsInOneMillisecond(tracer, 5);
    for (const s of started) s.end();
    const ours = spans()
      .filter((s) => s.name === 'sibling')
      .slice(-5);
    const starts = ours.map((s) => nanos(s.startTime));
    for (let i = 1; i < starts.length; i++) expect(starts[i]! > starts[i - 1]!).toBe(true);
    // Not all on a whole millisecond any more (the SDK's own Date.now() start).
    expect(ours.some((s) => s.startTime[1] % 1_000_000 !== 0)).toBe(true);
    for (const s of ours) {
      expect(nanos(s.endTime) >= nanos(s.startTime)).toBe(true);
      // The span's own duration (performance.now() difference) is exactly end − start.
      expect(hrTimeDuration(s.startTime, s.endTime)).toEqual(s.duration);
      // Inside the millisecond Date.now() read at the start: the wall clock is kept.
      // (in BigInt: epoch nanoseconds are past 2^53, a float would round across the boundary)
      expect(nanos(s.startTime) / 1_000_000n).toBe(BigInt(ms));
    }
  });

  it('without it the SDK gives siblings one whole-millisecond start (what the test guards)', () => {
    const { tracer, spans } = setup(false);
    const { started } = siblingsInOneMillisecond(tracer, 5);
    for (const s of started) s.end();
    const ours = spans()
      .filter((s) => s.name === 'sibling')
      .slice(-5);
    expect(new Set(ours.map((s) => String(nanos(s.startTime)))).size).toBe(1);
  });

  it('keeps the duration the SDK measures and a start time given by the user exactly', () => {
    const { tracer, spans } = setup();
    const given: [number, number] = [1_700_000_000, 123_456_789];
    const a = tracer.startSpan('given-hr', { startTime: given });
    a.end([1_700_000_001, 0]);
    const b = tracer.startSpan('given-date', { startTime: new Date(1_700_000_000_500) });
    b.end(new Date(1_700_000_000_900));
    const byName = new Map(spans().map((s) => [s.name, s]));
    expect(byName.get('given-hr')!.startTime).toEqual(given);
    expect(byName.get('given-hr')!.duration).toEqual([0, 876_543_211]);
    expect(byName.get('given-date')!.startTime).toEqual([1_700_000_000, 500_000_000]);
    expect(byName.get('given-date')!.duration).toEqual([0, 400_000_000]);
  });

  it('a child started after its parent never starts before it', () => {
    const { tracer, spans } = setup();
    tracer.startActiveSpan('parent', (parent) => {
      for (let i = 0; i < 20; i++) tracer.startSpan(`child-${i}`).end();
      parent.end();
    });
    const all = spans();
    const parent = all.find((s) => s.name === 'parent')!;
    const children = all.filter((s) => s.name.startsWith('child-'));
    for (const c of children) expect(nanos(c.startTime) >= nanos(parent.startTime)).toBe(true);
    for (let i = 1; i < children.length; i++) {
      expect(nanos(children[i]!.startTime) >= nanos(children[i - 1]!.startTime)).toBe(true);
    }
  });
});
