import { describe, expect, it } from 'vitest';
import { MAX_ANY_VALUE_DEPTH } from '@otelspool/exporter-jsonl/internal';
import { decodeRequest, encodeRequest } from '../../src/protobuf/codec.js';
import { MalformedProtobufError, scanRequest } from '../../src/protobuf/wire-scan.js';
import { scanJson } from '../../src/receiver/json-scan.js';
import {
  DEFAULT_REQUEST_LIMITS,
  RequestLimitError,
  type RequestLimits,
} from '../../src/receiver/request-limits.js';
import { normalizeOtlp } from '@otelspool/exporter-jsonl';
import type { OtlpData, Signal } from '@otelspool/exporter-jsonl';

const TRACE = '0123456789abcdef0123456789abcdef';
const SPAN = '0123456789abcdef';

/** `levels` arrayValue / kvlistValue containers nested inside one another, a string at the bottom. */
function nested(levels: number, kind: 'array' | 'kvlist'): unknown {
  let v: unknown = { stringValue: 'leaf' };
  for (let i = 0; i < levels; i++) {
    v =
      kind === 'array'
        ? { arrayValue: { values: [v] } }
        : { kvlistValue: { values: [{ key: `k${i}`, value: v }] } };
  }
  return v;
}

function traces(value: unknown): OtlpData {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
        scopeSpans: [
          {
            scope: { name: 's' },
            spans: [
              {
                traceId: TRACE,
                spanId: SPAN,
                name: 'op',
                startTimeUnixNano: '1',
                endTimeUnixNano: '2',
                attributes: [{ key: 'deep', value }],
              },
            ],
          },
        ],
      },
    ],
  } as OtlpData;
}

const logs = (body: unknown): OtlpData =>
  ({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: '1', body }] }] }] }) as OtlpData;

const metrics: OtlpData = {
  resourceMetrics: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
      scopeMetrics: [
        {
          scope: { name: 'm' },
          metrics: [
            {
              name: 'g',
              gauge: { dataPoints: [{ timeUnixNano: '1', asDouble: 1.5 }, { asInt: '3' }] },
            },
            {
              name: 'h',
              histogram: {
                aggregationTemporality: 2,
                dataPoints: [
                  {
                    count: '3',
                    bucketCounts: ['1', '2'],
                    explicitBounds: [1],
                    exemplars: [{ asDouble: 1, filteredAttributes: [] }],
                  },
                ],
              },
            },
            {
              name: 'e',
              exponentialHistogram: {
                dataPoints: [{ count: '2', positive: { offset: 1, bucketCounts: ['1', '1'] } }],
              },
            },
            {
              name: 's',
              summary: { dataPoints: [{ quantileValues: [{ quantile: 0.5, value: 1 }] }] },
            },
          ],
        },
      ],
    },
  ],
} as OtlpData;

const limits = (over: Partial<RequestLimits>): RequestLimits => ({
  ...DEFAULT_REQUEST_LIMITS,
  ...over,
});

function refusal(fn: () => unknown): RequestLimitError {
  try {
    fn();
  } catch (err) {
    if (err instanceof RequestLimitError) return err;
    throw err;
  }
  throw new Error('not refused');
}

/** varint-length-delimited field `field` around `payload`. */
function ld(field: number, payload: Uint8Array): Buffer {
  const len: number[] = [];
  let n = payload.length;
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    len.push(b);
  } while (n);
  return Buffer.concat([Buffer.from([(field << 3) | 2, ...len]), payload]);
}

describe('protobuf wire pre-scan', () => {
  it('counts the same resources, scopes and items as the JSON token scan, per signal', () => {
    const cases: Array<[Signal, OtlpData]> = [
      ['traces', traces({ stringValue: 'x' })],
      ['logs', logs(nested(3, 'kvlist'))],
      ['metrics', metrics],
    ];
    for (const [signal, data] of cases) {
      const pb = scanRequest(signal, encodeRequest(signal, data), DEFAULT_REQUEST_LIMITS).counts;
      const js = scanJson(signal, Buffer.from(JSON.stringify(data)), DEFAULT_REQUEST_LIMITS);
      expect({ signal, ...pb }).toEqual({ signal, ...js });
    }
    const m = scanRequest('metrics', encodeRequest('metrics', metrics), DEFAULT_REQUEST_LIMITS);
    // 4 metrics + 5 data points; values include the bucket counts and bounds.
    expect(m.counts).toMatchObject({ resources: 1, scopes: 1, items: 9 });
  });

  it(`accepts AnyValue nested ${MAX_ANY_VALUE_DEPTH} levels and refuses ${MAX_ANY_VALUE_DEPTH + 1}, as JSON does`, () => {
    for (const kind of ['array', 'kvlist'] as const) {
      for (const [signal, make] of [
        ['traces', traces],
        ['logs', logs],
      ] as const) {
        const ok = make(nested(MAX_ANY_VALUE_DEPTH, kind));
        const decoded = decodeRequest(signal, encodeRequest(signal, ok));
        expect(() => normalizeOtlp(signal, decoded)).not.toThrow();
        expect(() => normalizeOtlp(signal, JSON.parse(JSON.stringify(ok)))).not.toThrow();

        const deep = make(nested(MAX_ANY_VALUE_DEPTH + 1, kind));
        const bytes = encodeRequest(signal, deep);
        const err = refusal(() => decodeRequest(signal, bytes));
        expect(err.status).toBe(400);
        expect(err.message).toBe(`AnyValue nested deeper than ${MAX_ANY_VALUE_DEPTH} levels`);
        expect(() => normalizeOtlp(signal, JSON.parse(JSON.stringify(deep)))).toThrow(
          `AnyValue nested deeper than ${MAX_ANY_VALUE_DEPTH} levels`,
        );
      }
    }
  });

  it('refuses a million-deep AnyValue chain without recursing into it', () => {
    // AnyValue{array_value: ArrayValue{values: AnyValue{…}}}, built inside out.
    let v: Buffer = Buffer.alloc(0);
    for (let i = 0; i < 2000; i++) v = ld(5, ld(1, v));
    const body = ld(
      1,
      ld(2, ld(2, Buffer.concat([ld(9, Buffer.concat([ld(1, Buffer.from('k')), ld(2, v)]))]))),
    );
    expect(refusal(() => decodeRequest('traces', body)).status).toBe(400);
  });

  it('drops empty top-level envelopes without decoding them, and counts them', () => {
    const one = encodeRequest('traces', traces({ stringValue: 'x' }));
    const body = Buffer.concat([
      Buffer.from([0x0a, 0x00, 0x0a, 0x00]),
      one,
      Buffer.from([0x0a, 0x00]),
    ]);
    const scanned = scanRequest('traces', body, DEFAULT_REQUEST_LIMITS);
    expect(scanned.droppedEmpty).toBe(3);
    expect(scanned.counts.resources).toBe(4);
    expect(Buffer.from(scanned.bytes)).toEqual(Buffer.from(one));
    expect(decodeRequest('traces', body)).toEqual(decodeRequest('traces', one));
  });

  it('refuses each cap at cap + 1 and accepts it at the cap, the same for JSON', () => {
    const caps: Array<[keyof RequestLimits, number, Signal, OtlpData]> = [
      ['maxResources', 3, 'logs', { resourceLogs: [{}, {}, {}, {}] } as OtlpData],
      [
        'maxScopes',
        3,
        'logs',
        { resourceLogs: [{ scopeLogs: [{}, {}] }, { scopeLogs: [{}, {}] }] } as OtlpData,
      ],
      [
        'maxItems',
        3,
        'logs',
        { resourceLogs: [{ scopeLogs: [{ logRecords: [{}, {}, {}, {}] }] }] } as OtlpData,
      ],
      [
        'maxNodes',
        7,
        'traces',
        traces({ arrayValue: { values: [{}, {}, {}] } }), // 14 objects / messages
      ],
    ];
    for (const [cap, n, signal, data] of caps) {
      const pb = encodeRequest(signal, data);
      const js = Buffer.from(JSON.stringify(data));
      const counted = scanRequest(signal, pb, DEFAULT_REQUEST_LIMITS).counts;
      const jsCounted = scanJson(signal, js, DEFAULT_REQUEST_LIMITS);
      const key = {
        maxResources: 'resources',
        maxScopes: 'scopes',
        maxItems: 'items',
        maxNodes: 'nodes',
      }[cap as 'maxResources'] as keyof typeof counted;
      expect(counted[key], cap).toBe(jsCounted[key]);
      expect(counted[key], cap).toBeGreaterThan(n);
      const tight = limits({ [cap]: counted[key] - 1 });
      const pbErr = refusal(() => decodeRequest(signal, pb, tight));
      const jsErr = refusal(() => scanJson(signal, js, tight));
      expect(pbErr.status).toBe(413);
      expect(pbErr.message).toBe(jsErr.message);
      expect(pbErr.message).toMatch(/more than \d+ .*: split it into smaller requests/);
      const exact = limits({ [cap]: counted[key] });
      expect(() => decodeRequest(signal, pb, exact)).not.toThrow();
      expect(() => scanJson(signal, js, exact)).not.toThrow();
    }
  });

  it('counts packed scalars (bucket counts) as values', () => {
    const big = {
      resourceMetrics: [
        {
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'e',
                  exponentialHistogram: {
                    dataPoints: [
                      { positive: { bucketCounts: Array.from({ length: 5000 }, () => '0') } },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
    } as OtlpData;
    const pb = scanRequest('metrics', encodeRequest('metrics', big), DEFAULT_REQUEST_LIMITS);
    const js = scanJson('metrics', Buffer.from(JSON.stringify(big)), DEFAULT_REQUEST_LIMITS);
    expect(pb.counts.nodes).toBeGreaterThan(5000);
    expect(pb.counts.nodes).toBe(js.nodes);
  });

  it('refuses bytes protobufjs would read differently from the scan', () => {
    const span = (payload: Buffer): Buffer => ld(1, ld(2, ld(2, payload)));
    const bad: Array<[string, Buffer]> = [
      // Span.kind (varint) sent length-delimited: protobufjs would parse the "skipped" bytes.
      ['wire type', span(Buffer.from([0x32, 0x02, 0x4a, 0x00]))],
      // a 7-byte varint in a 32-bit field: protobufjs skips a fixed 5 extra bytes.
      ['7-byte varint', span(Buffer.from([0x30, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]))],
      // groups are not OTLP
      ['group', span(Buffer.from([0x7b, 0x7c]))],
      ['truncated', Buffer.from([0x0a, 0x05, 0x12])],
    ];
    for (const [what, body] of bad) {
      expect(() => scanRequest('traces', body, DEFAULT_REQUEST_LIMITS), what).toThrow(
        MalformedProtobufError,
      );
    }
  });
});

describe('JSON token pre-scan', () => {
  it('reads escaped envelope keys as JSON.parse does', () => {
    const body = `{"resource\\u0053pans":[{},{},{}]}`;
    expect(JSON.parse(body)).toHaveProperty('resourceSpans');
    expect(scanJson('traces', Buffer.from(body), DEFAULT_REQUEST_LIMITS).resources).toBe(3);
  });

  it('skips strings with quotes, brackets and backslashes', () => {
    const body = '{"resourceSpans":[{"schemaUrl":"a\\"{[\\\\"},{"x":["]\\"",1,true,null]}]}';
    expect(() => JSON.parse(body)).not.toThrow();
    expect(scanJson('traces', Buffer.from(body), DEFAULT_REQUEST_LIMITS)).toEqual({
      resources: 2,
      scopes: 0,
      items: 0,
      nodes: 3 + 4,
    });
  });

  it('refuses nesting deeper than any valid request before parsing it', () => {
    const body = '{"resourceSpans":' + '['.repeat(1_000_000) + ']'.repeat(1_000_000) + '}';
    const err = refusal(() => scanJson('traces', Buffer.from(body), DEFAULT_REQUEST_LIMITS));
    expect(err.status).toBe(400);
    expect(err.message).toContain(`AnyValue nested deeper than ${MAX_ANY_VALUE_DEPTH} levels`);
  });

  it('never reads past the end of malformed JSON', () => {
    for (const body of ['{"resourceSpans":[{', '"unterminated', '[[[', '}}}]]]', '{"a":tru']) {
      expect(() => scanJson('traces', Buffer.from(body), DEFAULT_REQUEST_LIMITS)).not.toThrow();
    }
  });
});
