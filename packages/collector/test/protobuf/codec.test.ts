import { describe, expect, it } from 'vitest';
import {
  decodeRequest,
  decodeResponse,
  decodeStatus,
  encodeRequest,
  encodeResponse,
  encodeStatus,
} from '../../src/protobuf/codec.js';
import type { LogsData, MetricsData, TracesData } from '@otelspool/exporter-jsonl';

const traces: TracesData = {
  resourceSpans: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
      scopeSpans: [
        {
          scope: { name: 'lib', version: '1.0.0' },
          spans: [
            {
              traceId: '5b8efff798038103d269b633813fc60c',
              spanId: 'eee19b7ec3c1b174',
              parentSpanId: 'eee19b7ec3c1b173',
              name: 'op',
              kind: 2,
              startTimeUnixNano: '1544712660000000000',
              endTimeUnixNano: '9223372036854775807',
              attributes: [
                { key: 'i', value: { intValue: '9007199254740993' } },
                { key: 'd', value: { doubleValue: 1.5 } },
                { key: 'b', value: { boolValue: true } },
                { key: 'bytes', value: { bytesValue: 'AQID' } },
                {
                  key: 'arr',
                  value: { arrayValue: { values: [{ stringValue: 'x' }, { intValue: '2' }] } },
                },
                {
                  key: 'kv',
                  value: { kvlistValue: { values: [{ key: 'n', value: { stringValue: 'y' } }] } },
                },
              ],
              events: [{ timeUnixNano: '1544712660500000000', name: 'ev' }],
              links: [{ traceId: '5b8efff798038103d269b633813fc60d', spanId: 'eee19b7ec3c1b175' }],
              status: { code: 2, message: 'boom' },
            },
          ],
        },
      ],
    },
  ],
};

describe('protobuf codec (official opentelemetry-proto definitions)', () => {
  it('round-trips traces: hex ids ↔ bytes, int64 beyond 2^53 as strings, AnyValue oneofs', () => {
    const bytes = encodeRequest('traces', traces);
    expect(decodeRequest('traces', bytes)).toEqual(traces);
  });

  it('round-trips metrics (sum, histogram with optional fields, exemplar ids) and logs', () => {
    const metrics: MetricsData = {
      resourceMetrics: [
        {
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'requests',
                  sum: {
                    aggregationTemporality: 2,
                    isMonotonic: true,
                    dataPoints: [
                      {
                        timeUnixNano: '1700000000000000000',
                        asInt: '-5',
                        exemplars: [
                          {
                            timeUnixNano: '1',
                            asDouble: 2,
                            traceId: '01'.repeat(16),
                            spanId: '02'.repeat(8),
                          },
                        ],
                      },
                    ],
                  },
                },
                {
                  name: 'latency',
                  histogram: {
                    aggregationTemporality: 1,
                    dataPoints: [
                      {
                        timeUnixNano: '2',
                        count: '3',
                        sum: 0,
                        bucketCounts: ['1', '2'],
                        explicitBounds: [10],
                        min: 0,
                        max: 9,
                      },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    expect(decodeRequest('metrics', encodeRequest('metrics', metrics))).toEqual(metrics);
    const logs: LogsData = {
      resourceLogs: [
        {
          scopeLogs: [
            {
              logRecords: [
                {
                  timeUnixNano: '5',
                  severityNumber: 21,
                  severityText: 'FATAL',
                  eventName: 'app.crash',
                  body: { stringValue: 'crashed' },
                  traceId: 'ab'.repeat(16),
                  spanId: 'cd'.repeat(8),
                },
              ],
            },
          ],
        },
      ],
    };
    expect(decodeRequest('logs', encodeRequest('logs', logs))).toEqual(logs);
  });

  it('rejects truncated protobuf', () => {
    const bytes = encodeRequest('traces', traces);
    expect(() => decodeRequest('traces', bytes.subarray(0, bytes.length - 7))).toThrow();
  });

  it('encodes responses with partial_success and google.rpc.Status', () => {
    expect(
      decodeResponse('logs', encodeResponse('logs', { rejected: 3, errorMessage: 'bad' })),
    ).toEqual({
      rejected: 3,
      errorMessage: 'bad',
    });
    expect(decodeResponse('traces', encodeResponse('traces'))).toBeUndefined();
    expect(decodeStatus(encodeStatus({ code: 3, message: 'invalid' }))).toEqual({
      code: 3,
      message: 'invalid',
    });
  });
});
