// Hand-made spools for the analysis and command tests: OTLP-JSON lines written straight into
// segment files (as the writer names them), ledger lines, crash reports and sync cursors.
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CrashReport } from '@otelspool/crash';

/** 2026-11-20T12:00:00Z: every fixture time is relative to this. */
export const T0 = Date.UTC(2026, 10, 20, 12, 0, 0);
const NS_PER_MS = 1_000_000n;

export function ns(ms: number): string {
  return (BigInt(Math.round(ms * 1000)) * (NS_PER_MS / 1000n)).toString();
}

export function tempSpool(prefix = 'spool-analysis-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

let seq = 0;
/** A segment file name the way the writer makes them: time_pid_rand_seq.jsonl. */
export function segmentName(pid = 4242): string {
  seq++;
  return `20261120T120000000Z_${pid}_beef_${String(seq).padStart(6, '0')}.jsonl`;
}

export function appendLines(
  dir: string,
  signal: 'traces' | 'metrics' | 'logs',
  file: string,
  lines: unknown[],
): string {
  mkdirSync(join(dir, signal), { recursive: true });
  const path = join(dir, signal, file);
  appendFileSync(
    path,
    lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l)) + '\n').join(''),
  );
  return path;
}

function kv(key: string, value: string | number | boolean): unknown {
  if (typeof value === 'string') return { key, value: { stringValue: value } };
  if (typeof value === 'boolean') return { key, value: { boolValue: value } };
  return Number.isInteger(value)
    ? { key, value: { intValue: String(value) } }
    : { key, value: { doubleValue: value } };
}

export function resource(service: string, extra: Record<string, string | number> = {}): unknown {
  return {
    attributes: [kv('service.name', service), ...Object.entries(extra).map(([k, v]) => kv(k, v))],
  };
}

export interface SpanSpec {
  name: string;
  startMs: number;
  durationMs: number;
  error?: boolean;
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  attributes?: Record<string, string | number>;
  events?: { name: string; atMs: number; attributes?: Record<string, string> }[];
}

let idCounter = 0;
export function hexId(len: number): string {
  idCounter++;
  return idCounter.toString(16).padStart(len, '0');
}

export function spanJson(s: SpanSpec): unknown {
  return {
    traceId: s.traceId ?? hexId(32),
    spanId: s.spanId ?? hexId(16),
    ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
    name: s.name,
    kind: 1,
    startTimeUnixNano: ns(s.startMs),
    endTimeUnixNano: ns(s.startMs + s.durationMs),
    attributes: Object.entries(s.attributes ?? {}).map(([k, v]) => kv(k, v)),
    ...(s.events
      ? {
          events: s.events.map((e) => ({
            name: e.name,
            timeUnixNano: ns(e.atMs),
            attributes: Object.entries(e.attributes ?? {}).map(([k, v]) => kv(k, v)),
          })),
        }
      : {}),
    status: s.error ? { code: 2, message: 'boom' } : {},
  };
}

/** One TracesData line with the spans of one service (resource attributes in `res`). */
export function tracesLine(
  service: string,
  spans: SpanSpec[],
  res: Record<string, string | number> = {},
): unknown {
  return {
    resourceSpans: [
      {
        resource: resource(service, res),
        scopeSpans: [{ scope: { name: 'test' }, spans: spans.map(spanJson) }],
      },
    ],
  };
}

export interface LogSpec {
  atMs: number;
  eventName?: string;
  eventNameAttr?: string;
  severityNumber?: number;
  body?: string;
  traceId?: string;
}

export function logsLine(
  service: string,
  logs: LogSpec[],
  res: Record<string, string | number> = {},
): unknown {
  return {
    resourceLogs: [
      {
        resource: resource(service, res),
        scopeLogs: [
          {
            scope: { name: 'test' },
            logRecords: logs.map((l) => ({
              timeUnixNano: ns(l.atMs),
              ...(l.severityNumber ? { severityNumber: l.severityNumber } : {}),
              ...(l.body ? { body: { stringValue: l.body } } : {}),
              ...(l.eventName ? { eventName: l.eventName } : {}),
              ...(l.traceId ? { traceId: l.traceId, spanId: hexId(16) } : {}),
              attributes: l.eventNameAttr ? [kv('event.name', l.eventNameAttr)] : [],
            })),
          },
        ],
      },
    ],
  };
}

export type MetricSpec =
  | {
      kind: 'gauge';
      name: string;
      points: { atMs: number; value: number; attrs?: Record<string, string> }[];
    }
  | {
      kind: 'sum';
      name: string;
      temporality: 1 | 2;
      startMs: number;
      points: { atMs: number; value: number; attrs?: Record<string, string> }[];
    };

export function metricsLine(
  service: string,
  metrics: MetricSpec[],
  res: Record<string, string | number> = {},
): unknown {
  const point = (
    p: { atMs: number; value: number; attrs?: Record<string, string> },
    startMs?: number,
  ): unknown => ({
    ...(startMs !== undefined ? { startTimeUnixNano: ns(startMs) } : {}),
    timeUnixNano: ns(p.atMs),
    ...(Number.isInteger(p.value) ? { asInt: String(p.value) } : { asDouble: p.value }),
    attributes: Object.entries(p.attrs ?? {}).map(([k, v]) => kv(k, v)),
  });
  return {
    resourceMetrics: [
      {
        resource: resource(service, res),
        scopeMetrics: [
          {
            scope: { name: 'test' },
            metrics: metrics.map((m) =>
              m.kind === 'gauge'
                ? { name: m.name, gauge: { dataPoints: m.points.map((p) => point(p)) } }
                : {
                    name: m.name,
                    sum: {
                      aggregationTemporality: m.temporality,
                      isMonotonic: true,
                      dataPoints: m.points.map((p) => point(p, m.startMs)),
                    },
                  },
            ),
          },
        ],
      },
    ],
  };
}

export interface SessionSpec {
  id: string;
  installId: string;
  startedMs: number;
  state?: 'exited' | 'crashed' | 'abnormal';
  endedMs?: number;
  service?: string;
  host?: string;
  launchCompleted?: boolean;
}

export function writeLedger(dir: string, sessions: SessionSpec[]): void {
  mkdirSync(join(dir, 'session'), { recursive: true });
  const lines: string[] = [];
  for (const s of sessions) {
    lines.push(
      JSON.stringify({
        v: 1,
        event: 'start',
        id: s.id,
        installId: s.installId,
        pid: 100,
        startedAt: new Date(s.startedMs).toISOString(),
        serviceName: s.service ?? 'synth',
        serviceVersion: '1.0.0',
        hostName: s.host ?? 'host-a',
        os: { type: 'linux', version: '6' },
      }),
    );
    if (s.state) {
      lines.push(
        JSON.stringify({
          v: 1,
          event: 'end',
          id: s.id,
          state: s.state,
          endedAt: new Date(s.endedMs ?? s.startedMs + 60_000).toISOString(),
          ...(s.launchCompleted !== undefined ? { launchCompleted: s.launchCompleted } : {}),
        }),
      );
    }
  }
  appendFileSync(join(dir, 'session', 'ledger.jsonl'), lines.join('\n') + '\n');
}

export interface CrashSpec {
  id: string;
  atMs: number;
  signature: string;
  sessionId: string;
  installId: string;
  host: string;
  version: string;
  service?: string;
  message?: string;
  traceId?: string;
  launchCompleted?: boolean;
}

export function writeCrash(dir: string, c: CrashSpec): CrashReport {
  const time = new Date(c.atMs).toISOString();
  const report: CrashReport = {
    schemaVersion: 1,
    id: c.id,
    time,
    origin: 'uncaughtException',
    fatal: true,
    signature: { id: c.signature, version: 1, parts: ['TypeError', 'loadPresetBank@app/host.mjs'] },
    error: {
      type: 'TypeError',
      message: c.message ?? 'preset bank "Warm Pads" is corrupt',
      stack: `TypeError: ${c.message ?? 'preset bank "Warm Pads" is corrupt'}\n    at loadPresetBank (~/app/host.mjs:4:39)\n    at main (~/app/host.mjs:9:3)`,
      frames: [
        {
          function: 'loadPresetBank',
          file: '~/app/host.mjs',
          line: 4,
          column: 39,
          inApp: true,
          raw: 'loadPresetBank (~/app/host.mjs:4:39)',
        },
        {
          function: 'main',
          file: '~/app/host.mjs',
          line: 9,
          column: 3,
          inApp: true,
          raw: 'main (~/app/host.mjs:9:3)',
        },
      ],
    },
    session: {
      id: c.sessionId,
      installId: c.installId,
      startedAt: time,
      launchCompleted: c.launchCompleted ?? true,
    },
    breadcrumbs: [
      {
        timestamp: new Date(c.atMs - 2000).toISOString(),
        category: 'plugin',
        level: 'info',
        message: 'loaded reverb | chorus',
      },
      {
        timestamp: new Date(c.atMs - 1000).toISOString(),
        category: 'preset',
        level: 'warning',
        message: 'opening Warm Pads',
      },
    ],
    resource: {
      'service.name': c.service ?? 'synth',
      'service.version': c.version,
      'host.name': c.host,
      'session.id': c.sessionId,
    },
    process: { pid: 100 },
    ...(c.traceId ? { trace: { traceId: c.traceId, spanId: 'aaaaaaaaaaaaaaaa' } } : {}),
  };
  mkdirSync(join(dir, 'crashes'), { recursive: true });
  const compact = time.replace(/[-:.]/g, '');
  writeFileSync(
    join(dir, 'crashes', `crash_report_${compact}_${c.id}.json`),
    JSON.stringify(report, null, 2),
  );
  return report;
}

/** Exact quantile the way DDSketch ranks: the value at index floor(q × (n − 1)) of the sorted list. */
export function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))] as number;
}
