// Fields this version of the OTLP model does not know (a newer proto's, a vendor's) pass
// through the receiver and redaction untouched: proto3 JSON readers ignore them, so keeping
// them is harmless and dropping them would lose data. And a protobuf request's int64 values
// land in the spool in the one model's shape: decimal strings.
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogsData, TracesData } from '@otelspool/exporter-jsonl';
import { createRedactor } from '../../src/processors/redaction.js';
import { encodeRequest } from '../../src/protobuf/codec.js';
import { createOtlpReceiver, type OtlpReceiver } from '../../src/receiver/receiver.js';
import { logsOf, readAll } from '../helpers/read-all.js';

let dir: string;
let receiver: OtlpReceiver;
let url: string;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'unknown-fields-'));
  receiver = createOtlpReceiver({ dir, port: 0 });
  url = await receiver.listen();
});
afterEach(async () => {
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

function post(path: string, body: Buffer, contentType: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': contentType },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const withUnknownFields = {
  resourceLogs: [
    {
      resource: { attributes: [], futureResourceField: 'r' },
      futureResourceLogsField: { nested: [1, 2] },
      scopeLogs: [
        {
          scope: { name: 's', futureScopeField: true },
          futureScopeLogsField: 7,
          logRecords: [
            {
              timeUnixNano: '1700000000000000000',
              body: { stringValue: 'hello' },
              futureLogRecordField: { a: 'b' },
            },
          ],
        },
      ],
    },
  ],
};

describe('unknown fields', () => {
  it('are written to the spool as they were received (JSON)', async () => {
    const body = Buffer.from(JSON.stringify(withUnknownFields));
    expect(await post('/v1/logs', body, 'application/json')).toBe(200);
    await receiver.close();
    const [data] = (await readAll(dir, 'logs')) as LogsData[];
    const rl = data?.resourceLogs[0] as unknown as Record<string, unknown>;
    expect(rl['futureResourceLogsField']).toEqual({ nested: [1, 2] });
    expect((rl['resource'] as Record<string, unknown>)['futureResourceField']).toBe('r');
    const sl = (rl['scopeLogs'] as Record<string, unknown>[])[0] ?? {};
    expect(sl['futureScopeLogsField']).toBe(7);
    expect((sl['scope'] as Record<string, unknown>)['futureScopeField']).toBe(true);
    const [record] = logsOf([data as LogsData]) as unknown as Record<string, unknown>[];
    expect(record?.['futureLogRecordField']).toEqual({ a: 'b' });
  });

  it('survive redaction', () => {
    const traces = {
      resourceSpans: [
        {
          futureResourceSpansField: 1,
          scopeSpans: [
            {
              spans: [
                {
                  traceId: '0af7651916cd43dd8448eb211c80319c',
                  spanId: 'b7ad6b7169203331',
                  name: 'GET /',
                  futureSpanField: { x: 'y' },
                },
              ],
            },
          ],
        },
      ],
    } as unknown as TracesData;
    const out = createRedactor({ salt: 'ab'.repeat(32) }).redact('traces', traces);
    const rs = out.resourceSpans[0] as unknown as Record<string, unknown>;
    expect(rs['futureResourceSpansField']).toBe(1);
    const span = out.resourceSpans[0]?.scopeSpans?.[0]?.spans?.[0] as unknown as Record<
      string,
      unknown
    >;
    expect(span['futureSpanField']).toEqual({ x: 'y' });
  });
});

describe('a protobuf request', () => {
  it('is spooled with int64 values as decimal strings', async () => {
    const logs: LogsData = {
      resourceLogs: [
        {
          scopeLogs: [
            {
              logRecords: [
                {
                  timeUnixNano: '1700000000123456789',
                  body: { intValue: '9007199254740993' },
                  attributes: [{ key: 'n', value: { intValue: '-42' } }],
                },
              ],
            },
          ],
        },
      ],
    };
    const body = Buffer.from(encodeRequest('logs', logs));
    expect(await post('/v1/logs', body, 'application/x-protobuf')).toBe(200);
    await receiver.close();
    const [record] = logsOf(await readAll(dir, 'logs'));
    expect(record?.timeUnixNano).toBe('1700000000123456789');
    expect(record?.body).toEqual({ intValue: '9007199254740993' });
    expect(record?.attributes?.[0]?.value).toEqual({ intValue: '-42' });
  });
});
