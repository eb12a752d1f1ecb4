// Test helper: writes OTLP/JSON lines into a spool directory in its on-disk layout
// (packages/exporter-jsonl/src/layout/spool-layout.ts: one folder per signal, one
// ExportXServiceRequest per line of a segment file).
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Signal } from '@otelspool/exporter-jsonl';

export function makeSpoolDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'otelspool-web-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

let sequence = 0;

/** A segment file name as the writer makes it: <utc>_<pid>_<rand4hex>_<seq6>.jsonl */
export function segmentName(at = new Date()): string {
  const utc = at.toISOString().replace(/[-:]/g, '').replace('.', '');
  sequence++;
  return `${utc}_${process.pid}_beef_${String(sequence).padStart(6, '0')}.jsonl`;
}

/** Appends OTLP objects as lines to `<dir>/<signal>/<segment>`; returns the file path. */
export function appendLines(
  dir: string,
  signal: Signal,
  segment: string,
  lines: unknown[],
): string {
  mkdirSync(join(dir, signal), { recursive: true, mode: 0o700 });
  const file = join(dir, signal, segment);
  appendFileSync(file, lines.map((l) => JSON.stringify(l) + '\n').join(''), { mode: 0o600 });
  return file;
}

export interface FixtureSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startMs: number;
  durationMs: number;
  error?: boolean;
  attributes?: Record<string, string>;
}

const resource = (service: string, host: string, version: string) => ({
  attributes: [
    { key: 'service.name', value: { stringValue: service } },
    { key: 'service.version', value: { stringValue: version } },
    { key: 'host.name', value: { stringValue: host } },
  ],
});

const msToNanos = (ms: number): string => (BigInt(Math.round(ms * 1000)) * 1000n).toString();

/** One OTLP TracesData line holding `spans` for one service. */
export function tracesLine(
  spans: FixtureSpan[],
  service = 'demo-host',
  host = 'studio-1',
  version = '1.4.2',
) {
  return {
    resourceSpans: [
      {
        resource: resource(service, host, version),
        scopeSpans: [
          {
            scope: { name: 'demo' },
            spans: spans.map((s) => ({
              traceId: s.traceId,
              spanId: s.spanId,
              ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
              name: s.name,
              kind: 1,
              startTimeUnixNano: msToNanos(s.startMs),
              endTimeUnixNano: msToNanos(s.startMs + s.durationMs),
              attributes: Object.entries(s.attributes ?? {}).map(([key, v]) => ({
                key,
                value: { stringValue: v },
              })),
              status: s.error ? { code: 2, message: 'boom' } : {},
            })),
          },
        ],
      },
    ],
  };
}

export const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

/**
 * A crash report file in the shape @otelspool/crash writes (CrashReport, schemaVersion 1),
 * for handler tests that need exact contents; the browser test makes a real crash instead.
 */
export function writeCrashReportFixture(
  dir: string,
  at: { id: string; time: string; host?: string; version?: string },
): string {
  mkdirSync(join(dir, 'crashes'), { recursive: true, mode: 0o700 });
  const compact = at.time.replace(/[-:]/g, '').replace('.', '');
  const report = {
    schemaVersion: 1,
    id: at.id,
    time: at.time,
    origin: 'uncaughtException',
    fatal: true,
    signature: {
      id: 'sig0000000000001',
      version: 1,
      parts: ['TypeError', 'loadPresetBank@app/host.js'],
    },
    error: {
      type: 'TypeError',
      message: 'preset bank is corrupt',
      stack: 'TypeError: preset bank is corrupt\n    at loadPresetBank (/app/host.js:4:39)',
      frames: [
        {
          inApp: true,
          raw: 'loadPresetBank (/app/host.js:4:39)',
          function: 'loadPresetBank',
          file: '/app/host.js',
          line: 4,
          column: 39,
        },
        {
          inApp: false,
          raw: 'listOnTimeout (node:internal/timers:685:17)',
          function: 'listOnTimeout',
          file: 'node:internal/timers',
          line: 685,
          column: 17,
        },
      ],
    },
    session: {
      id: `session-${at.id}`,
      installId: 'install-1',
      startedAt: at.time,
      launchCompleted: true,
    },
    breadcrumbs: [{ timestamp: at.time, category: 'plugin', message: 'loaded reverb' }],
    resource: {
      'service.name': 'demo-host',
      'service.version': at.version ?? '1.4.2',
      'host.name': at.host ?? 'studio-1',
    },
    process: { pid: 4242 },
  };
  writeFileSync(
    join(dir, 'crashes', `crash_report_${compact}_${at.id}.json`),
    JSON.stringify(report, null, 2),
    { mode: 0o600 },
  );
  return at.id;
}

export interface FixtureLog {
  timeMs: number;
  severityNumber?: number;
  severityText?: string;
  body?: string;
  eventName?: string;
  traceId?: string;
  spanId?: string;
  attributes?: Record<string, string>;
}

/** One OTLP LogsData line holding `records` for one service. */
export function logsLine(
  records: FixtureLog[],
  service = 'demo-host',
  host = 'studio-1',
  version = '1.4.2',
) {
  return {
    resourceLogs: [
      {
        resource: resource(service, host, version),
        scopeLogs: [
          {
            scope: { name: 'demo' },
            logRecords: records.map((r) => ({
              timeUnixNano: msToNanos(r.timeMs),
              ...(r.severityNumber !== undefined ? { severityNumber: r.severityNumber } : {}),
              ...(r.severityText !== undefined ? { severityText: r.severityText } : {}),
              ...(r.body !== undefined ? { body: { stringValue: r.body } } : {}),
              ...(r.eventName !== undefined ? { eventName: r.eventName } : {}),
              ...(r.traceId !== undefined ? { traceId: r.traceId } : {}),
              ...(r.spanId !== undefined ? { spanId: r.spanId } : {}),
              attributes: Object.entries(r.attributes ?? {}).map(([key, v]) => ({
                key,
                value: { stringValue: v },
              })),
            })),
          },
        ],
      },
    ],
  };
}
