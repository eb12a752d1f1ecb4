import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  getLastRunInfo,
  listCrashGroups,
  listCrashReports,
  readSessionLedger,
  type CrashReport,
} from '../src/index.js';
import {
  FIXTURES_DIR,
  runFixture,
  type FixtureOptions,
  type FixtureRun,
} from './helpers/run-fixture.js';
import { attr, readLogRecords, readSpans } from './helpers/spool-records.js';

// Real child processes that crash (the fixture imports the built dist/: run `npx tsc -b` first).
// Every scenario also runs without the handler to get the exit status Node gives on its own.

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'otelspool-crash-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const SECRET = 'hunter2-do-not-leak';
// HOME points at the test directory so fixture paths fall under it and must come out as `~`.
const ENV = { SECRET_TOKEN: SECRET, HOME: join(FIXTURES_DIR, '..') };

async function runWithReference(
  scenario: string,
  options: FixtureOptions = {},
): Promise<{ dir: string; run: FixtureRun; reference: FixtureRun }> {
  const dir = tempDir();
  const run = await runFixture(dir, scenario, { ...options, env: { ...ENV, ...options.env } });
  const reference = await runFixture(tempDir(), scenario, {
    ...options,
    env: { ...ENV, ...options.env },
    flags: [...(options.flags ?? []), '--no-handler'],
  });
  return { dir, run, reference };
}

function onlyReport(dir: string): CrashReport {
  const reports = listCrashReports(dir);
  expect(reports).toHaveLength(1);
  return reports[0] as CrashReport;
}

function crashFileText(dir: string): string {
  const crashDir = join(dir, 'crashes');
  return readdirSync(crashDir)
    .map((n) => readFileSync(join(crashDir, n), 'utf8'))
    .join('\n');
}

describe('uncaught exception', () => {
  it('keeps the exit code, writes the report, the FATAL record, a crash span and the ledger (standalone)', async () => {
    const { dir, run, reference } = await runWithReference('throw');
    expect(reference.code).toBe(1);
    expect({ code: run.code, signal: run.signal }).toEqual({
      code: reference.code,
      signal: reference.signal,
    });
    expect(run.stderr).toContain('PluginLoadError: plugin reverb-7 failed to load');

    const report = onlyReport(dir);
    expect(report.origin).toBe('uncaughtException');
    expect(report.fatal).toBe(true);
    expect(report.error.type).toBe('PluginLoadError');
    expect(report.error.message).toBe('plugin reverb-7 failed to load');
    expect(report.error.cause?.message).toContain('cannot read manifest of reverb-7');
    const top = report.error.frames[0];
    expect(top).toMatchObject({
      function: 'loadPlugin',
      file: '~/fixtures/crash-app.mjs',
      inApp: true,
    });
    expect(typeof top?.line).toBe('number');
    expect(report.error.frames.some((f) => f.file?.startsWith('node:') && !f.inApp)).toBe(true);
    expect(report.session.id).toBe(run.started?.sessionId);
    expect(report.session.appState).toEqual({ scenario: 'throw', openDocument: 'doc-42' });
    expect(report.breadcrumbs.map((b) => b.message)).toContain('scenario throw');
    expect(report.resource).toMatchObject({
      'service.name': 'crash-fixture',
      'service.version': '1.2.3',
    });
    expect(report.process.memory?.heapUsed).toBeGreaterThan(0);
    expect(report.process.versions?.node).toBe(process.versions.node);
    const text = crashFileText(dir);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(FIXTURES_DIR);
    expect((statSync(join(dir, 'crashes')).mode & 0o777).toString(8)).toBe('700');

    const fatal = (await readLogRecords(dir)).filter((r) => r.severityNumber === 21);
    expect(fatal).toHaveLength(1);
    const record = fatal[0]!;
    expect(record.severityText).toBe('FATAL');
    expect(attr(record.attributes, 'exception.type')).toBe('PluginLoadError');
    expect(attr(record.attributes, 'exception.message')).toBe('plugin reverb-7 failed to load');
    expect(String(attr(record.attributes, 'exception.stacktrace'))).toContain('at loadPlugin');
    expect(attr(record.attributes, 'exception.escaped')).toBeUndefined();
    expect(attr(record.attributes, 'otelspool.crash.report_id')).toBe(report.id);
    const crashSpan = (await readSpans(dir)).find((s) => s.name === 'crash');
    expect(crashSpan?.status?.code).toBe(2);
    expect(crashSpan?.events?.[0]?.name).toBe('exception');
    expect({ traceId: record.traceId, spanId: record.spanId }).toEqual({
      traceId: crashSpan?.traceId,
      spanId: crashSpan?.spanId,
    });

    const ledger = readSessionLedger(dir);
    expect(ledger.counts).toMatchObject({ total: 1, crashed: 1, running: 0 });
    expect(ledger.sessions[0]).toMatchObject({
      id: run.started?.sessionId,
      state: 'crashed',
      crashReportId: report.id,
    });
    expect(getLastRunInfo({ dir })).toMatchObject({
      crashed: true,
      crashedDuringLaunch: true,
      consecutiveLaunchCrashes: 1,
    });

    // The next start reports the crashed run.
    const next = await runFixture(dir, 'clean', { env: ENV });
    expect(next.code).toBe(0);
    expect(next.started?.lastRun).toMatchObject({
      crashed: true,
      abnormal: false,
      crashedDuringLaunch: true,
      consecutiveLaunchCrashes: 1,
      lastCrash: { reportId: report.id, type: 'PluginLoadError' },
      state: { scenario: 'throw', openDocument: 'doc-42' },
    });
    const logs = await readLogRecords(dir);
    const appCrash = logs.find((r) => r.eventName === 'app.crash');
    expect(attr(appCrash?.attributes, 'app.crash.id')).toBe(report.id);
    expect(attr(appCrash?.attributes, 'session.id')).toBe(run.started?.sessionId);
    expect(attr(appCrash?.attributes, 'service.version')).toBe('1.2.3');
    expect(attr(appCrash?.attributes, 'os.type')).toBeTruthy();
    const start = logs.filter((r) => r.eventName === 'session.start').at(-1);
    expect(attr(start?.attributes, 'session.id')).toBe(next.started?.sessionId);
    expect(attr(start?.attributes, 'session.previous_id')).toBe(run.started?.sessionId);
    const end = logs.find(
      (r) =>
        r.eventName === 'session.end' &&
        attr(r.attributes, 'session.id') === run.started?.sessionId,
    );
    expect(attr(end?.attributes, 'otelspool.session.state')).toBe('crashed');
    expect(readSessionLedger(dir).counts).toMatchObject({ total: 2, crashed: 1, exited: 1 });
  });

  it('with the SDK: the exception lands on the active span and the FATAL record carries its ids', async () => {
    const { dir, run, reference } = await runWithReference('throw', { flags: ['--sdk'] });
    expect({ code: run.code, signal: run.signal }).toEqual({
      code: reference.code,
      signal: reference.signal,
    });
    const report = onlyReport(dir);
    const span = (await readSpans(dir)).find((s) => s.name === 'plugin.load');
    expect(span).toBeDefined();
    expect(span?.events?.map((e) => e.name)).toContain('exception');
    expect(attr(span?.events?.[0]?.attributes, 'exception.type')).toBe('PluginLoadError');
    expect(span?.status?.code).toBe(2);
    expect(report.trace).toEqual({ traceId: span?.traceId, spanId: span?.spanId });
    const fatal = (await readLogRecords(dir)).filter((r) => r.severityNumber === 21);
    expect(fatal).toHaveLength(1);
    expect({ traceId: fatal[0]?.traceId, spanId: fatal[0]?.spanId }).toEqual({
      traceId: span?.traceId,
      spanId: span?.spanId,
    });
  });
});

describe('unhandled rejections under each --unhandled-rejections mode', () => {
  for (const mode of ['throw', 'strict'] as const) {
    it(`${mode}: recorded as a crash, process dies as without us`, async () => {
      const { dir, run, reference } = await runWithReference('reject', {
        nodeArgs: [`--unhandled-rejections=${mode}`],
      });
      expect(reference.code).toBe(1);
      expect({ code: run.code, signal: run.signal }).toEqual({
        code: reference.code,
        signal: reference.signal,
      });
      const report = onlyReport(dir);
      expect(report.origin).toBe('unhandledRejection');
      expect(report.error).toMatchObject({
        type: 'TypeError',
        message: 'settings promise rejected',
      });
      const fatal = (await readLogRecords(dir)).filter((r) => r.severityNumber === 21);
      expect(fatal.map((r) => attr(r.attributes, 'exception.type'))).toEqual(['TypeError']);
      expect((await readSpans(dir)).find((s) => s.name === 'crash')?.events?.[0]?.name).toBe(
        'exception',
      );
      expect(readSessionLedger(dir).counts.crashed).toBe(1);
      expect(getLastRunInfo({ dir }).crashed).toBe(true);
    });
  }

  for (const mode of ['warn', 'none', 'warn-with-error-code'] as const) {
    it(`${mode}: not a crash; an ERROR record; exit status unchanged`, async () => {
      const { dir, run, reference } = await runWithReference('reject', {
        nodeArgs: [`--unhandled-rejections=${mode}`],
      });
      expect(reference.code).toBe(mode === 'warn-with-error-code' ? 1 : 0);
      expect({ code: run.code, signal: run.signal }).toEqual({
        code: reference.code,
        signal: reference.signal,
      });
      expect(listCrashReports(dir)).toHaveLength(0);
      const errors = (await readLogRecords(dir)).filter((r) => r.severityNumber === 17);
      expect(errors.map((r) => attr(r.attributes, 'exception.type'))).toEqual(['TypeError']);
      expect(attr(errors[0]?.attributes, 'otelspool.rejection.mode')).toBe(mode);
      const ledger = readSessionLedger(dir);
      expect(ledger.sessions[0]).toMatchObject({ state: 'exited', exitCode: reference.code });
      expect(getLastRunInfo({ dir })).toMatchObject({ crashed: false, abnormal: false });
    });
  }

  it('warn: a rejection handled late is retracted (no ERROR record)', async () => {
    const { dir, run, reference } = await runWithReference('reject-late-handled', {
      nodeArgs: ['--unhandled-rejections=warn'],
    });
    expect({ code: run.code, signal: run.signal }).toEqual({
      code: reference.code,
      signal: reference.signal,
    });
    expect((await readLogRecords(dir)).filter((r) => r.severityNumber === 17)).toHaveLength(0);
    const session = JSON.parse(readFileSync(join(dir, 'session', 'last_session.json'), 'utf8'));
    expect(session.breadcrumbs.map((b: { message: string }) => b.message)).toContain(
      'rejection handled late: retracted',
    );
    // Node's own PromiseRejectionHandledWarning is still printed.
    expect(run.stderr).toContain('PromiseRejectionHandledWarning');
  });
});

describe('worker threads', () => {
  it('a throw inside a worker kills the parent as without us and is reported with the thread id', async () => {
    const { dir, run, reference } = await runWithReference('worker');
    expect(reference.code).toBe(1);
    expect({ code: run.code, signal: run.signal }).toEqual({
      code: reference.code,
      signal: reference.signal,
    });
    const report = onlyReport(dir);
    expect(report.origin).toBe('worker');
    expect(report.worker?.threadId).toBeGreaterThan(0);
    expect(report.error).toMatchObject({
      type: 'RangeError',
      message: 'worker index out of range',
    });
    const fatal = (await readLogRecords(dir)).filter((r) => r.severityNumber === 21);
    expect(fatal.map((r) => attr(r.attributes, 'exception.type'))).toEqual(['RangeError']);
    expect(readSessionLedger(dir).counts.crashed).toBe(1);
  });
});

describe('worker threads whose errors the app handles', () => {
  it('the parent survives; the error and the non-zero worker exit are recorded, no crash', async () => {
    const { dir, run, reference } = await runWithReference('worker-handled');
    expect(reference.code).toBe(0);
    expect({ code: run.code, signal: run.signal }).toEqual({ code: 0, signal: null });
    expect(run.stdout).toContain('app saw handled worker failure');
    expect(listCrashReports(dir)).toHaveLength(0);
    const logs = await readLogRecords(dir);
    const errors = logs.filter(
      (r) => r.severityNumber === 17 && attr(r.attributes, 'exception.type') === 'RangeError',
    );
    expect(errors).toHaveLength(1);
    expect(attr(errors[0]?.attributes, 'otelspool.error.origin')).toBe('worker');
    expect(Number(attr(errors[0]?.attributes, 'thread.id'))).toBeGreaterThan(0);
    const exit = logs.find((r) => r.eventName === 'otelspool.worker.exit');
    expect(Number(attr(exit?.attributes, 'process.exit.code'))).toBe(1);
    expect(readSessionLedger(dir).sessions[0]).toMatchObject({ state: 'exited', exitCode: 0 });
  });
});

describe('exits and signals', () => {
  it('process.exit(3) is not a crash: session exited with code 3', async () => {
    const { dir, run, reference } = await runWithReference('exit3');
    expect(reference.code).toBe(3);
    expect({ code: run.code, signal: run.signal }).toEqual({ code: 3, signal: null });
    expect(listCrashReports(dir)).toHaveLength(0);
    expect(readSessionLedger(dir).sessions[0]).toMatchObject({ state: 'exited', exitCode: 3 });
    const next = await runFixture(dir, 'clean', { env: ENV });
    expect(next.started?.lastRun).toMatchObject({
      crashed: false,
      abnormal: false,
      consecutiveLaunchCrashes: 0,
    });
    expect((next.started?.lastRun.previousSession as { exitCode?: number }).exitCode).toBe(3);
  });

  it('SIGTERM ends the session cleanly and the process still dies of SIGTERM', async () => {
    const { dir, run, reference } = await runWithReference('wait', { kill: 'SIGTERM' });
    expect(reference.signal).toBe('SIGTERM');
    expect({ code: run.code, signal: run.signal }).toEqual({
      code: reference.code,
      signal: reference.signal,
    });
    expect(readSessionLedger(dir).sessions[0]).toMatchObject({
      state: 'exited',
      signal: 'SIGTERM',
    });
    const end = (await readLogRecords(dir)).find((r) => r.eventName === 'session.end');
    expect(attr(end?.attributes, 'otelspool.session.signal')).toBe('SIGTERM');
    expect(getLastRunInfo({ dir })).toMatchObject({ crashed: false, abnormal: false });
  });

  it('SIGKILL leaves the session running; the next start marks it abnormal', async () => {
    const { dir, run, reference } = await runWithReference('wait', { kill: 'SIGKILL' });
    expect({ code: run.code, signal: run.signal }).toEqual({
      code: reference.code,
      signal: 'SIGKILL',
    });
    expect(readSessionLedger(dir).sessions[0]?.state).toBe('running');
    // Read-only view before any restart: the pid is gone, so the outcome is known.
    expect(getLastRunInfo({ dir })).toMatchObject({ abnormal: true, crashed: false });
    const next = await runFixture(dir, 'clean', { env: ENV });
    expect(next.started?.lastRun).toMatchObject({
      abnormal: true,
      crashed: false,
      crashedDuringLaunch: true,
    });
    const ledger = readSessionLedger(dir);
    expect(ledger.sessions[0]).toMatchObject({ id: run.started?.sessionId, state: 'abnormal' });
    expect(ledger.counts).toMatchObject({ total: 2, abnormal: 1, exited: 1, running: 0 });
    const end = (await readLogRecords(dir)).find(
      (r) =>
        r.eventName === 'session.end' &&
        attr(r.attributes, 'session.id') === run.started?.sessionId,
    );
    expect(attr(end?.attributes, 'otelspool.session.state')).toBe('abnormal');
    // A third start does not count the abnormal session again: terminal states are immutable.
    await runFixture(dir, 'clean', { env: ENV });
    expect(readSessionLedger(dir).counts).toMatchObject({ total: 3, abnormal: 1, exited: 2 });
  });
});

describe('native fatal errors', () => {
  it('an OOM is captured by the diagnostic report and ingested (stripped) on the next start', async () => {
    const { dir, run, reference } = await runWithReference('oom', {
      nodeArgs: ['--max-old-space-size=32'],
    });
    expect({ code: run.code, signal: run.signal }).toEqual({
      code: reference.code,
      signal: reference.signal,
    });
    const raw = readdirSync(join(dir, 'crashes')).filter((n) => n.startsWith('report.'));
    expect(raw).toHaveLength(1);
    const next = await runFixture(dir, 'clean', { env: ENV });
    expect(readdirSync(join(dir, 'crashes')).filter((n) => n.startsWith('report.'))).toHaveLength(
      0,
    );
    const report = onlyReport(dir);
    expect(report.origin).toBe('fatalError');
    expect(report.error.type).toBe('OOMError');
    expect(report.error.message).toContain('heap out of memory');
    expect(report.session.id).toBe(run.started?.sessionId);
    expect(report.native?.sourceFile).toBe(raw[0]);
    const text = crashFileText(dir);
    for (const forbidden of [
      SECRET,
      'environmentVariables',
      'commandLine',
      'networkInterfaces',
      '"cwd"',
      '"host"',
    ]) {
      expect(text).not.toContain(forbidden);
    }
    expect(next.started?.lastRun).toMatchObject({
      crashed: true,
      lastCrash: { reportId: report.id, type: 'OOMError' },
    });
    expect(readSessionLedger(dir).sessions[0]).toMatchObject({
      state: 'crashed',
      crashReportId: report.id,
    });
    const appCrash = (await readLogRecords(dir)).find((r) => r.eventName === 'app.crash');
    expect(attr(appCrash?.attributes, 'exception.type')).toBe('OOMError');
  });
});

describe('crash loops', () => {
  it('counts consecutive launch crashes and resets after a completed launch', async () => {
    const dir = tempDir();
    const starts: FixtureRun[] = [];
    for (let i = 0; i < 3; i++) starts.push(await runFixture(dir, 'throw', { env: ENV }));
    expect(starts.map((s) => s.code)).toEqual([1, 1, 1]);
    expect(starts.map((s) => s.started?.lastRun.consecutiveLaunchCrashes)).toEqual([0, 1, 2]);
    const fourth = await runFixture(dir, 'throw', { env: ENV, flags: ['--launch-completed'] });
    expect(fourth.started?.lastRun).toMatchObject({
      crashed: true,
      crashedDuringLaunch: true,
      consecutiveLaunchCrashes: 3,
    });
    const fifth = await runFixture(dir, 'clean', { env: ENV });
    // The fourth run crashed after markLaunchCompleted(): a crash, but not a launch crash.
    expect(fifth.started?.lastRun).toMatchObject({
      crashed: true,
      crashedDuringLaunch: false,
      consecutiveLaunchCrashes: 0,
    });

    const groups = listCrashGroups(dir);
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ type: 'PluginLoadError', count: 4, versions: ['1.2.3'] });
    expect(groups[0]?.sessions).toHaveLength(4);
    expect(groups[0]!.firstSeen < groups[0]!.lastSeen).toBe(true);
    expect(readSessionLedger(dir).counts).toMatchObject({ total: 5, crashed: 4, exited: 1 });
  });
});
