import {
  countRecords,
  forEachLogRecord,
  forEachSpan,
  readSpool,
  type LogsData,
  type Signal,
  type TracesData,
} from '@otelspool/exporter-jsonl';
import { isCrashLog, isCrashSpan } from '../processors/processors.js';

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
      forEachLogRecord(record.data as LogsData, (r) => {
        if (isCrashLog(r)) crashesOnly.logs++;
      });
    } else if (record.signal === 'traces') {
      forEachSpan(record.data as TracesData, (s) => {
        if (isCrashSpan(s)) crashesOnly.traces++;
      });
    }
  }
  return { all, crashesOnly };
}
