import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  findAttribute,
  forEachLogRecord,
  forEachMetric,
  forEachSpan,
  readSpool,
} from '@otelspool/exporter-jsonl';
import type {
  KeyValue,
  LogRecord,
  LogsData,
  Metric,
  MetricsData,
  Resource,
  Signal,
  Span,
  TracesData,
} from '@otelspool/exporter-jsonl';

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

export function spansOf(c: Collected): Array<{ resource: Resource | undefined; span: Span }> {
  const out: Array<{ resource: Resource | undefined; span: Span }> = [];
  for (const t of c.traces)
    forEachSpan(t, (span, _s, r) => out.push({ resource: r.resource, span }));
  return out;
}

export function logsOf(c: Collected): Array<{ resource: Resource | undefined; log: LogRecord }> {
  const out: Array<{ resource: Resource | undefined; log: LogRecord }> = [];
  for (const l of c.logs)
    forEachLogRecord(l, (log, _s, r) => out.push({ resource: r.resource, log }));
  return out;
}

export function metricsOf(c: Collected): Array<{ resource: Resource | undefined; metric: Metric }> {
  const out: Array<{ resource: Resource | undefined; metric: Metric }> = [];
  for (const m of c.metrics)
    forEachMetric(m, (metric, _s, r) => out.push({ resource: r.resource, metric }));
  return out;
}

/** A scalar attribute's value as written (int64 as its decimal string), undefined when absent. */
export function attr(attributes: readonly KeyValue[] | undefined, key: string): unknown {
  const value = findAttribute(attributes, key);
  if (!value) return undefined;
  return value.stringValue ?? value.intValue ?? value.doubleValue ?? value.boolValue;
}
