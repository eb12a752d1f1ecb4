import {
  ensureSpoolDirSync,
  lastSessionPath,
  readJsonStateFileSync,
  SPOOL_FOLDERS,
  writeFileAtomicSync,
} from '@otelspool/exporter-jsonl/write-path';
import { isRecord } from '../internal/is-record.js';
import type { Breadcrumb } from './breadcrumbs.js';

export type SessionStateName = 'running' | 'exited' | 'crashed' | 'abnormal';

/** A crash, in brief, as kept in the session file and returned by getLastRunInfo(). */
export interface CrashSummary {
  reportId: string;
  signatureId: string;
  type: string;
  message: string;
  /** ISO-8601 UTC. */
  time: string;
  origin: string;
}

/** `<dir>/session/last_session.json`: the current (or last) session, replaced atomically. */
export interface SessionFile {
  schemaVersion: number;
  id: string;
  previousId?: string;
  installId: string;
  pid: number;
  hostName: string;
  os: { type: string; version: string };
  serviceName: string;
  serviceVersion?: string;
  state: SessionStateName;
  startedAt: string;
  /** Last heartbeat or change. An abnormal session ended at most one heartbeat interval after this. */
  updatedAt: string;
  endedAt?: string;
  exitCode?: number;
  signal?: string;
  launchCompleted: boolean;
  launchCompletedAt?: string;
  /** Launch crashes in a row immediately before this session started. */
  consecutiveLaunchCrashes: number;
  crash?: CrashSummary;
  /** The app's resumable state from setSessionState(). */
  appState?: unknown;
  breadcrumbs: Breadcrumb[];
}

export const SESSION_SCHEMA_VERSION = 1;

/**
 * Replaced atomically but not fsynced: it is rewritten by the heartbeat on the app's thread, and
 * what matters after a power loss (crash reports, the ledger) is fsynced separately.
 */
export function writeSessionFileSync(spoolDir: string, session: SessionFile): void {
  // The spool and session dirs must be this user's own (never a planted link or shared dir).
  ensureSpoolDirSync(spoolDir, SPOOL_FOLDERS.session);
  writeFileAtomicSync(lastSessionPath(spoolDir), JSON.stringify(session, null, 2) + '\n', {
    fsync: false,
  });
}

const STATES = new Set<string>(['running', 'exited', 'crashed', 'abnormal']);

/**
 * Reads last_session.json; undefined when missing or not a session file (treated as untrusted
 * input), and when it is not this user's own 0600 regular file of at most 4 MiB.
 */
export function readSessionFileSync(spoolDir: string): SessionFile | undefined {
  const value = readJsonStateFileSync(lastSessionPath(spoolDir), {
    maxBytes: 4 * 1024 * 1024,
    trusted: true,
  });
  if (!isRecord(value)) return undefined;
  if (
    typeof value.id !== 'string' ||
    typeof value.pid !== 'number' ||
    typeof value.state !== 'string'
  )
    return undefined;
  if (!STATES.has(value.state) || typeof value.startedAt !== 'string') return undefined;
  const os = isRecord(value.os) ? value.os : {};
  return {
    schemaVersion:
      typeof value.schemaVersion === 'number' ? value.schemaVersion : SESSION_SCHEMA_VERSION,
    id: value.id,
    previousId: typeof value.previousId === 'string' ? value.previousId : undefined,
    installId: typeof value.installId === 'string' ? value.installId : '',
    pid: value.pid,
    hostName: typeof value.hostName === 'string' ? value.hostName : '',
    os: { type: String(os.type ?? ''), version: String(os.version ?? '') },
    serviceName: typeof value.serviceName === 'string' ? value.serviceName : 'unknown_service',
    serviceVersion: typeof value.serviceVersion === 'string' ? value.serviceVersion : undefined,
    state: value.state as SessionStateName,
    startedAt: value.startedAt,
    updatedAt: typeof value.updatedAt === 'string' ? value.updatedAt : value.startedAt,
    endedAt: typeof value.endedAt === 'string' ? value.endedAt : undefined,
    exitCode: typeof value.exitCode === 'number' ? value.exitCode : undefined,
    signal: typeof value.signal === 'string' ? value.signal : undefined,
    launchCompleted: value.launchCompleted === true,
    launchCompletedAt:
      typeof value.launchCompletedAt === 'string' ? value.launchCompletedAt : undefined,
    consecutiveLaunchCrashes:
      typeof value.consecutiveLaunchCrashes === 'number' && value.consecutiveLaunchCrashes >= 0
        ? Math.floor(value.consecutiveLaunchCrashes)
        : 0,
    crash: isCrashSummary(value.crash) ? value.crash : undefined,
    appState: value.appState,
    breadcrumbs: Array.isArray(value.breadcrumbs) ? (value.breadcrumbs as Breadcrumb[]) : [],
  };
}

function isCrashSummary(value: unknown): value is CrashSummary {
  return (
    isRecord(value) &&
    typeof value.reportId === 'string' &&
    typeof value.type === 'string' &&
    typeof value.message === 'string' &&
    typeof value.time === 'string'
  );
}
