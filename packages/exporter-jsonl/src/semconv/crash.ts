/**
 * The crash vocabulary: the names the crash handler writes and the names the crashes-only
 * consent filter looks for. Defined once, here in the base package both depend on, so the
 * writer and the filter cannot drift apart again (they did: the handler wrote
 * `otelspool.crash.*` while the filter looked for `crash.*`, and a crashes-only grant dropped
 * the crash span).
 */

/** Name of the span the crash handler writes when no span was active at the crash. */
export const CRASH_SPAN_NAME = 'crash';

/** semconv event reported on the next start for a crash of an earlier session. */
export const APP_CRASH_EVENT_NAME = 'app.crash';

/** Severity number of FATAL in the OTel log data model; crash records are written at this level. */
export const CRASH_LOG_SEVERITY = 21;

/** Attributes on crash spans, on the exception event of the span active at the crash, and on crash logs. */
export const CRASH_ATTRIBUTES = {
  /** Id of the crash report file (crashes/<id>.json). */
  reportId: 'otelspool.crash.report_id',
  /** Grouping signature of the crash (same bug → same signature). */
  signature: 'otelspool.crash.signature',
  /** How the crash was caught (uncaughtException, unhandledRejection, native, ...). */
  origin: 'otelspool.crash.origin',
  /** When the crash happened (on app.crash events, reported later). */
  time: 'otelspool.crash.time',
  /** semconv: id of the crash an app.crash event reports. */
  appCrashId: 'app.crash.id',
} as const;

/** Every crash attribute starts with one of these. */
export const CRASH_ATTRIBUTE_PREFIXES: readonly string[] = ['otelspool.crash.', 'app.crash.'];

/** Other otelspool attributes written next to crash records (sessions, non-fatal errors). */
export const OTELSPOOL_ATTRIBUTES = {
  sessionState: 'otelspool.session.state',
  sessionSignal: 'otelspool.session.signal',
  errorOrigin: 'otelspool.error.origin',
} as const;

/** Whether an attribute key belongs to the crash vocabulary. */
export function isCrashAttributeKey(key: string): boolean {
  if (typeof key !== 'string') return false;
  for (const prefix of CRASH_ATTRIBUTE_PREFIXES) if (key.startsWith(prefix)) return true;
  return false;
}

/** Whether an event name (log eventName / event.name, or a span event name) reports a crash. */
export function isCrashEventName(name: string | undefined): boolean {
  return name === APP_CRASH_EVENT_NAME;
}
