import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Span } from '@otelspool/exporter-jsonl';
import {
  BoundedCounter,
  ReportAccumulator,
  SeriesDownsampler,
  syncHealthFromLines,
  type SpoolLineRow,
} from '../../src/analysis/index.js';
import { propertySeed } from './report-partials-fixture.js';

describe('SeriesDownsampler.merge', () => {
  it('equals one downsampler fed every sample, across coarsenings', () => {
    const seed = propertySeed('series merge');
    fc.assert(
      fc.property(
        // Integer values keep the float sums exact; wide time spans force several doublings.
        fc.array(
          fc.record({
            t: fc.integer({ min: 0, max: 10_000_000 }),
            v: fc.integer({ min: -1000, max: 1000 }),
          }),
          { maxLength: 400 },
        ),
        fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 4 }),
        fc.integer({ min: 2, max: 12 }),
        (samples, cuts, maxPoints) => {
          const one = new SeriesDownsampler('m', 'u', maxPoints);
          for (const s of samples) one.add(s.t, s.v);
          const merged = new SeriesDownsampler('m', 'u', maxPoints);
          let from = 0;
          for (const c of [...cuts.sort((a, b) => a - b), samples.length]) {
            const part = new SeriesDownsampler('m', 'u', maxPoints);
            for (const s of samples.slice(from, Math.max(from, c))) part.add(s.t, s.v);
            from = Math.max(from, c);
            const json = JSON.parse(JSON.stringify(part.toJSON())) as unknown;
            merged.merge(SeriesDownsampler.fromJSON(json, 'm', 'u', 'series', maxPoints));
          }
          expect(merged.result()).toEqual(one.result());
        },
      ),
      { seed, numRuns: 300 },
    );
  });
});

describe('caps under merge', () => {
  const span = (name: string): Span =>
    ({ name, startTimeUnixNano: '1000000', endTimeUnixNano: '2000000' }) as Span;

  it('span names past 1000 fold into (other) as in one pass when merged in scan order', () => {
    const names = Array.from({ length: 1500 }, (_, i) => `n${i % 1300}`);
    const one = new ReportAccumulator();
    for (const n of names) one.addSpan(span(n), undefined);
    const merged = new ReportAccumulator();
    for (let i = 0; i < names.length; i += 400) {
      const part = new ReportAccumulator();
      for (const n of names.slice(i, i + 400)) part.addSpan(span(n), undefined);
      merged.merge(ReportAccumulator.fromJSON(JSON.parse(JSON.stringify(part.toJSON()))));
    }
    expect(merged.toJSON()).toEqual(one.toJSON());
    expect(merged.toJSON().namesCapped).toBe(true);
  });

  it('event names past the cap stay counted under (other)', () => {
    const one = new BoundedCounter(3);
    const a = new BoundedCounter(3);
    const b = new BoundedCounter(3);
    for (const k of ['a', 'b', 'c', 'd']) {
      one.add(k);
      a.add(k);
    }
    for (const k of ['a', 'e']) {
      one.add(k);
      b.add(k);
    }
    a.merge(b);
    expect(a.toJSON()).toEqual(one.toJSON());
    expect(a.top(10)).toEqual([
      { key: '(other)', count: 2 },
      { key: 'a', count: 2 },
      { key: 'b', count: 1 },
      { key: 'c', count: 1 },
    ]);
  });
});

describe('syncHealthFromLines', () => {
  it('counts a line synced when its end position is at or before the cursor', () => {
    const row = (segment: string, position: number, records: number, t: number): SpoolLineRow => ({
      signal: 'traces',
      segment,
      position,
      records,
      earliestUnixMs: t,
    });
    const rows = [row('s1', 100, 2, 50), row('s1', 200, 3, 40), row('s2', 10, 1, 30)];
    const health = syncHealthFromLines(rows, [
      { destination: 'd', updatedAt: '', signals: [], segments: { 'traces/s1': 100 } },
      { destination: 'logs-only', updatedAt: 'x', signals: ['logs'], segments: {} },
    ]);
    expect(health).toEqual([
      {
        destination: 'd',
        updatedAt: null,
        syncedLines: 1,
        unsyncedLines: 2,
        syncedRecords: 2,
        unsyncedRecords: 4,
        oldestUnsyncedUnixMs: 30,
      },
      {
        destination: 'logs-only',
        updatedAt: 'x',
        syncedLines: 0,
        unsyncedLines: 0,
        syncedRecords: 0,
        unsyncedRecords: 0,
        oldestUnsyncedUnixMs: null,
      },
    ]);
  });
});
