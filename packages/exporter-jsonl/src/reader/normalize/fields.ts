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

export function u64Field(obj: JsonObject, key: string, ctx: NormalizeContext): void {
  const v = obj[key];
  if (v === undefined) return;
  if (v === null) {
    delete obj[key];
    return;
  }
  try {
    const n = uint64(v, ctx);
    if (n !== v) obj[key] = n;
  } catch (err) {
    fail(err, key);
  }
}

export function i64Field(obj: JsonObject, key: string, ctx: NormalizeContext): void {
  const v = obj[key];
  if (v === undefined) return;
  if (v === null) {
    delete obj[key];
    return;
  }
  try {
    const n = int64(v, ctx);
    if (n !== v) obj[key] = n;
  } catch (err) {
    fail(err, key);
  }
}

export function u32Field(obj: JsonObject, key: string): void {
  const v = obj[key];
  if (v === undefined || (typeof v === 'number' && v >= 0 && v <= 0xffffffff && v % 1 === 0)) {
    return;
  }
  if (v === null) {
    delete obj[key];
    return;
  }
  try {
    obj[key] = uint32(v);
  } catch (err) {
    fail(err, key);
  }
}

export function i32Field(obj: JsonObject, key: string): void {
  const v = obj[key];
  if (v === undefined) return;
  if (v === null) {
    delete obj[key];
    return;
  }
  try {
    const n = int32(v);
    if (n !== v) obj[key] = n;
  } catch (err) {
    fail(err, key);
  }
}

export function doubleField(obj: JsonObject, key: string): void {
  const v = obj[key];
  if (v === undefined || typeof v === 'number') return;
  if (v === null) {
    delete obj[key];
    return;
  }
  try {
    obj[key] = double(v);
  } catch (err) {
    fail(err, key);
  }
}

export function stringField(obj: JsonObject, key: string): void {
  const v = obj[key];
  if (v === undefined || typeof v === 'string') return;
  if (v === null) {
    delete obj[key];
    return;
  }
  try {
    string(v);
  } catch (err) {
    fail(err, key);
  }
}

export function boolField(obj: JsonObject, key: string): void {
  const v = obj[key];
  if (v === undefined || typeof v === 'boolean') return;
  if (v === null) {
    delete obj[key];
    return;
  }
  try {
    boolean(v);
  } catch (err) {
    fail(err, key);
  }
}

export function bytesField(obj: JsonObject, key: string): void {
  const v = obj[key];
  if (v === undefined) return;
  if (v === null) {
    delete obj[key];
    return;
  }
  try {
    base64(v);
  } catch (err) {
    fail(err, key);
  }
}

export function enumField(
  obj: JsonObject,
  key: string,
  names: Readonly<Record<string, number>>,
  what: string,
): void {
  const v = obj[key];
  if (v === undefined) return;
  if (v === null) {
    delete obj[key];
    return;
  }
  try {
    const n = enumValue(v, names, what);
    if (n !== v) obj[key] = n;
  } catch (err) {
    fail(err, key);
  }
}

/** A trace (16) or span (8) id; `required` ids must be present and non-empty. */
export function idField(obj: JsonObject, key: string, bytes: 16 | 8, required: boolean): void {
  const v = obj[key];
  try {
    if (v === undefined || v === null) {
      if (required) throw new OtlpShapeError(`required ${bytes}-byte id is missing`);
      if (v === null) delete obj[key];
      return;
    }
    const n = id(v, bytes, !required);
    if (n !== v) obj[key] = n;
  } catch (err) {
    fail(err, key);
  }
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
  const v = obj[key];
  if (v === undefined) return;
  if (v === null) {
    delete obj[key];
    return;
  }
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
  const v = obj[key];
  if (v === undefined) return;
  if (v === null) {
    delete obj[key];
    return;
  }
  try {
    check(expectObject(v));
  } catch (err) {
    fail(err, key);
  }
}
