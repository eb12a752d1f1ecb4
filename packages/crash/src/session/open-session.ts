import { hostname, release, type } from 'node:os';
import { crashesDir, ensureDirSync, sessionDir } from '@otelspool/exporter-jsonl/write-path';
import type { TextScrubber } from '@otelspool/exporter-jsonl/write-path';
import type { CrashHandlerOptions } from '../options.js';
import type { ResourceAttributes } from '../report/crash-report.js';
import { readOrCreateInstallId } from './install-id.js';
import { lastRunInfoOf, type LastRunInfo } from './last-run-info.js';
import { recoverPreviousSessions, type RecoveryResult } from './recover.js';
import { readSessionFileSync, SESSION_SCHEMA_VERSION, type SessionFile } from './session-file.js';

/** What a new session starts from: its file (not yet written), and what the last run left. */
export interface OpenedSession {
  installId: string;
  /** The new session, state `running`; SessionLifecycle.begin() writes it. */
  file: SessionFile;
  /** OTel resource of this process: on standalone records and in crash reports. */
  resource: ResourceAttributes;
  /** Earlier sessions this start found dead and closed. */
  recovery: RecoveryResult;
  lastRun: LastRunInfo;
}

export interface OpenSessionInput {
  dir: string;
  sessionId: string;
  scrub: TextScrubber;
  appRoot: string | undefined;
  options: CrashHandlerOptions;
}

/**
 * The start of a session, before anything of it is written: the spool's session and crash
 * dirs, the install id, the recovery of earlier sessions (which reads the previous
 * last_session.json before this session replaces it), and this session's file and resource.
 * Never throws: a damaged or unwritable spool must not stop the app from starting.
 */
export function openSession(input: OpenSessionInput): OpenedSession {
  const { dir, sessionId, options } = input;
  try {
    ensureDirSync(sessionDir(dir));
    ensureDirSync(crashesDir(dir));
  } catch {
    // unwritable spool: capture still runs; every write fails quietly
  }
  const installId = readOrCreateInstallId(dir);
  const hostName = safe(() => hostname(), '');
  const os = { type: safe(() => type(), ''), version: safe(() => release(), '') };
  const serviceName = options.serviceName ?? process.env.OTEL_SERVICE_NAME ?? 'unknown_service';

  let recovery: RecoveryResult = { recovered: [], ingestedNativeReports: 0 };
  try {
    recovery = recoverPreviousSessions({
      spoolDir: dir,
      hostName,
      currentSessionId: sessionId,
      previous: readSessionFileSync(dir),
      scrub: input.scrub,
      appRoot: input.appRoot,
    });
  } catch {
    // a damaged spool must not stop the app from starting
  }
  const previous =
    recovery.previous && recovery.previous.id !== sessionId ? recovery.previous : undefined;
  const lastRun = lastRunInfoOf(previous);

  const now = new Date().toISOString();
  const file: SessionFile = {
    schemaVersion: SESSION_SCHEMA_VERSION,
    id: sessionId,
    previousId: previous?.id,
    installId,
    pid: process.pid,
    hostName,
    os,
    serviceName,
    serviceVersion: options.serviceVersion,
    state: 'running',
    startedAt: now,
    updatedAt: now,
    launchCompleted: false,
    consecutiveLaunchCrashes: lastRun.consecutiveLaunchCrashes,
    breadcrumbs: [],
  };
  const resource: ResourceAttributes = {
    'service.name': serviceName,
    ...(options.serviceVersion ? { 'service.version': options.serviceVersion } : {}),
    'session.id': sessionId,
    'host.name': hostName,
    'os.type': os.type,
    'os.version': os.version,
    'process.pid': process.pid,
    'process.runtime.name': 'nodejs',
    'process.runtime.version': process.versions.node,
    ...(options.resourceAttributes ?? {}),
  };
  return { installId, file, resource, recovery, lastRun };
}

function safe<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}
