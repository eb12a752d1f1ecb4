import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  compactIsoTime,
  CRASH_REPORT_NAME,
  crashesDir,
  processIsAlive,
  readJsonStateFileSync,
  type TextScrubber,
} from '@otelspool/exporter-jsonl/write-path';
import { buildNativeCrashReport } from '../native/native-crash-report.js';
import { collectNativeReports } from '../native/process-report.js';
import {
  writeCrashReportSync,
  type CrashReport,
  type ResourceAttributes,
} from '../report/crash-report.js';
import { validateCrashReport } from '../readers/validate-crash-report.js';
import { appendLedgerEntrySync, readSessionLedger, type LedgerSession } from './ledger.js';
import type { CrashSummary, SessionFile } from './session-file.js';

/** A session of an earlier process that this start found ended and closed in the ledger. */
export interface RecoveredSession {
  session: LedgerSession;
  /** The crash report that explains it (state 'crashed'). */
  crash?: CrashReport;
}

export interface RecoveryResult {
  /** last_session.json of the previous run, with its final state filled in. */
  previous?: SessionFile;
  recovered: RecoveredSession[];
  /** Native fatal error reports turned into crash reports. */
  ingestedNativeReports: number;
}

export function crashSummaryOf(report: CrashReport): CrashSummary {
  return {
    reportId: report.id,
    signatureId: report.signature.id,
    type: report.error.type,
    message: report.error.message,
    time: report.time,
    origin: report.origin,
  };
}

/** Crash reports written at or after `sinceIso`, keyed by session id (latest wins). */
function crashReportsBySession(spoolDir: string, sinceIso: string): Map<string, CrashReport> {
  const out = new Map<string, CrashReport>();
  const since = compactIsoTime(sinceIso).slice(0, 15); // second precision is enough to bound the scan
  let names: string[];
  try {
    names = readdirSync(crashesDir(spoolDir)).sort();
  } catch {
    return out;
  }
  for (const name of names) {
    const m = CRASH_REPORT_NAME.exec(name);
    if (!m || (m[1] as string) < since) continue;
    const checked = validateCrashReport(
      readJsonStateFileSync(join(crashesDir(spoolDir), name), { maxBytes: 8 * 1024 * 1024 }),
    );
    if (checked.ok) out.set(checked.report.session.id, checked.report);
  }
  return out;
}

function resourceOf(session: LedgerSession): ResourceAttributes {
  const r: ResourceAttributes = {
    'service.name': session.serviceName,
    'session.id': session.id,
    'host.name': session.hostName,
    'os.type': session.os.type,
    'os.version': session.os.version,
    'process.pid': session.pid,
  };
  if (session.serviceVersion) r['service.version'] = session.serviceVersion;
  return r;
}

export interface RecoverOptions {
  spoolDir: string;
  hostName: string;
  currentSessionId: string;
  previous: SessionFile | undefined;
  scrub: TextScrubber;
  appRoot?: string;
  now?: () => Date;
}

/**
 * Runs at start, before the new session is recorded:
 * 1. ingests native fatal error reports (OOM...) into crash reports of the session whose pid
 *    they name;
 * 2. closes every ledger session of this host still `running` whose process is gone: `crashed`
 *    when a crash report names it, else `abnormal`;
 * 3. returns the previous last_session.json with its final state.
 * Sessions of other hosts (a spool on a shared drive) and of live processes are left alone.
 */
export function recoverPreviousSessions(opts: RecoverOptions): RecoveryResult {
  const { spoolDir, hostName, previous, scrub } = opts;
  const ledger = readSessionLedger(spoolDir);
  const running = ledger.sessions.filter(
    (s) =>
      s.state === 'running' &&
      s.id !== opts.currentSessionId &&
      s.hostName === hostName &&
      !processIsAlive(s.pid),
  );
  if (
    previous &&
    previous.state === 'running' &&
    previous.id !== opts.currentSessionId &&
    !processIsAlive(previous.pid) &&
    !running.some((s) => s.id === previous.id) &&
    !ledger.sessions.some((s) => s.id === previous.id && s.state !== 'running')
  ) {
    // A session file without its ledger start line (ledger deleted or written by an older version).
    running.push({
      id: previous.id,
      previousId: previous.previousId,
      installId: previous.installId,
      state: 'running',
      pid: previous.pid,
      startedAt: previous.startedAt,
      serviceName: previous.serviceName,
      serviceVersion: previous.serviceVersion,
      hostName: previous.hostName,
      os: previous.os,
    });
  }

  // 1. Native reports. Matched to a dead running session by pid; the newest such session wins.
  const ingestedReports = new Map<string, CrashReport>();
  const ingested = collectNativeReports(crashesDir(spoolDir), (facts) => {
    const candidates = running
      .filter((s) => s.pid === facts.pid)
      .sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1));
    const session = candidates[0];
    const fromFile = previous && session && previous.id === session.id ? previous : undefined;
    const report = buildNativeCrashReport(
      facts,
      {
        session: session
          ? {
              id: session.id,
              previousId: session.previousId,
              installId: session.installId,
              startedAt: session.startedAt,
              launchCompleted: fromFile?.launchCompleted ?? false,
              appState: fromFile?.appState,
            }
          : {
              id: `unknown-pid-${facts.pid}`,
              installId: '',
              startedAt: facts.time,
              launchCompleted: false,
            },
        resource: session ? resourceOf(session) : { 'process.pid': facts.pid },
        breadcrumbs: fromFile?.breadcrumbs ?? [],
        appRoot: opts.appRoot,
      },
      scrub,
    );
    writeCrashReportSync(spoolDir, report);
    if (session) ingestedReports.set(session.id, report);
    return true;
  });

  // 2. Close dead sessions.
  const oldest = running.reduce<string | undefined>(
    (min, s) => (min === undefined || s.startedAt < min ? s.startedAt : min),
    undefined,
  );
  const reports = oldest ? crashReportsBySession(spoolDir, oldest) : new Map<string, CrashReport>();
  const recovered: RecoveredSession[] = [];
  for (const session of running) {
    const crash = ingestedReports.get(session.id) ?? reports.get(session.id);
    const fromFile = previous && previous.id === session.id ? previous : undefined;
    const endedAt = crash?.time ?? fromFile?.updatedAt ?? session.startedAt;
    const state = crash ? 'crashed' : 'abnormal';
    try {
      appendLedgerEntrySync(spoolDir, {
        v: 1,
        event: 'end',
        id: session.id,
        state,
        endedAt,
        crashReportId: crash?.id,
        launchCompleted: fromFile?.launchCompleted,
      });
    } catch {
      // read-only spool: the session stays `running` in the ledger; nothing else to do
    }
    recovered.push({ session: { ...session, state, endedAt, crashReportId: crash?.id }, crash });
  }

  // 3. The previous session's final state.
  let finalPrevious = previous;
  if (previous && previous.state === 'running') {
    const rec = recovered.find((r) => r.session.id === previous.id);
    if (rec) {
      finalPrevious = {
        ...previous,
        state: rec.session.state,
        endedAt: rec.session.endedAt,
        crash: rec.crash ? crashSummaryOf(rec.crash) : previous.crash,
      };
    } else {
      const closed = ledger.sessions.find((s) => s.id === previous.id && s.state !== 'running');
      if (closed) finalPrevious = { ...previous, state: closed.state, endedAt: closed.endedAt };
    }
  }
  return { previous: finalPrevious, recovered, ingestedNativeReports: ingested };
}
