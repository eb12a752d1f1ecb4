import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import {
  anyValueJson,
  countField,
  groupByResourceAndScope,
  hexIdJson,
  hrTimeToNanosString,
  keyValuesField,
  obj,
  resourceMembers,
  scopeMembers,
  stringField,
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

/**
 * SDK log records → one OTLP/JSON `LogsData` line (no trailing newline), grouped by resource
 * and instrumentation scope. Returns '' for no records.
 */
export function encodeLogs(records: readonly ReadableLogRecord[]): string {
  if (records.length === 0) return '';
  const groups = groupByResourceAndScope(
    records,
    (r) => r.resource,
    (r) => r.instrumentationScope,
  );
  let out = '{"resourceLogs":[';
  let firstResource = true;
  for (const [resource, byScope] of groups) {
    out += (firstResource ? '{' : ',{') + resourceMembers(resource) + ',"scopeLogs":[';
    firstResource = false;
    let firstScope = true;
    for (const list of byScope.values()) {
      const first = list[0] as ReadableLogRecord;
      out +=
        (firstScope ? '{' : ',{') + scopeMembers(first.instrumentationScope) + ',"logRecords":[';
      firstScope = false;
      for (let i = 0; i < list.length; i++) {
        if (i > 0) out += ',';
        out += logRecordJson(list[i] as ReadableLogRecord);
      }
      out += ']}';
    }
    out += ']}';
  }
  return out + ']}';
}
