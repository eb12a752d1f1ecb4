import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  normalizeOtlp,
  normalizeOtlpItems,
  OtlpShapeError,
  parseOtlpJson,
  type LogsData,
  type MetricsData,
  type Signal,
  type TracesData,
} from '../../src/index.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const fixture = (path: string): string => readFileSync(join(fixtures, path), 'utf8');

function parsed<S extends Signal>(signal: S, text: string) {
  const result = parseOtlpJson(signal, text);
  if (!result.ok) throw new Error(`expected ok, got: ${result.reason}`);
  return result.data;
}

function reason(signal: Signal, text: string): string {
  const result = parseOtlpJson(signal, text);
  if (result.ok) throw new Error('expected a rejection');
  return result.reason;
}

const span = (fields: Record<string, unknown>): string =>
  JSON.stringify({
    resourceSpans: [
      {
        scopeSpans: [
          {
            spans: [
              {
                traceId: '0af7651916cd43dd8448eb211c80319c',
                spanId: 'b7ad6b7169203331',
                ...fields,
              },
            ],
          },
        ],
      },
    ],
  });

const firstSpan = (data: TracesData) => data.resourceSpans[0]!.scopeSpans![0]!.spans![0]!;

describe('opentelemetry-proto examples', () => {
  it('reads examples/trace.json: one span, ids lowercased, times as exact strings', () => {
    const data = parsed('traces', fixture('opentelemetry-proto/trace.jsonl'));
    expect(data.resourceSpans).toHaveLength(1);
    const rs = data.resourceSpans[0]!;
    expect(rs.resource?.attributes).toEqual([
      { key: 'service.name', value: { stringValue: 'my.service' } },
    ]);
    expect(rs.scopeSpans).toHaveLength(1);
    expect(rs.scopeSpans![0]!.scope).toMatchObject({ name: 'my.library', version: '1.0.0' });
    expect(rs.scopeSpans![0]!.spans).toHaveLength(1);
    expect(firstSpan(data)).toEqual({
      traceId: '5b8efff798038103d269b633813fc60c',
      spanId: 'eee19b7ec3c1b174',
      parentSpanId: 'eee19b7ec3c1b173',
      name: "I'm a server span",
      startTimeUnixNano: '1544712660000000000',
      endTimeUnixNano: '1544712661000000000',
      kind: 2,
      attributes: [{ key: 'my.span.attr', value: { stringValue: 'some value' } }],
    });
  });

  it('reads examples/metrics.json: a sum, a gauge and a histogram with counts as strings', () => {
    const data = parsed('metrics', fixture('opentelemetry-proto/metrics.jsonl'));
    const metrics = data.resourceMetrics[0]!.scopeMetrics![0]!.metrics!;
    expect(metrics.map((m) => m.name)).toEqual(['my.counter', 'my.gauge', 'my.histogram']);
    expect(metrics[0]!.sum).toMatchObject({ aggregationTemporality: 1, isMonotonic: true });
    expect(metrics[0]!.sum!.dataPoints![0]).toMatchObject({
      asDouble: 5,
      startTimeUnixNano: '1544712660300000000',
      timeUnixNano: '1544712660300000000',
    });
    expect(metrics[1]!.gauge!.dataPoints![0]!.asDouble).toBe(10);
    expect(metrics[2]!.histogram!.dataPoints![0]).toMatchObject({
      count: '3',
      sum: 3,
      bucketCounts: ['1', '1', '1'],
      explicitBounds: [1],
      min: 1,
      max: 1,
    });
  });

  it('reads examples/logs.json: one record, every AnyValue kind, int as string', () => {
    const data = parsed('logs', fixture('opentelemetry-proto/logs.jsonl'));
    const records = data.resourceLogs[0]!.scopeLogs![0]!.logRecords!;
    expect(records).toHaveLength(1);
    const record = records[0]!;
    expect(record.traceId).toBe('5b8efff798038103d269b633813fc60c');
    expect(record.spanId).toBe('eee19b7ec3c1b174');
    expect(record.timeUnixNano).toBe('1544712660300000000');
    expect(record.body).toEqual({ stringValue: 'Example log record' });
    expect(record.attributes!.map((a) => [a.key, a.value])).toEqual([
      ['string.attribute', { stringValue: 'some string' }],
      ['boolean.attribute', { boolValue: true }],
      ['int.attribute', { intValue: '10' }],
      ['double.attribute', { doubleValue: 637.704 }],
      [
        'array.attribute',
        { arrayValue: { values: [{ stringValue: 'many' }, { stringValue: 'values' }] } },
      ],
      [
        'map.attribute',
        {
          kvlistValue: { values: [{ key: 'some.map.key', value: { stringValue: 'some value' } }] },
        },
      ],
    ]);
  });
});

describe('Collector file exporter lines', () => {
  it('reads every line of each signal unchanged (already normalised)', () => {
    for (const signal of ['traces', 'metrics', 'logs'] as const) {
      const lines = fixture(`collector-file-exporter/${signal}.jsonl`).split('\n').filter(Boolean);
      for (const line of lines) {
        expect(parsed(signal, line)).toEqual(JSON.parse(line));
      }
    }
  });

  it('keeps a counter above 2^53 exact and covers every metric kind', () => {
    const data = parsed('metrics', fixture('collector-file-exporter/metrics.jsonl')) as MetricsData;
    const metrics = data.resourceMetrics[0]!.scopeMetrics![0]!.metrics!;
    expect(metrics[1]!.sum!.dataPoints![0]!.asInt).toBe('9007199254740993');
    expect(metrics.map((m) => Object.keys(m).find((k) => k !== 'name' && k !== 'unit'))).toEqual([
      'histogram',
      'sum',
      'gauge',
      'exponentialHistogram',
      'summary',
    ]);
  });
});

describe('64-bit integers', () => {
  it('accepts numbers and strings, normalising to decimal strings', () => {
    const a = firstSpan(
      parsed('traces', span({ startTimeUnixNano: 1000, endTimeUnixNano: '2000' })),
    );
    expect(a.startTimeUnixNano).toBe('1000');
    expect(a.endTimeUnixNano).toBe('2000');
  });

  it('keeps a value above 2^53 given as a string exactly', () => {
    const s = firstSpan(parsed('traces', span({ startTimeUnixNano: '18446744073709551615' })));
    expect(s.startTimeUnixNano).toBe('18446744073709551615');
  });

  it('keeps a value above 2^53 given as a JSON number exactly (source text re-read)', () => {
    // 1700000000123456789 is not representable as a double: JSON.parse alone would give ...6800.
    const text = span({ startTimeUnixNano: 1 }).replace(
      '"startTimeUnixNano":1',
      '"startTimeUnixNano":1700000000123456789',
    );
    expect(firstSpan(parsed('traces', text)).startTimeUnixNano).toBe('1700000000123456789');
    const log =
      '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"intValue":-9007199254740993}}]}]}]}';
    expect(parsed('logs', log).resourceLogs[0]!.scopeLogs![0]!.logRecords![0]!.body).toEqual({
      intValue: '-9007199254740993',
    });
  });

  it('canonicalises leading zeros and rejects fractions, negatives for unsigned, junk and overflow', () => {
    expect(firstSpan(parsed('traces', span({ startTimeUnixNano: '0007' }))).startTimeUnixNano).toBe(
      '7',
    );
    expect(reason('traces', span({ startTimeUnixNano: 1.5 }))).toMatch(
      /startTimeUnixNano: expected an unsigned 64-bit integer/,
    );
    expect(reason('traces', span({ startTimeUnixNano: -1 }))).toMatch(/out of range/);
    expect(reason('traces', span({ startTimeUnixNano: '12ab' }))).toMatch(/decimal string/);
    expect(reason('traces', span({ startTimeUnixNano: '18446744073709551616' }))).toMatch(
      /out of range/,
    );
  });
});

describe('ids', () => {
  it('lowercases uppercase hex ids', () => {
    const s = firstSpan(
      parsed(
        'traces',
        span({
          traceId: '0AF7651916CD43DD8448EB211C80319C',
          spanId: 'B7AD6B7169203331',
          parentSpanId: 'ABCDEF0123456789',
        }),
      ),
    );
    expect([s.traceId, s.spanId, s.parentSpanId]).toEqual([
      '0af7651916cd43dd8448eb211c80319c',
      'b7ad6b7169203331',
      'abcdef0123456789',
    ]);
  });

  it('decodes base64 ids of the right byte length to hex', () => {
    const traceId = Buffer.from('0af7651916cd43dd8448eb211c80319c', 'hex').toString('base64');
    const spanId = Buffer.from('b7ad6b7169203331', 'hex').toString('base64');
    expect(traceId).toHaveLength(24);
    const s = firstSpan(parsed('traces', span({ traceId, spanId })));
    expect([s.traceId, s.spanId]).toEqual(['0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331']);
  });

  it('rejects missing, empty or malformed span ids with the field path', () => {
    expect(reason('traces', span({ traceId: undefined }))).toBe(
      'resourceSpans[0].scopeSpans[0].spans[0].traceId: required 16-byte id is missing',
    );
    expect(reason('traces', span({ spanId: '' }))).toMatch(
      /spans\[0\]\.spanId: required 8-byte id is empty/,
    );
    expect(reason('traces', span({ spanId: 'zz' }))).toMatch(/spanId: expected a 8-byte id/);
    expect(reason('traces', span({ traceId: 'b7ad6b7169203331' }))).toMatch(
      /traceId: expected a 16-byte id/,
    );
  });

  it('allows empty ids where the proto makes them optional (logs, root spans)', () => {
    const log = parsed(
      'logs',
      '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"traceId":"","spanId":""}]}]}]}',
    );
    expect(log.resourceLogs[0]!.scopeLogs![0]!.logRecords![0]).toEqual({ traceId: '', spanId: '' });
    expect(firstSpan(parsed('traces', span({ parentSpanId: '' }))).parentSpanId).toBe('');
  });
});

describe('shape', () => {
  it('keeps unknown fields as they are', () => {
    const data = parsed('traces', span({ futureField: { a: 1 }, name: 'x' }));
    expect(firstSpan(data)).toMatchObject({ futureField: { a: 1 }, name: 'x' });
  });

  it('maps enum names to integers and removes explicit nulls', () => {
    const s = firstSpan(
      parsed(
        'traces',
        span({ kind: 'SPAN_KIND_CLIENT', status: { code: 'STATUS_CODE_ERROR' }, name: null }),
      ),
    );
    expect(s.kind).toBe(3);
    expect(s.status).toEqual({ code: 2 });
    expect('name' in s).toBe(false);
    expect(reason('traces', span({ kind: 'SERVER' }))).toMatch(/kind: expected a span kind/);
  });

  it('accepts the proto3 JSON double forms', () => {
    const text =
      '{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"gauge":{"dataPoints":[{"asDouble":"NaN"},{"asDouble":"1.5"},{"asInt":7}]}}]}]}]}';
    const points = parsed('metrics', text).resourceMetrics[0]!.scopeMetrics![0]!.metrics![0]!.gauge!
      .dataPoints!;
    // The proto3 JSON string "NaN" is read as the number NaN (issue 11 item 12).
    expect(points).toEqual([{ asDouble: NaN }, { asDouble: 1.5 }, { asInt: '7' }]);
  });

  it('rejects wrong types, mixed oneofs and deep nesting with a path', () => {
    expect(reason('traces', span({ name: 5 }))).toBe(
      'resourceSpans[0].scopeSpans[0].spans[0].name: expected a string, got 5',
    );
    expect(
      reason(
        'traces',
        span({ attributes: [{ key: 'a', value: { stringValue: 'x', intValue: '1' } }] }),
      ),
    ).toMatch(/attributes\[0\]\.value: AnyValue has both stringValue and intValue/);
    expect(
      reason(
        'metrics',
        '{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"gauge":{},"sum":{}}]}]}]}',
      ),
    ).toMatch(/metrics\[0\]: metric has both gauge and sum/);
    let deep: unknown = { stringValue: 'leaf' };
    for (let i = 0; i < 100; i++) deep = { arrayValue: { values: [deep] } };
    expect(reason('traces', span({ attributes: [{ key: 'deep', value: deep }] }))).toMatch(
      /nested deeper than 64/,
    );
    expect(reason('traces', '{"resourceSpans":{}}')).toBe(
      'resourceSpans: expected an array, got an object',
    );
  });

  it('rejects other signals, non-objects and objects that are not OTLP', () => {
    expect(reason('traces', fixture('opentelemetry-proto/logs.jsonl'))).toMatch(
      /found resourceLogs \(logs\) where traces/,
    );
    expect(reason('logs', '{"level":30,"time":1700000000000,"msg":"hi"}')).toBe(
      'not an OTLP logs object: no resourceLogs field',
    );
    expect(reason('traces', '[1,2]')).toMatch(/expected an OTLP traces object, got an array/);
    expect(reason('traces', '{"resourceSpans":[]')).toMatch(/^invalid JSON/);
  });

  it('accepts an empty request as an empty list', () => {
    expect(parsed('metrics', '{}')).toEqual({ resourceMetrics: [] });
  });
});

describe('legacy OTLP (< v0.15) scope naming', () => {
  it('renames instrumentationLibrarySpans / instrumentationLibrary to scopeSpans / scope', () => {
    const text =
      '{"resourceSpans":[{"instrumentationLibrarySpans":[{"instrumentationLibrary":{"name":"old","version":"0.1"},' +
      '"spans":[{"traceId":"0AF7651916CD43DD8448EB211C80319C","spanId":"B7AD6B7169203331","name":"legacy"}]}]}]}';
    const data = parsed('traces', text);
    expect(data.resourceSpans[0]).toEqual({
      scopeSpans: [
        {
          scope: { name: 'old', version: '0.1' },
          spans: [
            {
              traceId: '0af7651916cd43dd8448eb211c80319c',
              spanId: 'b7ad6b7169203331',
              name: 'legacy',
            },
          ],
        },
      ],
    });
  });

  it('does the same for metrics and logs', () => {
    const m = parsed(
      'metrics',
      '{"resourceMetrics":[{"instrumentationLibraryMetrics":[{"metrics":[{"name":"m","gauge":{"dataPoints":[{"asInt":1}]}}]}]}]}',
    );
    expect(m.resourceMetrics[0]!.scopeMetrics![0]!.metrics![0]!.gauge!.dataPoints![0]!.asInt).toBe(
      '1',
    );
    const l = parsed(
      'logs',
      '{"resourceLogs":[{"instrumentationLibraryLogs":[{"logRecords":[{"severityNumber":9}]}]}]}',
    );
    expect(l.resourceLogs[0]!.scopeLogs![0]!.logRecords).toEqual([{ severityNumber: 9 }]);
  });
});

describe('normalizeOtlp', () => {
  it('normalises a parsed value in place and returns it', () => {
    const value = JSON.parse(
      span({ traceId: '0AF7651916CD43DD8448EB211C80319C', startTimeUnixNano: 5 }),
    );
    const data = normalizeOtlp('traces', value);
    expect(data).toBe(value);
    expect(firstSpan(data).traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(firstSpan(data).startTimeUnixNano).toBe('5');
  });

  it('throws an OtlpShapeError (a TypeError) with the reason', () => {
    const call = () =>
      normalizeOtlp('logs', {
        resourceLogs: [{ scopeLogs: [{ logRecords: [{ severityNumber: 'LOUD' }] }] }],
      });
    expect(call).toThrow(TypeError);
    expect(call).toThrow(OtlpShapeError);
    expect(call).toThrow(
      /resourceLogs\[0\]\.scopeLogs\[0\]\.logRecords\[0\]\.severityNumber: expected a severity number/,
    );
  });

  it('maps severity names to numbers', () => {
    const data = normalizeOtlp('logs', {
      resourceLogs: [
        {
          scopeLogs: [
            {
              logRecords: [
                { severityNumber: 'SEVERITY_NUMBER_ERROR3' },
                { severityNumber: 'SEVERITY_NUMBER_INFO' },
              ],
            },
          ],
        },
      ],
    }) as LogsData;
    expect(data.resourceLogs[0]!.scopeLogs![0]!.logRecords!.map((r) => r.severityNumber)).toEqual([
      19, 9,
    ]);
  });
});

describe('item-level tolerance (dropInvalidItems, what the spool reader uses)', () => {
  const TOLERANT = { dropInvalidItems: true } as const;
  const good = (n: number) => ({
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: `b7ad6b716920333${n}`,
    name: `ok-${n}`,
  });
  const tracesLine = (spans: unknown[]) =>
    JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] });

  it('one invalid span among three: the two valid ones are kept, the bad one counted with its path', () => {
    const text = tracesLine([good(1), { ...good(2), name: 17 }, good(3)]);
    expect(parseOtlpJson('traces', text).ok).toBe(false); // strict (default): the whole value fails
    const r = parseOtlpJson('traces', text, TOLERANT);
    if (!r.ok) throw new Error(r.reason);
    expect(r.data.resourceSpans[0]!.scopeSpans![0]!.spans!.map((s) => s.name)).toEqual([
      'ok-1',
      'ok-3',
    ]);
    expect(r.dropped).toEqual({
      count: 1,
      reason:
        'dropped 1 of 3 spans: resourceSpans[0].scopeSpans[0].spans[1].name: expected a string, got 17',
    });
  });

  it('a span with the empty ids pdata writes is dropped alone (the spec calls empty ids invalid)', () => {
    const text = tracesLine([good(1), { ...good(2), traceId: '', spanId: '' }, good(3)]);
    const r = parseOtlpJson('traces', text, TOLERANT);
    if (!r.ok) throw new Error(r.reason);
    expect(r.data.resourceSpans[0]!.scopeSpans![0]!.spans).toHaveLength(2);
    expect(r.dropped?.count).toBe(1);
    expect(r.dropped?.reason).toMatch(/spans\[1\]\.traceId: required 16-byte id is empty/);
  });

  it('nothing valid left: the line fails as a whole with the reasons', () => {
    const empty = { ...good(1), traceId: '', spanId: '' };
    const r = parseOtlpJson('traces', tracesLine([empty, empty, empty]), TOLERANT);
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.reason).toMatch(
        /^resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.traceId: required 16-byte id is empty; .*spans\[1\].*; .*spans\[2\]/,
      );
  });

  it('metrics: a bad data point alone, a bad metric with its points, a bad envelope with all it holds', () => {
    const text = JSON.stringify({
      resourceMetrics: [
        {
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'g',
                  gauge: { dataPoints: [{ asDouble: 1 }, { asDouble: 'x' }, { asInt: '2' }] },
                },
                { name: 'both', gauge: { dataPoints: [{}] }, sum: { dataPoints: [{}, {}] } },
              ],
            },
          ],
        },
        {
          resource: { attributes: 5 },
          scopeMetrics: [{ metrics: [{ name: 'r', gauge: { dataPoints: [{}, {}] } }] }],
        },
      ],
    });
    const r = parseOtlpJson('metrics', text, TOLERANT);
    if (!r.ok) throw new Error(r.reason);
    expect(r.data.resourceMetrics).toHaveLength(1);
    const metrics = r.data.resourceMetrics[0]!.scopeMetrics![0]!.metrics!;
    expect(metrics.map((m) => m.name)).toEqual(['g']);
    expect(metrics[0]!.gauge!.dataPoints).toEqual([{ asDouble: 1 }, { asInt: '2' }]);
    expect(r.dropped?.count).toBe(1 + 3 + 2);
    expect(r.dropped?.reason).toMatch(
      /^dropped 6 of 8 data points: resourceMetrics\[0\]\.scopeMetrics\[0\]\.metrics\[0\]\.gauge\.dataPoints\[1\]\.asDouble: /,
    );
  });

  it('logs: a bad record alone', () => {
    const text = JSON.stringify({
      resourceLogs: [
        {
          scopeLogs: [{ logRecords: [{ body: { stringValue: 'a' } }, { severityNumber: 'LOUD' }] }],
        },
      ],
    });
    const r = parseOtlpJson('logs', text, TOLERANT);
    if (!r.ok) throw new Error(r.reason);
    expect(r.data.resourceLogs[0]!.scopeLogs![0]!.logRecords).toEqual([
      { body: { stringValue: 'a' } },
    ]);
    expect(r.dropped?.count).toBe(1);
  });

  it('normalizeOtlpItems: the same tolerance for an already parsed value (a decoded request)', () => {
    const value = JSON.parse(tracesLine([good(1), { ...good(2), spanId: '' }]));
    const r = normalizeOtlpItems('traces', value);
    if (!r.ok) throw new Error(r.reason);
    expect(r.data).toBe(value); // in place, as normalizeOtlp
    expect(r.data.resourceSpans[0]!.scopeSpans![0]!.spans!.map((s) => s.name)).toEqual(['ok-1']);
    expect(r.dropped?.count).toBe(1);
    expect(normalizeOtlpItems('traces', 'junk')).toEqual({
      ok: false,
      reason: 'expected an OTLP traces object, got "junk"',
    });
  });

  it('valid lines are untouched: no dropped field, same data as a strict parse', () => {
    const text = tracesLine([good(1), good(2)]);
    const r = parseOtlpJson('traces', text, TOLERANT);
    expect(r).toEqual(parseOtlpJson('traces', text));
    expect(r.ok && r.dropped).toBe(undefined);
  });
});

describe('item-level tolerance, property', () => {
  const valid = (i: number) => ({
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: (i + 0x1000000000000000).toString(16),
    name: `s${i}`,
  });
  const broken = [
    { traceId: '', spanId: '' },
    { name: 17 },
    { kind: 'SERVER' },
    { attributes: [{ key: 'a', value: { intValue: 'x' } }] },
    { events: 'no' },
  ];
  const spanArb = fc.oneof(
    fc.nat(1000).map((i) => ({ ok: true, span: valid(i) as Record<string, unknown> })),
    fc
      .tuple(fc.nat(1000), fc.constantFrom(...broken))
      .map(([i, b]) => ({ ok: false, span: { ...valid(i), ...b } as Record<string, unknown> })),
  );

  it('keeps exactly the valid spans, counts exactly the invalid ones, and what it keeps is strictly valid', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(spanArb, { maxLength: 6 }), { minLength: 1, maxLength: 4 }),
        (scopes) => {
          const text = JSON.stringify({
            resourceSpans: [{ scopeSpans: scopes.map((s) => ({ spans: s.map((x) => x.span) })) }],
          });
          const want = scopes
            .flat()
            .filter((x) => x.ok)
            .map((x) => x.span.name);
          const bad = scopes.flat().length - want.length;
          const r = parseOtlpJson('traces', text, { dropInvalidItems: true });
          if (want.length === 0) {
            expect(r.ok).toBe(bad === 0); // nothing at all is a valid empty request
            return;
          }
          if (!r.ok) throw new Error(r.reason);
          const got = r.data.resourceSpans.flatMap((rs) =>
            (rs.scopeSpans ?? []).flatMap((ss) => (ss.spans ?? []).map((s) => s.name)),
          );
          expect(got).toEqual(want);
          expect(r.dropped?.count ?? 0).toBe(bad);
          expect(() => normalizeOtlp('traces', JSON.parse(JSON.stringify(r.data)))).not.toThrow();
        },
      ),
      { numRuns: 500 },
    );
  });
});
