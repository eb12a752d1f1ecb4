import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_ANY_VALUE_DEPTH } from '@otelspool/exporter-jsonl/internal';
import { createOtlpReceiver, type OtlpReceiver } from '../../src/receiver/receiver.js';
import { DEFAULT_REQUEST_LIMITS } from '../../src/receiver/request-limits.js';
import { decodeStatus, encodeRequest } from '../../src/protobuf/codec.js';
import type { OtlpData, Signal } from '@otelspool/exporter-jsonl';
import { logsOf, readAll, spansOf } from '../helpers/read-all.js';

// The per-request caps and the AnyValue nesting limit, over real HTTP on 127.0.0.1: JSON and
// protobuf bodies carrying the same data get the same answer.

let dir: string;
let receiver: OtlpReceiver;
let url: string;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'limits-'));
  receiver = createOtlpReceiver({ dir, port: 0 });
  url = await receiver.listen();
});
afterEach(async () => {
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

type Format = 'json' | 'protobuf';

function post(
  signal: Signal,
  format: Format,
  data: OtlpData,
  gzip = false,
): Promise<{ status: number; message: string }> {
  let body: Buffer =
    format === 'json'
      ? Buffer.from(JSON.stringify(data))
      : Buffer.from(encodeRequest(signal, data));
  if (gzip) body = gzipSync(body);
  return new Promise((resolve, reject) => {
    const req = request(`${url}/v1/${signal}`, {
      method: 'POST',
      headers: {
        'Content-Type': format === 'json' ? 'application/json' : 'application/x-protobuf',
        ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
      },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        let message = '';
        if (res.statusCode !== 200) {
          message =
            format === 'json'
              ? (JSON.parse(raw.toString()) as { message: string }).message
              : (decodeStatus(raw)?.message ?? '');
        }
        resolve({ status: res.statusCode ?? 0, message });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

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

const spanWith = (value: unknown): OtlpData =>
  ({
    resourceSpans: [
      {
        scopeSpans: [
          {
            spans: [
              {
                traceId: '0123456789abcdef0123456789abcdef',
                spanId: '0123456789abcdef',
                name: 'deep',
                startTimeUnixNano: '1',
                endTimeUnixNano: '2',
                attributes: [{ key: 'deep', value }],
              },
            ],
          },
        ],
      },
    ],
  }) as OtlpData;

const logWith = (body: unknown): OtlpData =>
  ({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: '1', body }] }] }] }) as OtlpData;

describe('one AnyValue nesting limit for JSON and protobuf', () => {
  for (const kind of ['array', 'kvlist'] as const) {
    it(`${kind}Value: ${MAX_ANY_VALUE_DEPTH} levels stored from both formats, ${MAX_ANY_VALUE_DEPTH + 1} refused by both`, async () => {
      for (const format of ['json', 'protobuf'] as const) {
        expect(await post('traces', format, spanWith(nested(MAX_ANY_VALUE_DEPTH, kind)))).toEqual({
          status: 200,
          message: '',
        });
        expect(await post('logs', format, logWith(nested(MAX_ANY_VALUE_DEPTH, kind)))).toEqual({
          status: 200,
          message: '',
        });
        for (const [signal, data] of [
          ['traces', spanWith(nested(MAX_ANY_VALUE_DEPTH + 1, kind))],
          ['logs', logWith(nested(MAX_ANY_VALUE_DEPTH + 1, kind))],
        ] as const) {
          const r = await post(signal, format, data);
          expect(r.status, `${format} ${signal}`).toBe(400);
          expect(r.message).toMatch(/^invalid OTLP (traces|logs) request: /);
          expect(r.message).toContain(`AnyValue nested deeper than ${MAX_ANY_VALUE_DEPTH} levels`);
        }
      }
      await receiver.close();
      expect(spansOf(await readAll(dir, 'traces'))).toHaveLength(2);
      expect(logsOf(await readAll(dir, 'logs'))).toHaveLength(2);
    });
  }
});

describe('per-request caps, identical for JSON and protobuf', () => {
  const { maxResources, maxItems } = DEFAULT_REQUEST_LIMITS;
  const entries = (n: number): OtlpData =>
    ({ resourceLogs: Array.from({ length: n }, () => ({})) }) as OtlpData;
  const records = (n: number): OtlpData =>
    ({
      resourceLogs: [
        { scopeLogs: [{ logRecords: Array.from({ length: n }, () => ({ severityText: 'x' })) }] },
      ],
    }) as OtlpData;

  it(`refuses ${maxResources + 1} resource entries with 413 and the same message, gzip or not`, async () => {
    const answers = [];
    for (const format of ['json', 'protobuf'] as const) {
      for (const gzip of [false, true])
        answers.push(await post('logs', format, entries(maxResources + 1), gzip));
    }
    for (const a of answers) {
      expect(a.status).toBe(413);
      expect(a.message).toBe(
        `OTLP logs request too large: more than ${maxResources} resource entries (${maxResources + 1} counted so far): split it into smaller requests`,
      );
    }
  });

  it(`accepts ${maxResources} (empty) resource entries and stores nothing`, async () => {
    for (const format of ['json', 'protobuf'] as const) {
      expect((await post('logs', format, entries(maxResources))).status).toBe(200);
    }
    await receiver.close();
    expect(logsOf(await readAll(dir, 'logs'))).toHaveLength(0);
  });

  it(`stores ${maxItems} log records from either format and refuses ${maxItems + 1} from both`, async () => {
    for (const format of ['json', 'protobuf'] as const) {
      const over = await post('logs', format, records(maxItems + 1));
      expect(over.status).toBe(413);
      expect(over.message).toContain(
        `more than ${maxItems} spans, log records, metrics and data points`,
      );
      expect((await post('logs', format, records(maxItems))).status).toBe(200);
    }
    await receiver.close();
    expect(logsOf(await readAll(dir, 'logs'))).toHaveLength(2 * maxItems);
  });
});
