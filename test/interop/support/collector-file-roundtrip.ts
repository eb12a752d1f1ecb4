import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startCollector } from './collector.js';
import { logRows, pointRows, readJsonLines, spanRows } from './otlp-json.js';
import type { SpoolFixture } from './spool-fixture.js';
import { waitFor } from './wait-for.js';

export const SIGNALS = ['traces', 'metrics', 'logs'] as const;
export type SignalName = (typeof SIGNALS)[number];

/**
 * Runs the real Collector with one `otlp_json_file` receiver per signal reading the fixture's
 * spool segments, and one `file` exporter per signal writing `<outDir>/<signal>/collector.jsonl`
 * (the spool layout, so the product's reader can open the Collector's output as a spool).
 * Returns once every record is out and the Collector has stopped (its exporters flushed).
 */
export async function roundTripThroughCollector(
  workDir: string,
  fixture: SpoolFixture,
  outDir: string,
): Promise<Record<SignalName, string>> {
  const out = Object.fromEntries(
    SIGNALS.map((signal) => [signal, join(outDir, signal, 'collector.jsonl')]),
  ) as Record<SignalName, string>;
  for (const signal of SIGNALS) await mkdir(join(outDir, signal), { recursive: true });

  const receivers: Record<string, unknown> = {};
  const exporters: Record<string, unknown> = {};
  const pipelines: Record<string, unknown> = {};
  for (const signal of SIGNALS) {
    receivers[`otlp_json_file/${signal}`] = {
      include: [join(fixture.dir, signal, '*.jsonl')],
      start_at: 'beginning',
      // The receiver adds a `log.file.name` attribute to log records unless told not to.
      include_file_name: false,
    };
    exporters[`file/${signal}`] = { path: out[signal] };
    pipelines[signal] = { receivers: [`otlp_json_file/${signal}`], exporters: [`file/${signal}`] };
  }
  const collector = await startCollector(workDir, { receivers, exporters, service: { pipelines } });
  try {
    const expectedPoints = fixture.metrics.reduce((n, m) => n + m.points.length, 0);
    // The receiver polls its glob every 200 ms; wait (bounded) until every record is out.
    await waitFor(
      async () => {
        const [traces = [], metrics = [], logs = []] = await Promise.all(
          SIGNALS.map((signal) => readJsonLines(out[signal]).catch(() => [])),
        );
        const done =
          spanRows(traces).length >= fixture.spans.length &&
          pointRows(metrics).length >= expectedPoints &&
          logRows(logs).length >= fixture.logs.length;
        return done ? true : undefined;
      },
      { what: 'the Collector to write every record back out' },
    );
  } finally {
    // Stopped before anyone reads: the file exporter flushes on shutdown.
    await collector.stop();
  }
  return out;
}
