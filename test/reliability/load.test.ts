// Load: 10 instrumented processes write one spool at full speed while `spool tail --follow
// --json` and `spool sync` run against it. No line is lost or interleaved; counts reconcile.
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import {
  FIXTURES,
  FULL,
  SPOOL_BIN,
  runSpool,
  sleep,
  startNode,
  stopAll,
} from './helpers/processes.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';
import { scanSpool, syncSelfMetricPoints } from './helpers/spool-check.js';
import { OtlpSink, recordKeys, type Signal } from './helpers/otlp-sink.js';
import { recordFigure } from './helpers/figures.js';

const CHILD = join(FIXTURES, 'telemetry-child.mjs');
const WRITERS = 10;
const DURATION_MS = FULL ? 60_000 : 10_000;

afterAll(async () => {
  await stopAll();
  await removeTempDirs();
});

interface Done {
  round: number;
  produced: number;
  stats: { written: { records: number; lines: number }; dropped: Record<string, number> };
}

describe('load: 10 writers + tail --follow + sync on one spool', () => {
  it(
    `${WRITERS} processes for ${DURATION_MS / 1000} s: no lost or interleaved line, counts reconcile exactly`,
    async () => {
      const dir = await tempDir('load');
      expect((await runSpool(['consent', 'grant', '--dir', dir])).code).toBe(0);
      const sink = new OtlpSink({ keepRequestKeys: false });
      const url = await sink.start();

      // tail: count what it prints; every line must be one whole JSON document
      const tailed: Record<Signal, number> = { traces: 0, metrics: 0, logs: 0 };
      let tailLines = 0;
      let tailBad = 0;
      const tail = startNode([SPOOL_BIN, 'tail', '--follow', '--json', '--dir', dir], {
        onLine: (line) => {
          tailLines++;
          try {
            const data = JSON.parse(line) as Record<string, unknown>;
            const signal: Signal =
              'resourceSpans' in data ? 'traces' : 'resourceLogs' in data ? 'logs' : 'metrics';
            tailed[signal] += recordKeys(signal, data).length;
          } catch {
            tailBad++;
          }
        },
      });

      const writers = Array.from({ length: WRITERS }, () =>
        startNode([CHILD], {
          env: {
            REL_DIR: dir,
            REL_DURABILITY: 'interval',
            REL_ROUND_SPANS: '20',
            REL_DURATION_MS: String(DURATION_MS),
            REL_REPORT_MS: '1000',
            // above what 10 writers produce here: the default 256 MiB cap would evict the oldest
            // segments (counted by the writer as `evicted`, a figure telemetry.stats() omits)
            REL_SPOOL_JSON: JSON.stringify({ maxSpoolBytes: 8 * 1024 ** 3 }),
          },
        }),
      );
      // sync keeps shipping while the writers write
      let syncRuns = 0;
      const writersDone = Promise.all(
        writers.map((w) => w.waitForLine((l) => l.startsWith('done '), DURATION_MS + 60_000)),
      );
      let finished = false;
      void writersDone.finally(() => (finished = true));
      while (!finished) {
        const r = await runSpool(['sync', '--dir', dir, '--endpoint', url, '--json']);
        expect([0, 1]).toContain(r.code); // 1 only if another sync held the lock
        syncRuns++;
        await sleep(200);
      }
      const done = (await writersDone).map((l) => JSON.parse(l.slice(5)) as Done);
      for (const w of writers) expect((await w.exited).code).toBe(0);
      const final = await runSpool(['sync', '--dir', dir, '--endpoint', url, '--json']);
      expect(final.code, final.stderr).toBe(0);
      syncRuns++;

      // span keys only: millions of records at full speed must fit the test's heap
      const scan = await scanSpool(dir, { keys: ['traces'], ids: false });
      expect(scan.malformed).toEqual([]);
      expect(scan.tornSegments).toBe(0); // every writer shut down cleanly
      // (each sync run also appends its own self-metrics: they are not the writers')
      const syncPoints = await syncSelfMetricPoints(dir);
      const totalRead = scan.records.traces + scan.records.logs + scan.records.metrics - syncPoints;
      const written = done.reduce((n, d) => n + d.stats.written.records, 0);
      const produced = done.reduce((n, d) => n + d.produced, 0);
      const dropped = done.reduce(
        (n, d) => n + Object.values(d.stats.dropped).reduce((a, b) => a + b, 0),
        0,
      );
      // what the writers say they wrote is exactly what the reader finds (both count spans,
      // log records and metric data points)
      expect(totalRead).toBe(written);
      // every span either reached the spool or was counted as dropped (the only spans in this
      // spool are the writers' own; a writer-level drop cannot be attributed to a signal, so
      // with one the check is a bound instead of an equality)
      const spanDrops = done.reduce((n, d) => n + (d.stats.dropped.span_queue_full ?? 0), 0);
      if (
        dropped ===
        spanDrops + done.reduce((n, d) => n + (d.stats.dropped.log_queue_full ?? 0), 0)
      )
        expect(scan.records.traces + spanDrops).toBe(produced);
      else expect(scan.records.traces + dropped).toBeGreaterThanOrEqual(produced);
      const spanIds = new Set(scan.keys.traces);
      expect(spanIds.size).toBe(scan.records.traces); // no duplicated line
      spanIds.clear();

      // tail saw every record (bounded wait for it to catch up), nothing interleaved
      for (let i = 0; i < 600 && tailed.traces + tailed.logs + tailed.metrics < totalRead; i++)
        await sleep(100);
      tail.kill('SIGTERM');
      await tail.exited;
      expect(tailBad).toBe(0);
      expect(tailed).toEqual(scan.records);

      // sync shipped every span exactly (duplicates only from a resent in-flight request)
      const shipped = scan.keys.traces.filter((k) => sink.acknowledged.has(k)).length;
      expect(shipped).toBe(scan.records.traces);
      let dupRecords = 0;
      for (const n of sink.acknowledged.values()) if (n > 1) dupRecords += n - 1;
      await sink.close();
      recordFigure('load', {
        writers: WRITERS,
        durationS: DURATION_MS / 1000,
        producedSpans: produced,
        recordsWritten: written,
        recordsRead: scan.records,
        metricEntriesRead: scan.metricEntries,
        droppedByReason: done.reduce<Record<string, number>>((m, d) => {
          for (const [k, v] of Object.entries(d.stats.dropped)) m[k] = (m[k] ?? 0) + v;
          return m;
        }, {}),
        linesRead: scan.lines,
        segments: scan.segments,
        tailLines,
        tailRecords: tailed,
        syncRuns,
        syncRequests: sink.requests.length,
        spansShipped: shipped,
        duplicateRecordsShipped: dupRecords,
        recordsPerSecond: Math.round(written / (DURATION_MS / 1000)),
      });
    },
    DURATION_MS + 540_000,
  );
});
