import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import {
  crashesDir,
  createCaptureScrubber,
  OTELSPOOL_ATTRIBUTES,
} from '@otelspool/exporter-jsonl/write-path';
import type { TextScrubber } from '@otelspool/exporter-jsonl/write-path';
import { installProcessHooks, type ProcessHooks } from './capture/process-hooks.js';
import { enableFatalErrorReport } from './native/process-report.js';
import type { CrashHandle, CrashHandlerOptions, PreviousSessionReport } from './options.js';
import { CrashEvents } from './otel/crash-events.js';
import { createTelemetrySink } from './otel/telemetry-sink.js';
import { assembleCrashReport, persistCrashReport } from './report/assemble-report.js';
import type { CrashOrigin, CrashReport, ResourceAttributes } from './report/crash-report.js';
import { describeError } from './report/error-info.js';
import { BreadcrumbRing, type Breadcrumb } from './session/breadcrumbs.js';
import type { LastRunInfo } from './session/last-run-info.js';
import { openSession } from './session/open-session.js';
import { SessionLifecycle, type SessionExit } from './session/session-lifecycle.js';

const MAX_HEARTBEAT_MS = 15_000;

/**
 * One installed crash handler: the current session, its files, the capture hooks and where
 * OTel records go. Created by installCrashHandler(); everything on the crash path is
 * synchronous and wrapped so that recording a crash can never throw into the dying process.
 *
 * The steps live in their own modules: openSession (recovery of earlier sessions, this
 * session's file and resource), SessionLifecycle (last_session.json and the ledger),
 * CrashEvents (the OTel records), assembleCrashReport / persistCrashReport (the report file).
 * This class wires them to the process hooks.
 */
export class CrashHandler implements CrashHandle {
  readonly sessionId: string;
  readonly installId: string;
  readonly dir: string;
  private readonly scrub: TextScrubber;
  private readonly appRoot: string | undefined;
  private readonly breadcrumbs: BreadcrumbRing;
  private readonly session: SessionLifecycle;
  private readonly resource: ResourceAttributes;
  private readonly events: CrashEvents;
  private readonly lastRun: LastRunInfo;
  private readonly restoreReport: () => void;
  private readonly previousStackTraceLimit: number;
  private readonly stackTraceLimit: number;
  private readonly hooks: ProcessHooks;
  private crashed = false;
  private installed = true;

  constructor(options: CrashHandlerOptions) {
    this.dir = resolve(options.dir);
    this.scrub = createCaptureScrubber();
    this.appRoot = options.appRoot ? resolve(options.appRoot) : undefined;
    this.sessionId = options.sessionId ?? randomUUID();
    this.breadcrumbs = new BreadcrumbRing(
      Math.max(0, Math.floor(options.breadcrumbs?.max ?? 100)),
      this.scrub,
    );

    // 1. The new session, after the recovery of the earlier ones, on disk.
    const opened = openSession({
      dir: this.dir,
      sessionId: this.sessionId,
      scrub: this.scrub,
      appRoot: this.appRoot,
      options,
    });
    this.installId = opened.installId;
    this.lastRun = opened.lastRun;
    this.resource = opened.resource;
    this.session = new SessionLifecycle(
      this.dir,
      opened.file,
      this.breadcrumbs,
      Math.min(MAX_HEARTBEAT_MS, Math.max(50, options.heartbeatIntervalMs ?? MAX_HEARTBEAT_MS)),
    );
    this.session.begin();

    // 2. The OTel records of what the last runs left, and of this start.
    this.events = new CrashEvents(
      createTelemetrySink(options, this.dir, this.resource),
      opened.file.os,
    );
    this.events.previousSessionsEnded(opened.recovery, this.lastRun);
    this.events.sessionStarted(this.sessionId, opened.file.previousId);
    try {
      options.onPreviousSession?.({
        lastRun: this.lastRun,
        recovered: opened.recovery.recovered,
      } satisfies PreviousSessionReport);
    } catch {}

    // 3. Capture: longer stacks, Node's native fatal-error report, the process hooks.
    this.previousStackTraceLimit = Error.stackTraceLimit;
    this.stackTraceLimit = Math.max(Error.stackTraceLimit, options.stackTraceLimit ?? 50);
    Error.stackTraceLimit = this.stackTraceLimit;
    this.restoreReport =
      options.nativeReports === false ? () => {} : enableFatalErrorReport(crashesDir(this.dir));
    this.hooks = installProcessHooks({
      onFatal: (error, origin, worker) => this.recordCrash(error, origin, worker),
      onNonFatal: (error, origin, extra) => this.recordNonFatal(error, origin, extra),
      onBreadcrumb: (b) => this.addBreadcrumb(b),
      onEvent: (name, severityNumber, body, attributes) =>
        this.emitEvent(name, severityNumber, body, attributes),
      onExit: (code) => this.endSessionWith({ exitCode: code }),
      onTerminatingSignal: (signal) => {
        this.endSessionWith({ signal });
        this.events.flushSync();
      },
      watchWorkers: options.watchWorkers !== false,
      watchChildProcesses: options.watchChildProcesses !== false,
      handleSignals: options.handleSignals !== false,
      rejectionGraceMs: Math.max(0, options.rejectionGraceMs ?? 1000),
    });
    this.session.startHeartbeat();
  }

  addBreadcrumb(breadcrumb: Breadcrumb): void {
    try {
      this.breadcrumbs.add(breadcrumb);
      this.session.changed();
    } catch {}
  }

  setSessionState(state: unknown): boolean {
    return this.session.setAppState(state);
  }

  markLaunchCompleted(): void {
    this.session.markLaunchCompleted();
  }

  /** Emits a log event (standalone: into the spool; with the SDK: through the OTel API). Never throws. */
  emitEvent(
    name: string,
    severityNumber: number,
    body: string,
    attributes: Record<string, string | number | boolean | undefined>,
  ): void {
    if (!this.installed) return;
    this.events.event(name, severityNumber, body, attributes);
  }

  getLastRunInfo(): LastRunInfo {
    return structuredClone(this.lastRun);
  }

  endSession(): void {
    this.endSessionWith({});
  }

  uninstall(): void {
    if (!this.installed) return;
    this.endSession();
    this.installed = false;
    this.hooks.remove();
    this.session.stopHeartbeat();
    this.restoreReport();
    if (Error.stackTraceLimit === this.stackTraceLimit)
      Error.stackTraceLimit = this.previousStackTraceLimit;
    this.events.close();
  }

  /** The crash path: persist first (report, session, ledger), then OTel records and their flush. */
  recordCrash(
    value: unknown,
    origin: CrashOrigin,
    worker?: { threadId: number },
  ): CrashReport | undefined {
    if (this.crashed || !this.installed) return undefined;
    this.crashed = true;
    let report: CrashReport | undefined;
    try {
      const time = new Date();
      report = assembleCrashReport({
        error: describeError(value, this.scrub, this.appRoot),
        origin,
        time,
        worker,
        session: this.session.file,
        breadcrumbs: this.breadcrumbs.toArray(),
        resource: this.resource,
        scrub: this.scrub,
      });
      persistCrashReport(this.dir, report);
      this.session.endCrashed(report);
      this.events.crash(report, time.getTime());
      this.events.flushSync();
    } catch {
      // nothing may escape into the dying process
    }
    return report;
  }

  private recordNonFatal(
    value: unknown,
    origin: string,
    extra: Record<string, string | number | boolean> = {},
  ): void {
    if (!this.installed) return;
    try {
      const error = describeError(value, this.scrub, this.appRoot);
      this.breadcrumbs.add({
        category: origin,
        message: `${error.type}: ${error.message}`,
        level: 'error',
      });
      this.session.changed();
      this.events.error({
        timeMs: Date.now(),
        error,
        attributes: {
          'session.id': this.sessionId,
          [OTELSPOOL_ATTRIBUTES.errorOrigin]: origin,
          ...extra,
        },
      });
    } catch {}
  }

  private endSessionWith(end: SessionExit): void {
    if (!this.session.endExited(end)) return;
    this.events.sessionEnded(this.sessionId, end);
    this.events.flushSync();
  }
}
