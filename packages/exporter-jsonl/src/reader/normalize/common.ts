import { OtlpShapeError, rethrowUnder } from './shape-error.js';
import {
  boolField,
  bytesField,
  doubleField,
  i64Field,
  listField,
  objectField,
  stringField,
  type JsonObject,
} from './fields.js';
import { expectObject, type NormalizeContext } from './scalars.js';

/**
 * AnyValue nesting limit. Real attributes nest a few levels; the limit keeps a hostile line
 * (`{"arrayValue":{"values":[{"arrayValue":…` a million deep, which JSON.parse accepts) from
 * overflowing the stack of this recursive walk.
 */
export const MAX_ANY_VALUE_DEPTH = 64;

const ANY_VALUE_KINDS = [
  'stringValue',
  'boolValue',
  'intValue',
  'doubleValue',
  'arrayValue',
  'kvlistValue',
  'bytesValue',
] as const;

/** AnyValue: at most one of its variants (none = empty value, as proto3 allows). */
export function anyValue(value: unknown, ctx: NormalizeContext, depth: number): void {
  const v = expectObject(value);
  // Fast path: a plain string attribute, by far the most common.
  if (typeof v.stringValue === 'string') {
    if (
      v.boolValue === undefined &&
      v.intValue === undefined &&
      v.doubleValue === undefined &&
      v.arrayValue === undefined &&
      v.kvlistValue === undefined &&
      v.bytesValue === undefined
    ) {
      return;
    }
  }
  let kind: string | undefined;
  for (const k of ANY_VALUE_KINDS) {
    const x = v[k];
    if (x === undefined) continue;
    if (x === null) {
      delete v[k];
      continue;
    }
    if (kind !== undefined) {
      throw new OtlpShapeError(`AnyValue has both ${kind} and ${k}`);
    }
    kind = k;
  }
  switch (kind) {
    case undefined:
      return;
    case 'stringValue':
      return stringField(v, kind);
    case 'boolValue':
      return boolField(v, kind);
    case 'intValue':
      return i64Field(v, kind, ctx);
    case 'doubleValue':
      return doubleField(v, kind);
    case 'bytesValue':
      return bytesField(v, kind);
  }
  if (depth >= MAX_ANY_VALUE_DEPTH) {
    throw new OtlpShapeError(`AnyValue nested deeper than ${MAX_ANY_VALUE_DEPTH} levels`);
  }
  if (kind === 'arrayValue') {
    objectField(v, kind, (array) =>
      listField(array, 'values', (item) => anyValue(item, ctx, depth + 1)),
    );
  } else {
    objectField(v, kind, (kvlist) =>
      listField(kvlist, 'values', (item) => keyValue(item, ctx, depth + 1)),
    );
  }
}

/** KeyValue: a string key (proto3 default '' when absent) and an optional AnyValue. */
export function keyValue(value: unknown, ctx: NormalizeContext, depth: number): void {
  const kv = expectObject(value);
  const key = kv.key;
  if (typeof key !== 'string') {
    if (key === undefined || key === null) kv.key = '';
    else stringField(kv, 'key');
  }
  const v = kv.value;
  if (v === undefined) return;
  if (v === null) {
    delete kv.value;
    return;
  }
  try {
    anyValue(v, ctx, depth);
  } catch (err) {
    rethrowUnder(err, 'value');
  }
}

/** A repeated KeyValue field (attributes, filteredAttributes, metadata); a plain loop, no closure. */
export function attributesField(obj: JsonObject, key: string, ctx: NormalizeContext): void {
  const list = obj[key];
  if (list === undefined) return;
  if (!Array.isArray(list)) {
    listField(obj, key, () => undefined); // removes null, or throws with the reason
    return;
  }
  for (let i = 0; i < list.length; i++) {
    try {
      keyValue(list[i], ctx, 0);
    } catch (err) {
      if (err instanceof OtlpShapeError) throw err.under(i).under(key);
      throw err;
    }
  }
}
