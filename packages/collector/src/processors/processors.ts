import {
  attributeText,
  countRecords,
  RESOURCE_FIELD,
  type KeyValue,
  type LogRecord,
  type LogsData,
  type OtlpData,
  type Span,
  type TracesData,
} from '@otelspool/exporter-jsonl';
import {
  APP_CRASH_EVENT_NAME,
  CRASH_LOG_SEVERITY,
  isCrashAttributeKey,
  isCrashEventName,
} from '@otelspool/exporter-jsonl/internal';
import type { Consent } from '../consent/consent.js';
import type { Processor, TelemetryItem } from '../pipeline/types.js';
import type { RedactionOptions } from './redaction.js';
import { createRedactor } from './redaction.js';

/** Severity number of FATAL in the OTel log data model (crash records are written at 21+). */
export const SEVERITY_FATAL = CRASH_LOG_SEVERITY;

/** Whether any attribute key is a crash attribute (`otelspool.crash.*`, `app.crash.*`). */
function hasCrashAttribute(attrs: readonly KeyValue[] | undefined): boolean {
  return attrs?.some((kv) => isCrashAttributeKey(kv.key)) ?? false;
}

// The crash vocabulary (attribute and event names) is the one the crash handler writes with,
// from @otelspool/exporter-jsonl (semconv/crash.ts): writer and filter cannot drift apart.

/**
 * A log record that belongs to a crash: FATAL severity, an `app.crash` event, or crash
 * attributes (`otelspool.crash.*`, `app.crash.*`).
 */
export function isCrashLog(record: LogRecord): boolean {
  if ((record.severityNumber ?? 0) >= SEVERITY_FATAL) return true;
  const event = record.eventName ?? attributeText(record.attributes, 'event.name');
  if (isCrashEventName(event)) return true;
  return hasCrashAttribute(record.attributes);
}

/**
 * A span that recorded a crash: crash attributes on the span (the handler's own `crash`
 * span), or on one of its events (the exception event on the span active at the crash), or
 * an `app.crash` event.
 */
export function isCrashSpan(span: Span): boolean {
  if (hasCrashAttribute(span.attributes)) return true;
  return (
    span.events?.some((e) => e.name === APP_CRASH_EVENT_NAME || hasCrashAttribute(e.attributes)) ??
    false
  );
}

// The two filters build a pruned copy (empty scopes and resources go), which the visitors of
// walk.ts do not do: they visit in place.
function filterLogs(data: LogsData, keep: (r: LogRecord) => boolean): LogsData {
  return {
    resourceLogs: (data.resourceLogs ?? [])
      .map((rl) => ({
        ...rl,
        scopeLogs: (rl.scopeLogs ?? [])
          .map((sl) => ({ ...sl, logRecords: (sl.logRecords ?? []).filter(keep) }))
          .filter((sl) => sl.logRecords.length > 0),
      }))
      .filter((rl) => rl.scopeLogs.length > 0),
  };
}

function filterSpans(data: TracesData, keep: (s: Span) => boolean): TracesData {
  return {
    resourceSpans: (data.resourceSpans ?? [])
      .map((rs) => ({
        ...rs,
        scopeSpans: (rs.scopeSpans ?? [])
          .map((ss) => ({ ...ss, spans: (ss.spans ?? []).filter(keep) }))
          .filter((ss) => ss.spans.length > 0),
      }))
      .filter((rs) => rs.scopeSpans.length > 0),
  };
}

/**
 * Consent gate: nothing passes unless consent is `granted`; with crashes-only consent only
 * crash records pass (FATAL/crash logs, crash spans; no metrics). `getConsent` is called for
 * every item, so a revoke during a sync takes effect at the next record.
 */
export function createConsentGate(getConsent: () => Consent): Processor {
  return {
    name: 'consent',
    process(item: TelemetryItem): TelemetryItem | undefined {
      const consent = getConsent();
      if (consent.state !== 'granted') return undefined;
      if (consent.signals === 'all') return item;
      let data: OtlpData;
      if (item.signal === 'logs') data = filterLogs(item.data as LogsData, isCrashLog);
      else if (item.signal === 'traces') data = filterSpans(item.data as TracesData, isCrashSpan);
      else return undefined;
      const records = countRecords(item.signal, data);
      return records === 0 ? undefined : { ...item, data, records };
    },
  };
}

/** Redaction as a pipeline processor (see createRedactor). */
export function createRedactionProcessor(options: RedactionOptions): Processor {
  const redactor = createRedactor(options);
  return {
    name: 'redaction',
    process: (item) => ({ ...item, data: redactor.redact(item.signal, item.data) }),
  };
}

/**
 * Tagging: sets resource attributes on every item (e.g. `deployment.environment`, or where a
 * receiver got the data). Existing keys are overwritten.
 */
export function createTaggingProcessor(attributes: Record<string, string>): Processor {
  const extra: KeyValue[] = Object.entries(attributes).map(([key, v]) => ({
    key,
    value: { stringValue: v },
  }));
  const keys = new Set(Object.keys(attributes));
  const tag = <R extends { resource?: { attributes?: KeyValue[] } }>(entry: R): R => ({
    ...entry,
    resource: {
      ...entry.resource,
      attributes: [
        ...(entry.resource?.attributes ?? []).filter((kv) => !keys.has(kv.key)),
        ...extra,
      ],
    },
  });
  return {
    name: 'tagging',
    process(item) {
      const field = RESOURCE_FIELD[item.signal];
      const list = (item.data as unknown as Record<string, unknown>)[field];
      if (!Array.isArray(list) || extra.length === 0) return item;
      return { ...item, data: { [field]: list.map(tag) } as unknown as OtlpData };
    },
  };
}
