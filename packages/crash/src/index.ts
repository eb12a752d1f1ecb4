// Public API of @otelspool/crash.
export {
  installCrashHandler,
  getLastRunInfo,
  markLaunchCompleted,
  setSessionState,
  addBreadcrumb,
  getCrashHandle,
  watchChildProcess,
} from './install.js';
export { CRASH_REPORT_WRITTEN_CHANNEL } from './report/assemble-report.js';
export type { CrashHandle, CrashHandlerOptions, PreviousSessionReport } from './options.js';
export type { Breadcrumb } from './session/breadcrumbs.js';
export type { LastRunInfo } from './session/last-run-info.js';
export type { CrashSummary, SessionFile, SessionStateName } from './session/session-file.js';
export { readSessionLedger } from './session/ledger.js';
export type { LedgerSession, SessionLedger } from './session/ledger.js';
export type { RecoveredSession } from './session/recover.js';
export {
  listCrashReportFiles,
  listCrashReports,
  readCrashReport,
  readCrashReportFile,
} from './readers/crash-reports.js';
export type { ListCrashReportsOptions } from './readers/crash-reports.js';
export {
  crashFacts,
  groupCrashFacts,
  groupCrashReports,
  listCrashGroups,
} from './readers/crash-groups.js';
export type { CrashFacts, CrashGroup } from './readers/crash-groups.js';
export type {
  CrashOrigin,
  CrashReport,
  CrashReportSession,
  NativeFatalInfo,
  ResourceAttributes,
} from './report/crash-report.js';
export type { ErrorInfo } from './report/error-info.js';
export type { StackFrame } from './report/stack-frames.js';
export type { CrashSignature } from './report/signature.js';
export { SIGNATURE_VERSION } from './report/signature.js';
export type { UnhandledRejectionsMode } from './capture/rejection-mode.js';
export { unhandledRejectionsMode } from './capture/rejection-mode.js';
