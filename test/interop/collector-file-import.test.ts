// Interop: the real Collector's `file` exporter as users run it (one exporter shared by the
// traces, metrics and logs pipelines, so signals are mixed in one file; `format: json` under a
// `.out` name and `format: proto` with no extension), imported with `spool import`, then read back
// by the product's one reader. Exact counts and ids.
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSpool } from '@otelspool/exporter-jsonl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector } from './support/collector.js';
import { logRows, pointRows, readJsonLines, spanRows } from './support/otlp-json.js';
import { ensurePeers } from './support/peers.js';
import { runSpool } from './support/spool-cli.js';
import { writeFixtureSpool, type SpoolFixture } from './support/spool-fixture.js';
import { waitFor } from './support/wait-for.js';

const SIGNALS = ['traces', 'metrics', 'logs'] as const;
type Signal = (typeof SIGNALS)[number];

async function readBack(dir: string): Promise<Record<Signal, unknown[]>> {
  const out: Record<Signal, unknown[]> = { traces: [], metrics: [], logs: [] };
  for await (const r of readSpool(dir, { quarantine: false })) out[r.signal].push(r.data);
  return out;
}

describe('Collector file exporter output → spool import', () => {
  let dir: string;
  let outDir: string;
  let fixture: SpoolFixture;
  let expectedPoints: number;

  beforeAll(async () => {
    ensurePeers('collector');
    dir = await mkdtemp(join(tmpdir(), 'otelspool-interop-import-'));
    fixture = await writeFixtureSpool(join(dir, 'spool'));
    expectedPoints = fixture.metrics.reduce((n, m) => n + m.points.length, 0);
    outDir = join(dir, 'collector-out');
    await mkdir(outDir, { recursive: true });
    const receivers: Record<string, unknown> = {};
    const pipelines: Record<string, unknown> = {};
    for (const signal of SIGNALS) {
      receivers[`otlp_json_file/${signal}`] = {
        include: [join(fixture.dir, signal, '*.jsonl')],
        start_at: 'beginning',
        include_file_name: false,
      };
      pipelines[signal] = {
        receivers: [`otlp_json_file/${signal}`],
        exporters: ['file/json', 'file/proto'],
      };
    }
    const exporters = {
      'file/json': { path: join(outDir, 'otel.out') },
      'file/proto': { path: join(outDir, 'otel-proto'), format: 'proto' },
    };
    const collector = await startCollector(dir, { receivers, exporters, service: { pipelines } });
    try {
      await waitFor(
        async () => {
          const docs = await readJsonLines(join(outDir, 'otel.out')).catch(() => []);
          const done =
            spanRows(docs).length >= fixture.spans.length &&
            pointRows(docs).length >= expectedPoints &&
            logRows(docs).length >= fixture.logs.length;
          return done ? true : undefined;
        },
        { what: 'the Collector to write every record' },
      );
    } finally {
      await collector.stop(); // flushes both file exporters
    }
  });

  afterAll(async () => {
    if (dir !== undefined && process.env.KEEP_INTEROP_DIRS === undefined) {
      await rm(dir, { recursive: true, force: true });
    }
  });

  for (const [name, file] of [
    ['json (mixed signals, *.out)', 'otel.out'],
    ['proto (length-prefixed, no extension)', 'otel-proto'],
  ] as const) {
    it(`imports format ${name} with every record and id`, async () => {
      expect((await stat(join(outDir, file))).size).toBeGreaterThan(0);
      const spool = join(dir, `imported-${file}`);
      const ran = await runSpool(['import', join(outDir, file), '--dir', spool, '--json']);
      expect(ran.code, ran.stderr).toBe(0);
      const summary = JSON.parse(ran.stdout) as {
        total: { records: Record<Signal, number>; rejectedLines: number; rejectedItems: number };
        files: { format: string }[];
      };
      expect(summary.files[0]?.format).toBe(file === 'otel.out' ? 'json' : 'proto');
      expect(summary.total).toMatchObject({
        records: {
          traces: fixture.spans.length,
          metrics: expectedPoints,
          logs: fixture.logs.length,
        },
        rejectedLines: 0,
        rejectedItems: 0,
      });
      const back = await readBack(spool);
      const spans = spanRows(back.traces);
      expect(spans.map((s) => s.spanId).sort()).toEqual(fixture.spans.map((s) => s.spanId).sort());
      expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set(fixture.traceIds));
      expect(pointRows(back.metrics)).toHaveLength(expectedPoints);
      expect(logRows(back.logs).map((l) => l.eventName)).toEqual(
        fixture.logs.map((l) => l.eventName),
      );

      const report = await runSpool(['report', '--dir', spool, '--json']);
      expect(report.code, report.stderr).toBe(0);
      const items = (JSON.parse(report.stdout) as { input: { items: Record<string, number> } })
        .input.items;
      expect(items).toMatchObject({
        spans: fixture.spans.length,
        dataPoints: expectedPoints,
        logRecords: fixture.logs.length,
      });
    });
  }
});
