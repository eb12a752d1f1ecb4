import { randomUUID } from 'node:crypto';
import dc from 'node:diagnostics_channel';
import { hostname, release, type } from 'node:os';
import { resolve } from 'node:path';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { trace, context } from '@opentelemetry/api';
import {
  APP_CRASH_EVENT_NAME,
  CRASH_ATTRIBUTES,
  OTELSPOOL_ATTRIBUTES,
  SpoolWriter,
} from '@otelspool/exporter-jsonl/write-path';
import { ensureDirSync } from './internal/fs.js';
import type { CrashHandle, CrashHandlerOptions, PreviousSessionReport } from './options.js';
import { createScrubber, type Scrubber } from './privacy/scrub.js';
import { describeError, type ErrorInfo } from './report/error-info.js';
import {
  CRASH_REPORT_SCHEMA_VERSION,
  crashesDir,
  newCrashReportId,
  writeCrashReportSync,
  type CrashOrigin,
  type CrashReport,
  type ResourceAttributes,
} from './report/crash-report.js';
import { collectProcessFacts } from './report/process-facts.js';
import { computeSignature } from './report/signature.js';
import { enableFatalErrorReport } from './native/process-report.js';
import { BreadcrumbRing, type Breadcrumb } from './session/breadcrumbs.js';
import { readOrCreateInstallId } from './session/install-id.js';
import { appendLedgerEntrySync } from './session/ledger.js';
import { lastRunInfoOf, type LastRunInfo } from './session/last-run-info.js';
import { crashSummaryOf, recoverPreviousSessions, type RecoveryResult } from './session/recover.js';
import {
  readSessionFileSync,
  SESSION_SCHEMA_VERSION,
  sessionDir,
  writeSessionFileSync,
  type SessionFile,
} from './session/session-file.js';
import { ThrottledSessionWriter } from './session/throttled-writer.js';
import { ApiTelemetrySink, SpoolTelemetrySink, type TelemetrySink } from './otel/telemetry-sink.js';
import { installProcessHooks, type ProcessHooks } from './capture/process-hooks.js';

const MAX_HEARTBEAT_MS = 15_000;

/**
 * Published right after a crash report is durably on disk (`{ path, reportId, sessionId }`), on
 * the crash path. For tools and benchmarks; costs nothing without subscribers.
 */
export const CRASH_REPORT_WRITTEN_CHANNEL = 'otelspool:crash-report-written';
const reportWritten = dc.channel(CRASH_REPORT_WRITTEN_CHANNEL);
const MAX_APP_STATE_BYTES = 64 * 1024;

/**
 * One installed crash handler: the current session, its files, the capture hooks and where
 * OTel records go. Created by installCrashHandler(); everything on the crash path is
 * synchronous and wrapped so that recording a crash can never throw into the dying process.
 */
export class CrashHandler implements CrashHandle {
  readonly sessionId: string;
  readonly installId: string;
  readonly dir: string;
  private readonly scrub: Scrubber;
  private readonly appRoot: string | undefined;
  private readonly breadcrumbs: BreadcrumbRing;
  private readonly session: SessionFile;
  private readonly resource: ResourceAttributes;
  private readonly sink: TelemetrySink;
  private readonly writer: ThrottledSessionWriter;
  private readonly lastRun: LastRunInfo;
  private readonly restoreReport: () => void;
  private readonly previousStackTraceLimit: number;
  private readonly stackTraceLimit: number;
  private readonly hooks: ProcessHooks;
  private crashed = false;
  private installed = true;

  constructor(options: CrashHandlerOptions) {
    this.dir = resolve(options.dir);
    this.scrub = createScrubber();
    this.appRoot = options.appRoot ? resolve(options.appRoot) : undefined;
    this.sessionId = options.sessionId ?? randomUUID();
    this.breadcrumbs = new BreadcrumbRing(
      Math.max(0, Math.floor(options.breadcrumbs?.max ?? 100)),
      this.scrub,
    );
    const heartbeatMs = Math.min(
      MAX_HEARTBEAT_MS,
      Math.max(50, options.heartbeatIntervalMs ?? MAX_HEARTBEAT_MS),
    );

    try {
      ensureDirSync(sessionDir(this.dir));
      ensureDirSync(crashesDir(this.dir));
    } catch {
      // unwritable spool: capture still runs; every write below fails quietly
    }
    this.installId = readOrCreateInstallId(this.dir);
    const hostName = safeHostName();
    const os = { type: safe(() => type(), ''), version: safe(() => release(), '') };
    const serviceName = options.serviceName ?? process.env.OTEL_SERVICE_NAME ?? 'unknown_service';

    // Recovery first: it reads the previous last_session.json before this session replaces it.
    let recovery: RecoveryResult = { recovered: [], ingestedNativeReports: 0 };
    try {
      recovery = recoverPreviousSessions({
        spoolDir: this.dir,
        hostName,
        currentSessionId: this.sessionId,
        previous: readSessionFileSync(this.dir),
        scrub: this.scrub,
        appRoot: this.appRoot,
      });
    } catch {
      // a damaged spool must not stop the app from starting
    }
    const previous =
      recovery.previous && recovery.previous.id !== this.sessionId ? recovery.previous : undefined;
    this.lastRun = lastRunInfoOf(previous);

    const now = new Date().toISOString();
    this.session = {
      schemaVersion: SESSION_SCHEMA_VERSION,
      id: this.sessionId,
      previousId: previous?.id,
      installId: this.installId,
      pid: process.pid,
      hostName,
      os,
      serviceName,
      serviceVersion: options.serviceVersion,
      state: 'running',
      startedAt: now,
      updatedAt: now,
      launchCompleted: false,
      consecutiveLaunchCrashes: this.lastRun.consecutiveLaunchCrashes,
      breadcrumbs: [],
    };
    this.resource = {
      'service.name': serviceName,
      ...(options.serviceVersion ? { 'service.version': options.serviceVersion } : {}),
      'session.id': this.sessionId,
      'host.name': hostName,
      'os.type': os.type,
      'os.version': os.version,
      'process.pid': process.pid,
      'process.runtime.name': 'nodejs',
      'process.runtime.version': process.versions.node,
      ...(options.resourceAttributes ?? {}),
    };

    this.writer = new ThrottledSessionWriter(
      () => this.writeSessionNow(),
      heartbeatMs,
      () => {
        this.session.updatedAt = new Date().toISOString();
      },
    );
    this.writeSessionNow();
    try {
      appendLedgerEntrySync(this.dir, {
        v: 1,
        event: 'start',
        id: this.sessionId,
        previousId: previous?.id,
        installId: this.installId,
        pid: process.pid,
        startedAt: now,
        serviceName,
        serviceVersion: options.serviceVersion,
        hostName,
        os,
      });
    } catch {}

    const flushTimeoutMs = Math.max(10, options.flushTimeoutMs ?? 1000);
    this.sink = options.flushSync
      ? new ApiTelemetrySink(options.flushSync)
      : new SpoolTelemetrySink(
          new SpoolWriter({ dir: this.dir, durability: 'batch' }),
          this.resource,
          flushTimeoutMs,
        );
    this.emitSessionEvents(recovery, previous?.id);
    try {
      options.onPreviousSession?.({
        lastRun: this.lastRun,
        recovered: recovery.recovered,
      } satisfies PreviousSessionReport);
    } catch {}

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
        this.sink.flushSync();
      },
      watchWorkers: options.watchWorkers !== false,
      watchChildProcesses: options.watchChildProcesses !== false,
      handleSignals: options.handleSignals !== false,
      rejectionGraceMs: Math.max(0, options.rejectionGraceMs ?? 1000),
    });
    this.writer.start();
  }

  addBreadcrumb(breadcrumb: Breadcrumb): void {
    try {
      this.breadcrumbs.add(breadcrumb);
      this.writer.schedule();
    } catch {}
  }

  setSessionState(state: unknown): boolean {
    let snapshot: unknown;
    try {
      const json = JSON.stringify(state ?? null);
      if (json === undefined || Buffer.byteLength(json) > MAX_APP_STATE_BYTES) return false;
      snapshot = JSON.parse(json);
    } catch {
      return false; // cycles, BigInt, throwing toJSON
    }
    this.session.appState = snapshot;
    this.writer.schedule();
    return true;
  }

  markLaunchCompleted(): void {
    if (this.session.launchCompleted) return;
    this.session.launchCompleted = true;
    this.session.launchCompletedAt = new Date().toISOString();
    this.breadcrumbs.add({ category: 'app', message: 'launch completed', level: 'info' });
    // Written at once: a crash right after launch must not be counted as a launch crash.
    this.writeSessionNow();
  }

  /** Emits a log event (standalone: into the spool; with the SDK: through the OTel API). Never throws. */
  emitEvent(
    name: string,
    severityNumber: number,
    body: string,
    attributes: Record<string, string | number | boolean | undefined>,
  ): void {
    if (!this.installed) return;
    this.safeSink((s) =>
      s.emitEvent({
        name,
        severityNumber,
        severityText: severityText(severityNumber),
        body,
        attributes,
      }),
    );
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
    this.writer.stop();
    this.restoreReport();
    if (Error.stackTraceLimit === this.stackTraceLimit)
      Error.stackTraceLimit = this.previousStackTraceLimit;
    this.sink.close();
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
      const error = describeError(value, this.scrub, this.appRoot);
      report = this.buildReport(error, origin, time, worker);
      try {
        const path = writeCrashReportSync(this.dir, report);
        if (reportWritten.hasSubscribers)
          reportWritten.publish({ path, reportId: report.id, sessionId: this.sessionId });
      } catch {}
      if (this.session.state === 'running') {
        this.session.state = 'crashed';
        this.session.endedAt = report.time;
        this.session.crash = crashSummaryOf(report);
        this.writeSessionNow();
        try {
          appendLedgerEntrySync(
            this.dir,
            {
              v: 1,
              event: 'end',
              id: this.sessionId,
              state: 'crashed',
              endedAt: report.time,
              crashReportId: report.id,
              launchCompleted: this.session.launchCompleted,
            },
            { fsync: false },
          );
        } catch {}
      }
      this.writer.stop();
      const crashReport = report;
      this.safeSink((s) =>
        s.recordCrash({
          timeMs: time.getTime(),
          error,
          attributes: this.crashAttributes(crashReport),
        }),
      );
      this.sink.flushSync();
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
      this.writer.schedule();
      this.safeSink((s) =>
        s.recordError({
          timeMs: Date.now(),
          error,
          attributes: {
            'session.id': this.sessionId,
            [OTELSPOOL_ATTRIBUTES.errorOrigin]: origin,
            ...extra,
          },
        }),
      );
    } catch {}
  }

  private buildReport(
    error: ErrorInfo,
    origin: CrashOrigin,
    time: Date,
    worker?: { threadId: number },
  ): CrashReport {
    const report: CrashReport = {
      schemaVersion: CRASH_REPORT_SCHEMA_VERSION,
      id: newCrashReportId(),
      time: time.toISOString(),
      origin,
      fatal: true,
      signature: computeSignature(error),
      error,
      session: {
        id: this.sessionId,
        previousId: this.session.previousId,
        installId: this.installId,
        startedAt: this.session.startedAt,
        launchCompleted: this.session.launchCompleted,
        appState: this.session.appState,
      },
      breadcrumbs: this.breadcrumbs.toArray(),
      resource: { ...this.resource },
      process: collectProcessFacts(this.scrub),
    };
    const sc = trace.getSpanContext(context.active());
    if (sc && trace.isSpanContextValid(sc))
      report.trace = { traceId: sc.traceId, spanId: sc.spanId };
    if (worker) report.worker = worker;
    return report;
  }

  private crashAttributes(report: CrashReport): Record<string, string | number | boolean> {
    return {
      'session.id': this.sessionId,
      [CRASH_ATTRIBUTES.reportId]: report.id,
      [CRASH_ATTRIBUTES.signature]: report.signature.id,
      [CRASH_ATTRIBUTES.origin]: report.origin,
    };
  }

  private endSessionWith(end: { exitCode?: number; signal?: string }): void {
    if (this.session.state !== 'running') return;
    const endedAt = new Date().toISOString();
    this.session.state = 'exited';
    this.session.endedAt = endedAt;
    if (end.exitCode !== undefined) this.session.exitCode = end.exitCode;
    if (end.signal !== undefined) this.session.signal = end.signal;
    this.writer.stop();
    this.writeSessionNow();
    try {
      appendLedgerEntrySync(this.dir, {
        v: 1,
        event: 'end',
        id: this.sessionId,
        state: 'exited',
        endedAt,
        exitCode: end.exitCode,
        signal: end.signal,
        launchCompleted: this.session.launchCompleted,
      });
    } catch {}
    this.safeSink((s) =>
      s.emitEvent({
        name: 'session.end',
        severityNumber: SeverityNumber.INFO,
        severityText: 'INFO',
        body: 'session ended',
        attributes: {
          'session.id': this.sessionId,
          [OTELSPOOL_ATTRIBUTES.sessionState]: 'exited',
          'process.exit.code': end.exitCode,
          [OTELSPOOL_ATTRIBUTES.sessionSignal]: end.signal,
        },
      }),
    );
    this.sink.flushSync();
  }

  private emitSessionEvents(recovery: RecoveryResult, previousId: string | undefined): void {
    for (const { session, crash } of recovery.recovered) {
      this.safeSink((s) =>
        s.emitEvent({
          name: 'session.end',
          timeMs: Date.parse(session.endedAt ?? '') || Date.now(),
          severityNumber: SeverityNumber.INFO,
          severityText: 'INFO',
          body: `session ended: ${session.state}`,
          attributes: {
            'session.id': session.id,
            [OTELSPOOL_ATTRIBUTES.sessionState]: session.state,
          },
        }),
      );
      if (crash) this.emitAppCrash(crash);
    }
    // A previous session that crashed in-process was closed by itself; it still gets its
    // app.crash here, once, from the next start (semconv: crashes reported on the next start).
    const prev = this.lastRun.previousSession;
    if (
      prev &&
      prev.state === 'crashed' &&
      !recovery.recovered.some((r) => r.session.id === prev.id)
    ) {
      this.safeSink((s) =>
        s.emitEvent({
          name: 'session.end',
          timeMs: Date.parse(prev.endedAt ?? '') || Date.now(),
          severityNumber: SeverityNumber.INFO,
          severityText: 'INFO',
          body: 'session ended: crashed',
          attributes: { 'session.id': prev.id, [OTELSPOOL_ATTRIBUTES.sessionState]: 'crashed' },
        }),
      );
      const summary = this.lastRun.lastCrash;
      if (summary) {
        this.emitAppCrashSummary(summary, prev.id, prev.serviceVersion, undefined);
      }
    }
    this.safeSink((s) =>
      s.emitEvent({
        name: 'session.start',
        severityNumber: SeverityNumber.INFO,
        severityText: 'INFO',
        body: 'session started',
        attributes: { 'session.id': this.sessionId, 'session.previous_id': previousId },
      }),
    );
  }

  private emitAppCrash(report: CrashReport): void {
    this.emitAppCrashSummary(
      crashSummaryOf(report),
      report.session.id,
      report.resource['service.version'],
      report,
    );
  }

  /** semconv `app.crash`: reported by a later instance, so the crashed instance's attributes travel on the event. */
  private emitAppCrashSummary(
    summary: { reportId: string; type: string; message: string; time: string; signatureId: string },
    sessionId: string,
    serviceVersion: string | number | boolean | undefined,
    report: CrashReport | undefined,
  ): void {
    this.safeSink((s) =>
      s.emitEvent({
        name: APP_CRASH_EVENT_NAME,
        timeMs: Date.now(),
        severityNumber: SeverityNumber.ERROR,
        severityText: 'ERROR',
        body: `${summary.type}: ${summary.message}`,
        attributes: {
          [CRASH_ATTRIBUTES.appCrashId]: summary.reportId,
          'session.id': sessionId,
          'exception.type': summary.type,
          'exception.message': summary.message,
          'exception.stacktrace': report?.error.stack,
          'service.version': typeof serviceVersion === 'string' ? serviceVersion : undefined,
          'os.type': asString(report?.resource['os.type'] ?? this.session.os.type),
          'os.version': asString(report?.resource['os.version'] ?? this.session.os.version),
          [CRASH_ATTRIBUTES.signature]: summary.signatureId,
          [CRASH_ATTRIBUTES.time]: summary.time,
        },
      }),
    );
  }

  private writeSessionNow(): void {
    try {
      this.session.breadcrumbs = this.breadcrumbs.toArray();
      writeSessionFileSync(this.dir, this.session);
    } catch {}
  }

  private safeSink(fn: (sink: TelemetrySink) => void): void {
    try {
      fn(this.sink);
    } catch {}
  }
}

function severityText(n: number): string {
  if (n >= 21) return 'FATAL';
  if (n >= 17) return 'ERROR';
  if (n >= 13) return 'WARN';
  if (n >= 9) return 'INFO';
  return 'DEBUG';
}

function asString(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function safe<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

function safeHostName(): string {
  return safe(() => hostname(), '');
}
