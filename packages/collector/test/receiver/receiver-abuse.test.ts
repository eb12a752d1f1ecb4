import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOtlpReceiver, type OtlpReceiver } from '../../src/receiver/receiver.js';
import { decodeResponse, decodeStatus, encodeRequest } from '../../src/protobuf/codec.js';
import { logsLine } from '../helpers/spool-fixtures.js';
import { logsOf, readAll } from '../helpers/read-all.js';

let dir: string;
let receiver: OtlpReceiver;
let url: string;
const MAX = 1024 * 1024;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'abuse-'));
  receiver = createOtlpReceiver({
    dir,
    port: 0,
    token: 'sekret',
    maxBodyBytes: MAX,
    fallback: (_req, res) => res.writeHead(200, { 'Content-Type': 'text/plain' }).end('dashboard'),
  });
  url = await receiver.listen();
});
afterEach(async () => {
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function post(path: string, body: Buffer, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, {
      method: 'POST',
      headers: { Authorization: 'Bearer sekret', 'Content-Type': 'application/json', ...headers },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

const json = (v: unknown) => Buffer.from(JSON.stringify(v));

describe('OTLP receiver under abuse', () => {
  it('accepts a valid JSON request and answers an empty ExportLogsServiceResponse', async () => {
    const r = await post('/v1/logs', json(logsLine(0, 3)));
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body.toString())).toEqual({});
  });

  it('401 without the bearer token', async () => {
    const r = await post('/v1/logs', json(logsLine(0)), { Authorization: 'Bearer wrong' });
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toBe('Bearer');
  });

  it('415 for a wrong content type or encoding', async () => {
    expect(
      (await post('/v1/logs', Buffer.from('x'), { 'Content-Type': 'text/plain' })).status,
    ).toBe(415);
    expect((await post('/v1/logs', json(logsLine(0)), { 'Content-Encoding': 'br' })).status).toBe(
      415,
    );
  });

  it('400 with an OTLP Status for invalid JSON and for truncated protobuf', async () => {
    const bad = await post('/v1/logs', Buffer.from('{"resourceLogs":[{'));
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body.toString())).toMatchObject({
      code: 3,
      message: expect.stringMatching(/malformed JSON/),
    });
    const bytes = encodeRequest('logs', logsLine(0, 20));
    const truncated = await post('/v1/logs', Buffer.from(bytes.subarray(0, bytes.length - 9)), {
      'Content-Type': 'application/x-protobuf',
    });
    expect(truncated.status).toBe(400);
    expect(truncated.headers['content-type']).toBe('application/x-protobuf');
    expect(decodeStatus(truncated.body)?.message).toMatch(/malformed protobuf/);
    expect((await post('/v1/logs', json({ resourceLogs: 'nope' }))).status).toBe(400);
  });

  it('413 for an oversize body and for a gzip bomb, with bounded memory', async () => {
    const big = Buffer.alloc(MAX + 1, 0x20);
    expect((await post('/v1/logs', big)).status).toBe(413);
    const bomb = gzipSync(Buffer.alloc(256 * 1024 * 1024, 0)); // 256 MiB of zeros, ~256 KiB gzipped
    const before = process.memoryUsage().rss;
    const r = await post('/v1/logs', bomb, { 'Content-Encoding': 'gzip' });
    expect(r.status).toBe(413);
    expect(process.memoryUsage().rss - before).toBeLessThan(128 * 1024 * 1024);
    expect(receiver.stats.errors[413]).toBe(2);
  });

  it('answers protobuf requests in protobuf, gzip included', async () => {
    const body = gzipSync(encodeRequest('logs', logsLine(0, 2)));
    const r = await post('/v1/logs', body, {
      'Content-Type': 'application/x-protobuf',
      'Content-Encoding': 'gzip',
    });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/x-protobuf');
    expect(decodeResponse('logs', r.body)).toBeUndefined();
  });

  it('writes the valid entries of a partly invalid request and reports partial_success', async () => {
    const span = (traceId: string) => ({
      traceId,
      spanId: '00f067aa0ba902b7',
      name: 'op',
      startTimeUnixNano: '1',
      endTimeUnixNano: '2',
    });
    const body = {
      resourceSpans: [
        { scopeSpans: [{ spans: [span('4bf92f3577b34da6a3ce929d0e0e4736')] }] },
        { scopeSpans: [{ spans: [span('not-a-trace-id'), span('also bad')] }] },
      ],
    };
    const r = await post('/v1/traces', json(body));
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body.toString())).toMatchObject({
      partialSuccess: { rejectedSpans: '2', errorMessage: expect.stringMatching(/traceId/) },
    });
    expect(receiver.stats.accepted.traces).toBe(1);
  });

  it('serves other paths through the fallback handler, behind the token too', async () => {
    const get = (headers: Record<string, string>) =>
      new Promise<number>((resolve) =>
        request(`${url}/`, { headers }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).end(),
      );
    expect(await get({ Authorization: 'Bearer sekret' })).toBe(200);
    expect(await get({})).toBe(401);
  });

  it('takes 1000 concurrent small requests and writes every record', async () => {
    const replies = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => post('/v1/logs', json(logsLine(i, 1, 'conc')))),
    );
    expect(replies.filter((r) => r.status === 200)).toHaveLength(1000);
    await receiver.close();
    const bodies = logsOf(await readAll(dir, 'logs')).map((l) => l.body?.stringValue);
    expect(new Set(bodies).size).toBe(1000);
  });
});
