import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  normalizeOtlp,
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
    expect(points).toEqual([{ asDouble: 'NaN' }, { asDouble: 1.5 }, { asInt: '7' }]);
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
