import type { LogsData, Signal, TracesData } from '../otlp/types.js';
import { countRecords } from '../otlp/records.js';
import { isCrashLog, isCrashSpan } from '../processors/processors.js';
import { readSpool } from '../spool/spool-api.js';

export type SignalCounts = Record<Signal, number>;

export interface ConsentPreview {
  /** Records in the spool a full grant would let a sync upload. */
  all: SignalCounts;
  /** The subset a crashes-only grant would upload. */
  crashesOnly: SignalCounts;
}

/** What each kind of grant would let leave: records on disk, per signal (read-only). */
export async function previewConsent(dir: string): Promise<ConsentPreview> {
  const all: SignalCounts = { traces: 0, metrics: 0, logs: 0 };
  const crashesOnly: SignalCounts = { traces: 0, metrics: 0, logs: 0 };
  for await (const record of readSpool(dir, { quarantine: false })) {
    all[record.signal] += countRecords(record.signal, record.data);
    if (record.signal === 'logs') {
      for (const rl of (record.data as LogsData).resourceLogs ?? [])
        for (const sl of rl.scopeLogs ?? [])
          for (const r of sl.logRecords ?? []) if (isCrashLog(r)) crashesOnly.logs++;
    } else if (record.signal === 'traces') {
      for (const rs of (record.data as TracesData).resourceSpans ?? [])
        for (const ss of rs.scopeSpans ?? [])
          for (const s of ss.spans ?? []) if (isCrashSpan(s)) crashesOnly.traces++;
    }
  }
  return { all, crashesOnly };
}
