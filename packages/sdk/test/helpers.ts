import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSpool } from '@otelspool/exporter-jsonl';
import type { LogsData, MetricsData, Signal, TracesData } from '@otelspool/exporter-jsonl';

export function tempDir(prefix = 'otelspool-sdk-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Collected {
  traces: TracesData[];
  metrics: MetricsData[];
  logs: LogsData[];
}

/** Everything in a spool, through the one reader. */
export async function collect(dir: string): Promise<Collected> {
  const out: Collected = { traces: [], metrics: [], logs: [] };
  for await (const record of readSpool(dir, { quarantine: false })) {
    (out[record.signal as Signal] as unknown[]).push(record.data);
  }
  return out;
}

export function spansOf(c: Collected) {
  return c.traces.flatMap((t) =>
    t.resourceSpans.flatMap((r) =>
      r.scopeSpans.flatMap((s) => s.spans.map((span) => ({ resource: r.resource, span }))),
    ),
  );
}

export function logsOf(c: Collected) {
  return c.logs.flatMap((t) =>
    t.resourceLogs.flatMap((r) =>
      r.scopeLogs.flatMap((s) => s.logRecords.map((log) => ({ resource: r.resource, log }))),
    ),
  );
}

export function metricsOf(c: Collected) {
  return c.metrics.flatMap((t) =>
    t.resourceMetrics.flatMap((r) =>
      r.scopeMetrics.flatMap((s) => s.metrics.map((metric) => ({ resource: r.resource, metric }))),
    ),
  );
}

export function attr(
  attributes: Array<{ key: string; value: Record<string, unknown> }> | undefined,
  key: string,
): unknown {
  const value = attributes?.find((a) => a.key === key)?.value;
  if (!value) return undefined;
  return value.stringValue ?? value.intValue ?? value.doubleValue ?? value.boolValue;
}
