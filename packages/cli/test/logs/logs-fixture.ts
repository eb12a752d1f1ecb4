// A spool for the `spool logs` tests, written by the real SpoolWriter: log records with known
// severities, bodies (text, JSON text, a map), attributes, trace ids and sessions.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  SpoolWriter,
  type AnyValue,
  type KeyValue,
  type LogsData,
} from '@otelspool/exporter-jsonl';

/** 2026-11-20T12:00:00Z; record i is at T0 + i s. */
export const T0 = Date.UTC(2026, 10, 20, 12, 0, 0);
export const TRACE_A = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
export const TRACE_B = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';

const ns = (ms: number): string => (BigInt(ms) * 1_000_000n).toString();

export function value(v: string | number | boolean | Record<string, string>): AnyValue {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number')
    return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  return {
    kvlistValue: {
      values: Object.entries(v).map(([key, s]) => ({ key, value: { stringValue: s } })),
    },
  };
}

export function attrs(map: Record<string, string | number | boolean>): KeyValue[] {
  return Object.entries(map).map(([key, v]) => ({ key, value: value(v) }));
}

export interface LogSpec {
  atMs: number;
  severityNumber?: number;
  severityText?: string;
  body?: string | Record<string, string>;
  attributes?: Record<string, string | number | boolean>;
  traceId?: string;
  eventName?: string;
}

export function logsData(resource: Record<string, string>, logs: LogSpec[]): LogsData {
  return {
    resourceLogs: [
      {
        resource: { attributes: attrs(resource) },
        scopeLogs: [
          {
            scope: { name: 'logs-test', version: '1.0.0' },
            logRecords: logs.map((l) => ({
              timeUnixNano: ns(l.atMs),
              observedTimeUnixNano: ns(l.atMs),
              ...(l.severityNumber !== undefined ? { severityNumber: l.severityNumber } : {}),
              ...(l.severityText !== undefined ? { severityText: l.severityText } : {}),
              ...(l.body !== undefined ? { body: value(l.body) } : {}),
              ...(l.eventName !== undefined ? { eventName: l.eventName } : {}),
              attributes: attrs(l.attributes ?? {}),
              ...(l.traceId ? { traceId: l.traceId, spanId: '0123456789abcdef' } : {}),
            })),
          },
        ],
      },
    ],
  };
}

export const SYNTH = {
  'service.name': 'synth',
  'service.version': '1.2.3',
  'host.name': 'box-1',
  'deployment.environment': 'prod',
  'session.id': 'sess-A',
};
export const OTHER = { 'service.name': 'other', 'host.name': 'box-2', 'session.id': 'sess-C' };

/** The records, by the body each test looks for. */
export const SYNTH_LOGS: LogSpec[] = [
  {
    atMs: T0,
    severityNumber: 9,
    severityText: 'INFO',
    body: 'startup complete',
    attributes: { 'plugin.id': 'reverb' },
  },
  {
    atMs: T0 + 1000,
    severityNumber: 13,
    severityText: 'WARN',
    body: 'buffer underrun xrun',
    attributes: { 'plugin.id': 'reverb', 'buffer.size': 256 },
    traceId: TRACE_A,
  },
  {
    atMs: T0 + 2000,
    severityNumber: 17,
    severityText: 'ERROR',
    body: 'xrun detected in bufffer',
    attributes: { 'plugin.id': 'compressor' },
    traceId: TRACE_B,
  },
  {
    atMs: T0 + 3000,
    severityText: 'ERROR',
    body: '{"level":"error","msg":"json failure","code":42}',
  },
  {
    atMs: T0 + 4000,
    severityNumber: 21,
    severityText: 'FATAL',
    body: 'crash: out of memory',
    attributes: { 'session.id': 'sess-B' },
  },
  { atMs: T0 + 5000, severityNumber: 5, severityText: 'DEBUG', body: 'debug xrun details' },
  { atMs: T0 + 7000, severityNumber: 9, body: { level: 'warn', msg: 'structured' } },
];
export const OTHER_LOGS: LogSpec[] = [
  { atMs: T0 + 6000, severityNumber: 17, severityText: 'ERROR', body: 'other failed' },
];

/** Writes the two services' records (two spool lines) into a new spool dir. */
export async function writeLogsSpool(): Promise<{ dir: string; cleanup: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'spool-logs-'));
  await appendLogs(dir, SYNTH, SYNTH_LOGS);
  await appendLogs(dir, OTHER, OTHER_LOGS);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** One spool line of `logs` through a SpoolWriter of its own (a new segment), on disk when it resolves. */
export async function appendLogs(
  dir: string,
  resource: Record<string, string>,
  logs: LogSpec[],
): Promise<void> {
  const writer = new SpoolWriter({ dir, durability: 'batch' });
  try {
    const ok = await writer.write('logs', JSON.stringify(logsData(resource, logs)), logs.length);
    if (!ok) throw new Error('SpoolWriter dropped the fixture line');
  } finally {
    await writer.shutdown();
  }
}
