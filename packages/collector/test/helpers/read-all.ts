import { readSpool } from '@otelspool/exporter-jsonl';
import type { LogsData, MetricsData, OtlpData, Signal, TracesData } from '../../src/otlp/index.js';
import { metricPoints } from '../../src/otlp/index.js';

/** Every record in the spool for a signal, read through the shared reader. */
export async function readAll(dir: string, signal: Signal): Promise<OtlpData[]> {
  const out: OtlpData[] = [];
  for await (const r of readSpool(dir, { signals: [signal], quarantine: false }))
    out.push(r.data as OtlpData);
  return out;
}

export function spansOf(datas: OtlpData[]) {
  return datas.flatMap((d) =>
    ((d as TracesData).resourceSpans ?? []).flatMap((rs) =>
      (rs.scopeSpans ?? []).flatMap((ss) => ss.spans ?? []),
    ),
  );
}
export function logsOf(datas: OtlpData[]) {
  return datas.flatMap((d) =>
    ((d as LogsData).resourceLogs ?? []).flatMap((rl) =>
      (rl.scopeLogs ?? []).flatMap((sl) => sl.logRecords ?? []),
    ),
  );
}
export function metricsOf(datas: OtlpData[]) {
  return datas.flatMap((d) =>
    ((d as MetricsData).resourceMetrics ?? []).flatMap((rm) =>
      (rm.scopeMetrics ?? []).flatMap((sm) => sm.metrics ?? []),
    ),
  );
}
export { metricPoints };
