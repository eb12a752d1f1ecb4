// Issue 11, items 12–14: data that real clients send, mangled or lost.
// - 12: NaN / ±Infinity doubles (the Go SDK sends them over protobuf) were written to the spool as
//   `null` by JSON.stringify, and `spool tail --json` showed `"value":{}`;
// - 13: one invalid span (a Collector pdata file writes absent ids as "") lost the whole line;
// - 14: -0 lost its sign.
// Everything here goes through real HTTP on 127.0.0.1, real segment files and the real CLI.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import protobuf from 'protobufjs';
import {
  readSpool,
  type MalformedEntry,
  type MetricsData,
  type SpoolRecord,
} from '@otelspool/exporter-jsonl';
import { createOtlpReceiver, DryRunExporter } from '@otelspool/collector';
import { REPO_ROOT, SPOOL_BIN } from './helpers/processes.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

const PROTO_DIR = join(REPO_ROOT, 'packages/collector/proto');

/** The official opentelemetry-proto definitions, loaded with protobufjs (no otelspool code). */
function protoTypes() {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) =>
    target.startsWith('google/protobuf/') ? target : join(PROTO_DIR, target);
  root.loadSync([
    'opentelemetry/proto/collector/trace/v1/trace_service.proto',
    'opentelemetry/proto/collector/metrics/v1/metrics_service.proto',
  ]);
  root.resolveAll();
  return {
    traces: root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest'),
    metrics: root.lookupType(
      'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest',
    ),
  };
}

const SPECIALS = { nan: Number.NaN, inf: Infinity, ninf: -Infinity, negzero: -0 } as const;
const LITERAL = { nan: '"NaN"', inf: '"Infinity"', ninf: '"-Infinity"', negzero: '-0' } as const;
type Special = keyof typeof SPECIALS;
const NAMES = Object.keys(SPECIALS) as Special[];

const sameNumber = (got: unknown, want: number): boolean =>
  Number.isNaN(want) ? Number.isNaN(got) : Object.is(got, want);

function tracesRequest(types: ReturnType<typeof protoTypes>): Uint8Array {
  const now = BigInt(Date.now()) * 1_000_000n;
  const message = types.traces.fromObject({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'go-sdk-like' } }] },
        scopeSpans: [
          {
            scope: { name: 'go.opentelemetry.io/otel' },
            spans: [
              {
                traceId: Buffer.from('0af7651916cd43dd8448eb211c80319c', 'hex'),
                spanId: Buffer.from('b7ad6b7169203331', 'hex'),
                name: 'doubles',
                kind: 1,
                startTimeUnixNano: (now - 1_000_000n).toString(),
                endTimeUnixNano: now.toString(),
                attributes: NAMES.map((k) => ({ key: k, value: { doubleValue: SPECIALS[k] } })),
                events: [
                  {
                    name: 'ev',
                    timeUnixNano: now.toString(),
                    attributes: [{ key: 'ev.nan', value: { doubleValue: Number.NaN } }],
                  },
                ],
              },
            ],
          },
        ],
      },
    ],
  });
  return types.traces.encode(message).finish();
}

function metricsRequest(types: ReturnType<typeof protoTypes>): Uint8Array {
  const now = (BigInt(Date.now()) * 1_000_000n).toString();
  const message = types.metrics.fromObject({
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'go-sdk-like' } }] },
        scopeMetrics: [
          {
            scope: { name: 'go.opentelemetry.io/otel' },
            metrics: [
              ...NAMES.map((k) => ({
                name: `gauge.${k}`,
                gauge: { dataPoints: [{ timeUnixNano: now, asDouble: SPECIALS[k] }] },
              })),
              {
                name: 'histogram',
                histogram: {
                  aggregationTemporality: 2,
                  dataPoints: [
                    {
                      timeUnixNano: now,
                      count: 2,
                      sum: Number.NaN,
                      min: -Infinity,
                      max: Infinity,
                      bucketCounts: [1, 1],
                      explicitBounds: [-0],
                    },
                  ],
                },
              },
            ],
          },
        ],
      },
    ],
  });
  return types.metrics.encode(message).finish();
}

async function postProtobuf(url: string, body: Uint8Array): Promise<number> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf' },
    body,
  });
  await res.arrayBuffer();
  return res.status;
}

function segmentLines(dir: string, signal: string): string[] {
  const sub = join(dir, signal);
  return readdirSync(sub)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) => readFileSync(join(sub, f), 'utf8').split('\n'))
    .filter((l) => l.length > 0);
}

async function records(dir: string, signal: 'traces' | 'metrics' | 'logs'): Promise<SpoolRecord[]> {
  const out: SpoolRecord[] = [];
  for await (const r of readSpool(dir, { signals: [signal] })) out.push(r);
  return out;
}

function spansOf(recs: SpoolRecord[]) {
  return recs.flatMap((r) =>
    (
      (r.data as { resourceSpans?: { scopeSpans?: { spans?: Record<string, unknown>[] }[] }[] })
        .resourceSpans ?? []
    ).flatMap((rs) => (rs.scopeSpans ?? []).flatMap((ss) => ss.spans ?? [])),
  );
}

function metricsOf(recs: SpoolRecord[]) {
  return recs.flatMap((r) =>
    (r.data as MetricsData).resourceMetrics.flatMap((rm) =>
      (rm.scopeMetrics ?? []).flatMap((sm) => sm.metrics ?? []),
    ),
  );
}

type Attr = { key: string; value: { doubleValue?: unknown } };

/** A spool filled by a real receiver from protobuf requests with NaN/±Inf/-0 doubles. */
async function specialDoublesSpool(): Promise<string> {
  const dir = await tempDir('fidelity');
  const receiver = createOtlpReceiver({ dir, port: 0 });
  const url = await receiver.listen();
  try {
    const types = protoTypes();
    expect(await postProtobuf(`${url}/v1/traces`, tracesRequest(types))).toBe(200);
    expect(await postProtobuf(`${url}/v1/metrics`, metricsRequest(types))).toBe(200);
  } finally {
    await receiver.close();
  }
  return dir;
}

describe('non-finite doubles and -0: protobuf → spool serve → spool → readers (items 12, 14)', () => {
  it('segment lines hold "NaN"/"Infinity"/"-Infinity"/-0 and readSpool gives the numbers back', async () => {
    const dir = await specialDoublesSpool();

    const traceLines = segmentLines(dir, 'traces');
    expect(traceLines).toHaveLength(1);
    const line = traceLines[0]!;
    expect(line).not.toContain('null'); // before: {"doubleValue":null}
    for (const k of NAMES) {
      expect(line).toContain(`{"key":"${k}","value":{"doubleValue":${LITERAL[k]}}}`);
    }
    expect(line).toContain('{"key":"ev.nan","value":{"doubleValue":"NaN"}}');

    const metricLines = segmentLines(dir, 'metrics');
    expect(metricLines).toHaveLength(1);
    const mline = metricLines[0]!;
    expect(mline).not.toContain('null');
    for (const k of NAMES) expect(mline).toContain(`"asDouble":${LITERAL[k]}`);
    expect(mline).toContain('"sum":"NaN"');
    expect(mline).toContain('"min":"-Infinity"');
    expect(mline).toContain('"max":"Infinity"');
    expect(mline).toContain('"explicitBounds":[-0]');

    // The reader turns the proto3 JSON strings back into numbers for consumers.
    const spans = spansOf(await records(dir, 'traces'));
    expect(spans).toHaveLength(1);
    const attrs = spans[0]!.attributes as Attr[];
    for (const k of NAMES) {
      const got = attrs.find((a) => a.key === k)?.value.doubleValue;
      expect(sameNumber(got, SPECIALS[k]), `${k}: ${String(got)}`).toBe(true);
    }
    const mrecs = await records(dir, 'metrics');
    const metrics = metricsOf(mrecs);
    for (const k of NAMES) {
      const m = metrics.find((x) => x.name === `gauge.${k}`)!;
      expect(sameNumber(m.gauge!.dataPoints![0]!.asDouble, SPECIALS[k]), k).toBe(true);
    }
    const h = metrics.find((x) => x.name === 'histogram')!.histogram!.dataPoints![0]!;
    expect(Number.isNaN(h.sum)).toBe(true);
    expect(h.min).toBe(-Infinity);
    expect(h.max).toBe(Infinity);
    expect(Object.is(h.explicitBounds![0], -0)).toBe(true);

    // What the Collector's file exporter writes for the same values (pdata's JSON marshaler:
    // non-finite doubles as the proto3 JSON strings) is read the same way.
    const collectorLine =
      '{"resourceMetrics":[{"resource":{},"scopeMetrics":[{"scope":{},"metrics":[{"name":"g","gauge":{"dataPoints":[{"timeUnixNano":"1","asDouble":"NaN"},{"timeUnixNano":"2","asDouble":"-Infinity"}]}}]}]}]}';
    const cdir = await tempDir('fidelity-collector');
    mkdirSync(join(cdir, 'metrics'), { recursive: true, mode: 0o700 });
    writeFileSync(join(cdir, 'metrics', 'collector.jsonl'), collectorLine + '\n', { mode: 0o600 });
    const crecs = await records(cdir, 'metrics');
    const points = metricsOf(crecs)[0]!.gauge!.dataPoints!;
    expect(Number.isNaN(points[0]!.asDouble)).toBe(true);
    expect(points[1]!.asDouble).toBe(-Infinity);
  });

  it('spool tail --json and export --format otlp-json show them, never {} / null / a missing value', async () => {
    const dir = await specialDoublesSpool();
    const run = (args: string[]) =>
      spawnSync(process.execPath, [SPOOL_BIN, ...args, '--dir', dir], {
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1' },
        timeout: 120_000,
      });

    const tail = run(['tail', '--json']);
    expect(tail.status, tail.stderr).toBe(0);
    const out = tail.stdout.trim().split('\n');
    expect(out).toHaveLength(2);
    for (const l of out) {
      expect(l).not.toContain('null');
      expect(l).not.toContain('"value":{}');
    }
    const [tLine, mLine] = out[0]!.startsWith('{"resourceSpans"') ? out : [out[1]!, out[0]!];
    for (const k of NAMES) {
      expect(tLine).toContain(`{"key":"${k}","value":{"doubleValue":${LITERAL[k]}}}`);
      expect(mLine).toContain(`"asDouble":${LITERAL[k]}`);
    }

    // The human summary names the value instead of dropping it.
    const human = run(['tail', '--signal', 'metrics']);
    expect(human.status, human.stderr).toBe(0);
    expect(human.stdout).toContain('gauge.nan=NaN');
    expect(human.stdout).toContain('gauge.ninf=-Infinity');

    const base = join(dir, 'export.json');
    const exp = run(['export', '--format', 'otlp-json', '--out', base]);
    expect(exp.status, exp.stderr).toBe(0);
    const exported = readFileSync(join(dir, 'export-traces.json'), 'utf8');
    expect(exported).not.toContain('null');
    for (const k of NAMES) expect(exported).toContain(`"doubleValue":${LITERAL[k]}`);
    const exportedMetrics = readFileSync(join(dir, 'export-metrics.json'), 'utf8');
    expect(exportedMetrics).toContain('"sum":"NaN"');
  });

  it('sync --dry-run entries (the exact http/json body) keep them', async () => {
    const dir = await specialDoublesSpool();
    const out = join(dir, 'dry-run.jsonl');
    const exporter = new DryRunExporter(out);
    for (const signal of ['traces', 'metrics'] as const) {
      const recs = await records(dir, signal);
      await exporter.export({
        signal,
        items: recs.map((r) => ({ signal, data: r.data as never, records: 1 })),
        records: recs.length,
      });
    }
    await exporter.shutdown();
    const text = readFileSync(out, 'utf8');
    expect(text).not.toContain('null');
    for (const k of NAMES) {
      expect(text).toContain(`"doubleValue":${LITERAL[k]}`);
      expect(text).toContain(`"asDouble":${LITERAL[k]}`);
    }
  });
});

const TRACE_ID = '5b8efff798038103d269b633813fc60c';
const pdataSpan = (name: string, ids: { traceId: string; spanId: string }) => ({
  ...ids,
  parentSpanId: '',
  flags: 0,
  name,
  kind: 1,
  startTimeUnixNano: '1700000000000000000',
  endTimeUnixNano: '1700000000001000000',
  status: {},
});
const pdataLine = (spans: unknown[]) =>
  JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'otelcol' } }] },
        scopeSpans: [{ scope: {}, spans }],
      },
    ],
  });

async function spoolWith(lines: string[]): Promise<string> {
  const dir = await tempDir('fidelity-items');
  mkdirSync(join(dir, 'traces'), { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, 'traces', 'otelcol-file-exporter.jsonl'), lines.join('\n') + '\n', {
    mode: 0o600,
  });
  return dir;
}

async function readWithQuarantine(dir: string) {
  const malformed: MalformedEntry[] = [];
  const recs: SpoolRecord[] = [];
  for await (const r of readSpool(dir, {
    signals: ['traces'],
    onMalformed: (e) => malformed.push(e),
  })) {
    recs.push(r);
  }
  const qdir = join(dir, 'quarantine', 'traces');
  const stored = readdirSync(qdir).map(
    (f) => JSON.parse(readFileSync(join(qdir, f), 'utf8')) as MalformedEntry & { raw?: string },
  );
  return { spans: spansOf(recs), malformed, stored };
}

describe('one bad item never costs the valid items of its line (item 13)', () => {
  it('a Collector pdata file whose 3 spans carry "traceId":"" and "spanId":"": each counted, the line kept in quarantine', async () => {
    // Decision (OTLP trace.proto: an empty or all-zero id is invalid, "This field is required"):
    // such a span is not valid OTLP, so it is dropped and counted, alone. Here all 3 are.
    const empty = { traceId: '', spanId: '' };
    const line = pdataLine([pdataSpan('a', empty), pdataSpan('b', empty), pdataSpan('c', empty)]);
    const dir = await spoolWith([line]);
    const { spans, malformed, stored } = await readWithQuarantine(dir);
    expect(spans).toHaveLength(0);
    expect(malformed).toHaveLength(1);
    expect(malformed[0]!.reason).toMatch(
      /spans\[0\]\.traceId: required 16-byte id is empty; .*spans\[1\]\..*; .*spans\[2\]\./,
    );
    expect(stored).toHaveLength(1);
    expect(stored[0]!.raw).toBe(line);
  });

  it('a pdata line with one empty-id span and two valid ones: two read, one dropped and counted, original line kept', async () => {
    const line = pdataLine([
      pdataSpan('valid-1', { traceId: TRACE_ID, spanId: 'eee19b7ec3c1b174' }),
      pdataSpan('no-ids', { traceId: '', spanId: '' }),
      pdataSpan('valid-2', { traceId: TRACE_ID, spanId: 'eee19b7ec3c1b175' }),
    ]);
    const dir = await spoolWith([line]);
    const { spans, malformed, stored } = await readWithQuarantine(dir);
    expect(spans.map((s) => s.name)).toEqual(['valid-1', 'valid-2']); // before: 0 of 3
    expect(malformed).toHaveLength(1);
    expect(malformed[0]!.reason).toBe(
      'dropped 1 of 3 spans: resourceSpans[0].scopeSpans[0].spans[1].traceId: required 16-byte id is empty',
    );
    expect(stored[0]!.raw).toBe(line);
    expect(stored[0]!.line).toBe(1);
  });

  it('a mixed line where one span is invalid in another way and two are valid: two read; other lines unaffected', async () => {
    const bad = {
      ...pdataSpan('bad', { traceId: TRACE_ID, spanId: 'eee19b7ec3c1b176' }),
      kind: 'SERVER',
    };
    const mixed = pdataLine([
      pdataSpan('m-1', { traceId: TRACE_ID, spanId: 'eee19b7ec3c1b177' }),
      bad,
      pdataSpan('m-2', { traceId: TRACE_ID, spanId: 'eee19b7ec3c1b178' }),
    ]);
    const clean = pdataLine([
      pdataSpan('clean', { traceId: TRACE_ID, spanId: 'eee19b7ec3c1b179' }),
    ]);
    const dir = await spoolWith([mixed, clean]);
    const { spans, malformed, stored } = await readWithQuarantine(dir);
    expect(spans.map((s) => s.name)).toEqual(['m-1', 'm-2', 'clean']);
    expect(malformed.map((m) => m.line)).toEqual([1]);
    expect(malformed[0]!.reason).toMatch(/^dropped 1 of 3 spans: .*spans\[1\]\.kind: /);
    expect(stored.map((s) => s.raw)).toEqual([mixed]);
  });
});
