import {
  forEachLogRecord,
  forEachMetric,
  forEachSpan,
  readSpool,
  type LogRecord,
  type LogsData,
  type Metric,
  type MetricsData,
  type OtlpData,
  type Signal,
  type Span,
  type TracesData,
} from '@otelspool/exporter-jsonl';

/** Every record in the spool for a signal, read through the shared reader. */
export async function readAll(dir: string, signal: Signal): Promise<OtlpData[]> {
  const out: OtlpData[] = [];
  for await (const r of readSpool(dir, { signals: [signal], quarantine: false })) out.push(r.data);
  return out;
}

export function spansOf(datas: OtlpData[]): Span[] {
  const out: Span[] = [];
  for (const d of datas) forEachSpan(d as TracesData, (span) => out.push(span));
  return out;
}
export function logsOf(datas: OtlpData[]): LogRecord[] {
  const out: LogRecord[] = [];
  for (const d of datas) forEachLogRecord(d as LogsData, (record) => out.push(record));
  return out;
}
export function metricsOf(datas: OtlpData[]): Metric[] {
  const out: Metric[] = [];
  for (const d of datas) forEachMetric(d as MetricsData, (metric) => out.push(metric));
  return out;
}
