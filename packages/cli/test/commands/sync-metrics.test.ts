import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  ftruncateSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { grantConsent } from '@otelspool/collector';
import { readSpool, SpoolWriter, type MetricsData } from '@otelspool/exporter-jsonl';
import { segmentFileName } from '@otelspool/exporter-jsonl/internal';
import { recordSyncMetrics } from '../../src/commands/sync-metrics.js';
import { run } from './capture.js';

let dir: string;
let server: Server;
let url: string;
let failNext = 0;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cli-sync-metrics-'));
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (failNext > 0) {
        failNext--;
        res.writeHead(400, { 'Content-Type': 'application/json' }).end('{"code":3}');
      } else res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

async function logs(n: number): Promise<void> {
  const writer = new SpoolWriter({ dir, durability: 'none' });
  for (let i = 0; i < n; i++) {
    writer.append(
      'logs',
      JSON.stringify({
        resourceLogs: [
          {
            scopeLogs: [
              { logRecords: [{ timeUnixNano: String(i + 1), body: { stringValue: 'x' } }] },
            ],
          },
        ],
      }),
      1,
    );
  }
  await writer.shutdown();
}

/** Sum of every point of a sync self-metric in the spool. */
async function total(name: string): Promise<number> {
  let sum = 0;
  for await (const r of readSpool(dir, { signals: ['metrics'] })) {
    for (const rm of (r.data as MetricsData).resourceMetrics ?? [])
      for (const sm of rm.scopeMetrics ?? [])
        for (const m of sm.metrics ?? [])
          if (m.name === name) for (const p of m.sum?.dataPoints ?? []) sum += Number(p.asInt);
  }
  return sum;
}

describe('spool sync self-metrics', () => {
  it('leaves records sent and failed requests in the spool; the next sync ships them', async () => {
    await logs(7);
    grantConsent(dir);
    expect((await run(['sync', '--dir', dir, '--endpoint', url])).code).toBe(0);
    expect(await total('otelspool.sync.records.sent')).toBe(7);
    expect(await total('otelspool.sync.requests.failed')).toBe(0);

    // The second run sends the first run's metrics line (2 data points) and counts them.
    const second = await run(['sync', '--dir', dir, '--endpoint', url, '--json']);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout).totals.recordsSent).toBe(2);
    expect(await total('otelspool.sync.records.sent')).toBe(7 + 2);

    // A rejected request counts as failed.
    await logs(1);
    failNext = 1;
    await run(['sync', '--dir', dir, '--endpoint', url]);
    expect(await total('otelspool.sync.requests.failed')).toBeGreaterThanOrEqual(1);
  });

  it('--dry-run writes no self-metrics', async () => {
    await logs(3);
    grantConsent(dir);
    const out = join(dir, 'dry.json');
    expect((await run(['sync', '--dir', dir, '--dry-run', '--out', out])).code).toBe(0);
    expect(await total('otelspool.sync.records.sent')).toBe(0);
  });

  it('never evicts the spool to the default byte cap (the cap is the app setting, not the sync)', async () => {
    await logs(2);
    grantConsent(dir);
    const first = await run(['sync', '--dir', dir, '--endpoint', url, '--json']);
    expect(first.code).toBe(0);
    // A sealed segment of a process that is gone, 300 MiB (sparse, so nothing is written):
    // over the writer's default 256 MiB, as in a spool whose app set maxSpoolBytes to 8 GiB.
    mkdirSync(join(dir, 'traces'), { recursive: true });
    const big = join(dir, 'traces', segmentFileName(new Date(0), 4_194_000, 'dead', 0));
    const fd = openSync(big, 'w', 0o600);
    ftruncateSync(fd, 300 * 1024 * 1024);
    closeSync(fd);
    await recordSyncMetrics(dir, JSON.parse(first.stdout), Date.now() - 10);
    expect(existsSync(big)).toBe(true);
    expect(await total('otelspool.sync.records.sent')).toBe(2 + 2);
  });
});
