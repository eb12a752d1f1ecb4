import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseOtlpJson, stringifyOtlpJson } from '../../src/index.js';

/** A traces value with special doubles in every place a span can hold an AnyValue. */
function tracesWith(d: number) {
  const kv = (key: string) => ({ key, value: { doubleValue: d } });
  return {
    resourceSpans: [
      {
        resource: { attributes: [kv('r')] },
        scopeSpans: [
          {
            scope: { name: 's', attributes: [kv('sc')] },
            spans: [
              {
                traceId: '0af7651916cd43dd8448eb211c80319c',
                spanId: 'b7ad6b7169203331',
                attributes: [
                  kv('a'),
                  { key: 'arr', value: { arrayValue: { values: [{ doubleValue: d }] } } },
                  { key: 'kv', value: { kvlistValue: { values: [kv('inner')] } } },
                ],
                events: [{ name: 'e', attributes: [kv('ev')] }],
                links: [
                  {
                    traceId: '0af7651916cd43dd8448eb211c80319d',
                    spanId: 'b7ad6b7169203332',
                    attributes: [kv('ln')],
                  },
                ],
              },
            ],
          },
        ],
      },
    ],
  };
}

function metricsWith(d: number) {
  return {
    resourceMetrics: [
      {
        scopeMetrics: [
          {
            metrics: [
              { name: 'g', gauge: { dataPoints: [{ asDouble: d, exemplars: [{ asDouble: d }] }] } },
              {
                name: 'h',
                histogram: {
                  dataPoints: [
                    {
                      count: '1',
                      sum: d,
                      min: d,
                      max: d,
                      explicitBounds: [0, d],
                      bucketCounts: ['0', '1', '0'],
                    },
                  ],
                },
              },
              {
                name: 'e',
                exponentialHistogram: { dataPoints: [{ count: '1', sum: d, zeroThreshold: d }] },
              },
              {
                name: 's',
                summary: { dataPoints: [{ sum: d, quantileValues: [{ quantile: d, value: d }] }] },
              },
            ],
          },
        ],
      },
    ],
  };
}

const logsWith = (d: number) => ({
  resourceLogs: [
    {
      scopeLogs: [
        {
          logRecords: [
            { body: { doubleValue: d }, attributes: [{ key: 'a', value: { doubleValue: d } }] },
          ],
        },
      ],
    },
  ],
});

describe('stringifyOtlpJson', () => {
  it('is JSON.stringify for values without NaN, ±Infinity or -0', () => {
    for (const v of [
      tracesWith(1.5),
      metricsWith(2.25),
      logsWith(0),
      { a: [1, 'x', null, { b: 0 }] },
    ]) {
      expect(stringifyOtlpJson(v)).toBe(JSON.stringify(v));
    }
  });

  /** Paths to every double of a fixture built with the marker 1.5. */
  function doublePaths(value: unknown, path: (string | number)[] = []): (string | number)[][] {
    if (value === 1.5) return [path];
    if (typeof value !== 'object' || value === null) return [];
    return Object.entries(value).flatMap(([k, v]) =>
      doublePaths(v, [...path, Array.isArray(value) ? Number(k) : k]),
    );
  }

  function setAt(value: unknown, path: (string | number)[], d: number): void {
    let o = value as Record<string | number, unknown>;
    for (const step of path.slice(0, -1)) o = o[step] as Record<string | number, unknown>;
    o[path[path.length - 1]!] = d;
  }

  it.each([
    [Number.NaN, '"NaN"'],
    [Number.POSITIVE_INFINITY, '"Infinity"'],
    [Number.NEGATIVE_INFINITY, '"-Infinity"'],
    [-0, '-0'],
  ])('writes %s as %s in each double field alone, and the reader gives it back', (d, literal) => {
    const builders = { traces: tracesWith, metrics: metricsWith, logs: logsWith } as const;
    let fields = 0;
    for (const signal of ['traces', 'metrics', 'logs'] as const) {
      const paths = doublePaths(builders[signal](1.5));
      expect(paths.length).toBeGreaterThan(1);
      for (const path of paths) {
        fields++;
        const value = builders[signal](1.5);
        setAt(value, path, d);
        const text = stringifyOtlpJson(value);
        const where = `${signal} ${path.join('.')}`;
        expect(text, where).not.toContain('null');
        expect(text.split(literal).length - 1, where).toBe(1);
        const back = parseOtlpJson(signal, text);
        if (!back.ok) throw new Error(`${where}: ${back.reason}`);
        // The reader's value is the number again, and writing it again gives the same text.
        let got: unknown = back.data;
        for (const step of path) got = (got as Record<string | number, unknown>)[step];
        expect(Number.isNaN(d) ? Number.isNaN(got) : Object.is(got, d), where).toBe(true);
        expect(stringifyOtlpJson(back.data), where).toBe(text);
      }
    }
    expect(fields).toBe(20); // 7 trace, 11 metric, 2 log doubles
  });

  it('finds special numbers anywhere in non-OTLP values too (dry-run entries, arrays)', () => {
    expect(stringifyOtlpJson({ signal: 'traces', body: tracesWith(Number.NaN) })).toContain(
      '"doubleValue":"NaN"',
    );
    expect(stringifyOtlpJson([1, -0, Number.POSITIVE_INFINITY])).toBe('[1,-0,"Infinity"]');
    expect(stringifyOtlpJson({ x: { y: [{ z: Number.NaN }] } })).toBe('{"x":{"y":[{"z":"NaN"}]}}');
    expect(Object.is(JSON.parse(stringifyOtlpJson({ v: -0 })).v, -0)).toBe(true);
  });

  it('any JSON-ish value: parses back to the same numbers (NaN/±Infinity via the strings)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.double(), (value, d) => {
        const wrapped = { value, d, list: [d] };
        const back = JSON.parse(stringifyOtlpJson(wrapped)) as { d: unknown; list: unknown[] };
        const expected = Number.isFinite(d) ? d : String(d);
        expect(Object.is(back.d, expected) || (Number.isNaN(d) && back.d === 'NaN')).toBe(true);
        expect(back.list).toEqual([expected]);
      }),
      { numRuns: 300 },
    );
  });
});
