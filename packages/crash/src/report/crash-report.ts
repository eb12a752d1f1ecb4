import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  crashReportFileName,
  ensureSpoolDirSync,
  SPOOL_FOLDERS,
  writeFileAtomicSync,
} from '@otelspool/exporter-jsonl/write-path';
import type { Breadcrumb } from '../session/breadcrumbs.js';
import type { ErrorInfo } from './error-info.js';
import type { ProcessFacts } from './process-facts.js';
import type { CrashSignature } from './signature.js';

export const CRASH_REPORT_SCHEMA_VERSION = 1;

/** What killed the process. */
export type CrashOrigin = 'uncaughtException' | 'unhandledRejection' | 'worker' | 'fatalError';

export type ResourceAttributes = Record<string, string | number | boolean>;

/** The session a crash report belongs to. */
export interface CrashReportSession {
  id: string;
  previousId?: string;
  installId: string;
  startedAt: string;
  /** markLaunchCompleted() had been called before the crash. */
  launchCompleted: boolean;
  /** The app's own resumable state (setSessionState), as it was at the crash. */
  appState?: unknown;
}

/** What a native fatal error report (process.report) said, minus everything identifying. */
export interface NativeFatalInfo {
  /** `Allocation failed - JavaScript heap out of memory`, ... */
  event: string;
  /** `OOMError`, `FatalError`, ... */
  trigger: string;
  reportVersion?: number;
  /** Native frames (symbols only), scrubbed, first 50. */
  nativeStack: string[];
  javascriptHeap?: { totalMemory?: number; usedMemory?: number; memoryLimit?: number };
  /** The raw report's file name, for cross-checking with the OS's own records. */
  sourceFile: string;
}

/** `<dir>/crashes/crash_report_<utc>_<id>.json`: one crash, self-contained, human readable. */
export interface CrashReport {
  schemaVersion: number;
  id: string;
  /** ISO-8601 UTC time of the crash. */
  time: string;
  origin: CrashOrigin;
  /** Always true for files in crashes/: the process died of it. */
  fatal: true;
  signature: CrashSignature;
  error: ErrorInfo;
  session: CrashReportSession;
  /** Oldest first. */
  breadcrumbs: Breadcrumb[];
  /** OTel resource attributes of the crashed process (service.name, service.version, host.name, os.*, session.id). */
  resource: ResourceAttributes;
  process: Partial<ProcessFacts> & { pid: number };
  /** Active trace context at the crash, when there was one. */
  trace?: { traceId: string; spanId: string };
  /** For origin 'worker': the worker thread that threw. */
  worker?: { threadId: number };
  /** For origin 'fatalError': details from Node's diagnostic report. */
  native?: NativeFatalInfo;
}

export function newCrashReportId(): string {
  return randomBytes(8).toString('hex');
}

/**
 * Persists a crash report synchronously (temp file + fsync + rename, 0600) and returns its path.
 * Throws on I/O failure; callers on the crash path catch.
 */
export function writeCrashReportSync(spoolDir: string, report: CrashReport): string {
  // Checks the spool dir and crashes/ (this user's real dirs, not group/world-writable).
  const dir = ensureSpoolDirSync(spoolDir, SPOOL_FOLDERS.crashes);
  const path = join(dir, crashReportFileName(report.time, report.id));
  writeFileAtomicSync(path, JSON.stringify(report, null, 2) + '\n');
  return path;
}
