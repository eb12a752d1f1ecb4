import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { grantConsent } from '@otelspool/collector';
import { SpoolWriter } from '@otelspool/exporter-jsonl';
import { run } from './capture.js';

let dir: string;
let server: Server;
let url: string;
let requests: number;
let nextStatus: number[];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cli-sync-'));
  requests = 0;
  nextStatus = [];
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests++;
      const status = nextStatus.shift() ?? 200;
      res
        .writeHead(status, { 'Content-Type': 'application/json' })
        .end(status === 200 ? '{}' : '{"code":3,"message":"nope"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

async function spool(n: number): Promise<void> {
  const writer = new SpoolWriter({ dir, durability: 'none' });
  for (let i = 0; i < n; i++) {
    writer.append(
      'logs',
      JSON.stringify({
        resourceLogs: [
          {
            scopeLogs: [
              {
                logRecords: [
                  { timeUnixNano: String(i + 1), body: { stringValue: `user a@b.io #${i}` } },
                ],
              },
            ],
          },
        ],
      }),
      1,
    );
  }
  await writer.shutdown();
}

describe('spool sync', () => {
  it('exits 2 on usage errors', async () => {
    expect((await run(['sync', '--dir', dir, '--protocol', 'grpc'])).code).toBe(2);
    expect((await run(['sync', '--dir', dir, '--endpoint', 'localhost:4318'])).code).toBe(2);
    expect((await run(['sync', '--dir', dir, '--dry-run'])).code).toBe(2);
    expect((await run(['sync', '--dir', dir, '--header', 'nokey'])).code).toBe(2);
    expect((await run(['sync', '--dir', dir, '--max-request-bytes', '-3'])).code).toBe(2);
  });

  it('explains an --endpoint that is neither a base URL nor /v1/<signal>, and sends nothing', async () => {
    await spool(2);
    grantConsent(dir);
    for (const path of ['/v1/trace', '/api/traces', '/v1']) {
      const r = await run(['sync', '--dir', dir, '--endpoint', `${url}${path}`]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('--endpoint is the OTLP/HTTP base URL');
      expect(r.stderr).toContain(`--endpoint ${url} `);
    }
    expect(requests).toBe(0);
    const logsOnly = await run(['sync', '--dir', dir, '--endpoint', `${url}/v1/logs`]);
    expect(logsOnly.code).toBe(0);
    expect(requests).toBe(1);
  });

  it('exits 1 and sends nothing without consent', async () => {
    await spool(3);
    const r = await run(['sync', '--dir', dir, '--endpoint', url]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/consent/);
    expect(requests).toBe(0);
  });

  it('exits 0 with a --json summary when everything was sent', async () => {
    await spool(5);
    grantConsent(dir);
    const r = await run(['sync', '--dir', dir, '--endpoint', url, '--json']);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ status: 'ok', totals: { recordsSent: 5 } });
    expect(r.stderr).toBe(`spool: using ${dir}\n`);
  });

  it('exits 1 and says why when the server rejects a batch; --dead-letters lists it', async () => {
    await spool(2);
    grantConsent(dir);
    nextStatus = [400];
    const r = await run(['sync', '--dir', dir, '--endpoint', url]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/dead-letter/);
    const listed = JSON.parse(
      (await run(['sync', '--dir', dir, '--dead-letters', '--json'])).stdout,
    );
    expect(listed.schemaVersion).toBe(1);
    const list = listed.deadLetters;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ status: 400, message: 'nope', records: 2 });
    const resend = await run(['sync', '--dir', dir, '--resend-dead-letters']);
    expect(resend.code).toBe(0);
  });

  it('--dry-run --out writes redacted requests and sends nothing', async () => {
    await spool(2);
    const out = join(dir, 'requests.jsonl');
    const r = await run(['sync', '--dir', dir, '--endpoint', url, '--dry-run', '--out', out]);
    expect(r.code).toBe(0);
    expect(requests).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text).toContain('<email>');
    expect(text).not.toContain('a@b.io');
  });
});
