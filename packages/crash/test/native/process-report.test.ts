import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  collectNativeReports,
  enableFatalErrorReport,
  extractNativeReport,
} from '../../src/native/process-report.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'native-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const RAW = {
  header: {
    reportVersion: 5,
    event: 'Allocation failed - JavaScript heap out of memory',
    trigger: 'OOMError',
    dumpEventTimeStamp: '1795512694999',
    processId: 4321,
    cwd: '/home/alice/secret-project',
    commandLine: ['node', '--api-key=abc'],
    host: 'alices-laptop',
    networkInterfaces: [{ address: '10.1.2.3' }],
    nodejsVersion: 'v24.21.0',
    platform: 'linux',
    arch: 'x64',
  },
  javascriptStack: { message: 'No stack.', stack: ['Unavailable.'] },
  nativeStack: [
    {
      pc: '0x1',
      symbol: 'node::OOMErrorHandler(char const*, v8::OOMDetails const&) [/home/alice/bin/node]',
    },
  ],
  javascriptHeap: { totalMemory: 100, usedMemory: 90 },
  environmentVariables: { AWS_SECRET: 'shh' },
  userLimits: {},
  sharedObjects: ['/home/alice/lib/x.so'],
};

describe('native fatal error reports', () => {
  it('extracts only the safe facts', () => {
    const facts = extractNativeReport(RAW, 'report.1.json');
    expect(facts).toMatchObject({
      pid: 4321,
      trigger: 'OOMError',
      time: new Date(1795512694999).toISOString(),
    });
    const text = JSON.stringify(facts);
    for (const leak of ['shh', 'abc', 'alices-laptop', '10.1.2.3', 'secret-project', 'x.so'])
      expect(text).not.toContain(leak);
    expect(facts?.javascriptStack.stack).toEqual([]);
    expect(extractNativeReport({ header: {} }, 'x')).toBeUndefined();
    expect(extractNativeReport('nope', 'x')).toBeUndefined();
  });

  it('survives a timestamp outside the Date range (found by the reliability fuzzer)', () => {
    for (const stamp of [-1e308, 1e20, 8.64e15 + 1]) {
      const raw = { ...RAW, header: { ...RAW.header, dumpEventTimeStamp: stamp } };
      const facts = extractNativeReport(raw, 'report.1.json');
      expect(Number.isNaN(Date.parse(facts!.time))).toBe(false);
    }
    const withText = {
      ...RAW,
      header: { ...RAW.header, dumpEventTimeStamp: 1e20, dumpEventTime: '2026-01-02T03:04:05Z' },
    };
    expect(extractNativeReport(withText, 'r')?.time).toBe('2026-01-02T03:04:05.000Z');
    // and collecting such a file ingests it instead of throwing out of session recovery
    writeFileSync(
      join(dir, 'report.20260101.000000.999999.0.001.json'),
      JSON.stringify({ ...RAW, header: { ...RAW.header, dumpEventTimeStamp: -1e308 } }),
    );
    const seen: number[] = [];
    expect(collectNativeReports(dir, (f) => seen.push(f.pid) > 0)).toBe(1);
    expect(seen).toEqual([4321]);
  });

  it('makes raw reports 0600, deletes them once ingested, and deletes unparseable ones', () => {
    writeFileSync(join(dir, 'report.20261124.1.json'), JSON.stringify(RAW), { mode: 0o644 });
    writeFileSync(join(dir, 'report.20261124.2.json'), '{ torn', { mode: 0o644 });
    writeFileSync(join(dir, 'report.20261124.3.json'), JSON.stringify(RAW), { mode: 0o644 });
    const modes: string[] = [];
    const invalid: string[] = [];
    let calls = 0;
    const n = collectNativeReports(
      dir,
      (facts) => {
        modes.push((statSync(join(dir, facts.sourceFile)).mode & 0o777).toString(8));
        calls++;
        return calls === 1; // the second one is "not ingested" and stays for the next start
      },
      (file) => invalid.push(file),
    );
    expect(n).toBe(1);
    expect(modes).toEqual(['600', '600']);
    expect(invalid).toHaveLength(1);
    expect(readdirSync(dir)).toEqual(['report.20261124.3.json']);
  });

  it('leaves a report alone while the process that writes it is still alive', () => {
    const live = `report.20261124.093134.${process.pid}.0.001.json`;
    writeFileSync(join(dir, live), '{ half written', { mode: 0o644 });
    let calls = 0;
    expect(collectNativeReports(dir, () => ++calls > 0)).toBe(0);
    expect(calls).toBe(0);
    expect(readdirSync(dir)).toEqual([live]);
    expect((statSync(join(dir, live)).mode & 0o777).toString(8)).toBe('600');
  });

  it('points process.report at the crash dir without env and restores the settings', () => {
    const report = process.report!;
    const before = {
      dir: report.directory,
      fatal: report.reportOnFatalError,
      signal: report.reportOnSignal,
    };
    const restore = enableFatalErrorReport(join(dir, 'crashes'));
    expect(report.directory).toBe(join(dir, 'crashes'));
    expect(report.reportOnFatalError).toBe(true);
    expect(report.reportOnSignal).toBe(false);
    expect((report as { excludeEnv?: boolean }).excludeEnv).toBe(true);
    restore();
    expect({
      dir: report.directory,
      fatal: report.reportOnFatalError,
      signal: report.reportOnSignal,
    }).toEqual(before);
  });
});
