import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  getCrashHandle,
  getLastRunInfo,
  installCrashHandler,
  markLaunchCompleted,
  readSessionLedger,
  setSessionState,
  watchChildProcess,
  type PreviousSessionReport,
} from '../src/index.js';
import { attr, readLogRecords } from './helpers/spool-records.js';

// In-process install/uninstall (no crash here: crashes run in child processes, see
// crash-process.test.ts). Signals are left alone so the test runner's own handling is untouched.

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'crash-install-'));
});
afterEach(() => {
  getCrashHandle()?.uninstall();
  rmSync(dir, { recursive: true, force: true });
});

function session(): Record<string, unknown> {
  return JSON.parse(readFileSync(join(dir, 'session', 'last_session.json'), 'utf8'));
}

describe('installCrashHandler (in-process)', () => {
  it('raises Error.stackTraceLimit and configures process.report while installed, restores both', () => {
    const limit = Error.stackTraceLimit;
    const reportDir = process.report!.directory;
    const monitors = process.listenerCount('uncaughtExceptionMonitor');
    const handle = installCrashHandler({ dir, handleSignals: false });
    expect(Error.stackTraceLimit).toBeGreaterThanOrEqual(50);
    expect(process.report!.directory).toBe(join(dir, 'crashes'));
    expect(process.listenerCount('uncaughtExceptionMonitor')).toBe(monitors + 1);
    expect(installCrashHandler({ dir: join(dir, 'other') })).toBe(handle);
    handle.uninstall();
    expect(Error.stackTraceLimit).toBe(limit);
    expect(process.report!.directory).toBe(reportDir);
    expect(process.listenerCount('uncaughtExceptionMonitor')).toBe(monitors);
    expect(getCrashHandle()).toBeUndefined();
  });

  it('persists launch completion and app state; uninstall ends the session as exited', () => {
    const handle = installCrashHandler({
      dir,
      handleSignals: false,
      sessionId: 'fixed-session-id',
    });
    expect(handle.sessionId).toBe('fixed-session-id');
    expect(session()).toMatchObject({
      id: 'fixed-session-id',
      state: 'running',
      launchCompleted: false,
      pid: process.pid,
    });
    markLaunchCompleted();
    expect(session()).toMatchObject({ launchCompleted: true });
    expect(setSessionState({ plugin: 'reverb', presets: [1, 2] })).toBe(true);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(setSessionState(cyclic)).toBe(false);
    expect(setSessionState('x'.repeat(70 * 1024))).toBe(false);
    handle.uninstall();
    expect(session()).toMatchObject({
      state: 'exited',
      appState: { plugin: 'reverb', presets: [1, 2] },
    });
    expect(readSessionLedger(dir).sessions).toMatchObject([
      { id: 'fixed-session-id', state: 'exited' },
    ]);
    expect(getLastRunInfo({ dir })).toMatchObject({
      crashed: false,
      abnormal: false,
      state: { plugin: 'reverb', presets: [1, 2] },
      previousSession: { id: 'fixed-session-id', state: 'exited', launchCompleted: true },
    });
  });

  it('closes a dead previous session as abnormal and reports it through onPreviousSession', () => {
    const first = installCrashHandler({ dir, handleSignals: false, sessionId: 'first' });
    first.markLaunchCompleted();
    first.setSessionState({ tab: 3 });
    // Simulate the process dying without a trace: the files say `running` with a pid that is gone.
    const file = join(dir, 'session', 'last_session.json');
    const running = { ...session(), state: 'running', pid: 2 ** 22 - 3 };
    const ledger = join(dir, 'session', 'ledger.jsonl');
    const startLine = readFileSync(ledger, 'utf8').split('\n')[0] as string;
    first.uninstall();
    writeFileSync(file, JSON.stringify(running));
    writeFileSync(ledger, startLine.replace(`"pid":${process.pid}`, `"pid":${running.pid}`) + '\n');

    const seen: PreviousSessionReport[] = [];
    installCrashHandler({
      dir,
      handleSignals: false,
      sessionId: 'second',
      onPreviousSession: (r) => seen.push(r),
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.lastRun).toMatchObject({
      abnormal: true,
      crashed: false,
      crashedDuringLaunch: false,
      consecutiveLaunchCrashes: 0,
      state: { tab: 3 },
    });
    expect(seen[0]?.recovered.map((r) => [r.session.id, r.session.state])).toEqual([
      ['first', 'abnormal'],
    ]);
    expect(readSessionLedger(dir).sessions.map((s) => [s.id, s.state])).toEqual([
      ['first', 'abnormal'],
      ['second', 'running'],
    ]);
  });

  it('without a handler the module-level helpers are harmless no-ops', () => {
    expect(setSessionState({ a: 1 })).toBe(false);
    expect(() => markLaunchCompleted()).not.toThrow();
    expect(getLastRunInfo()).toMatchObject({ crashed: false, previousSession: null });
  });

  it('records a child process that dies of a signal it was not sent by us', async () => {
    const handle = installCrashHandler({ dir, handleSignals: false });
    const child = spawn(process.execPath, ['-e', 'process.kill(process.pid, "SIGSEGV")'], {
      stdio: 'ignore',
    });
    watchChildProcess(child); // also watched through diagnostics_channel; must not double-record
    const [, signal] = await once(child, 'exit');
    expect(signal).toBe('SIGSEGV');
    handle.uninstall();
    const crashes = (await readLogRecords(dir)).filter(
      (r) => r.eventName === 'otelspool.child_process.crash',
    );
    expect(crashes).toHaveLength(1);
    expect(attr(crashes[0]?.attributes, 'otelspool.child_process.signal')).toBe('SIGSEGV');
    expect(crashes[0]?.severityNumber).toBe(17);
    const crumbs = session().breadcrumbs as { message: string }[];
    expect(crumbs.some((b) => b.message.includes('died of SIGSEGV'))).toBe(true);
  });
});
