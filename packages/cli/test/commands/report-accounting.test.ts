// Honest accounting end to end: a real SDK process (built dist) writes spans, logs and metrics
// into a spool with a small byte cap, so segments are evicted while it runs; `spool report`
// (the built CLI, and the dashboard's /api/report through the same buildReport) must show
// exactly what the process's final stats() say and what the spool holds when read back.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { grantConsent } from '@otelspool/collector';
import { countRecords, readSpool } from '@otelspool/exporter-jsonl';
import { run } from './capture.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const spool = join(root, 'packages/cli/dist/bin/spool.js');
const sdk = pathToFileURL(join(root, 'packages/sdk/dist/index.js')).href;
const work = mkdtempSync(join(tmpdir(), 'otelspool-accounting-'));
const dir = join(work, 'spool');

const SPANS = 4000;
const LOGS = 3000;

const child = `
import { startTelemetry } from ${JSON.stringify(sdk)};
const telemetry = await startTelemetry({
  serviceName: 'accounting-test',
  dir: ${JSON.stringify(dir)},
  crash: false,
  durability: 'none',
  metricIntervalMs: 200,
  spool: { maxSegmentBytes: 32 * 1024, maxSpoolBytes: 256 * 1024 },
});
const tracer = telemetry.tracer;
for (let i = 0; i < ${SPANS}; i++) {
  tracer.startSpan('work.item', { attributes: { 'item.index': i, 'item.note': 'x'.repeat(64) } }).end();
  if (i < ${LOGS}) telemetry.log.info('processed item ' + i, { 'item.index': i });
  if (i % 500 === 499) await telemetry.forceFlush();
}
await telemetry.shutdown();
process.stdout.write(JSON.stringify(telemetry.stats()));
`;

afterAll(() => rmSync(work, { recursive: true, force: true }));

async function spoolContent(): Promise<number> {
  let records = 0;
  for await (const r of readSpool(dir)) records += countRecords(r.signal, r.data);
  return records;
}

describe('report accounting from a real SDK process', () => {
  it('shows written, in spool, evicted and dropped exactly as stats() and the spool', async () => {
    const script = join(work, 'child.mjs');
    writeFileSync(script, child);
    const ran = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 60_000 });
    expect(ran.status, ran.stderr).toBe(0);
    const stats = JSON.parse(ran.stdout) as {
      written: { records: number };
      dropped: Record<string, number>;
      evicted: { records: number; shippedRecords: number; segments: number };
    };
    // The cap made the writer evict while the process ran.
    expect(stats.evicted.segments).toBeGreaterThan(0);
    expect(stats.evicted.records).toBeGreaterThan(0);

    const held = await spoolContent();
    // What the spool holds is what was written minus what the cap evicted.
    expect(held).toBe(stats.written.records - stats.evicted.records);

    const report = spawnSync(process.execPath, [spool, 'report', '--dir', dir, '--json'], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(report.status, report.stderr).toBe(0);
    const h = (JSON.parse(report.stdout) as { health: Record<string, unknown> }).health as {
      recordsWritten: number;
      recordsInSpool: number;
      recordsEvicted: number;
      recordsEvictedShipped: number;
      recordsDropped: number;
      droppedByReason: { key: string; count: number }[];
    };
    expect(h.recordsInSpool).toBe(held);
    expect(h.recordsWritten).toBe(stats.written.records);
    expect(h.recordsEvicted).toBe(stats.evicted.records);
    expect(h.recordsEvictedShipped).toBe(stats.evicted.shippedRecords);
    const droppedTotal = Object.values(stats.dropped).reduce((a, b) => a + b, 0);
    expect(h.recordsDropped).toBe(droppedTotal);
    for (const [reason, count] of Object.entries(stats.dropped)) {
      if (count > 0) expect(h.droppedByReason).toContainEqual({ key: reason, count });
    }

    // The human output prints the same numbers.
    const human = spawnSync(process.execPath, [spool, 'report', '--dir', dir], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(human.status, human.stderr).toBe(0);
    const fmt = (n: number) => n.toLocaleString('en-US');
    const row = human.stdout
      .split('\n')
      .find((l) => l.includes(fmt(h.recordsInSpool)) && l.includes(fmt(h.recordsWritten)));
    expect(row, human.stdout).toBeDefined();
    expect(row).toContain(`${fmt(h.recordsEvicted)} (${fmt(h.recordsEvictedShipped)} shipped)`);

    // metrics_snapshot.json: the self-metrics and the final stats of the process.
    const snapshot = JSON.parse(readFileSync(join(dir, 'metrics_snapshot.json'), 'utf8')) as {
      spool: typeof stats;
      metrics: Record<string, { points: { attributes: Record<string, unknown>; value: number }[] }>;
    };
    expect(snapshot.spool.written.records).toBe(stats.written.records);
    expect(snapshot.spool.evicted).toEqual(stats.evicted);
    const evictedPoints = snapshot.metrics['otelspool.spool.records.evicted']?.points ?? [];
    expect(evictedPoints.reduce((a, p) => a + p.value, 0)).toBe(stats.evicted.records);

    // Synced and unsynced: a sync ships everything the spool holds, then leaves its own
    // self-metrics line (2 points) behind, which is what is unsynced afterwards.
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      grantConsent(dir);
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const synced = await run(['sync', '--dir', dir, '--endpoint', url, '--json']);
      expect(synced.code, synced.stderr).toBe(0);
      expect(JSON.parse(synced.stdout).totals.recordsSent).toBe(held);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
    const after = spawnSync(process.execPath, [spool, 'report', '--dir', dir, '--json'], {
      encoding: 'utf8',
    });
    const health = (
      JSON.parse(after.stdout) as {
        health: {
          recordsInSpool: number;
          sync: { syncedRecords: number; unsyncedRecords: number }[];
        };
      }
    ).health;
    expect(health.recordsInSpool).toBe(held + 2);
    expect(health.sync).toHaveLength(1);
    expect(health.sync[0]).toMatchObject({ syncedRecords: held, unsyncedRecords: 2 });
  }, 90_000);
});
