import { randomBytes } from 'node:crypto';
import { SpoolWriter } from '@otelspool/exporter-jsonl';

const resource = (service: string) => ({
  attributes: [{ key: 'service.name', value: { stringValue: service } }],
});

/** One OTLP/JSON TracesData line holding `spans` spans with fresh random ids. */
export function tracesLine(spans: number, tag: string): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  return JSON.stringify({
    resourceSpans: [
      {
        resource: resource('synthetic'),
        scopeSpans: [
          {
            scope: { name: 'rel' },
            spans: Array.from({ length: spans }, (_, i) => ({
              traceId: randomBytes(16).toString('hex'),
              spanId: randomBytes(8).toString('hex'),
              name: `op ${tag}-${i}`,
              kind: 1,
              startTimeUnixNano: String(now),
              endTimeUnixNano: String(now + 1000n),
              attributes: [{ key: 'rel.id', value: { stringValue: `${tag}-${i}` } }],
              status: {},
            })),
          },
        ],
      },
    ],
  });
}

export function logsLine(records: number, tag: string): string {
  const now = String(BigInt(Date.now()) * 1_000_000n);
  return JSON.stringify({
    resourceLogs: [
      {
        resource: resource('synthetic'),
        scopeLogs: [
          {
            scope: { name: 'rel' },
            logRecords: Array.from({ length: records }, (_, i) => ({
              timeUnixNano: now,
              observedTimeUnixNano: now,
              severityNumber: 9,
              severityText: 'INFO',
              body: { stringValue: `log ${tag}-${i}` },
              attributes: [{ key: 'rel.id', value: { stringValue: `${tag}-${i}` } }],
            })),
          },
        ],
      },
    ],
  });
}

export function metricsLine(points: number, tag: string): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  return JSON.stringify({
    resourceMetrics: [
      {
        resource: resource('synthetic'),
        scopeMetrics: [
          {
            scope: { name: 'rel' },
            metrics: [
              {
                name: 'rel.count',
                sum: {
                  aggregationTemporality: 2,
                  isMonotonic: true,
                  dataPoints: Array.from({ length: points }, (_, i) => ({
                    startTimeUnixNano: String(now),
                    timeUnixNano: String(now + BigInt(i)),
                    asInt: String(i),
                    attributes: [{ key: 'rel.id', value: { stringValue: `${tag}-${i}` } }],
                  })),
                },
              },
            ],
          },
        ],
      },
    ],
  });
}

/** Writes `lines` lines per signal (each with `perLine` records) with the real SpoolWriter. */
export async function writeSyntheticSpool(
  dir: string,
  lines: { traces: number; logs: number; metrics: number },
  perLine = 1,
): Promise<{ traces: number; logs: number; metrics: number }> {
  const writer = new SpoolWriter({ dir, durability: 'none', maxQueueBytes: 256 * 1024 * 1024 });
  for (let i = 0; i < lines.traces; i++)
    writer.append('traces', tracesLine(perLine, `t${i}`), perLine);
  for (let i = 0; i < lines.logs; i++) writer.append('logs', logsLine(perLine, `l${i}`), perLine);
  for (let i = 0; i < lines.metrics; i++)
    writer.append('metrics', metricsLine(perLine, `m${i}`), perLine);
  await writer.flush();
  const s = writer.stats();
  await writer.shutdown();
  if (s.written.records !== (lines.traces + lines.logs + lines.metrics) * perLine)
    throw new Error(`synthetic spool incomplete: ${JSON.stringify(s)}`);
  return {
    traces: lines.traces * perLine,
    logs: lines.logs * perLine,
    metrics: lines.metrics * perLine,
  };
}
