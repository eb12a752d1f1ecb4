import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseOtlpJson } from '@otelspool/exporter-jsonl';
import {
  appendLines,
  logsLine,
  metricsLine,
  ns,
  segmentName,
  T0,
  tempSpool,
  tracesLine,
} from '../analysis/report-fixture.js';
import { run } from './capture.js';

const TRACE_A = '0000000000000000000000000000000a';
const TRACE_B = '0000000000000000000000000000000b';
let dir: string;
let cleanup: () => void;

beforeAll(() => {
  ({ dir, cleanup } = tempSpool('spool-export-cmd-'));
  appendLines(dir, 'traces', segmentName(), [
    tracesLine('host', [
      {
        name: 'root',
        startMs: T0 + 0.5,
        durationMs: 10.25,
        traceId: TRACE_A,
        spanId: '00000000000000a1',
        events: [
          { name: 'exception', atMs: T0 + 5, attributes: { 'exception.type': 'TypeError' } },
        ],
      },
      {
        name: 'child',
        startMs: T0 + 1,
        durationMs: 2,
        traceId: TRACE_A,
        spanId: '00000000000000a2',
        parentSpanId: '00000000000000a1',
        error: true,
      },
    ]),
    tracesLine('worker', [
      {
        name: 'job',
        startMs: T0 + 100,
        durationMs: 3,
        traceId: TRACE_B,
        spanId: '00000000000000b1',
      },
    ]),
  ]);
  appendLines(dir, 'traces', segmentName(), [
    tracesLine('host', [
      { name: 'late', startMs: T0 + 3_600_000, durationMs: 1, traceId: TRACE_B },
    ]),
  ]);
  appendLines(dir, 'logs', segmentName(), [
    logsLine('host', [{ atMs: T0, body: 'hello' }]),
    logsLine('host', [{ atMs: T0 + 1, body: 'again' }]),
  ]);
  appendLines(dir, 'metrics', segmentName(), [
    metricsLine('host', [
      { kind: 'sum', name: 'big', temporality: 2, startMs: T0, points: [{ atMs: T0, value: 0 }] },
    ]),
  ]);
  // A counter past 2^53 must survive the export exactly.
  const big = readFileSync(join(dir, 'metrics', readdir(dir, 'metrics')), 'utf8').replace(
    '"asInt":"0"',
    '"asInt":"9007199254740993"',
  );
  appendLines(dir, 'metrics', segmentName(), [big.trim()]);
});
afterAll(() => cleanup());

function readdir(d: string, signal: string): string {
  return readdirSync(join(d, signal))[0] as string;
}

interface Ev {
  name: string;
  ph: string;
  ts?: number;
  dur?: number;
  pid: number;
  tid: number;
  s?: string;
  args?: Record<string, string>;
}

describe('spool export', () => {
  it('chrome-trace: complete events in µs, a pid per service and a tid per trace', async () => {
    const out = join(dir, 'trace.json');
    const { code, stderr } = await run([
      'export',
      '--dir',
      dir,
      '--format',
      'chrome-trace',
      '--out',
      out,
    ]);
    expect(code).toBe(0);
    expect(stderr).toContain('wrote 4 spans');
    const doc = JSON.parse(readFileSync(out, 'utf8')) as { traceEvents: Ev[] };
    const complete = doc.traceEvents.filter((e) => e.ph === 'X');
    expect(complete.map((e) => e.name)).toEqual(['root', 'child', 'job', 'late']);
    const root = complete[0] as Ev;
    expect(root.ts).toBe(T0 * 1000 + 500);
    expect(root.dur).toBe(10_250);
    expect(complete[1]?.args).toMatchObject({
      parentSpanId: '00000000000000a1',
      status: 'ERROR: boom',
    });
    const meta = doc.traceEvents.filter((e) => e.ph === 'M');
    const processes = Object.fromEntries(
      meta.filter((e) => e.name === 'process_name').map((e) => [e.args?.name, e.pid]),
    );
    expect(processes).toEqual({ host: 1, worker: 2 });
    expect(root.pid).toBe(1);
    expect(complete[2]?.pid).toBe(2);
    expect(complete[1]?.tid).toBe(root.tid); // same trace → same thread
    expect(complete[3]?.tid).not.toBe(complete[2]?.tid); // same trace id, other service → other thread
    const instant = doc.traceEvents.find((e) => e.ph === 'i');
    expect(instant).toMatchObject({
      name: 'exception',
      s: 't',
      ts: (T0 + 5) * 1000,
      pid: 1,
      tid: root.tid,
      args: { 'exception.type': 'TypeError' },
    });
  });

  it('chrome-trace honours --since and --service', async () => {
    const out = join(dir, 'recent.json');
    await run([
      'export',
      '--dir',
      dir,
      '--format',
      'chrome-trace',
      '--out',
      out,
      '--since',
      new Date(T0 + 50).toISOString(),
      '--service',
      'host',
    ]);
    const names = (JSON.parse(readFileSync(out, 'utf8')) as { traceEvents: Ev[] }).traceEvents
      .filter((e) => e.ph === 'X')
      .map((e) => e.name);
    expect(names).toEqual(['late']);
  });

  it('otlp-json: one merged OTLP request per signal that readers accept', async () => {
    const out = join(dir, 'dump.json');
    const { code, stderr } = await run([
      'export',
      '--dir',
      dir,
      '--format',
      'otlp-json',
      '--out',
      out,
    ]);
    expect(code).toBe(0);
    expect(stderr).toContain('dump-traces.json (3 resourceSpans)');
    const traces = parseOtlpJson('traces', readFileSync(join(dir, 'dump-traces.json'), 'utf8'));
    expect(traces.ok).toBe(true);
    if (!traces.ok) return;
    const spans = traces.data.resourceSpans.flatMap(
      (rs) => rs.scopeSpans?.flatMap((ss) => ss.spans ?? []) ?? [],
    );
    expect(spans.map((s) => s.name)).toEqual(['root', 'child', 'job', 'late']);
    expect(spans[0]?.startTimeUnixNano).toBe(ns(T0 + 0.5));
    const logs = parseOtlpJson('logs', readFileSync(join(dir, 'dump-logs.json'), 'utf8'));
    expect(logs.ok && logs.data.resourceLogs.length).toBe(2);
    const metricsText = readFileSync(join(dir, 'dump-metrics.json'), 'utf8');
    expect(metricsText).toContain('"asInt":"9007199254740993"');
    expect(parseOtlpJson('metrics', metricsText).ok).toBe(true);
  });

  it('otlp-json writes no file for a signal without data, and rejects unknown formats', async () => {
    const out = join(dir, 'worker-only');
    await run([
      'export',
      '--dir',
      dir,
      '--format',
      'otlp-json',
      '--out',
      out,
      '--service',
      'worker',
    ]);
    expect(existsSync(`${out}-traces.json`)).toBe(true);
    expect(existsSync(`${out}-logs.json`)).toBe(false);
    const bad = await run(['export', '--dir', dir, '--format', 'zipkin', '--out', out]);
    expect(bad.code).toBe(2);
  });
});
