// A demo-like spool for the browser test: traces with realistic latencies (some failing),
// CPU and memory metric points, user events, and a crash report. Every expected number is
// computed here independently of the dashboard so the test can compare.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { forEachSpan, readSpool, type TracesData } from '@otelspool/exporter-jsonl';
import ts from 'typescript';
import { appendLines, hex, segmentName, tracesLine, type FixtureSpan } from './spool-fixture.js';

export interface DemoSpool {
  spanCount: number;
  traceCount: number;
  spansPerTrace: number;
  cpuPoints: number;
  memoryPoints: number;
  eventCount: number;
  crashCount: number;
  crashFunction: string;
  crashMessage: string;
  /** Where the crash is in the app's TypeScript source (the fixture app ships a source map). */
  crashSource: { file: string; line: number };
  /** The slow failing span a user searches for: its ids and the attribute that finds it. */
  slowError: { traceId: string; spanId: string; attribute: string; durationMs: number };
  /** Highest CPU sample in percent and highest memory sample in MiB. */
  cpuMaxPercent: number;
  memoryMaxMiB: number;
  /** Error % of render.frame as the table prints it, e.g. "12.5 %". */
  renderErrorPercent: string;
}

/** Spans in the spool, counted through the shared reader. */
export async function countSpans(dir: string): Promise<number> {
  let spans = 0;
  for await (const record of readSpool(dir, { signals: ['traces'] })) {
    forEachSpan(record.data as TracesData, () => spans++);
  }
  return spans;
}

const SERVICE = 'demo-plugin-host';
const HOST = 'studio-1';
const VERSION = '1.4.2';
const TRACE_COUNT = 24;
const SPANS_PER_TRACE = 4;
const METRIC_POINTS = 30;

const resource = {
  attributes: [
    { key: 'service.name', value: { stringValue: SERVICE } },
    { key: 'service.version', value: { stringValue: VERSION } },
    { key: 'host.name', value: { stringValue: HOST } },
  ],
};
const msToNanos = (ms: number): string => (BigInt(Math.round(ms)) * 1_000_000n).toString();

/** Deterministic pseudo-random numbers so the screenshot looks the same on every run. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const SLOW_ERROR_TRACE = 13;
const SLOW_ERROR_MS = 900;

/** `crash: false` leaves the crash out (the dashboard of an app that never crashed). */
export async function writeDemoSpool(
  dir: string,
  { crash = true }: { crash?: boolean } = {},
): Promise<DemoSpool> {
  const random = lcg(42);
  const start = Date.now() - 10 * 60_000;

  // Traces: GET /presets → load.preset → (db.query, render.frame)
  const traceSegment = segmentName(new Date(start));
  let renderErrors = 0;
  for (let t = 0; t < TRACE_COUNT; t++) {
    const traceId = hex(0xa000 + t, 32);
    const t0 = start + t * 20_000;
    const root = hex(t * 16 + 1, 16);
    const load = hex(t * 16 + 2, 16);
    const slowError = t === SLOW_ERROR_TRACE;
    const drawn = 2 + random() * 40 * (t % 7 === 0 ? 8 : 1);
    const dbMs = slowError ? SLOW_ERROR_MS : drawn;
    const renderMs = 1 + random() * 12;
    const loadMs = dbMs + renderMs + 3;
    if (t % 9 === 4) renderErrors++;
    const spans: FixtureSpan[] = [
      {
        traceId,
        spanId: hex(t * 16 + 3, 16),
        parentSpanId: load,
        name: 'db.query',
        startMs: t0 + 3,
        durationMs: dbMs,
        error: slowError,
        attributes: {
          'db.system': 'sqlite',
          'preset.bank': slowError ? 'Broken Bank' : t % 2 === 0 ? 'Warm Pads' : 'Strings',
        },
      },
      {
        traceId,
        spanId: hex(t * 16 + 4, 16),
        parentSpanId: load,
        name: 'render.frame',
        startMs: t0 + 4 + dbMs,
        durationMs: renderMs,
        error: t % 9 === 4,
      },
      {
        traceId,
        spanId: load,
        parentSpanId: root,
        name: 'load.preset',
        startMs: t0 + 2,
        durationMs: loadMs,
      },
      {
        traceId,
        spanId: root,
        name: 'GET /presets',
        startMs: t0,
        durationMs: loadMs + 4,
        attributes: { 'http.request.method': 'GET' },
      },
    ];
    appendLines(dir, 'traces', traceSegment, [tracesLine(spans, SERVICE, HOST, VERSION)]);
  }

  // Metrics: process CPU utilization (ratio) and memory usage (bytes), one point every 20 s.
  const metricsSegment = segmentName(new Date(start));
  let cpuMaxPercent = 0;
  let memoryMaxMiB = 0;
  for (let i = 0; i < METRIC_POINTS; i++) {
    const at = start + i * 20_000;
    const cpu = 0.05 + 0.25 * Math.abs(Math.sin(i / 4)) + random() * 0.05;
    const memory = Math.round((80 + i * 1.5 + random() * 6) * 1024 * 1024);
    cpuMaxPercent = Math.max(cpuMaxPercent, cpu * 100);
    memoryMaxMiB = Math.max(memoryMaxMiB, memory / (1024 * 1024));
    appendLines(dir, 'metrics', metricsSegment, [
      {
        resourceMetrics: [
          {
            resource,
            scopeMetrics: [
              {
                scope: { name: '@otelspool/sdk' },
                metrics: [
                  {
                    name: 'process.cpu.utilization',
                    unit: '1',
                    gauge: { dataPoints: [{ timeUnixNano: msToNanos(at), asDouble: cpu }] },
                  },
                  {
                    name: 'process.memory.usage',
                    unit: 'By',
                    sum: {
                      aggregationTemporality: 2,
                      isMonotonic: false,
                      dataPoints: [{ timeUnixNano: msToNanos(at), asInt: String(memory) }],
                    },
                  },
                ],
              },
            ],
          },
        ],
      },
    ]);
  }

  // Events: log records named through the OTel event name.
  const events = ['preset.change', 'preset.change', 'plugin.load', 'preset.change', 'ui.open'];
  const logsSegment = segmentName(new Date(start));
  appendLines(dir, 'logs', logsSegment, [
    {
      resourceLogs: [
        {
          resource,
          scopeLogs: [
            {
              scope: { name: '@otelspool/sdk' },
              logRecords: events.map((name, i) => ({
                timeUnixNano: msToNanos(start + i * 60_000),
                eventName: name,
                severityNumber: 9,
                attributes: [{ key: 'event.name', value: { stringValue: name } }],
              })),
            },
          ],
        },
      ],
    },
  ]);

  const crashed = crash ? await writeDemoCrash(dir) : undefined;
  return {
    spanCount: TRACE_COUNT * SPANS_PER_TRACE,
    traceCount: TRACE_COUNT,
    spansPerTrace: SPANS_PER_TRACE,
    cpuPoints: METRIC_POINTS,
    memoryPoints: METRIC_POINTS,
    eventCount: events.length,
    crashCount: crashed ? 1 : 0,
    cpuMaxPercent,
    memoryMaxMiB,
    renderErrorPercent: `${((renderErrors / TRACE_COUNT) * 100).toFixed(1)} %`,
    crashFunction: crashed?.crashFunction ?? '',
    crashMessage: crashed?.crashMessage ?? '',
    crashSource: crashed?.crashSource ?? { file: '', line: 0 },
    slowError: {
      traceId: hex(0xa000 + SLOW_ERROR_TRACE, 32),
      spanId: hex(SLOW_ERROR_TRACE * 16 + 3, 16),
      attribute: 'preset.bank=Broken Bank',
      durationMs: SLOW_ERROR_MS,
    },
  };
}

const CRASH_DIST = fileURLToPath(new URL('../../../crash/dist/index.js', import.meta.url));

/**
 * A real crash from a TypeScript app: the fixture's `src/plugin-host.ts` is compiled by the
 * TypeScript compiler into `dist/plugin-host.mjs` with a source map (as `tsc --sourceMap`
 * ships it), and a child Node process (the project's Node, running the built @otelspool/crash)
 * runs the JavaScript: installs the crash handler, leaves breadcrumbs (one with attributes)
 * and throws from a named function. The report, its signature, its frames mapped back to the
 * `.ts` source and the in-app flags all come from the real code path.
 */
async function writeDemoCrash(dir: string): Promise<{
  crashFunction: string;
  crashMessage: string;
  crashSource: { file: string; line: number };
}> {
  if (!existsSync(CRASH_DIST)) {
    throw new Error(`${CRASH_DIST} is missing: run \`npx tsc -b\` before the browser test`);
  }
  const appRoot = mkdtempSync(join(tmpdir(), 'otelspool-demo-app-'));
  mkdirSync(join(appRoot, 'src'));
  mkdirSync(join(appRoot, 'dist'));
  const crashFunction = 'loadPresetBank';
  const crashMessage = 'preset bank "Warm Pads" is corrupt';
  const source = [
    `import { installCrashHandler, addBreadcrumb } from ${JSON.stringify(pathToFileURL(CRASH_DIST).href)};`,
    '',
    'interface PresetBank {',
    '  name: string;',
    '  presets: number;',
    '}',
    '',
    `installCrashHandler({ dir: ${JSON.stringify(dir)}, serviceName: ${JSON.stringify(SERVICE)},`,
    `  serviceVersion: ${JSON.stringify(VERSION)}, appRoot: ${JSON.stringify(appRoot)},`,
    `  watchChildProcesses: false, nativeReports: false });`,
    `addBreadcrumb({ category: 'plugin', message: 'loaded reverb.vst3', data: { format: 'vst3', latencyMs: 12 } });`,
    `addBreadcrumb({ category: 'ui', message: 'preset browser opened' });`,
    '',
    `function ${crashFunction}(bank: PresetBank): never {`,
    '  const reason: string = `preset bank "${bank.name}" is corrupt`;',
    '  throw new TypeError(reason);',
    '}',
    '',
    `setTimeout(() => ${crashFunction}({ name: 'Warm Pads', presets: 0 }), 5);`,
  ].join('\n');
  const tsFile = join(appRoot, 'src', 'plugin-host.ts');
  const throwLine = source.split('\n').findIndex((l) => l.includes('throw new TypeError')) + 1;
  writeFileSync(tsFile, source);
  const compiled = ts.transpileModule(source, {
    fileName: tsFile,
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      sourceMap: true,
    },
  });
  const map = JSON.parse(compiled.sourceMapText ?? '{}') as { sources: string[]; file: string };
  map.file = 'plugin-host.mjs';
  map.sources = ['../src/plugin-host.ts'];
  const script = join(appRoot, 'dist', 'plugin-host.mjs');
  writeFileSync(
    script,
    compiled.outputText.replace(
      /\/\/# sourceMappingURL=.*$/m,
      '//# sourceMappingURL=plugin-host.mjs.map',
    ),
  );
  writeFileSync(`${script}.map`, JSON.stringify(map));
  try {
    const exit = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, [script], { stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr.resume();
      child.on('error', reject);
      child.on('exit', (code) => resolve(code));
    });
    if (exit === 0) throw new Error('the demo crash process exited cleanly instead of crashing');
  } finally {
    rmSync(appRoot, { recursive: true, force: true });
  }
  return { crashFunction, crashMessage, crashSource: { file: tsFile, line: throwLine } };
}
