// `spool import` with real files: Collector `file` exporter output (mixed signals per file, any
// name, plain or gzip), a directory with a symlink in it, a malformed line, re-import, a file
// that grew, and what `spool report --json` / readSpool then see in the target spool.
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeRequest } from '@otelspool/collector';
import { countRecords, readSpool, type Signal } from '@otelspool/exporter-jsonl';
import type { FileImport, ImportSummary } from '../../src/commands/import.js';
import { run } from './capture.js';

const work = mkdtempSync(join(tmpdir(), 'otelspool-import-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const ENV_KEYS = ['XDG_DATA_HOME', 'SPOOL_DIR', 'OTEL_SERVICE_NAME'] as const;
const savedEnv: Partial<Record<(typeof ENV_KEYS)[number], string>> = {};
beforeEach(() => {
  for (const k of ENV_KEYS) {
    savedEnv[k] = process.env[k];
    delete process.env[k];
  }
  process.env.XDG_DATA_HOME = join(work, 'xdg');
});
afterEach(() => {
  for (const k of ENV_KEYS) {
    if (savedEnv[k] === undefined) delete process.env[k];
    else process.env[k] = savedEnv[k];
  }
});

let n = 0;
const hex = (v: number, len: number): string => v.toString(16).padStart(len, '0');
const resource = {
  attributes: [{ key: 'service.name', value: { stringValue: 'collector-app' } }],
};
const T0 = 1_700_000_000_000_000_000n;

function span(valid = true): Record<string, unknown> {
  n++;
  return {
    traceId: valid ? hex(n, 32) : 'not-hex',
    spanId: hex(n, 16),
    name: 'GET /items',
    kind: 2,
    startTimeUnixNano: String(T0 + BigInt(n) * 1_000_000n),
    endTimeUnixNano: String(T0 + BigInt(n) * 1_000_000n + 5_000_000n),
    status: {},
  };
}

const traces = (spans: Record<string, unknown>[]): string =>
  JSON.stringify({ resourceSpans: [{ resource, scopeSpans: [{ scope: { name: 's' }, spans }] }] });

const metrics = (points: number): string =>
  JSON.stringify({
    resourceMetrics: [
      {
        resource,
        scopeMetrics: [
          {
            scope: { name: 'm' },
            metrics: [
              {
                name: 'http.server.requests',
                sum: {
                  aggregationTemporality: 2,
                  isMonotonic: true,
                  dataPoints: Array.from({ length: points }, (_, i) => ({
                    asInt: String(i + 1),
                    startTimeUnixNano: String(T0),
                    timeUnixNano: String(T0 + 1_000_000_000n),
                    attributes: [{ key: 'i', value: { intValue: String(i) } }],
                  })),
                },
              },
            ],
          },
        ],
      },
    ],
  });

const logs = (records: number): string =>
  JSON.stringify({
    resourceLogs: [
      {
        resource,
        scopeLogs: [
          {
            scope: { name: 'l' },
            logRecords: Array.from({ length: records }, (_, i) => ({
              timeUnixNano: String(T0 + BigInt(i)),
              severityNumber: 9,
              severityText: 'INFO',
              body: { stringValue: `line ${i}` },
            })),
          },
        ],
      },
    ],
  });

/**
 * A Collector-style file (one request per line, signals interleaved as the exporter writes them):
 * 5 good spans + 1 invalid span (item-level reject) in one line, 3 metric points, 4 log records,
 * 2 more spans, and one malformed line among them.
 */
const EXPECTED = { traces: 7, metrics: 3, logs: 4 };
const collectorFile =
  [
    traces([span(), span(), span(), span(), span(), span(false)]),
    metrics(3),
    '{"resourceSpans": [ {"truncated',
    logs(4),
    traces([span(), span()]),
  ].join('\n') + '\n';

async function importJson(
  ...args: string[]
): Promise<{ code: number; summary: ImportSummary; stderr: string }> {
  const r = await run(['import', ...args, '--json']);
  return { code: r.code, summary: JSON.parse(r.stdout) as ImportSummary, stderr: r.stderr };
}

async function spoolCounts(dir: string): Promise<Record<Signal, number>> {
  const counts = { traces: 0, metrics: 0, logs: 0 };
  for await (const r of readSpool(dir, { quarantine: false })) {
    counts[r.signal] += countRecords(r.signal, r.data);
  }
  return counts;
}

async function reportItems(dir: string): Promise<Record<Signal, number>> {
  const r = await run(['report', '--dir', dir, '--json']);
  expect(r.code, r.stderr).toBe(0);
  const items = (
    JSON.parse(r.stdout) as {
      input: { items: { spans: number; dataPoints: number; logRecords: number } };
    }
  ).input.items;
  return { traces: items.spans, metrics: items.dataPoints, logs: items.logRecords };
}

const src = join(work, 'src');
mkdirSync(src);
const outJson = join(src, 'out.json');
writeFileSync(outJson, collectorFile);
const gzNoExt = join(src, 'otel-output');
writeFileSync(gzNoExt, gzipSync(Buffer.from(collectorFile)));

describe('spool import', () => {
  it('imports a mixed-signal out.json into a new spool: good lines in, the bad line reported', async () => {
    const dir = join(work, 'spool-json');
    const { code, summary, stderr } = await importJson(outJson, '--dir', dir);
    expect(code, stderr).toBe(0);
    expect(summary.schemaVersion).toBe(1);
    const f = summary.files[0] as FileImport;
    expect(f).toMatchObject({
      path: outJson,
      status: 'imported',
      compression: 'none',
      lines: 5,
      records: EXPECTED,
      rejectedLines: 1,
      rejectedItems: 1,
    });
    expect(f.problems.find((p) => p.line === 3)?.reason).toMatch(/invalid JSON/);
    expect(f.problems.find((p) => p.line === 1)?.reason).toMatch(/dropped 1 of 6 spans/);
    expect(summary.total.records).toEqual(EXPECTED);
    expect(stderr).toMatch(/warning/);
    expect(await spoolCounts(dir)).toEqual(EXPECTED);
    expect(await reportItems(dir)).toEqual(EXPECTED);
  });

  it('detects gzip by its magic bytes (no extension)', async () => {
    const dir = join(work, 'spool-gz');
    const { code, summary } = await importJson(gzNoExt, '--dir', dir);
    expect(code).toBe(0);
    expect(summary.files[0]).toMatchObject({ compression: 'gzip', records: EXPECTED });
    expect(await spoolCounts(dir)).toEqual(EXPECTED);
  });

  it('walks a directory, never follows a symlink, and imports the same content only once', async () => {
    const tree = join(work, 'tree');
    mkdirSync(join(tree, 'nested'), { recursive: true });
    writeFileSync(join(tree, 'out.json'), collectorFile);
    writeFileSync(join(tree, 'nested', 'rotated'), gzipSync(Buffer.from(collectorFile)));
    writeFileSync(join(tree, 'nested', 'just-rotated.json'), ''); // a new, still empty file
    const elsewhere = join(work, 'elsewhere.out');
    writeFileSync(elsewhere, traces([span(), span(), span()]) + '\n');
    symlinkSync(elsewhere, join(tree, 'link.out'));
    const dir = join(work, 'spool-tree');
    const { code, summary } = await importJson(tree, '--dir', dir);
    expect(code).toBe(0);
    expect(summary.skipped).toEqual([
      { path: join(tree, 'link.out'), reason: 'symbolic link (not followed)' },
    ]);
    expect(summary.files.map((f) => [f.path, f.status])).toEqual([
      [join(tree, 'nested', 'just-rotated.json'), 'skipped'],
      [join(tree, 'nested', 'rotated'), 'imported'],
      [join(tree, 'out.json'), 'duplicate'],
    ]);
    expect(summary.total.records).toEqual(EXPECTED);
    expect(await spoolCounts(dir)).toEqual(EXPECTED);
    expect(await reportItems(dir)).toEqual(EXPECTED);

    // A symlink named on the command line is not opened either: that file fails (exit 1).
    const viaLink = await importJson(join(tree, 'link.out'), '--dir', dir);
    expect(viaLink.code).toBe(1);
    expect(viaLink.summary.files[0]?.problems[0]?.reason).toMatch(/symbolic link/);
    expect(await spoolCounts(dir)).toEqual(EXPECTED);
  });

  it('re-import is refused with a warning (exit 0); --force imports again', async () => {
    const dir = join(work, 'spool-again');
    expect((await importJson(outJson, '--dir', dir)).code).toBe(0);
    const again = await importJson(outJson, '--dir', dir);
    expect(again.code).toBe(0);
    expect(again.summary.total).toMatchObject({
      filesDuplicate: 1,
      records: { traces: 0, metrics: 0, logs: 0 },
    });
    expect(again.summary.files[0]?.problems[0]?.reason).toMatch(/already imported .*--force/);
    expect(await spoolCounts(dir)).toEqual(EXPECTED);
    const state = JSON.parse(readFileSync(join(dir, 'import', 'imported.json'), 'utf8')) as {
      files: { path: string }[];
    };
    expect(state.files.map((f) => f.path)).toEqual([outJson]);

    const forced = await importJson(outJson, '--dir', dir, '--force');
    expect(forced.summary.total.records).toEqual(EXPECTED);
    expect(await spoolCounts(dir)).toEqual({ traces: 14, metrics: 6, logs: 8 });
  });

  it('continues a file the Collector appended to after its import', async () => {
    const grown = join(work, 'grows.json');
    writeFileSync(grown, collectorFile);
    const dir = join(work, 'spool-grow');
    expect((await importJson(grown, '--dir', dir)).code).toBe(0);
    appendFileSync(grown, logs(2) + '\n' + traces([span()]) + '\n');
    const next = await importJson(grown, '--dir', dir);
    expect(next.code).toBe(0);
    expect(next.summary.files[0]).toMatchObject({
      status: 'imported',
      resumedAt: Buffer.byteLength(collectorFile),
      lines: 2,
      records: { traces: 1, metrics: 0, logs: 2 },
    });
    expect(await spoolCounts(dir)).toEqual({ traces: 8, metrics: 3, logs: 6 });

    // Rewritten in place (not an append): imported in full, with a warning about the earlier import.
    writeFileSync(grown, traces([span()]) + '\n');
    const rewritten = await importJson(grown, '--dir', dir);
    expect(rewritten.code).toBe(0);
    expect(rewritten.summary.files[0]?.records).toEqual({ traces: 1, metrics: 0, logs: 0 });
    expect(rewritten.summary.files[0]?.problems[0]?.reason).toMatch(
      /imported before .*with other content.*twice/,
    );
  });

  it('a file that cannot be read at all fails (exit 1); the other files are imported', async () => {
    const proto = join(work, 'zstd.bin');
    writeFileSync(proto, Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0]));
    const dir = join(work, 'spool-fail');
    const r = await importJson(join(work, 'missing.json'), proto, outJson, '--dir', dir);
    expect(r.code).toBe(1);
    expect(r.summary.files.map((f) => f.status)).toEqual(['failed', 'failed', 'imported']);
    expect(r.summary.files[0]?.problems[0]?.reason).toMatch(/ENOENT/);
    expect(r.summary.files[1]?.problems[0]?.reason).toMatch(/zstd/);
    expect(r.stderr).toMatch(/2 file\(s\) could not be read/);
    expect(await spoolCounts(dir)).toEqual(EXPECTED);
  });

  it('reads `format: proto` output (4-byte big-endian length before each message), signals mixed', async () => {
    const parts: Buffer[] = [];
    const frame = (bytes: Uint8Array): void => {
      const prefix = Buffer.alloc(4);
      prefix.writeUInt32BE(bytes.length);
      parts.push(prefix, Buffer.from(bytes));
    };
    for (const line of collectorFile.split('\n')) {
      let value: Record<string, unknown>;
      try {
        value = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue; // the malformed line of the JSON file: the proto file gets its own below
      }
      const signal: Signal = value.resourceSpans
        ? 'traces'
        : value.resourceMetrics
          ? 'metrics'
          : 'logs';
      frame(encodeRequest(signal, value as never));
    }
    frame(Buffer.from([0x0a, 0x03, 0xff, 0xff, 0xff])); // not any OTLP message
    const file = join(work, 'otel.proto.out');
    writeFileSync(file, Buffer.concat(parts));
    const dir = join(work, 'spool-proto');
    const { code, summary } = await importJson(file, '--dir', dir);
    expect(code).toBe(0);
    expect(summary.files[0]).toMatchObject({
      format: 'proto',
      lines: 5,
      records: EXPECTED,
      rejectedLines: 1,
      rejectedItems: 1,
    });
    expect(await spoolCounts(dir)).toEqual(EXPECTED);
    expect(await reportItems(dir)).toEqual(EXPECTED);
  });

  it('a damaged gzip file: the lines before the damage are imported, the damage reported', async () => {
    const big = Array.from({ length: 400 }, () => traces([span()])).join('\n') + '\n';
    const gz = gzipSync(Buffer.from(big));
    const cut = join(work, 'cut');
    writeFileSync(cut, gz.subarray(0, Math.floor(gz.length * 0.6)));
    const dir = join(work, 'spool-cut');
    const { code, summary } = await importJson(cut, '--dir', dir);
    expect(code).toBe(0);
    const f = summary.files[0] as FileImport;
    expect(f.status).toBe('imported');
    expect(f.records.traces).toBeGreaterThan(0);
    expect(f.records.traces).toBeLessThan(400);
    expect(f.problems.at(-1)?.reason).toMatch(/gzip stream damaged after line \d+/);
    expect((await spoolCounts(dir)).traces).toBe(f.records.traces);
  });

  it('--service picks (and starts) the service spool under the otelspool root', async () => {
    const r = await run(['import', outJson, '--service', 'from-collector']);
    expect(r.code, r.stderr).toBe(0);
    const dir = join(work, 'xdg', 'otelspool', 'from-collector');
    expect(r.stderr).toContain(dir);
    expect(r.stdout).toMatch(/imported 7 spans, 3 metric points, 4 log records/);
    expect(await spoolCounts(dir)).toEqual(EXPECTED);
  });
});
