import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport, type Report } from '../../src/analysis/index.js';
import {
  appendLines,
  exactQuantile,
  logsLine,
  metricsLine,
  segmentName,
  T0,
  tempSpool,
  tracesLine,
  writeCrash,
  writeLedger,
  type SpanSpec,
} from './report-fixture.js';

const blocks: SpanSpec[] = Array.from({ length: 100 }, (_, k) => ({
  name: 'process_block',
  startMs: T0 + (k + 1) * 1000,
  durationMs: k + 1,
  error: (k + 1) % 20 === 0,
}));
const loads: SpanSpec[] = Array.from({ length: 10 }, (_, k) => ({
  name: 'load_plugin',
  startMs: T0 + 200_000,
  durationMs: 200 + k,
  error: k < 3,
}));
const others: SpanSpec[] = Array.from({ length: 4 }, () => ({
  name: 'other.op',
  startMs: T0 + 300_000,
  durationMs: 50,
}));

let dir: string;
let cleanup: () => void;
let report: Report;
let segA: string;
let firstLineBytes: number;

beforeAll(async () => {
  ({ dir, cleanup } = tempSpool());
  segA = segmentName();
  const line1 = tracesLine('synth', blocks);
  firstLineBytes = Buffer.byteLength(JSON.stringify(line1)) + 1;
  appendLines(dir, 'traces', segA, [line1, tracesLine('synth', loads)]);
  appendLines(dir, 'traces', segmentName(), [tracesLine('other', others)]);
  appendLines(dir, 'traces', segmentName(), ['{garbage']);
  appendLines(dir, 'logs', segmentName(), [
    logsLine('synth', [
      { atMs: T0 + 10_000, eventName: 'preset.change' },
      { atMs: T0 + 11_000, eventName: 'preset.change' },
      { atMs: T0 + 12_000, eventName: 'preset.change' },
      { atMs: T0 + 13_000, eventNameAttr: 'plugin.load' },
      { atMs: T0 + 14_000, eventNameAttr: 'plugin.load' },
      { atMs: T0 + 15_000, body: 'just a log line', severityNumber: 9 },
    ]),
  ]);
  const cpu = (atMs: number, user: number, system: number) => [
    { atMs, value: user, attrs: { 'cpu.mode': 'user' } },
    { atMs, value: system, attrs: { 'cpu.mode': 'system' } },
  ];
  appendLines(dir, 'metrics', segmentName(), [
    metricsLine(
      'synth',
      [
        { kind: 'gauge', name: 'process.cpu.utilization', points: cpu(T0 + 1000, 0.1, 0.05) },
        {
          kind: 'gauge',
          name: 'process.memory.usage',
          points: [{ atMs: T0 + 1000, value: 100_000_000 }],
        },
        {
          kind: 'sum',
          name: 'otelspool.spool.records.written',
          temporality: 2,
          startMs: T0,
          points: [{ atMs: T0 + 1000, value: 10 }],
        },
        {
          kind: 'sum',
          name: 'otelspool.spool.records.dropped',
          temporality: 2,
          startMs: T0,
          points: [{ atMs: T0 + 1000, value: 2, attrs: { reason: 'queue_full' } }],
        },
      ],
      { 'service.instance.id': 'p1' },
    ),
    metricsLine(
      'synth',
      [
        { kind: 'gauge', name: 'process.cpu.utilization', points: cpu(T0 + 11_000, 0.2, 0.1) },
        {
          kind: 'gauge',
          name: 'process.memory.usage',
          points: [{ atMs: T0 + 11_000, value: 120_000_000 }],
        },
        {
          kind: 'sum',
          name: 'otelspool.spool.records.written',
          temporality: 2,
          startMs: T0,
          points: [{ atMs: T0 + 11_000, value: 25 }],
        },
        {
          kind: 'sum',
          name: 'otelspool.spool.records.dropped',
          temporality: 2,
          startMs: T0,
          points: [
            { atMs: T0 + 11_000, value: 4, attrs: { reason: 'queue_full' } },
            { atMs: T0 + 11_000, value: 1, attrs: { reason: 'cap' } },
          ],
        },
      ],
      { 'service.instance.id': 'p1' },
    ),
    metricsLine(
      'synth',
      [
        { kind: 'gauge', name: 'process.cpu.utilization', points: cpu(T0 + 21_000, 0.3, 0.1) },
        {
          kind: 'gauge',
          name: 'process.memory.usage',
          points: [{ atMs: T0 + 21_000, value: 110_000_000 }],
        },
        {
          kind: 'sum',
          name: 'otelspool.spool.records.written',
          temporality: 2,
          startMs: T0,
          points: [{ atMs: T0 + 21_000, value: 7 }],
        },
        {
          kind: 'sum',
          name: 'otelspool.spool.records.dropped',
          temporality: 1,
          startMs: T0,
          points: [
            { atMs: T0 + 21_000, value: 3, attrs: { reason: 'queue_full' } },
            { atMs: T0 + 22_000, value: 2, attrs: { reason: 'queue_full' } },
          ],
        },
      ],
      { 'service.instance.id': 'p2' },
    ),
  ]);
  writeLedger(dir, [
    { id: 's1', installId: 'i1', startedMs: T0, state: 'exited' },
    { id: 's2', installId: 'i1', startedMs: T0 + 60_000, state: 'crashed' },
    { id: 's3', installId: 'i2', startedMs: T0 + 120_000, state: 'abnormal' },
    { id: 's4', installId: 'i2', startedMs: T0 + 180_000 },
  ]);
  writeCrash(dir, {
    id: 'c1000000000000a1',
    atMs: T0 + 61_000,
    signature: 'aaaaaaaaaaaaaaaa',
    sessionId: 's2',
    installId: 'i1',
    host: 'host-a',
    version: '1.0.0',
  });
  writeCrash(dir, {
    id: 'c1000000000000a2',
    atMs: T0 + 62_000,
    signature: 'aaaaaaaaaaaaaaaa',
    sessionId: 's2',
    installId: 'i1',
    host: 'host-a',
    version: '1.0.0',
  });
  writeCrash(dir, {
    id: 'c1000000000000b1',
    atMs: T0 + 63_000,
    signature: 'bbbbbbbbbbbbbbbb',
    sessionId: 's3',
    installId: 'i2',
    host: 'host-b',
    version: '1.1.0',
  });
  mkdirSync(join(dir, 'sync'));
  writeFileSync(
    join(dir, 'sync', 'collector.json'),
    JSON.stringify({
      version: 1,
      destination: 'collector',
      urls: ['http://127.0.0.1:4318'],
      signals: ['traces'],
      updatedAt: '2026-11-20T12:10:00.000Z',
      segments: { [`traces/${segA.replace(/\.jsonl$/, '.jsonl')}`]: firstLineBytes },
    }),
  );
  report = await buildReport(dir, { now: T0 + 400_000 });
});
afterAll(() => cleanup());

function withinSketchAccuracy(actual: number | null, exact: number): void {
  expect(actual).not.toBeNull();
  expect(Math.abs((actual as number) - exact) / exact).toBeLessThanOrEqual(0.0101);
}

describe('buildReport', () => {
  it('counts spans per name with errors and DDSketch percentiles within 1 %', () => {
    const block = report.spans.byName.find((n) => n.name === 'process_block');
    expect(block).toMatchObject({ count: 100, errors: 5, errorRate: 0.05 });
    const sorted = blocks.map((b) => b.durationMs).sort((a, b) => a - b);
    withinSketchAccuracy(block?.p50Ms ?? null, exactQuantile(sorted, 0.5));
    withinSketchAccuracy(block?.p95Ms ?? null, exactQuantile(sorted, 0.95));
    withinSketchAccuracy(block?.p99Ms ?? null, exactQuantile(sorted, 0.99));
    expect(block?.maxMs).toBe(100);
    expect(block?.meanMs).toBeCloseTo(50.5, 6);
    const load = report.spans.byName.find((n) => n.name === 'load_plugin');
    expect(load).toMatchObject({ count: 10, errors: 3 });
    expect(report.spans.byName.map((n) => n.name)).toEqual([
      'process_block',
      'load_plugin',
      'other.op',
    ]);
    expect(report.spans.overall).toMatchObject({ count: 114, errors: 8 });
    expect(report.spans.overall.errorRate).toBeCloseTo(8 / 114, 12);
    const all = [...blocks, ...loads, ...others].map((s) => s.durationMs).sort((a, b) => a - b);
    withinSketchAccuracy(report.spans.overall.p95Ms, exactQuantile(all, 0.95));
  });

  it('buckets latencies into the fixed histogram', () => {
    const h = report.spans.latencyHistogram;
    expect(h.reduce((a, b) => a + b.count, 0)).toBe(114);
    const count = (upper: number | null) => h.find((b) => b.upperMs === upper)?.count;
    // (0.5, 1]: 1 ms; (1, 2]: 2; (2, 5]: 3,4,5; (50, 100]: 51..100 → 50 spans; (20, 50]: 21..50 + 4 × 50 ms
    expect(count(1)).toBe(1);
    expect(count(2)).toBe(1);
    expect(count(5)).toBe(3);
    expect(count(50)).toBe(30 + 4);
    expect(count(100)).toBe(50);
    expect(count(200)).toBe(1); // 200 ms is on the bound: (100, 200]
    expect(count(500)).toBe(9);
    expect(h[h.length - 1]).toEqual({ upperMs: null, count: 0 });
  });

  it('counts events by eventName and event.name, most frequent first', () => {
    expect(report.events).toEqual({
      total: 5,
      distinct: 2,
      top: [
        { key: 'preset.change', count: 3 },
        { key: 'plugin.load', count: 2 },
      ],
    });
  });

  it('turns cpu utilization (user + system per collection) into CPU % and keeps memory bytes', () => {
    const cpu = report.resources.cpuPercent;
    expect(cpu.points.map((p) => Math.round(p.avg * 1e9) / 1e9)).toEqual([15, 30, 40]);
    expect(cpu.last).toBeCloseTo(40, 9);
    expect(report.resources.memoryBytes.points.map((p) => p.avg)).toEqual([
      100_000_000, 120_000_000, 110_000_000,
    ]);
    expect(report.resources.memoryBytes.last).toBe(110_000_000);
  });

  it('sums self-metrics: latest cumulative value per process, deltas added, drops by reason', () => {
    expect(report.health.recordsWrittenSelfReported).toBe(25 + 7);
    // Written is what reached the spool: what it holds (counted by reading it) + evicted.
    const items = report.input.items;
    expect(report.health.recordsInSpool).toBe(items.spans + items.dataPoints + items.logRecords);
    expect(report.health.recordsEvicted).toBe(0);
    expect(report.health.recordsWritten).toBe(report.health.recordsInSpool);
    expect(report.health.droppedByReason).toEqual([
      { key: 'queue_full', count: 4 + 3 + 2 },
      { key: 'cap', count: 1 },
    ]);
    expect(report.health.recordsDropped).toBe(10);
  });

  it('reports sessions and crash-free rates from the ledger', () => {
    expect(report.sessions).toEqual({
      total: 4,
      exited: 1,
      crashed: 1,
      abnormal: 1,
      running: 1,
      crashFreeSessionRate: 0.75,
      users: 2,
      crashFreeUsers: 1,
      crashFreeUserRate: 0.5,
    });
  });

  it('counts crashes per host and per version', () => {
    expect(report.crashes.total).toBe(3);
    expect(report.crashes.groups).toBe(2);
    expect(report.crashes.byHost).toEqual([
      { key: 'host-a', count: 2 },
      { key: 'host-b', count: 1 },
    ]);
    expect(report.crashes.byVersion).toEqual([
      { key: '1.0.0', count: 2 },
      { key: '1.1.0', count: 1 },
    ]);
    expect(report.crashes.topGroups[0]).toMatchObject({
      id: 'bbbbbbbbbbbbbbbb',
      count: 1,
      sessions: 1,
    });
  });

  it('tracks sync progress from the cursor files and counts the malformed line', () => {
    expect(report.health.sync).toEqual([
      {
        destination: 'collector',
        updatedAt: '2026-11-20T12:10:00.000Z',
        syncedLines: 1,
        unsyncedLines: 2,
        // The destination receives traces: its records add up to every span of the spool.
        syncedRecords: 100,
        unsyncedRecords: 14,
        oldestUnsyncedUnixMs: T0 + 200_000,
      },
    ]);
    expect(report.input.items.spans).toBe(100 + 14);
    expect(report.input.malformedLines).toBe(1);
    expect(report.input.lines).toEqual({ traces: 3, metrics: 3, logs: 1 });
    expect(report.health.segments).toBe(5);
    expect(report.services).toEqual(['other', 'synth']);
    expect(report.timeRange.startUnixMs).toBe(T0 + 1000);
  });

  it('filters by --service and --since', async () => {
    const other = await buildReport(dir, { service: 'other' });
    expect(other.spans.overall.count).toBe(4);
    expect(other.sessions.total).toBe(0);
    expect(other.crashes.total).toBe(0);
    expect(other.events.total).toBe(0);
    const recent = await buildReport(dir, { since: '1m', now: T0 + 250_000 });
    expect(recent.filters.sinceUnixMs).toBe(T0 + 190_000);
    expect(recent.spans.overall.count).toBe(14);
    expect(recent.crashes.total).toBe(0);
    expect(recent.resources.cpuPercent.points).toEqual([]);
    const iso = await buildReport(dir, { since: new Date(T0 + 62_500).toISOString() });
    expect(iso.crashes.total).toBe(1);
    await expect(buildReport(dir, { since: 'yesterday' })).rejects.toThrow(/--since/);
  });

  it('folds span names past the cap of 1000 into (other)', async () => {
    const many = tempSpool('spool-names-');
    try {
      const spans = Array.from({ length: 1005 }, (_, k) => ({
        name: `op-${k}`,
        startMs: T0,
        durationMs: 1,
      }));
      appendLines(many.dir, 'traces', segmentName(), [tracesLine('synth', spans)]);
      const r = await buildReport(many.dir);
      expect(r.spans.namesCapped).toBe(true);
      expect(r.spans.distinctNames).toBe(1000);
      expect(r.spans.byName[0]).toMatchObject({ name: '(other)', count: 5 });
      expect(r.spans.overall.count).toBe(1005);
    } finally {
      many.cleanup();
    }
  });

  it('returns an empty report for a missing directory', async () => {
    const empty = await buildReport(join(dir, 'does-not-exist'));
    expect(empty.spans.overall).toMatchObject({ count: 0, errorRate: null, p95Ms: null });
    expect(empty.sessions.crashFreeSessionRate).toBeNull();
    expect(empty.timeRange).toEqual({ startUnixMs: null, endUnixMs: null });
  });
});
