import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readConsent } from '@otelspool/collector';
import { resolveOptions } from '@otelspool/sdk';
import { appendLines, segmentName, T0, tracesLine } from '../analysis/report-fixture.js';
import { run } from './capture.js';
import { spoolDirFrom } from '../../src/output/context.js';

// Issue 12, items 1 and 2: one spool-location rule, and missing/empty input is an error.
const ENV_KEYS = ['XDG_DATA_HOME', 'SPOOL_DIR', 'OTEL_SERVICE_NAME'] as const;
let saved: Record<string, string | undefined>;
let home: string;
let root: string;

function spoolFor(service: string, spans = 3): string {
  const dir = join(root, service);
  const list = Array.from({ length: spans }, (_, k) => ({
    name: 'op',
    startMs: T0 + k,
    durationMs: 1,
  }));
  appendLines(dir, 'traces', segmentName(), [tracesLine(service, list)]);
  return dir;
}

beforeEach(() => {
  saved = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
  for (const k of ENV_KEYS) delete process.env[k];
  home = mkdtempSync(join(tmpdir(), 'cli-location-'));
  process.env.XDG_DATA_HOME = join(home, 'data');
  root = join(home, 'data', 'otelspool');
});
afterEach(() => {
  for (const k of ENV_KEYS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  rmSync(home, { recursive: true, force: true });
});

describe('spool location (one rule for the SDK and every command)', () => {
  it('the SDK writes where a bare command reads', async () => {
    const sdkDir = resolveOptions({ serviceName: 'my-plugin' }).dir;
    expect(sdkDir).toBe(join(root, 'my-plugin'));
    spoolFor('my-plugin', 4);
    const r = await run(['report', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(`spool: using ${sdkDir}\n`);
    expect(JSON.parse(r.stdout).spans.overall.count).toBe(4);
  });

  it('a receiver with no spool yet starts the default one; a reader fails', async () => {
    expect(spoolDirFrom({}, { createIfNone: true })).toBe(join(root, 'unknown_service'));
    expect(() => spoolDirFrom({})).toThrow(/no spool found/);
    spoolFor('my-plugin');
    expect(spoolDirFrom({}, { createIfNone: true })).toBe(join(root, 'my-plugin'));
  });

  it('several services: exit 2 naming them; --service picks one', async () => {
    spoolFor('alpha');
    spoolFor('beta', 2);
    const r = await run(['crashes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('alpha, beta');
    expect(r.stderr).toContain('--service');
    const picked = await run(['report', '--service', 'beta', '--json']);
    expect(picked.code, picked.stderr).toBe(0);
    expect(picked.stderr).toContain(`spool: using ${join(root, 'beta')}`);
    expect(JSON.parse(picked.stdout).spans.overall.count).toBe(2);
    process.env.OTEL_SERVICE_NAME = 'alpha';
    const fromEnv = await run(['check', '--max-crashes', '0']);
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
    expect(fromEnv.stderr).toContain(`spool: using ${join(root, 'alpha')}`);
  });

  it('no spool anywhere: exit 1 with a hint on how to get data in', async () => {
    for (const args of [
      ['report'],
      ['check', '--max-crashes', '0'],
      ['sync'],
      ['consent', 'status'],
    ]) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toContain(`no spool found under ${root}`);
      expect(r.stderr).toContain('startTelemetry');
    }
  });

  it('$SPOOL_DIR wins over discovery, as in the SDK', async () => {
    spoolFor('alpha');
    spoolFor('beta');
    const other = join(home, 'elsewhere');
    appendLines(other, 'traces', segmentName(), [
      tracesLine('x', [{ name: 'a', startMs: T0, durationMs: 1 }]),
    ]);
    process.env.SPOOL_DIR = other;
    expect(resolveOptions({ serviceName: 'alpha' }).dir).toBe(other);
    const r = await run(['report', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(`spool: using ${other}\n`);
  });

  it('consent grant then sync without flags act on the one spool the app writes to', async () => {
    const dir = spoolFor('my-plugin');
    const g = await run(['consent', 'grant']);
    expect(g.code, g.stderr).toBe(0);
    expect(g.stdout).toContain(`for the spool at ${dir}`);
    expect(readConsent(dir).state).toBe('granted');
    const s = await run(['sync', '--dry-run', '--out', join(home, 'dry.jsonl'), '--json']);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stderr).toContain(`spool: using ${dir}`);
    expect(JSON.parse(s.stdout).totals.recordsSent).toBe(3);
  });

  it('every command takes --service', async () => {
    const commands = [
      ['report'],
      ['crashes'],
      ['crashes', 'show', 'x'],
      ['tail'],
      ['slo'],
      ['check'],
      ['export'],
      ['incident', 'x'],
      ['consent', 'grant'],
      ['consent', 'revoke'],
      ['consent', 'status'],
      ['sync'],
      ['serve'],
      ['dashboard'],
      ['demo'],
      ['import', 'x'],
    ];
    for (const c of commands) {
      const r = await run([...c, '--help']);
      expect(r.stdout, c.join(' ')).toContain('--service <name>');
      expect(r.stdout, c.join(' ')).toContain('--dir <dir>');
    }
  });
});

describe('missing, empty or unreadable input is an error', () => {
  it('spool check --dir /nonexistent fails (exit 1) with the path and a hint', async () => {
    const r = await run(['check', '--max-crashes', '0', '--dir', '/nonexistent']);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('PASS');
    expect(r.stderr).toContain('no spool at /nonexistent: the directory does not exist');
    expect(r.stderr).toContain('hint:');
  });

  it('every read command fails on a missing dir, a regular file and an empty dir', async () => {
    const missing = join(home, 'nope');
    const file = join(home, 'file.txt');
    writeFileSync(file, 'not a spool\n');
    const empty = join(home, 'empty');
    mkdirSync(join(empty, 'traces'), { recursive: true });
    const reads = [
      ['report'],
      ['crashes'],
      ['crashes', 'show', 'abc'],
      ['tail'],
      ['slo', '--availability', '99%'],
      ['check', '--max-crashes', '0'],
      ['export', '--format', 'chrome-trace', '--out', join(home, 'out.json')],
      ['incident', 'abc'],
    ];
    for (const args of reads) {
      for (const [dir, text] of [
        [missing, 'does not exist'],
        [file, 'is not a spool directory'],
        [empty, 'holds no spool data'],
      ] as const) {
        const r = await run([...args, '--dir', dir]);
        expect(r.code, `${args.join(' ')} --dir ${dir}`).toBe(1);
        expect(r.stderr).toContain(dir);
        expect(r.stderr).toContain(text);
      }
    }
  });

  it('--allow-empty restores the old behaviour for a missing or empty spool, not for a file', async () => {
    const empty = join(home, 'empty');
    mkdirSync(empty);
    const ok = await run(['check', '--max-crashes', '0', '--dir', empty, '--allow-empty']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toContain('--allow-empty');
    const gone = await run([
      'check',
      '--max-crashes',
      '0',
      '--dir',
      join(home, 'x'),
      '--allow-empty',
    ]);
    expect(gone.code, gone.stderr).toBe(0);
    const file = join(home, 'f');
    writeFileSync(file, '');
    const bad = await run(['check', '--max-crashes', '0', '--dir', file, '--allow-empty']);
    expect(bad.code).toBe(1);
    const report = await run(['report', '--dir', empty, '--allow-empty', '--json']);
    expect(report.code, report.stderr).toBe(0);
  });

  it('--service naming a service with no spool lists the ones that exist', async () => {
    spoolFor('alpha');
    const r = await run(['report', '--service', 'typo']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(join(root, 'typo'));
    expect(r.stderr).toContain('alpha');
  });
});
