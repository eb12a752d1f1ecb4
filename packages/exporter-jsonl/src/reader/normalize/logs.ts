import {
  attributesField,
  anyValue,
  resourceEnvelope,
  scopeEnvelope,
  upgradeLegacyScopeList,
} from './common.js';
import { enumField, idField, stringField, u32Field, u64Field } from './fields.js';
import { itemListField, lengthOf, one, sumOf } from './items.js';
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

const recordsOfScope = (sl: unknown): number => lengthOf(sl, 'logRecords');
const recordsOfResource = (rl: unknown): number =>
  sumOf(rl, 'scopeLogs', recordsOfScope) + sumOf(rl, 'instrumentationLibraryLogs', recordsOfScope);

/** LogsData: resourceLogs → scopeLogs → logRecords (tolerant walks drop bad records alone). */
export function logs(data: JsonObject, ctx: NormalizeContext): void {
  itemListField(
    data,
    'resourceLogs',
    ctx,
    (item, ri) => {
      const rl = expectObject(item);
      resourceEnvelope(rl, ctx);
      upgradeLegacyScopeList(rl, 'scopeLogs', 'instrumentationLibraryLogs');
      itemListField(
        rl,
        'scopeLogs',
        ctx,
        (item2, si) => {
          const sl = expectObject(item2);
          scopeEnvelope(sl, ctx);
          itemListField(
            sl,
            'logRecords',
            ctx,
            (record) => logRecord(record, ctx),
            one,
            () => `resourceLogs[${ri}].scopeLogs[${si}]`,
          );
        },
        recordsOfScope,
        () => `resourceLogs[${ri}]`,
      );
    },
    recordsOfResource,
    () => '',
  );
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
