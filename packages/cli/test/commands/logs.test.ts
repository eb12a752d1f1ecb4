import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { forEachLogRecord, readSpool, type LogsData } from '@otelspool/exporter-jsonl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createColors } from 'picocolors';
import { logLine } from '../../src/commands/logs.js';
import { compileLogQuery } from '../../src/logs/index.js';
import {
  appendLogs,
  logsData,
  SYNTH,
  SYNTH_LOGS,
  T0,
  TRACE_A,
  TRACE_B,
  writeLogsSpool,
} from '../logs/logs-fixture.js';
import { run } from './capture.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const BIN = join(root, 'packages/cli/dist/bin/spool.js');
let dir: string;
let cleanup: () => void;
beforeAll(async () => ({ dir, cleanup } = await writeLogsSpool()));
afterAll(() => cleanup());

interface JsonLine {
  schemaVersion: number;
  time: string;
  severityNumber: number;
  level: string | null;
  service: string;
  body: string;
  attributes: Record<string, unknown>;
  traceId: string | null;
  resource: Record<string, unknown>;
  logRecord: { timeUnixNano: string };
}

async function json(args: string[]): Promise<JsonLine[]> {
  const { code, stdout, stderr } = await run(['logs', '--dir', dir, '--json', ...args]);
  expect(code, stderr).toBe(0);
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as JsonLine);
}
const bodies = async (...args: string[]): Promise<string[]> =>
  (await json(args)).map((l) => l.body);

const MAP_BODY =
  '{"kvlistValue":{"values":[{"key":"level","value":{"stringValue":"warn"}},{"key":"msg","value":{"stringValue":"structured"}}]}}';
const ALL = [
  'startup complete',
  'buffer underrun xrun',
  'xrun detected in bufffer',
  '{"level":"error","msg":"json failure","code":42}',
  'crash: out of memory',
  'debug xrun details',
  'other failed',
  MAP_BODY,
];

describe('spool logs filters (each one keeps a known record and drops another)', () => {
  it('no filter: every record, oldest first by time', async () => {
    expect(await bodies()).toEqual(ALL);
  });

  it('--since / --until: ISO dates and durations, as the other commands take them', async () => {
    expect(await bodies('--since', new Date(T0 + 6000).toISOString())).toEqual([
      'other failed',
      MAP_BODY,
    ]);
    expect(await bodies('--until', new Date(T0 + 1000).toISOString())).toEqual([
      'startup complete',
    ]);
    // The fixture is from 2026-11-20: a day back keeps nothing, a year back everything.
    expect(await bodies('--since', '1d')).toEqual([]);
    expect(await bodies('--since', '365d')).toEqual(ALL);
    expect(await bodies('--until', '365d')).toEqual([]);
  });

  it('--service filters the records of a --dir spool', async () => {
    expect(await bodies('--service', 'other')).toEqual(['other failed']);
    expect(await bodies('--service', 'synth')).not.toContain('other failed');
  });

  it('--severity: that level and above, by SeverityNumber, else severityText', async () => {
    expect(await bodies('--severity', 'ERROR')).toEqual([
      'xrun detected in bufffer',
      '{"level":"error","msg":"json failure","code":42}', // severityText only
      'crash: out of memory',
      'other failed',
    ]);
    expect(await bodies('--severity', 'fatal')).toEqual(['crash: out of memory']);
    expect(await bodies('--severity', 'warn')).toContain('buffer underrun xrun');
    expect(await bodies('--severity', 'warn')).not.toContain('startup complete');
    expect(await bodies('--severity', '5')).toContain('debug xrun details');
    expect(await bodies('--severity', 'info')).not.toContain('debug xrun details');
  });

  it('--grep (all must match) and --regex over the body text; a map body as its OTLP/JSON', async () => {
    expect(await bodies('--grep', 'xrun', '--grep', 'detected')).toEqual([
      'xrun detected in bufffer',
    ]);
    expect(await bodies('--grep', 'kvlistValue')).toEqual([MAP_BODY]);
    expect(await bodies('--regex', '^(buffer|debug) ')).toEqual([
      'buffer underrun xrun',
      'debug xrun details',
    ]);
    expect(await bodies('--regex', 'buf{3}er')).toEqual(['xrun detected in bufffer']);
  });

  it('--attr: key=value, key!=value, key=~regex, key!~regex; record attributes, then resource', async () => {
    expect(await bodies('--attr', 'plugin.id=compressor')).toEqual(['xrun detected in bufffer']);
    expect(await bodies('--attr', 'buffer.size=256')).toEqual(['buffer underrun xrun']);
    expect(await bodies('--attr', 'plugin.id=~rev.*', '--attr', 'buffer.size!=256')).toEqual([
      'startup complete',
    ]);
    expect(await bodies('--attr', 'plugin.id!~rev.*', '--severity', 'error')).toEqual([
      'xrun detected in bufffer',
      '{"level":"error","msg":"json failure","code":42}',
      'crash: out of memory',
      'other failed',
    ]);
    // host.name lives on the resource.
    expect(await bodies('--attr', 'host.name=box-2')).toEqual(['other failed']);
  });

  it('--trace (any case) and --session (record attribute before the resource one)', async () => {
    expect(await bodies('--trace', TRACE_A.toUpperCase())).toEqual(['buffer underrun xrun']);
    expect(await bodies('--trace', TRACE_B)).toEqual(['xrun detected in bufffer']);
    expect(await bodies('--session', 'sess-B')).toEqual(['crash: out of memory']);
    const a = await bodies('--session', 'sess-A');
    expect(a).toHaveLength(SYNTH_LOGS.length - 1);
    expect(a).not.toContain('crash: out of memory');
    expect(await bodies('--session', 'sess-C')).toEqual(['other failed']);
  });

  it('a LogQL query and the flags together (AND)', async () => {
    expect(
      await bodies('{service_name="synth"} |= "xrun" != "debug"', '--severity', 'error'),
    ).toEqual(['xrun detected in bufffer']);
  });

  it('--limit: the newest N, printed oldest first, and says how many it left out; 0 prints none', async () => {
    expect(await bodies('--limit', '2')).toEqual(ALL.slice(-2));
    const { stderr } = await run(['logs', '--dir', dir, '--limit', '2']);
    expect(stderr).toContain(`the newest 2 of ${ALL.length} matching records shown (--limit 2)`);
    expect((await run(['logs', '--dir', dir])).stderr).not.toContain('matching records shown');
    expect(await bodies('--limit', '0')).toEqual([]);
    expect(await bodies('--severity', 'error', '--limit', '1')).toEqual(['other failed']);
  });
});

describe('spool logs output', () => {
  it('--json: one object per record with schemaVersion, plain attributes and the OTLP record', async () => {
    const [line] = await json(['--trace', TRACE_A]);
    expect(line).toMatchObject({
      schemaVersion: 1,
      time: new Date(T0 + 1000).toISOString(),
      severityNumber: 13,
      severityText: 'WARN',
      level: 'warn',
      service: 'synth',
      body: 'buffer underrun xrun',
      attributes: { 'plugin.id': 'reverb', 'buffer.size': 256 },
      traceId: TRACE_A,
      spanId: '0123456789abcdef',
      resource: SYNTH,
      scope: { name: 'logs-test', version: '1.0.0' },
      logRecord: { timeUnixNano: `${T0 + 1000}000000`, severityNumber: 13 },
    });
    expect(Object.keys(line ?? {})[0]).toBe('schemaVersion');
  });

  it('one plain line per record: local time with ms, severity, service, body, attributes, trace', async () => {
    const { code, stdout } = await run(['logs', '--dir', dir, '--trace', TRACE_A]);
    expect(code).toBe(0);
    expect(stdout).not.toContain('\u001b[');
    const line = stdout.trimEnd();
    const [when, ...rest] = line.split(' ');
    expect(when).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/);
    expect(Date.parse(when ?? '')).toBe(T0 + 1000);
    expect(rest.join(' ')).toBe(
      `WARN  synth  buffer underrun xrun plugin.id=reverb buffer.size=256 trace=${TRACE_A}`,
    );
  });

  it('colours the severity only when colour is on; never with NO_COLOR or --json', async () => {
    const saved = { NO_COLOR: process.env.NO_COLOR, FORCE_COLOR: process.env.FORCE_COLOR };
    delete process.env.NO_COLOR;
    process.env.FORCE_COLOR = '1';
    try {
      const colored = (await run(['logs', '--dir', dir, '--severity', 'error'])).stdout;
      expect(colored).toContain('\u001b[31mERROR');
      expect((await run(['logs', '--dir', dir, '--json'])).stdout).not.toContain('\u001b[');
      process.env.NO_COLOR = '1';
      expect((await run(['logs', '--dir', dir])).stdout).not.toContain('\u001b[');
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });

  it('fits a terminal width, keeping time, severity and service', () => {
    const entry = compileLogQuery({}).entries({
      signal: 'logs',
      file: '',
      segment: 's',
      line: 1,
      position: 0,
      data: logsData(SYNTH, [{ ...SYNTH_LOGS[1]!, body: 'x'.repeat(200) }]),
    })[0]!;
    const plain = createColors(false);
    const cut = logLine(entry, plain, 80);
    expect(cut.length).toBe(80);
    expect(cut).toMatch(/ WARN {2}synth {2}x+…$/);
    expect(logLine(entry, plain)).toContain(`trace=${TRACE_A}`);
  });
});

describe('spool logs usage errors (exit 2, saying what was wrong)', () => {
  const usage: [string[], RegExp][] = [
    [['--regex', '('], /--regex "\(": not a valid regular expression/],
    [['--attr', 'plugin.id=~('], /--attr plugin.id=~ "\(": not a valid regular expression/],
    [['{service_name="synth"} |~ "["'], /not a valid regular expression/],
    [['--attr', 'novalue'], /--attr "novalue": expected key=value/],
    [['--severity', 'loud'], /--severity "loud": expected trace, debug, info, warn, error, fatal/],
    [['--severity', '25'], /SeverityNumber 1-24/],
    [['--limit', 'ten'], /--limit "ten": expected a whole number/],
    [['--trace', 'xyz'], /--trace "xyz": expected 32 hex digits/],
    [['--until', 'yesterday'], /--until "yesterday": expected a duration/],
    [['count_over_time({service_name="synth"}[5m])'], /a metric query .* outside the subset/],
    [['{service_name="synth"} | logfmt'], /`\| logfmt` .* outside the subset/],
    [['{service_name="synth"} | json | code >= 40'], /numeric comparison/],
    [['{service_name="synth"'], /LogQL syntax error at column/],
  ];
  it.each(usage)('%j', async (args, message) => {
    const { code, stderr, stdout } = await run(['logs', '--dir', dir, ...args]);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stdout).toBe('');
  });
});

describe('spool logs --json --severity error counts true', () => {
  const work = mkdtempSync(join(tmpdir(), 'spool-logs-sdk-'));
  const sdkDir = join(work, 'spool');
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('prints exactly the ERROR and FATAL records a real SDK process wrote', async () => {
    const sdk = pathToFileURL(join(root, 'packages/sdk/dist/index.js')).href;
    const script = join(work, 'child.mjs');
    writeFileSync(
      script,
      `import { startTelemetry } from ${JSON.stringify(sdk)};
const t = await startTelemetry({ serviceName: 'logs-count', dir: ${JSON.stringify(sdkDir)}, crash: false, durability: 'none' });
for (let i = 0; i < 60; i++) {
  t.log.debug('d' + i); t.log.info('i' + i); t.log.warn('w' + i);
  if (i % 3 === 0) t.log.error('e' + i, { i });
  if (i % 20 === 0) t.logger.emit({ severityNumber: 21, severityText: 'FATAL', body: 'f' + i });
}
await t.shutdown();
`,
    );
    const ran = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 60_000 });
    expect(ran.status, ran.stderr).toBe(0);
    let held = 0;
    let all = 0;
    for await (const r of readSpool(sdkDir, { signals: ['logs'] })) {
      forEachLogRecord(r.data as LogsData, (record) => {
        all++;
        if ((record.severityNumber ?? 0) >= 17) held++;
      });
    }
    expect(held).toBe(20 + 3);
    const { code, stdout } = await run(['logs', '--dir', sdkDir, '--json', '--severity', 'error']);
    expect(code).toBe(0);
    const lines = stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(held);
    expect(lines.every((l) => (JSON.parse(l) as JsonLine).severityNumber >= 17)).toBe(true);
    // Without --limit: the default 100 of them all, and stderr says how many matched.
    expect(all).toBeGreaterThan(180);
    const every = await run(['logs', '--dir', sdkDir, '--json']);
    expect(every.stdout.split('\n').filter(Boolean)).toHaveLength(100);
    expect(every.stderr).toContain(`the newest 100 of ${all} matching records shown`);
  });
});

describe('spool logs --follow', () => {
  it('prints the newest --limit records, then a matching record appended after start, once', async () => {
    const child = spawn(
      process.execPath,
      [BIN, 'logs', '--dir', dir, '--follow', '--limit', '1', '--severity', 'error'],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
    );
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (out += chunk));
    const waitFor = async (text: string): Promise<void> => {
      for (let i = 0; i < 400 && !out.includes(text); i++)
        await new Promise((r) => setTimeout(r, 50));
      expect(out).toContain(text);
    };
    try {
      await waitFor('other failed'); // --limit 1 of the matches so far: the newest
      expect(out).not.toContain('startup complete');
      await appendLogs(dir, SYNTH, [
        { atMs: T0 + 9000, severityNumber: 9, body: 'no match here: xrun' },
        { atMs: T0 + 9001, severityNumber: 17, body: 'appended later' },
      ]);
      await waitFor('appended later');
    } finally {
      child.kill('SIGINT');
    }
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(0);
    expect(out.match(/appended later/g)).toHaveLength(1);
    expect(out.match(/other failed/g)).toHaveLength(1);
    expect(out).not.toContain('no match here');
  });
});
