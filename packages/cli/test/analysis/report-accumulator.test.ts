import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { SpoolRecord } from '@otelspool/exporter-jsonl';
import {
  addBucketItems,
  boundaryBucket,
  buildReport,
  bucketOf,
  HOUR_MS,
  LatencyAccumulator,
  mergePartials,
  PartitionedReportAccumulator,
  ReportAccumulator,
  reportContext,
  resolveFilter,
  SyncHealthTracker,
  type Report,
  type ReportOptions,
} from '../../src/analysis/index.js';
import { T0, tempSpool } from './report-fixture.js';
import { lineArb, propertySeed, writeSpool } from './report-partials-fixture.js';

const NOW = T0 + 5 * HOUR_MS;

/** JSON.stringify → parse → fromJSON: what an index row goes through. */
function roundTrip(acc: ReportAccumulator, filter = acc.filter): ReportAccumulator {
  return ReportAccumulator.fromJSON(JSON.parse(JSON.stringify(acc.toJSON())), filter);
}

async function finishLike(
  dir: string,
  acc: ReportAccumulator,
  options: ReportOptions,
): Promise<Report> {
  const { filter, filters } = resolveFilter(options);
  const sync = new SyncHealthTracker(dir).result();
  return acc.finish(await reportContext(dir, filter, filters, options, sync));
}

/** Splits `records` into k consecutive chunks at the given cut points. */
function chunks<T>(items: readonly T[], cuts: readonly number[]): T[][] {
  const at = [...new Set(cuts.map((c) => Math.floor(c * items.length)))].sort((a, b) => a - b);
  const out: T[][] = [];
  let from = 0;
  for (const c of [...at, items.length]) {
    out.push(items.slice(from, c));
    from = c;
  }
  return out;
}

const spoolArb = fc.record({
  lines: fc.array(lineArb, { minLength: 1, maxLength: 40 }),
  perSegment: fc.integer({ min: 1, max: 6 }),
  cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 5 }),
  service: fc.constantFrom('api', 'web', 'worker', 'nobody'),
  sinceHour: fc.integer({ min: 0, max: 4 }),
  sinceInside: fc.integer({ min: 1, max: HOUR_MS - 1 }),
});

describe('ReportAccumulator partials', () => {
  it('chunked folds, serialised and merged in order, give the one-pass report', async () => {
    const seed = propertySeed('chunked partials');
    await fc.assert(
      fc.asyncProperty(spoolArb, async ({ lines, perSegment, cuts, service, sinceHour }) => {
        const { dir, cleanup } = tempSpool();
        try {
          const records = await writeSpool(dir, lines, perSegment);
          for (const options of [
            { now: NOW },
            { now: NOW, service },
            { now: NOW, since: new Date(T0 + sinceHour * HOUR_MS + 1234).toISOString() },
          ] satisfies ReportOptions[]) {
            const expected = await buildReport(dir, options);
            const { filter } = resolveFilter(options);
            const merged = new ReportAccumulator(filter);
            for (const chunk of chunks(records, cuts)) {
              const acc = new ReportAccumulator(filter);
              for (const r of chunk) acc.addRecord(r);
              merged.merge(roundTrip(acc));
            }
            expect(await finishLike(dir, merged, options)).toEqual(expected);
          }
        } finally {
          cleanup();
        }
      }),
      { seed, numRuns: 40 },
    );
  });

  it('partitions answer the unfiltered, --service and --since reports', async () => {
    const seed = propertySeed('partition routing');
    await fc.assert(
      fc.asyncProperty(spoolArb, async ({ lines, perSegment, service, sinceHour, sinceInside }) => {
        const { dir, cleanup } = tempSpool();
        try {
          const records = await writeSpool(dir, lines, perSegment);
          const parts = new PartitionedReportAccumulator();
          for (const r of records) parts.addRecord(r);
          const stored = parts.partials().map((p) => ({ key: p.key, state: roundTrip(p.state) }));
          const totals = roundTrip(parts.totals);
          for (const p of stored) {
            expect(p.state.lines).toEqual({ traces: 0, metrics: 0, logs: 0 });
            expect(p.key.bucket === null || Number.isInteger(p.key.bucket)).toBe(true);
          }

          const onHour = new Date(T0 + sinceHour * HOUR_MS).toISOString();
          for (const options of [
            { now: NOW },
            { now: NOW, service },
            { now: NOW, since: onHour },
            { now: NOW, since: onHour, service },
          ] satisfies ReportOptions[]) {
            const { filter } = resolveFilter(options);
            expect(boundaryBucket(filter.sinceUnixMs)).toBeNull();
            const merged = mergePartials(stored, totals, filter);
            expect(await finishLike(dir, merged, options)).toEqual(await buildReport(dir, options));
          }

          // Mid-hour: the boundary bucket is re-folded from the raw lines.
          const options = {
            now: NOW,
            since: new Date(T0 + sinceHour * HOUR_MS + sinceInside).toISOString(),
          };
          const { filter } = resolveFilter(options);
          const boundary = boundaryBucket(filter.sinceUnixMs);
          expect(boundary).toBe(bucketOf(filter.sinceUnixMs ?? NaN));
          const merged = mergePartials(stored, totals, filter);
          for (const r of records) addBucketItems(merged, r, boundary ?? NaN);
          expect(await finishLike(dir, merged, options)).toEqual(await buildReport(dir, options));
        } finally {
          cleanup();
        }
      }),
      { seed, numRuns: 40 },
    );
  });

  it('merged sketches give exactly the quantiles of one sketch fed every value', () => {
    const seed = propertySeed('sketch merge');
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 3_600_000, noNaN: true }), { maxLength: 300 }),
        fc.integer({ min: 1, max: 8 }),
        (values, k) => {
          const one = new LatencyAccumulator();
          const parts = Array.from({ length: k }, () => new LatencyAccumulator());
          values.forEach((v, i) => {
            one.add(v, i % 7 === 0);
            parts[i % k]?.add(v, i % 7 === 0);
          });
          const merged = new LatencyAccumulator();
          for (const p of parts)
            merged.merge(LatencyAccumulator.fromJSON(JSON.parse(JSON.stringify(p.toJSON()))));
          for (const q of [0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1])
            expect(merged.quantile(q)).toBe(one.quantile(q));
          expect(merged.count).toBe(one.count);
          expect(merged.errors).toBe(one.errors);
          expect(merged.sketch.min).toBe(one.sketch.min);
          expect(merged.sketch.max).toBe(one.sketch.max);
          expect(merged.sketch.count).toBe(one.sketch.count);
        },
      ),
      { seed, numRuns: 200 },
    );
  });
});

describe('ReportAccumulator.fromJSON', () => {
  const valid = (): Record<string, unknown> => {
    const acc = new ReportAccumulator();
    const record = {
      signal: 'traces',
      file: 'x',
      segment: 'x',
      position: 1,
      data: {
        resourceSpans: [
          {
            resource: { attributes: [] },
            scopeSpans: [
              {
                spans: [{ name: 'a', startTimeUnixNano: '1000000', endTimeUnixNano: '3000000' }],
              },
            ],
          },
        ],
      },
    } as unknown as SpoolRecord;
    acc.addRecord(record);
    return JSON.parse(JSON.stringify(acc.toJSON())) as Record<string, unknown>;
  };

  it('accepts its own output', () => {
    expect(() => ReportAccumulator.fromJSON(valid())).not.toThrow();
  });

  it.each([
    ['not an object', () => 'garbage'],
    ['null', () => null],
    ['an array', () => []],
    ['a wrong kind', () => ({ ...valid(), kind: 'other' })],
    ['a future version', () => ({ ...valid(), version: 2 })],
    ['a missing field', () => ({ ...valid(), items: undefined })],
    ['a negative count', () => ({ ...valid(), recordsInSpool: -1 })],
    ['a fractional count', () => ({ ...valid(), malformedLines: 0.5 })],
    ['a string for a number', () => ({ ...valid(), lines: { traces: '1', metrics: 0, logs: 0 } })],
    ['min without max', () => ({ ...valid(), maxUnixMs: null })],
    ['a short histogram', () => ({ ...valid(), histogram: [1, 2] })],
    ['a bad byName pair', () => ({ ...valid(), byName: [['a']] })],
    [
      'a wild sketch key',
      () => {
        const v = valid();
        const overall = v.overall as { sketch: { bins: [number, number][] } };
        overall.sketch.bins = [[1e9, 1]];
        return v;
      },
    ],
    [
      'more errors than spans',
      () => ({ ...valid(), overall: { count: 1, errors: 2, sketch: null } }),
    ],
    [
      'a sketch with more values than spans',
      () => {
        const v = valid();
        const overall = v.overall as { count: number };
        overall.count = 0;
        return v;
      },
    ],
    [
      'a non-doubling series width',
      () => ({ ...valid(), cpu: { widthMs: 1500, lastAt: null, lastValue: null, buckets: [] } }),
    ],
    ['too many services', () => ({ ...valid(), services: Array.from({ length: 51 }, String) })],
  ])('refuses %s', (_label, make) => {
    expect(() => ReportAccumulator.fromJSON(make())).toThrow(/invalid report partial: partial/);
  });
});
