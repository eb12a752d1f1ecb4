import { SeverityNumber } from '@opentelemetry/api-logs';
import {
  APP_CRASH_EVENT_NAME,
  CRASH_ATTRIBUTES,
  OTELSPOOL_ATTRIBUTES,
} from '@otelspool/exporter-jsonl/write-path';
import type { CrashReport } from '../report/crash-report.js';
import type { LastRunInfo } from '../session/last-run-info.js';
import { crashSummaryOf, type RecoveryResult } from '../session/recover.js';
import type { SessionExit } from '../session/session-lifecycle.js';
import type { CrashSummary } from '../session/session-file.js';
import type { AttributeMap } from './otlp-lines.js';
import type { EventRecord, ExceptionRecord, TelemetrySink } from './telemetry-sink.js';

/**
 * The OpenTelemetry records of the crash handler: the session events (`session.start`,
 * `session.end`, https://opentelemetry.io/docs/specs/semconv/general/session/), `app.crash`
 * for a crash of an earlier session (reported by the next start), and the crash and non-fatal
 * error records. Every call goes to the sink and swallows what the sink throws: telemetry
 * about a failure must never become one.
 */
export class CrashEvents {
  constructor(
    private readonly sink: TelemetrySink,
    /** This machine's OS, for app.crash events whose crashed process left no report. */
    private readonly os: { type: string; version: string },
  ) {}

  /** A log event; its severity text follows from the number (OTel log data model ranges). */
  event(name: string, severityNumber: number, body: string, attributes: AttributeMap): void {
    this.emit({
      name,
      severityNumber,
      severityText: severityText(severityNumber),
      body,
      attributes,
    });
  }

  /**
   * For every earlier session this start closed: its `session.end`, and `app.crash` when it
   * crashed. A previous session that crashed in-process was closed by itself; it still gets its
   * app.crash here, once, from the next start (semconv: crashes are reported on the next start).
   */
  previousSessionsEnded(recovery: RecoveryResult, lastRun: LastRunInfo): void {
    for (const { session, crash } of recovery.recovered) {
      this.sessionEndedAt(session.id, session.state, session.endedAt);
      if (crash) {
        this.appCrash(
          crashSummaryOf(crash),
          crash.session.id,
          crash.resource['service.version'],
          crash,
        );
      }
    }
    const prev = lastRun.previousSession;
    if (
      prev &&
      prev.state === 'crashed' &&
      !recovery.recovered.some((r) => r.session.id === prev.id)
    ) {
      this.sessionEndedAt(prev.id, 'crashed', prev.endedAt);
      if (lastRun.lastCrash)
        this.appCrash(lastRun.lastCrash, prev.id, prev.serviceVersion, undefined);
    }
  }

  sessionStarted(sessionId: string, previousId: string | undefined): void {
    this.emit({
      name: 'session.start',
      severityNumber: SeverityNumber.INFO,
      severityText: 'INFO',
      body: 'session started',
      attributes: { 'session.id': sessionId, 'session.previous_id': previousId },
    });
  }

  /** This session ended without a crash (exit, signal, endSession()). */
  sessionEnded(sessionId: string, end: SessionExit): void {
    this.emit({
      name: 'session.end',
      severityNumber: SeverityNumber.INFO,
      severityText: 'INFO',
      body: 'session ended',
      attributes: {
        'session.id': sessionId,
        [OTELSPOOL_ATTRIBUTES.sessionState]: 'exited',
        'process.exit.code': end.exitCode,
        [OTELSPOOL_ATTRIBUTES.sessionSignal]: end.signal,
      },
    });
  }

  /** The crash path: the fatal records of `report`, whose file is already on disk. */
  crash(report: CrashReport, timeMs: number): void {
    this.safely((s) =>
      s.recordCrash({
        timeMs,
        error: report.error,
        attributes: {
          'session.id': report.session.id,
          [CRASH_ATTRIBUTES.reportId]: report.id,
          [CRASH_ATTRIBUTES.signature]: report.signature.id,
          [CRASH_ATTRIBUTES.origin]: report.origin,
        },
      }),
    );
  }

  /** A non-fatal error (an unhandled rejection in warn mode, a worker's error...). */
  error(record: ExceptionRecord): void {
    this.safely((s) => s.recordError(record));
  }

  /** Bounded synchronous write of everything recorded so far. Never throws. */
  flushSync(): void {
    this.sink.flushSync();
  }

  close(): void {
    this.sink.close();
  }

  /** An earlier session's `session.end`, at the time it ended (now when unknown). */
  private sessionEndedAt(sessionId: string, state: string, endedAt: string | undefined): void {
    this.emit({
      name: 'session.end',
      timeMs: Date.parse(endedAt ?? '') || Date.now(),
      severityNumber: SeverityNumber.INFO,
      severityText: 'INFO',
      body: `session ended: ${state}`,
      attributes: { 'session.id': sessionId, [OTELSPOOL_ATTRIBUTES.sessionState]: state },
    });
  }

  /** semconv `app.crash`: reported by a later instance, so the crashed instance's attributes travel on the event. */
  private appCrash(
    summary: Pick<CrashSummary, 'reportId' | 'type' | 'message' | 'time' | 'signatureId'>,
    sessionId: string,
    serviceVersion: string | number | boolean | undefined,
    report: CrashReport | undefined,
  ): void {
    this.emit({
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
        'os.type': nonEmpty(report?.resource['os.type'] ?? this.os.type),
        'os.version': nonEmpty(report?.resource['os.version'] ?? this.os.version),
        [CRASH_ATTRIBUTES.signature]: summary.signatureId,
        [CRASH_ATTRIBUTES.time]: summary.time,
      },
    });
  }

  private emit(event: EventRecord): void {
    this.safely((s) => s.emitEvent(event));
  }

  private safely(fn: (sink: TelemetrySink) => void): void {
    try {
      fn(this.sink);
    } catch {}
  }
}

function severityText(n: number): string {
  if (n >= SeverityNumber.FATAL) return 'FATAL';
  if (n >= SeverityNumber.ERROR) return 'ERROR';
  if (n >= SeverityNumber.WARN) return 'WARN';
  if (n >= SeverityNumber.INFO) return 'INFO';
  return 'DEBUG';
}

function nonEmpty(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}
