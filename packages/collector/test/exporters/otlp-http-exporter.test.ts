import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OtlpHttpExporter } from '../../src/exporters/otlp-http-exporter.js';
import { resolveDestinations, type OtlpProtocol } from '../../src/otlp-http/config.js';
import { listDeadLetters, readDeadLetter } from '../../src/otlp-http/dead-letters.js';
import type { ItemBatch } from '../../src/pipeline/types.js';
import type { LogsData } from '@otelspool/exporter-jsonl';
import { OtlpTestServer } from '../helpers/otlp-test-server.js';

let dir: string;
let server: OtlpTestServer;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'otlphttp-'));
  server = new OtlpTestServer();
  await server.start();
});
afterEach(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

function logsBatch(n: number, tag = 'x'): ItemBatch {
  const data: LogsData = {
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
        scopeLogs: [
          {
            logRecords: Array.from({ length: n }, (_, i) => ({
              timeUnixNano: String(1_700_000_000_000_000_000n + BigInt(i)),
              body: { stringValue: `${tag}-${i}` },
            })),
          },
        ],
      },
    ],
  };
  return { signal: 'logs', records: n, items: [{ signal: 'logs', data, records: n }] };
}

function exporter(protocol: OtlpProtocol = 'http/json', retry = {}) {
  return new OtlpHttpExporter({
    dir,
    destinations: resolveDestinations(['logs'], {
      endpoint: server.url,
      headers: { 'x-api-key': 'k1' },
      env: {},
    }),
    protocol,
    retry: { initialDelayMs: 5, maxDelayMs: 20, timeoutMs: 500, ...retry },
  });
}

describe('OTLP/HTTP exporter against a misbehaving server', () => {
  it.each(['http/json', 'http/protobuf'] as const)(
    'delivers with %s, gzip and custom headers',
    async (protocol) => {
      const result = await exporter(protocol).export(logsBatch(3));
      expect(result.status).toBe('success');
      expect(server.requests).toHaveLength(1);
      const req = server.requests[0];
      expect(req?.path).toBe('/v1/logs');
      expect(req?.headers['content-encoding']).toBe('gzip');
      expect(req?.headers['x-api-key']).toBe('k1');
      expect(req?.contentType).toBe(
        protocol === 'http/json' ? 'application/json' : 'application/x-protobuf',
      );
      expect(req?.records).toBe(3);
    },
  );

  it('retries 429 (Retry-After seconds), 503 (HTTP-date), 502, 504, resets and timeouts, then delivers', async () => {
    const soon = new Date(Date.now() + 1000).toUTCString();
    server.then(
      { kind: 'status', status: 429, retryAfter: '1' },
      { kind: 'status', status: 503, retryAfter: soon },
      { kind: 'status', status: 502 },
      { kind: 'reset' },
      { kind: 'slow', delayMs: 1500 },
      { kind: 'status', status: 504 },
    );
    const exp = exporter('http/json', { maxAttempts: 10 });
    const result = await exp.export(logsBatch(2));
    expect(result.status).toBe('success');
    expect(exp.retries).toBe(6);
    expect(server.requests.filter((r) => r.accepted)).toHaveLength(1);
    expect(listDeadLetters(dir)).toEqual([]);
  });

  it('gives up (retryable, not discarded) when the per-run retry budget is spent', async () => {
    server.then(...Array.from({ length: 10 }, () => ({ kind: 'status', status: 503 }) as const));
    const exp = exporter('http/json', { maxAttempts: 100, maxRetriesPerRun: 3 });
    const result = await exp.export(logsBatch(1));
    expect(result.status).toBe('retryable');
    expect(server.requests).toHaveLength(4);
    expect(listDeadLetters(dir)).toEqual([]);
  });

  it('stops instead of waiting when Retry-After exceeds the allowed wait', async () => {
    server.then({ kind: 'status', status: 429, retryAfter: '3600' });
    const result = await exporter('http/json', { maxRetryAfterMs: 1000 }).export(logsBatch(1));
    expect(result.status).toBe('retryable');
    expect(server.requests).toHaveLength(1);
  });

  it.each([
    [400, 'http/json'],
    [500, 'http/protobuf'],
    [413, 'http/json'],
  ] as const)(
    'never retries %i: the batch goes to dead-letter/ with the server message',
    async (status, protocol) => {
      server.then({ kind: 'status', status, message: `bad thing ${status}` });
      const result = await exporter(protocol).export(logsBatch(4, 'dl'));
      expect(result.status).toBe('permanent');
      expect(server.requests).toHaveLength(1);
      const letters = listDeadLetters(dir);
      expect(letters).toHaveLength(1);
      expect(letters[0]).toMatchObject({
        signal: 'logs',
        status,
        records: 4,
        message: `bad thing ${status}`,
      });
      const letter = readDeadLetter(letters[0]?.file ?? '');
      expect(JSON.stringify(letter?.request)).toContain('dl-3');
    },
  );

  it('records partial_success and does not retry it', async () => {
    server.then({ kind: 'partial', rejected: 2, message: 'two too old' });
    const result = await exporter('http/protobuf').export(logsBatch(5));
    expect(result).toMatchObject({ status: 'success', rejected: 2, message: 'two too old' });
    expect(server.requests).toHaveLength(1);
  });

  it('keeps the data (retryable, no dead letter) when the endpoint URL is unusable', async () => {
    const exp = new OtlpHttpExporter({
      dir,
      destinations: { logs: { name: 'bad', url: 'localhost:4318/v1/logs', headers: {} } },
      retry: { initialDelayMs: 1, maxAttempts: 1 },
    });
    expect((await exp.export(logsBatch(1))).status).toBe('retryable');
    expect(listDeadLetters(dir)).toEqual([]);
  });

  it('treats an unreachable endpoint as retryable', async () => {
    await server.stop();
    const exp = new OtlpHttpExporter({
      dir,
      destinations: resolveDestinations(['logs'], { endpoint: server.url, env: {} }),
      retry: { initialDelayMs: 1, maxAttempts: 2 },
    });
    expect((await exp.export(logsBatch(1))).status).toBe('retryable');
    server = new OtlpTestServer();
    await server.start();
  });
});
