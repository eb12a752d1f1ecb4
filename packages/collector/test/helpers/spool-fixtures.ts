import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SpoolWriter } from '@otelspool/exporter-jsonl';
import type {
  LogsData,
  MetricsData,
  OtlpData,
  Signal,
  TracesData,
} from '@otelspool/exporter-jsonl';
import type { ReceivedRequest } from './otlp-test-server.js';

/** One spool line: `perLine` log records with bodies `<tag>-<n>`. */
export function logsLine(start: number, perLine = 1, tag = 'rec'): LogsData {
  return {
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'sync-test' } }] },
        scopeLogs: [
          {
            scope: { name: 'test' },
            logRecords: Array.from({ length: perLine }, (_, i) => ({
              timeUnixNano: String(BigInt(Date.now()) * 1_000_000n + BigInt(start + i)),
              severityNumber: 9,
              body: { stringValue: `${tag}-${start + i}` },
              attributes: [{ key: 'n', value: { intValue: String(start + i) } }],
            })),
          },
        ],
      },
    ],
  };
}

export function tracesLine(start: number, perLine = 1): TracesData {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'sync-test' } }] },
        scopeSpans: [
          {
            scope: { name: 'test' },
            spans: Array.from({ length: perLine }, (_, i) => ({
              traceId: (start + i).toString(16).padStart(32, '0'),
              spanId: (start + i + 1).toString(16).padStart(16, '0'),
              name: `span-${start + i}`,
              kind: 1,
              startTimeUnixNano: '1700000000000000000',
              endTimeUnixNano: '1700000001000000000',
            })),
          },
        ],
      },
    ],
  };
}

export function metricsLine(start: number, timeMs = Date.now()): MetricsData {
  return {
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'sync-test' } }] },
        scopeMetrics: [
          {
            scope: { name: 'test' },
            metrics: [
              {
                name: 'work.done',
                sum: {
                  aggregationTemporality: 2,
                  isMonotonic: true,
                  dataPoints: [
                    {
                      startTimeUnixNano: String(BigInt(timeMs - 1000) * 1_000_000n),
                      timeUnixNano: String(BigInt(timeMs) * 1_000_000n),
                      asInt: String(start),
                    },
                  ],
                },
              },
            ],
          },
        ],
      },
    ],
  };
}

/** Writes lines through the real SpoolWriter and waits until they are on disk. */
export async function writeSpool(
  dir: string,
  lines: { signal: Signal; data: OtlpData; records: number }[],
): Promise<void> {
  const writer = new SpoolWriter({ dir, durability: 'none' });
  for (const l of lines) writer.append(l.signal, JSON.stringify(l.data), l.records);
  await writer.shutdown();
}

/**
 * A sealed segment written by hand in the spool's file format, named for a writer pid that
 * no longer exists (as after the writing process exited).
 */
export function writeSealedSegment(
  dir: string,
  signal: Signal,
  seq: number,
  datas: OtlpData[],
): string {
  const name = `20260101T000000000Z_999999_abcd_${String(seq).padStart(6, '0')}.jsonl`;
  mkdirSync(join(dir, signal), { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, signal, name), datas.map((d) => JSON.stringify(d)).join('\n') + '\n', {
    mode: 0o600,
  });
  return name;
}

/** Log bodies in acknowledged requests, in arrival order (duplicates kept). */
export function acceptedBodies(requests: ReceivedRequest[]): string[] {
  const out: string[] = [];
  for (const r of requests) {
    if (!r.accepted || r.signal !== 'logs') continue;
    for (const rl of (r.data as LogsData).resourceLogs ?? [])
      for (const sl of rl.scopeLogs ?? [])
        for (const rec of sl.logRecords ?? []) out.push(rec.body?.stringValue ?? '');
  }
  return out;
}
