import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CrashReport } from '@otelspool/crash';
import { run } from './capture.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cli-crashes-'));
  mkdirSync(join(dir, 'crashes'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function report(
  id: string,
  time: string,
  signatureId: string,
  session: string,
  extra: Partial<CrashReport> = {},
): CrashReport {
  return {
    schemaVersion: 1,
    id,
    time,
    origin: 'uncaughtException',
    fatal: true,
    signature: {
      id: signatureId,
      version: 1,
      parts: ['PluginLoadError', 'loadPlugin@src/plugins.js'],
    },
    error: {
      type: 'PluginLoadError',
      message: `plugin reverb-${id.slice(0, 2)} failed to load`,
      stack:
        'PluginLoadError: plugin failed to load\n    at loadPlugin (~/app/src/plugins.js:12:9)',
      frames: [
        {
          function: 'loadPlugin',
          file: '~/app/src/plugins.js',
          line: 12,
          column: 9,
          inApp: true,
          raw: 'loadPlugin (~/app/src/plugins.js:12:9)',
        },
        {
          function: 'listOnTimeout',
          file: 'node:internal/timers',
          line: 585,
          column: 17,
          inApp: false,
          raw: 'listOnTimeout (node:internal/timers:585:17)',
        },
      ],
      cause: { type: 'Error', message: 'ENOENT: manifest.json', code: 'ENOENT', frames: [] },
    },
    session: { id: session, installId: 'install-1', startedAt: time, launchCompleted: false },
    breadcrumbs: [{ timestamp: time, category: 'plugin', message: 'loading reverb' }],
    resource: {
      'service.name': 'host-app',
      'service.version': '1.4.2',
      'host.name': 'studio-1',
      'os.type': 'Linux',
    },
    process: { pid: 4242, versions: { node: '24.0.0' } },
    ...extra,
  };
}

function write(r: CrashReport): void {
  const name = `crash_report_${r.time.replace(/[-:.]/g, '')}_${r.id}.json`;
  writeFileSync(join(dir, 'crashes', name), JSON.stringify(r));
}

describe('spool crashes', () => {
  beforeEach(() => {
    write(report('aa11aa11aa11aa11', '2026-11-20T10:00:00.000Z', '1111222233334444', 's1'));
    write(report('bb22bb22bb22bb22', '2026-11-21T10:00:00.000Z', '1111222233334444', 's2'));
    write(
      report('cc33cc33cc33cc33', '2026-11-22T10:00:00.000Z', '9999888877776666', 's3', {
        error: {
          type: 'OOMError',
          message: 'Allocation failed - JavaScript heap out of memory',
          frames: [],
        },
        origin: 'fatalError',
      }),
    );
  });

  it('--json lists groups deduped by signature, newest first', async () => {
    const res = await run(['crashes', '--dir', dir, '--json']);
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout);
    expect(out.groups.map((g: { id: string; count: number }) => [g.id, g.count])).toEqual([
      ['9999888877776666', 1],
      ['1111222233334444', 2],
    ]);
    expect(out.groups[1]).toMatchObject({
      type: 'PluginLoadError',
      sessions: ['s1', 's2'],
      hosts: ['studio-1'],
      versions: ['1.4.2'],
      firstSeen: '2026-11-20T10:00:00.000Z',
      lastSeen: '2026-11-21T10:00:00.000Z',
      reportIds: ['aa11aa11aa11aa11', 'bb22bb22bb22bb22'],
    });
  });

  it('prints a table without colour when stdout is not a TTY', async () => {
    const res = await run(['crashes', '--dir', dir]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('1111222233334444');
    expect(res.stdout).toContain('OOMError');
    expect(res.stdout).toContain('studio-1');
    expect(res.stdout).not.toContain('\u001b[');
  });

  it('fails on a spool with no data; --allow-empty reports it plainly', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'cli-crashes-empty-'));
    try {
      const failed = await run(['crashes', '--dir', empty]);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain(`${empty} holds no spool data`);
      const res = await run(['crashes', '--dir', empty, '--allow-empty']);
      expect(res.code).toBe(0);
      expect(res.stdout).toContain('no crashes recorded');
      const json = await run(['crashes', '--dir', empty, '--json', '--allow-empty']);
      expect(JSON.parse(json.stdout).groups).toEqual([]);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('show <group prefix> prints the latest report of the group with a readable stack', async () => {
    const res = await run(['crashes', 'show', '1111', '--dir', dir]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('bb22bb22bb22bb22');
    expect(res.stdout).toContain('at loadPlugin (~/app/src/plugins.js:12:9)');
    expect(res.stdout).toContain('Caused by:');
    expect(res.stdout).toContain('ENOENT');
    expect(res.stdout).toContain('[plugin] loading reverb');
    expect(res.stdout).toContain('2 occurrence(s) in 2 session(s)');
  });

  it('show <report id> --json prints the whole report', async () => {
    const res = await run(['crashes', 'show', 'aa11aa11aa11aa11', '--dir', dir, '--json']);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual(
      report('aa11aa11aa11aa11', '2026-11-20T10:00:00.000Z', '1111222233334444', 's1'),
    );
  });

  it('unknown and ambiguous ids fail with a message, bad ids are usage errors', async () => {
    const missing = await run(['crashes', 'show', 'deadbeef', '--dir', dir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("no crash group or report matches 'deadbeef'");
    write(report('aa11ff00aa11ff00', '2026-11-23T10:00:00.000Z', '5555444433332222', 's4'));
    const ambiguous = await run(['crashes', 'show', 'aa11', '--dir', dir]);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toContain('ambiguous');
    expect((await run(['crashes', 'show', '../etc', '--dir', dir])).code).toBe(2);
  });

  it('skips unreadable report files with a message instead of failing', async () => {
    writeFileSync(
      join(dir, 'crashes', 'crash_report_20261123T100000000Z_dddddddddddddddd.json'),
      '{ torn',
    );
    const res = await run(['crashes', '--dir', dir, '--json']);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout).groups).toHaveLength(2);
    expect(res.stderr).toContain('dddddddddddddddd');
  });
});
