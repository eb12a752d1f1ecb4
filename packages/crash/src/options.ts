import type { Breadcrumb } from './session/breadcrumbs.js';
import type { LastRunInfo } from './session/last-run-info.js';
import type { RecoveredSession } from './session/recover.js';

export interface CrashHandlerOptions {
  /** Spool directory: crash reports go to `<dir>/crashes/`, sessions to `<dir>/session/`. */
  dir: string;
  serviceName?: string;
  serviceVersion?: string;
  /** Session id chosen by the caller (the SDK puts it in its resource); default: a random UUID v4. */
  sessionId?: string;
  /** Extra resource attributes copied into crash reports (and standalone OTLP records). */
  resourceAttributes?: Record<string, string | number | boolean>;
  /** How often last_session.json is refreshed while running. Default 15000, at most 15000. */
  heartbeatIntervalMs?: number;
  breadcrumbs?: { max?: number };
  /**
   * Synchronous flush of the OTel SDK pipeline (spans, including open ones, and log records) to
   * the spool. Given by @otelspool/sdk. Without it the handler runs standalone and writes its
   * OTLP records into the spool itself.
   */
  flushSync?: () => void;
  /** Root of the application's own code: frames outside it (and any under node_modules) are not in-app. */
  appRoot?: string;
  /** Called once, synchronously during install, with what happened to the previous run(s). */
  onPreviousSession?: (info: PreviousSessionReport) => void;
  /** Hook worker threads through the process 'worker' event. Default true. */
  watchWorkers?: boolean;
  /** Watch every child process spawned through node:child_process (diagnostics_channel). Default true. */
  watchChildProcesses?: boolean;
  /** End the session on SIGINT/SIGTERM and re-raise the signal. Default true. */
  handleSignals?: boolean;
  /** Enable Node's diagnostic report for native fatal errors (OOM) into the crash dir. Default true. */
  nativeReports?: boolean;
  /** Error.stackTraceLimit while installed (restored on uninstall). Default 50. */
  stackTraceLimit?: number;
  /** Bound of the standalone spool flush on crash and signal paths. Default 1000 ms. */
  flushTimeoutMs?: number;
  /** How long an unhandled rejection (non-fatal modes) may stay pending before it is recorded. Default 1000 ms. */
  rejectionGraceMs?: number;
}

export interface PreviousSessionReport {
  lastRun: LastRunInfo;
  /** Every earlier session of this host closed by this start (normally just the previous one). */
  recovered: RecoveredSession[];
}

export interface CrashHandle {
  readonly sessionId: string;
  readonly installId: string;
  readonly dir: string;
  addBreadcrumb(breadcrumb: Breadcrumb): void;
  /** Stores JSON-serialisable app state (≤ 64 KiB) for the next run's getLastRunInfo().state. Returns false when rejected. */
  setSessionState(state: unknown): boolean;
  /** The app finished starting: a crash from now on is not a launch crash. */
  markLaunchCompleted(): void;
  /** What happened to the previous run (fixed at install). */
  getLastRunInfo(): import('./session/last-run-info.js').LastRunInfo;
  /** Ends the session as `exited` now (idempotent). */
  endSession(): void;
  /** Ends the session if still running, removes every hook and restores what was changed. */
  uninstall(): void;
}
