import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listCrashGroups, listCrashReports, readCrashReport } from '../../src/index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'reports-'));
  mkdirSync(join(dir, 'crashes'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function put(id: string, time: string, sig: string, extra: Record<string, unknown> = {}): void {
  const report = {
    schemaVersion: 1,
    id,
    time,
    origin: 'uncaughtException',
    fatal: true,
    signature: { id: sig, version: 1, parts: [] },
    error: { type: 'Error', message: `m-${id}`, frames: [] },
    session: { id: `s-${id}`, installId: 'i', startedAt: time, launchCompleted: true },
    breadcrumbs: [],
    resource: { 'host.name': 'h1', 'service.version': '2.0.0' },
    process: { pid: 1 },
    ...extra,
  };
  writeFileSync(
    join(dir, 'crashes', `crash_report_${time.replace(/[-:.]/g, '')}_${id}.json`),
    JSON.stringify(report),
  );
}

describe('crash report readers', () => {
  it('lists valid reports oldest first and reports invalid files', () => {
    put('bbbb000000000000', '2026-11-02T00:00:00.000Z', 'aaaa');
    put('aaaa000000000000', '2026-11-01T00:00:00.000Z', 'aaaa');
    writeFileSync(
      join(dir, 'crashes', 'crash_report_20261103T000000000Z_cccc000000000000.json'),
      '{"id":"x"}',
    );
    writeFileSync(join(dir, 'crashes', 'unrelated.txt'), 'hello');
    const invalid: string[] = [];
    const reports = listCrashReports(dir, { onInvalid: (_f, reason) => invalid.push(reason) });
    expect(reports.map((r) => r.id)).toEqual(['aaaa000000000000', 'bbbb000000000000']);
    expect(invalid).toEqual(['missing or invalid time']);
  });

  it('drops non-object frames and breadcrumbs of a damaged report (found by the reliability fuzzer)', () => {
    put('dddd000000000000', '2026-11-04T00:00:00.000Z', 'dddd', {
      error: {
        type: 'Error',
        message: 'm',
        frames: [null, 'at x', { function: 'f', inApp: true, raw: 'f' }],
      },
      breadcrumbs: [null, 3, { message: 'ok' }],
    });
    const [report] = listCrashReports(dir);
    expect(report?.error.frames).toEqual([{ function: 'f', inApp: true, raw: 'f' }]);
    expect(report?.breadcrumbs).toEqual([{ message: 'ok' }]);
    expect(listCrashGroups(dir)[0]?.topFrame).toBe('f');
  });

  it('reads by id or unique prefix and refuses ambiguous prefixes', () => {
    put('abcd111100000000', '2026-11-01T00:00:00.000Z', 's1');
    put('abcd222200000000', '2026-11-02T00:00:00.000Z', 's1');
    expect(readCrashReport(dir, 'abcd1111')?.id).toBe('abcd111100000000');
    expect(readCrashReport(dir, 'ABCD111100000000')?.id).toBe('abcd111100000000');
    expect(() => readCrashReport(dir, 'abcd')).toThrow(/ambiguous/);
    expect(readCrashReport(dir, 'abc')).toBeUndefined(); // prefixes need 4 characters
    expect(readCrashReport(dir, 'ffff')).toBeUndefined();
    expect(readCrashReport(join(dir, 'missing'), 'abcd')).toBeUndefined();
  });

  it('groups by signature with occurrences, sessions, hosts, versions, first/last seen', () => {
    put('a000000000000001', '2026-11-01T00:00:00.000Z', 'sigA');
    put('a000000000000002', '2026-11-03T00:00:00.000Z', 'sigA', {
      resource: { 'host.name': 'h2', 'service.version': '2.1.0' },
    });
    put('b000000000000001', '2026-11-02T00:00:00.000Z', 'sigB');
    const groups = listCrashGroups(dir);
    expect(groups.map((g) => g.id)).toEqual(['sigA', 'sigB']);
    expect(groups[0]).toMatchObject({
      count: 2,
      sessions: ['s-a000000000000001', 's-a000000000000002'],
      hosts: ['h1', 'h2'],
      versions: ['2.0.0', '2.1.0'],
      firstSeen: '2026-11-01T00:00:00.000Z',
      lastSeen: '2026-11-03T00:00:00.000Z',
      message: 'm-a000000000000002',
      reportIds: ['a000000000000001', 'a000000000000002'],
    });
  });
});
