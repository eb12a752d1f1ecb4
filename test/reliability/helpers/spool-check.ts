import { readFile, stat } from 'node:fs/promises';
import { listSegments, readSpool, type MalformedEntry } from '@otelspool/exporter-jsonl';
import { recordKeys, type Signal } from './otlp-sink.js';

type Obj = Record<string, unknown>;
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

function attr(attrs: unknown, key: string): unknown {
  for (const kv of arr(attrs)) {
    if (kv.key === key) {
      const v = kv.value as Obj | undefined;
      return v?.stringValue ?? v?.intValue ?? v?.boolValue ?? v?.doubleValue;
    }
  }
  return undefined;
}

export interface SpoolScan {
  records: Record<Signal, number>;
  lines: number;
  /**
   * Metric entries (one metric of one scope of one resource). The SDK's metric exporter counts
   * these as its "records", while the reader and the collector count data points.
   */
  metricEntries: number;
  /** session.id → rel.id values of spans / logs found. */
  spanIds: Map<string, Set<string>>;
  logIds: Map<string, Set<string>>;
  /** session.id of every FATAL (severity 21) log record: crashes recorded in the spool. */
  fatalSessions: Set<string>;
  /** Every record's identity (as the sink computes it on the same data). */
  keys: Record<Signal, string[]>;
  malformed: MalformedEntry[];
  segments: number;
  /**
   * Segments whose last bytes are not a complete line. Every '\n'-terminated line is read by
   * the reader (or reported in `malformed`), so "at most one torn line per segment" is exactly:
   * malformed is empty and only a segment's unterminated tail is torn.
   */
  tornSegments: number;
}

const add = (m: Map<string, Set<string>>, session: string, id: string): void => {
  let s = m.get(session);
  if (!s) m.set(session, (s = new Set()));
  s.add(id);
};

/** Reads a whole spool with the one reader, and checks each segment's bytes for torn lines. */
export interface ScanOptions {
  /** Signals whose record keys are collected in `keys` (default all three). */
  keys?: Signal[];
  /** Collect rel.id values per session in spanIds/logIds (default true). */
  ids?: boolean;
}

export async function scanSpool(dir: string, options: ScanOptions = {}): Promise<SpoolScan> {
  const keySignals = new Set<Signal>(options.keys ?? ['traces', 'metrics', 'logs']);
  const collectIds = options.ids ?? true;
  const scan: SpoolScan = {
    records: { traces: 0, metrics: 0, logs: 0 },
    lines: 0,
    metricEntries: 0,
    spanIds: new Map(),
    logIds: new Map(),
    fatalSessions: new Set(),
    keys: { traces: [], metrics: [], logs: [] },
    malformed: [],
    segments: 0,
    tornSegments: 0,
  };
  for await (const rec of readSpool(dir, { onMalformed: (e) => scan.malformed.push(e) })) {
    scan.lines++;
    const keys = recordKeys(rec.signal, rec.data);
    scan.records[rec.signal] += keys.length;
    if (keySignals.has(rec.signal)) for (const k of keys) scan.keys[rec.signal].push(k);
    const data = rec.data as unknown as Obj;
    if (rec.signal === 'traces') {
      for (const rs of arr(data.resourceSpans)) {
        const session = String(attr((rs.resource as Obj | undefined)?.attributes, 'session.id'));
        for (const ss of arr(rs.scopeSpans))
          for (const s of arr(ss.spans)) {
            const id = attr(s.attributes, 'rel.id');
            if (typeof id === 'string' && collectIds) add(scan.spanIds, session, id);
          }
      }
    } else if (rec.signal === 'metrics') {
      for (const rm of arr(data.resourceMetrics))
        for (const sm of arr(rm.scopeMetrics)) scan.metricEntries += arr(sm.metrics).length;
    } else if (rec.signal === 'logs') {
      for (const rl of arr(data.resourceLogs)) {
        const session = String(attr((rl.resource as Obj | undefined)?.attributes, 'session.id'));
        for (const sl of arr(rl.scopeLogs))
          for (const l of arr(sl.logRecords)) {
            if (l.severityNumber === 21) scan.fatalSessions.add(session);
            const id = attr(l.attributes, 'rel.id');
            if (typeof id === 'string' && collectIds) add(scan.logIds, session, id);
          }
      }
    }
  }
  for (const seg of await listSegments(dir)) {
    if (seg.compressed) continue;
    const st = await stat(seg.file).catch(() => undefined);
    if (!st?.isFile()) continue; // a directory named like a segment (fault tests)
    scan.segments++;
    const bytes = await readFile(seg.file);
    if (bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a) {
      scan.tornSegments++;
    }
  }
  return scan;
}

/**
 * Data points of the metrics each `spool sync` run appends to the spool about itself (scope
 * `@otelspool/cli`: records sent, requests failed), so a test can tell them from the records
 * its writers produced.
 */
export async function syncSelfMetricPoints(dir: string): Promise<number> {
  let points = 0;
  for await (const record of readSpool(dir, { signals: ['metrics'] })) {
    const data = record.data as {
      resourceMetrics?: {
        scopeMetrics?: {
          scope?: { name?: string };
          metrics?: { sum?: { dataPoints?: unknown[] } }[];
        }[];
      }[];
    };
    for (const rm of data.resourceMetrics ?? [])
      for (const sm of rm.scopeMetrics ?? [])
        if (sm.scope?.name === '@otelspool/cli')
          for (const m of sm.metrics ?? []) points += m.sum?.dataPoints?.length ?? 0;
  }
  return points;
}
