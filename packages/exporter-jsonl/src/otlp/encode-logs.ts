import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import {
  anyValueJson,
  countField,
  encodeEnvelopes,
  encodeEnvelopesUtf8,
  hexIdJson,
  hrTimeToNanosString,
  keyValuesField,
  obj,
  stringField,
  type EnvelopeJson,
} from './encode-common.js';

/** One OTLP/JSON LogRecord object. */
export function logRecordJson(record: ReadableLogRecord): string {
  const context = record.spanContext;
  const severity = record.severityNumber;
  return obj(
    '"timeUnixNano":"' + hrTimeToNanosString(record.hrTime) + '"',
    '"observedTimeUnixNano":"' + hrTimeToNanosString(record.hrTimeObserved) + '"',
    typeof severity === 'number' && severity > 0 ? '"severityNumber":' + Math.trunc(severity) : '',
    stringField('severityText', record.severityText),
    record.body !== undefined ? '"body":' + anyValueJson(record.body) : '',
    keyValuesField('attributes', record.attributes),
    countField('droppedAttributesCount', record.droppedAttributesCount),
    context && context.traceFlags ? '"flags":' + (context.traceFlags & 0xff) : '',
    context?.traceId ? '"traceId":' + hexIdJson(context.traceId) : '',
    context?.spanId ? '"spanId":' + hexIdJson(context.spanId) : '',
    stringField('eventName', record.eventName),
  );
}

const LOGS_ENVELOPE: EnvelopeJson = Object.freeze({
  open: '{"resourceLogs":[',
  scopes: ',"scopeLogs":[',
  items: ',"logRecords":[',
});

/**
 * SDK log records → one OTLP/JSON `LogsData` line (no trailing newline), grouped by resource
 * and instrumentation scope. Returns '' for no records.
 */
export function encodeLogs(records: readonly ReadableLogRecord[]): string {
  return encodeEnvelopes(records, LOGS_ENVELOPE, logRecordJson);
}

/** encodeLogs as the line's UTF-8 bytes (what the log exporter hands the writer). */
export function encodeLogsUtf8(records: readonly ReadableLogRecord[]): Buffer {
  return encodeEnvelopesUtf8(records, LOGS_ENVELOPE, logRecordJson);
}
