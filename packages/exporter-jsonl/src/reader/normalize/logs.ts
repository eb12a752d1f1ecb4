import { anyValue, attributesField } from './common.js';
import { signalEnvelope, walkEnvelopes } from './envelope.js';
import { enumField, idField, stringField, u32Field, u64Field, type JsonObject } from './fields.js';
import { rethrowUnder } from './shape-error.js';
import { expectObject, type NormalizeContext } from './scalars.js';

const SEVERITY_NUMBER: Readonly<Record<string, number>> = Object.fromEntries(
  ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL']
    .flatMap((level, i) =>
      [1, 2, 3, 4].map((n) => [`SEVERITY_NUMBER_${level}${n === 1 ? '' : n}`, i * 4 + n]),
    )
    .concat([['SEVERITY_NUMBER_UNSPECIFIED', 0]]),
);

const LOGS = signalEnvelope(
  'resourceLogs',
  'scopeLogs',
  'instrumentationLibraryLogs',
  'logRecords',
);

/** LogsData: resourceLogs → scopeLogs → logRecords (tolerant walks drop bad records alone). */
export function logs(data: JsonObject, ctx: NormalizeContext): void {
  walkEnvelopes(data, ctx, LOGS, logRecord);
}

function logRecord(value: unknown, ctx: NormalizeContext): void {
  const record = expectObject(value);
  u64Field(record, 'timeUnixNano', ctx);
  u64Field(record, 'observedTimeUnixNano', ctx);
  enumField(record, 'severityNumber', SEVERITY_NUMBER, 'severity number');
  stringField(record, 'severityText');
  const body = record.body;
  if (body !== undefined) {
    if (body === null) delete record.body;
    else {
      try {
        anyValue(body, ctx, 0);
      } catch (err) {
        rethrowUnder(err, 'body');
      }
    }
  }
  attributesField(record, 'attributes', ctx);
  u32Field(record, 'droppedAttributesCount');
  u32Field(record, 'flags');
  idField(record, 'traceId', 16, false);
  idField(record, 'spanId', 8, false);
  stringField(record, 'eventName');
}
