import dc from 'node:diagnostics_channel';
import { context, trace } from '@opentelemetry/api';
import type { TextScrubber } from '@otelspool/exporter-jsonl/write-path';
import type { Breadcrumb } from '../session/breadcrumbs.js';
import type { SessionFile } from '../session/session-file.js';
import {
  CRASH_REPORT_SCHEMA_VERSION,
  newCrashReportId,
  writeCrashReportSync,
  type CrashOrigin,
  type CrashReport,
  type ResourceAttributes,
} from './crash-report.js';
import type { ErrorInfo } from './error-info.js';
import { collectProcessFacts } from './process-facts.js';
import { computeSignature } from './signature.js';

/**
 * Published right after a crash report is durably on disk (`{ path, reportId, sessionId }`), on
 * the crash path. For tools and benchmarks; costs nothing without subscribers.
 */
export const CRASH_REPORT_WRITTEN_CHANNEL = 'otelspool:crash-report-written';
const reportWritten = dc.channel(CRASH_REPORT_WRITTEN_CHANNEL);

/** Everything a crash report is made of, as the crash handler has it at the crash. */
export interface CrashReportParts {
  error: ErrorInfo;
  origin: CrashOrigin;
  time: Date;
  worker?: { threadId: number };
  session: SessionFile;
  breadcrumbs: Breadcrumb[];
  resource: ResourceAttributes;
  scrub: TextScrubber;
}

/**
 * The crash report of a fatal error: the error and its signature, the session as it was, the
 * breadcrumbs, the resource, facts about the process, and the trace context active at the crash.
 * Synchronous: it runs in the dying process.
 */
export function assembleCrashReport(parts: CrashReportParts): CrashReport {
  const { error, session } = parts;
  const report: CrashReport = {
    schemaVersion: CRASH_REPORT_SCHEMA_VERSION,
    id: newCrashReportId(),
    time: parts.time.toISOString(),
    origin: parts.origin,
    fatal: true,
    signature: computeSignature(error),
    error,
    session: {
      id: session.id,
      previousId: session.previousId,
      installId: session.installId,
      startedAt: session.startedAt,
      launchCompleted: session.launchCompleted,
      appState: session.appState,
    },
    breadcrumbs: parts.breadcrumbs,
    resource: { ...parts.resource },
    process: collectProcessFacts(parts.scrub),
  };
  const sc = trace.getSpanContext(context.active());
  if (sc && trace.isSpanContextValid(sc)) report.trace = { traceId: sc.traceId, spanId: sc.spanId };
  if (parts.worker) report.worker = parts.worker;
  return report;
}

/**
 * Writes the report (fsynced: it is what the next start rebuilds everything else from) and
 * tells CRASH_REPORT_WRITTEN_CHANNEL's subscribers. Never throws: a full disk must not stop the
 * rest of the crash path (the session end, the OTel records).
 */
export function persistCrashReport(spoolDir: string, report: CrashReport): void {
  try {
    const path = writeCrashReportSync(spoolDir, report);
    if (reportWritten.hasSubscribers) {
      reportWritten.publish({ path, reportId: report.id, sessionId: report.session.id });
    }
  } catch {}
}
