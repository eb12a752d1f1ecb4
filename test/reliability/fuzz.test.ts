// Property-based fuzzing (fast-check) of every reader of untrusted input: spool lines, OTLP/HTTP
// JSON and protobuf bodies, consent and cursor files, crash reports, Node diagnostic reports and
// the session ledger. Pure functions run 100,000 inputs each in-process; the file- and HTTP-level
// paths (which add I/O per input) run a smaller count against real files and a real server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import {
  countRecords,
  normalizeOtlp,
  parseOtlpJson,
  readSpool,
  type Signal,
} from '@otelspool/exporter-jsonl';
import { readCursor } from '@otelspool/exporter-jsonl/internal';
import {
  createOtlpReceiver,
  decodeRequest,
  encodeRequest,
  readConsent,
  type OtlpReceiver,
} from '@otelspool/collector';
import { listCrashGroups, readSessionLedger, groupCrashReports } from '@otelspool/crash';
import { validateCrashReport } from '../../packages/crash/src/readers/validate-crash-report.js';
import {
  collectNativeReports,
  extractNativeReport,
} from '../../packages/crash/src/native/process-report.js';
import { logsLine, metricsLine, tracesLine } from './helpers/synthetic-spool.js';
import { bytesDamageOf, hostileValue, mutationsOf, textDamageOf } from './helpers/mutate.js';
import { fastTempBase, removeTempDirs, tempDir } from './helpers/temp.js';
import { recordFigure } from './helpers/figures.js';

const RUNS = 100_000;
const FILE_RUNS = 1_000;
const SIGNALS: Signal[] = ['traces', 'metrics', 'logs'];
const RESOURCE_FIELD = {
  traces: 'resourceSpans',
  metrics: 'resourceMetrics',
  logs: 'resourceLogs',
} as const;

const templates: Record<Signal, unknown> = {
  traces: JSON.parse(tracesLine(2, 'f')) as unknown,
  metrics: JSON.parse(metricsLine(2, 'f')) as unknown,
  logs: JSON.parse(logsLine(2, 'f')) as unknown,
};
// richer shapes: events, links, kvlist/array attributes, histogram
{
  const t = templates.traces as {
    resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[];
  };
  const span = t.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
  span.events = [
    {
      timeUnixNano: '1',
      name: 'exception',
      attributes: [{ key: 'exception.message', value: { stringValue: 'boom' } }],
    },
  ];
  span.links = [
    { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', attributes: [] },
  ];
  span.attributes = [
    { key: 'a', value: { arrayValue: { values: [{ intValue: '1' }, { doubleValue: 1.5 }] } } },
    { key: 'k', value: { kvlistValue: { values: [{ key: 'x', value: { boolValue: true } }] } } },
    { key: 'b', value: { bytesValue: 'AAEC' } },
  ];
  const m = templates.metrics as { resourceMetrics: { scopeMetrics: { metrics: unknown[] }[] }[] };
  m.resourceMetrics[0]!.scopeMetrics[0]!.metrics.push({
    name: 'h',
    histogram: {
      aggregationTemporality: 1,
      dataPoints: [
        { timeUnixNano: '5', count: '3', sum: 2.5, bucketCounts: ['1', '2'], explicitBounds: [1] },
      ],
    },
  });
}

const seen = { clearErrors: 0, accepted: 0 };
afterAll(removeTempDirs);

/** Any value: it either normalises, or fails with a TypeError that says why. */
function expectNormalizeOrClearError(signal: Signal, value: unknown): void {
  try {
    const data = normalizeOtlp(signal, value);
    JSON.stringify(data);
    countRecords(signal, data as never);
    seen.accepted++;
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message.length).toBeGreaterThan(0);
    seen.clearErrors++;
  }
}

function lineArbitrary(signal: Signal): fc.Arbitrary<string> {
  const text = JSON.stringify(templates[signal]);
  return fc.oneof(
    {
      weight: 3,
      arbitrary: mutationsOf(templates[signal]).map((v) => JSON.stringify(v) ?? 'null'),
    },
    { weight: 2, arbitrary: textDamageOf(text) },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.constant(text) },
  );
}

describe('fuzz: in-process readers, 100,000 inputs each', () => {
  it('spool lines: parseOtlpJson answers ok or a reason, never throws', () => {
    let ok = 0;
    let bad = 0;
    fc.assert(
      fc.property(fc.constantFrom(...SIGNALS), fc.integer({ min: 0, max: 2 }), (signal, k) => {
        void k;
        return signal !== undefined;
      }),
      { numRuns: 1 },
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...SIGNALS).chain((s) => fc.tuple(fc.constant(s), lineArbitrary(s))),
        ([signal, line]) => {
          const r = parseOtlpJson(signal, line);
          if (r.ok) {
            ok++;
            JSON.stringify(r.data);
            countRecords(signal, r.data as never);
          } else {
            bad++;
            expect(typeof r.reason).toBe('string');
            expect(r.reason.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: RUNS },
    );
    recordFigure('fuzz.spool-lines', { inputs: RUNS, accepted: ok, rejectedWithReason: bad });
  });

  it('OTLP/HTTP JSON bodies: the receiver path (parse, then entry by entry) never throws', () => {
    let ok = 0;
    let partial = 0;
    let rejected = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...SIGNALS).chain((s) => fc.tuple(fc.constant(s), lineArbitrary(s))),
        ([signal, body]) => {
          const r = parseOtlpJson(signal, body);
          if (r.ok) {
            ok++;
            return;
          }
          // as the receiver does: a whole-request failure is retried entry by entry
          let value: unknown;
          try {
            value = JSON.parse(body);
          } catch (error) {
            expect(error).toBeInstanceOf(SyntaxError);
            rejected++;
            return;
          }
          const entries = (value as Record<string, unknown> | null)?.[RESOURCE_FIELD[signal]];
          if (!Array.isArray(entries)) {
            rejected++;
            return;
          }
          partial++;
          for (const entry of entries) {
            expectNormalizeOrClearError(signal, { [RESOURCE_FIELD[signal]]: [entry] });
          }
        },
      ),
      { numRuns: RUNS },
    );
    recordFigure('fuzz.otlp-json-bodies', { inputs: RUNS, ok, perEntry: partial, rejected });
  });

  it('OTLP/HTTP protobuf bodies: decodeRequest + normalizeOtlp answer data or a clear error', () => {
    const valid = Object.fromEntries(
      SIGNALS.map((s) => [s, encodeRequest(s, normalizeOtlp(s, templates[s]) as never)]),
    ) as Record<Signal, Uint8Array>;
    let decoded = 0;
    let decodeErrors = 0;
    fc.assert(
      fc.property(
        fc
          .constantFrom(...SIGNALS)
          .chain((s) =>
            fc.tuple(
              fc.constant(s),
              fc.oneof(
                { weight: 4, arbitrary: bytesDamageOf(valid[s]) },
                { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }) },
              ),
            ),
          ),
        ([signal, bytes]) => {
          let value: unknown;
          try {
            value = decodeRequest(signal, bytes);
          } catch (error) {
            expect(error).toBeInstanceOf(Error);
            expect((error as Error).message.length).toBeGreaterThan(0);
            decodeErrors++;
            return;
          }
          decoded++;
          expectNormalizeOrClearError(signal, value);
        },
      ),
      { numRuns: RUNS },
    );
    recordFigure('fuzz.otlp-protobuf-bodies', { inputs: RUNS, decoded, decodeErrors });
  });

  const crashTemplate = {
    schemaVersion: 1,
    id: '0123456789abcdef',
    time: '2026-11-24T10:00:00.000Z',
    origin: 'uncaughtException',
    signature: { version: 1, id: 'abc123' },
    error: {
      type: 'TypeError',
      message: 'x is not a function',
      stack: 'TypeError: x\n    at f (file:///app/a.js:1:2)',
      frames: [{ function: 'f', file: 'file:///app/a.js', line: 1, column: 2, inApp: true }],
    },
    breadcrumbs: [{ time: '2026-11-24T09:59:59.000Z', category: 'ui', message: 'click' }],
    session: { id: 's1', installId: 'i1', startedAt: '2026-11-24T09:00:00.000Z' },
    resource: { 'service.name': 'svc', 'service.version': '1.0.0', 'host.name': 'h' },
    process: { pid: 1 },
  };

  it('crash-report ingestion: validate then group never throws on any JSON', () => {
    let valid = 0;
    let invalid = 0;
    fc.assert(
      fc.property(
        fc.oneof(
          { weight: 4, arbitrary: mutationsOf(crashTemplate) },
          { weight: 1, arbitrary: hostileValue },
        ),
        fc.boolean(),
        (value, withPrevious) => {
          const r = validateCrashReport(structuredClone(value));
          if (!r.ok) {
            expect(r.reason.length).toBeGreaterThan(0);
            invalid++;
            return;
          }
          valid++;
          const reports = withPrevious
            ? [validateCrashReport(structuredClone(crashTemplate)), r].flatMap((x) =>
                x.ok ? [x.report] : [],
              )
            : [r.report];
          const groups = groupCrashReports(reports);
          expect(groups.length).toBeGreaterThan(0);
          JSON.stringify(groups);
        },
      ),
      { numRuns: RUNS },
    );
    recordFigure('fuzz.crash-reports', { inputs: RUNS, valid, invalid });
  });

  // Counterexamples the property above found, kept as fixed cases so they never come back.
  it.each([
    ['frame function is an object whose toString is not callable', { function: { toString: {} } }],
    ['frame file is an object', { file: { valueOf: {} }, line: { toString: {} } }],
    ['frame raw is an array', { raw: [1, 2] }],
  ])('crash-report regression: %s', (_name, frame) => {
    const report = structuredClone(crashTemplate) as { error: { frames: unknown[] } };
    report.error.frames = [frame];
    const r = validateCrashReport(report);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const [group] = groupCrashReports([r.report]);
    expect(group?.count).toBe(1);
    expect(() => JSON.stringify(group)).not.toThrow();
    for (const f of r.report.error.frames) {
      for (const v of Object.values(f)) expect(['string', 'number', 'boolean']).toContain(typeof v);
    }
  });

  it('diagnostic-report ingestion: extractNativeReport returns facts or undefined, never throws', () => {
    const report = JSON.parse(JSON.stringify(process.report.getReport())) as Record<
      string,
      unknown
    >;
    // keep the template small: the parts the extractor reads
    const header = report.header as Record<string, unknown>;
    const template = {
      // the fields the extractor reads, plus ones it must never copy
      header: Object.fromEntries(
        [
          'reportVersion',
          'event',
          'trigger',
          'dumpEventTime',
          'dumpEventTimeStamp',
          'processId',
          'nodejsVersion',
          'arch',
          'platform',
          'osName',
          'osRelease',
          'cwd',
          'commandLine',
          'host',
        ].map((k) => [k, header[k]]),
      ),
      javascriptStack: report.javascriptStack,
      nativeStack: (report.nativeStack as unknown[]).slice(0, 2),
      environmentVariables: { SECRET: 'x' },
      javascriptHeap: { totalMemory: 1, usedMemory: 1, memoryLimit: 2 },
      resourceUsage: { rss: 1, userCpuSeconds: 0.1, kernelCpuSeconds: 0.1 },
    };
    let facts = 0;
    let refused = 0;
    fc.assert(
      fc.property(
        fc.oneof(
          { weight: 4, arbitrary: mutationsOf(template) },
          { weight: 1, arbitrary: hostileValue },
        ),
        (value) => {
          const f = extractNativeReport(value, 'report.1.json');
          if (f) {
            facts++;
            JSON.stringify(f);
          } else refused++;
        },
      ),
      { numRuns: RUNS },
    );
    recordFigure('fuzz.diagnostic-reports', { inputs: RUNS, facts, refused });
  });
});

describe('fuzz: file- and HTTP-level readers (real files, real server)', () => {
  let root = '';
  beforeAll(async () => {
    root = await tempDir('fuzz', fastTempBase());
  });

  const jsonTextOf = (template: unknown): fc.Arbitrary<string> =>
    fc.oneof(
      mutationsOf(template).map((v) => JSON.stringify(v) ?? ''),
      textDamageOf(JSON.stringify(template)),
      fc.string({ maxLength: 100 }),
    );

  it(`consent files: ${RUNS} inputs read back as a valid state (fail closed)`, () => {
    const dir = join(root, 'consent');
    mkdirSync(dir);
    const template = {
      version: 1,
      state: 'granted',
      signals: 'all',
      updatedAt: '2026-01-01T00:00:00Z',
      salt: 'ab'.repeat(32),
    };
    let granted = 0;
    fc.assert(
      fc.property(jsonTextOf(template), (text) => {
        // 0600 like the files `spool consent` writes: a looser mode is refused before parsing.
        writeFileSync(join(dir, 'consent.json'), text, { mode: 0o600 });
        const c = readConsent(dir);
        expect(['unknown', 'granted', 'denied']).toContain(c.state);
        expect(['all', 'crashes']).toContain(c.signals);
        if (c.state === 'granted') {
          granted++;
          expect(c.salt).toMatch(/^[0-9a-f]{32,}$/);
          // Granted only from a file understood exactly (issue 11, item 9: fails closed).
          const file = JSON.parse(text) as Record<string, unknown>;
          expect(file.version).toBe(1);
          expect(file.state).toBe('granted');
          expect(file.signals).toBe(c.signals);
          expect(file.salt).toBe(c.salt);
        }
      }),
      { numRuns: RUNS },
    );
    recordFigure('fuzz.consent-files', { inputs: RUNS, readAsGranted: granted });
  });

  it(`cursor files: ${RUNS} inputs read back as undefined or sane positions`, () => {
    const dir = join(root, 'cursor');
    mkdirSync(join(dir, 'sync'), { recursive: true });
    const template = {
      version: 1,
      destination: 'd',
      urls: ['http://x/v1/traces'],
      signals: ['traces'],
      segments: { 'traces/20260101T000000000Z_1_abcd_000001.jsonl': 123 },
      updatedAt: '2026-01-01T00:00:00Z',
    };
    let usable = 0;
    fc.assert(
      fc.property(jsonTextOf(template), (text) => {
        writeFileSync(join(dir, 'sync', 'd.json'), text);
        const c = readCursor(dir, 'd');
        if (c === undefined) return;
        usable++;
        for (const v of Object.values(c.segments)) {
          expect(Number.isFinite(v) && v >= 0).toBe(true);
        }
        expect(Array.isArray(c.signals)).toBe(true);
      }),
      { numRuns: RUNS },
    );
    recordFigure('fuzz.cursor-files', { inputs: RUNS, usable });
  });

  it(`spool files: ${FILE_RUNS} generated segments — every complete line is read or quarantined`, async () => {
    let records = 0;
    let quarantined = 0;
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.constantFrom(...SIGNALS).chain((s) => fc.tuple(fc.constant(s), lineArbitrary(s))),
          { minLength: 1, maxLength: 12 },
        ),
        fc.boolean(),
        async (lines, tornTail) => {
          const dir = join(root, `spool-${n++}`);
          const bySignal = new Map<Signal, string[]>();
          for (const [s, l] of lines)
            bySignal.set(s, [...(bySignal.get(s) ?? []), l.replace(/\n/g, ' ')]);
          let expectedOk = 0;
          let complete = 0;
          let partial = 0;
          for (const [s, ls] of bySignal) {
            mkdirSync(join(dir, s), { recursive: true });
            const body = ls.join('\n') + '\n' + (tornTail ? '{"resourceSp' : '');
            writeFileSync(join(dir, s, `20260101T000000000Z_1_abcd_000001.jsonl`), body);
            for (const l of ls) {
              if (l === '') continue; // the reader skips empty lines; whitespace is malformed
              complete++;
              // The reader drops bad items alone (issue 11 item 13): a line with some valid
              // items is read and also quarantined (partial entry with the original line).
              const r = parseOtlpJson(s, l, { dropInvalidItems: true });
              if (r.ok) expectedOk++;
              if (r.ok && r.dropped) partial++;
            }
          }
          let got = 0;
          let bad = 0;
          for await (const _ of readSpool(dir, { onMalformed: () => bad++ })) got++;
          expect(got).toBe(expectedOk);
          expect(got + bad).toBe(complete + partial);
          records += got;
          quarantined += bad;
          if (bad > 0) expect(readdirSync(join(dir, 'quarantine')).length).toBeGreaterThan(0);
          rmSync(dir, { recursive: true, force: true });
        },
      ),
      { numRuns: FILE_RUNS },
    );
    recordFigure('fuzz.spool-files', { spools: FILE_RUNS, records, quarantined });
  });

  it(`crash reports, diagnostic reports and the session ledger on disk: ${FILE_RUNS} inputs each`, () => {
    const dir = join(root, 'crash');
    const crashes = join(dir, 'crashes');
    const session = join(dir, 'session');
    mkdirSync(crashes, { recursive: true });
    mkdirSync(session, { recursive: true });
    let invalid = 0;
    fc.assert(
      fc.property(
        fc.string({ maxLength: 300 }),
        fc.jsonValue({ maxDepth: 3 }),
        fc.array(
          fc.oneof(
            fc.string({ maxLength: 80 }),
            fc.jsonValue().map((v) => JSON.stringify(v)),
          ),
          { maxLength: 6 },
        ),
        (text, value, ledgerLines) => {
          writeFileSync(join(crashes, 'crash_report_20260101T000000000Z_0123456789ab.json'), text);
          writeFileSync(
            join(crashes, 'report.20260101.000000.999999.0.001.json'),
            JSON.stringify(value),
          );
          writeFileSync(join(session, 'ledger.jsonl'), ledgerLines.join('\n'));
          const groups = listCrashGroups(dir, { onInvalid: () => invalid++ });
          expect(Array.isArray(groups)).toBe(true);
          collectNativeReports(
            crashes,
            () => true,
            () => invalid++,
          );
          const ledger = readSessionLedger(dir);
          expect(ledger.sessions.length + ledger.skippedLines).toBeLessThanOrEqual(
            ledgerLines.length + 1,
          );
        },
      ),
      { numRuns: FILE_RUNS },
    );
    recordFigure('fuzz.crash-files', { inputs: FILE_RUNS, invalidReported: invalid });
  });

  it(`OTLP/HTTP receiver over a real socket: ${FILE_RUNS} hostile requests answered 200/400/413/415`, async () => {
    const receiver: OtlpReceiver = createOtlpReceiver({
      dir: join(root, 'recv'),
      port: 0,
      maxBodyBytes: 64 * 1024,
    });
    const base = await receiver.listen();
    const statuses: Record<number, number> = {};
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...SIGNALS).chain((s) => fc.tuple(fc.constant(s), lineArbitrary(s))),
          fc.constantFrom('application/json', 'application/x-protobuf', 'text/plain', ''),
          fc.constantFrom('identity', 'gzip', 'br', 'gzip-lie'),
          async ([signal, line], type, encoding) => {
            let body: Buffer =
              type === 'application/x-protobuf' ? Buffer.from(line, 'latin1') : Buffer.from(line);
            const headers: Record<string, string> = {};
            if (type) headers['content-type'] = type;
            if (encoding === 'gzip') body = gzipSync(body);
            if (encoding !== 'identity')
              headers['content-encoding'] = encoding === 'gzip-lie' ? 'gzip' : encoding;
            const status = await new Promise<{ code: number; text: string }>((resolve, reject) => {
              const req = request(`${base}/v1/${signal}`, { method: 'POST', headers }, (res) => {
                let text = '';
                res.setEncoding('latin1');
                res.on('data', (c: string) => (text += c));
                res.on('end', () => resolve({ code: res.statusCode ?? 0, text }));
              });
              req.on('error', reject);
              req.end(body);
            });
            statuses[status.code] = (statuses[status.code] ?? 0) + 1;
            expect([200, 400, 413, 415]).toContain(status.code);
            if (status.code !== 200) expect(status.text.length).toBeGreaterThan(0);
          },
        ),
        { numRuns: FILE_RUNS },
      );
    } finally {
      await receiver.close();
    }
    recordFigure('fuzz.receiver-http', { requests: FILE_RUNS, statuses });
  });
});

afterAll(() => {
  recordFigure('fuzz.normalize', { ...seen });
});
