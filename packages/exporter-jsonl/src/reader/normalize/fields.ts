import { OtlpShapeError, rethrowUnder } from './shape-error.js';
import {
  base64,
  boolean,
  double,
  enumValue,
  expectArray,
  expectObject,
  id,
  int32,
  int64,
  string,
  uint32,
  uint64,
  type NormalizeContext,
} from './scalars.js';

/**
 * In-place field normalisers: each reads `obj[key]`, leaves it alone when it is absent or
 * already normalised (the common case for lines our own writer produced, so no allocation),
 * rewrites it when another accepted form was used, removes an explicit `null` (proto3 JSON's
 * "default value"), and throws an OtlpShapeError under `key` otherwise.
 */
export type JsonObject = Record<string, unknown>;

function fail(err: unknown, key: string): never {
  rethrowUnder(err, key);
}

/** `obj[key]`; an explicit null (proto3 JSON's default value) is removed and reads as absent. */
function presentValue(obj: JsonObject, key: string): unknown {
  const v = obj[key];
  if (v === null) {
    delete obj[key];
    return undefined;
  }
  return v;
}

/**
 * The template of every scalar field: absent → nothing, null → removed, otherwise
 * `convert(value, a, b)`, written back only when it returned another value (so a line in the
 * canonical form is not touched), its error reported under `key`. `convert` is one of the
 * module-level scalar functions and `a`, `b` its extra arguments: no closure per field.
 */
function convertField<A, B>(
  obj: JsonObject,
  key: string,
  convert: (value: unknown, a: A, b: B) => unknown,
  a: A,
  b: B,
): void {
  const v = presentValue(obj, key);
  if (v === undefined) return;
  let n: unknown;
  try {
    n = convert(v, a, b);
  } catch (err) {
    fail(err, key);
  }
  if (n !== v) obj[key] = n;
}

export function u64Field(obj: JsonObject, key: string, ctx: NormalizeContext): void {
  convertField(obj, key, uint64, ctx, undefined);
}

export function i64Field(obj: JsonObject, key: string, ctx: NormalizeContext): void {
  convertField(obj, key, int64, ctx, undefined);
}

export function u32Field(obj: JsonObject, key: string): void {
  const v = obj[key];
  if (v === undefined || (typeof v === 'number' && v >= 0 && v <= 0xffffffff && v % 1 === 0)) {
    return;
  }
  convertField(obj, key, uint32, undefined, undefined);
}

export function i32Field(obj: JsonObject, key: string): void {
  convertField(obj, key, int32, undefined, undefined);
}

export function doubleField(obj: JsonObject, key: string): void {
  const v = obj[key];
  if (v === undefined || typeof v === 'number') return;
  convertField(obj, key, double, undefined, undefined);
}

export function stringField(obj: JsonObject, key: string): void {
  const v = obj[key];
  if (v === undefined || typeof v === 'string') return;
  convertField(obj, key, string, undefined, undefined);
}

export function boolField(obj: JsonObject, key: string): void {
  const v = obj[key];
  if (v === undefined || typeof v === 'boolean') return;
  convertField(obj, key, boolean, undefined, undefined);
}

export function bytesField(obj: JsonObject, key: string): void {
  convertField(obj, key, base64, undefined, undefined);
}

export function enumField(
  obj: JsonObject,
  key: string,
  names: Readonly<Record<string, number>>,
  what: string,
): void {
  convertField(obj, key, enumValue, names, what);
}

/** A trace (16) or span (8) id; `required` ids must be present and non-empty. */
export function idField(obj: JsonObject, key: string, bytes: 16 | 8, required: boolean): void {
  const v = obj[key];
  if (required && (v === undefined || v === null)) {
    fail(new OtlpShapeError(`required ${bytes}-byte id is missing`), key);
  }
  convertField(obj, key, id, bytes, !required);
}

/**
 * A repeated field: absent → nothing, null → removed, otherwise an array whose elements are
 * each passed to `each` (errors get `key[i]` in their path).
 */
export function listField(
  obj: JsonObject,
  key: string,
  each: (item: unknown, index: number, list: unknown[]) => void,
): void {
  const v = presentValue(obj, key);
  if (v === undefined) return;
  let list: unknown[];
  try {
    list = expectArray(v);
  } catch (err) {
    fail(err, key);
  }
  for (let i = 0; i < list.length; i++) {
    try {
      each(list[i], i, list);
    } catch (err) {
      if (err instanceof OtlpShapeError) throw err.under(i).under(key);
      throw err;
    }
  }
}

/** A message field: absent → nothing, null → removed, otherwise an object passed to `check`. */
export function objectField(
  obj: JsonObject,
  key: string,
  check: (value: JsonObject) => void,
): void {
  const v = presentValue(obj, key);
  if (v === undefined) return;
  try {
    check(expectObject(v));
  } catch (err) {
    fail(err, key);
  }
}
