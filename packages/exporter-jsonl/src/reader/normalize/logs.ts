import {
  attributesField,
  anyValue,
  resourceEnvelope,
  scopeEnvelope,
  upgradeLegacyScopeList,
} from './common.js';
import { enumField, idField, listField, stringField, u32Field, u64Field } from './fields.js';
import { rethrowUnder } from './shape-error.js';
import { expectObject, type NormalizeContext } from './scalars.js';
import type { JsonObject } from './fields.js';

const SEVERITY_NUMBER: Readonly<Record<string, number>> = Object.fromEntries(
  ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL']
    .flatMap((level, i) =>
      [1, 2, 3, 4].map((n) => [`SEVERITY_NUMBER_${level}${n === 1 ? '' : n}`, i * 4 + n]),
    )
    .concat([['SEVERITY_NUMBER_UNSPECIFIED', 0]]),
);

/** LogsData: resourceLogs → scopeLogs → logRecords. */
export function logs(data: JsonObject, ctx: NormalizeContext): void {
  listField(data, 'resourceLogs', (item) => {
    const rl = expectObject(item);
    resourceEnvelope(rl, ctx);
    upgradeLegacyScopeList(rl, 'scopeLogs', 'instrumentationLibraryLogs');
    listField(rl, 'scopeLogs', (item2) => {
      const sl = expectObject(item2);
      scopeEnvelope(sl, ctx);
      listField(sl, 'logRecords', (record) => logRecord(record, ctx));
    });
  });
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
