// Interop 2: files written by the real Collector's `file` exporter, read by the product's one
// reader (`readSpool` from @otelspool/exporter-jsonl): files written by the Collector's file
// exporter must be readable by every reader here, with exact counts and ids.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as exporterJsonl from '@otelspool/exporter-jsonl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roundTripThroughCollector } from './support/collector-file-roundtrip.js';
import { logRows, pointRows, spanRows } from './support/otlp-json.js';
import { ensurePeers } from './support/peers.js';
import { writeFixtureSpool, type SpoolFixture } from './support/spool-fixture.js';

type Signal = 'traces' | 'metrics' | 'logs';
interface SpoolRecord {
  signal: Signal;
  file: string;
  segment: string;
  line: number;
  data: unknown;
}
/** readSpool as ARCHITECTURE.md specifies it (typed here so the suite compiles before it lands). */
type ReadSpool = (
  dir: string,
  options?: { signals?: Signal[]; quarantine?: boolean },
) => AsyncIterable<SpoolRecord>;

function productReader(): ReadSpool {
  const readSpool = (exporterJsonl as Record<string, unknown>).readSpool;
  if (typeof readSpool !== 'function') {
    throw new Error('@otelspool/exporter-jsonl does not export readSpool (ARCHITECTURE.md)');
  }
  return readSpool as ReadSpool;
}

async function readAll(dir: string, signal: Signal): Promise<SpoolRecord[]> {
  const records: SpoolRecord[] = [];
  for await (const record of productReader()(dir, { signals: [signal] })) records.push(record);
  return records;
}

describe('Collector file exporter output → readSpool', () => {
  let dir: string;
  let outDir: string;
  let fixture: SpoolFixture;

  beforeAll(async () => {
    ensurePeers('collector');
    dir = await mkdtemp(join(tmpdir(), 'otelspool-interop-readspool-'));
    fixture = await writeFixtureSpool(join(dir, 'spool'));
    outDir = join(dir, 'collector-out');
    await roundTripThroughCollector(dir, fixture, outDir);
  });

  afterAll(async () => {
    if (dir !== undefined && process.env.KEEP_INTEROP_DIRS === undefined) {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reads every span the Collector wrote, with the original trace and span ids', async () => {
    const records = await readAll(outDir, 'traces');
    expect(records.length).toBeGreaterThan(0);
    for (const record of records) {
      expect(record).toMatchObject({
        signal: 'traces',
        file: join(outDir, 'traces/collector.jsonl'),
      });
    }
    const spans = spanRows(records.map((r) => r.data));
    expect(spans).toHaveLength(6);
    expect(spans.map((s) => s.spanId).sort()).toEqual(fixture.spans.map((s) => s.spanId).sort());
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set(fixture.traceIds));
    for (const expected of fixture.spans) {
      const span = spans.find((s) => s.spanId === expected.spanId);
      expect(span).toMatchObject({
        traceId: expected.traceId,
        parentSpanId: expected.parentSpanId,
        name: expected.name,
        attributes: expected.attributes,
        statusCode: expected.statusCode,
      });
    }
  });

  it('reads every metric data point the Collector wrote', async () => {
    const records = await readAll(outDir, 'metrics');
    const points = pointRows(records.map((r) => r.data));
    expect(points).toHaveLength(12);
    expect(points.map((p) => p.metric).sort()).toEqual(
      fixture.metrics.flatMap((m) => m.points.map(() => m.name)).sort(),
    );
    const dropped = points.filter((p) => p.metric === 'otelspool.spool.records.dropped');
    expect(dropped.map((p) => [p.attributes.reason, p.value]).sort()).toEqual([
      ['queue_full', 3],
      ['spool_full', 1],
    ]);
  });

  it('reads every log record the Collector wrote, the FATAL crash record included', async () => {
    const records = await readAll(outDir, 'logs');
    const logs = logRows(records.map((r) => r.data));
    expect(logs).toHaveLength(7);
    expect(logs.map((l) => l.eventName)).toEqual(fixture.logs.map((l) => l.eventName));
    expect(logs.filter((l) => l.severityNumber === 21).map((l) => l.eventName)).toEqual([
      'app.crash',
    ]);
  });

  it('finds nothing malformed in them: no line goes to quarantine', async () => {
    for (const signal of ['traces', 'metrics', 'logs'] as const) await readAll(outDir, signal);
    const quarantined = await readdir(join(outDir, 'quarantine')).catch(() => []);
    expect(quarantined).toEqual([]);
  });
});
