/**
 * Building blocks shared by the OTLP/JSON encoders.
 *
 * The encoders build the JSON text directly from the SDK objects instead of first building
 * OTLP-shaped objects and handing them to JSON.stringify (what @opentelemetry/otlp-transformer
 * does): that intermediate object graph is about a fifth of the stock pipeline's cost and
 * JSON.stringify of it almost half. Strings still go through JSON.stringify, which is the
 * fastest correct escaper V8 offers.
 *
 * OTLP/JSON rules applied here (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding):
 * lowerCamelCase field names, 64-bit integers as decimal strings, doubles as numbers with
 * NaN/Infinity as the proto3 JSON strings and -0 as `-0`, bytes as base64, ids as lowercase
 * hex. Fields at their proto3 default (0, '', empty list) are omitted, which proto3 JSON allows.
 */
import type { HrTime, Attributes, AttributeValue } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';

const TWO_POW_53 = 2 ** 53;
const INT64_MAX_EXCLUSIVE = 2 ** 63;

/** JSON string literal of `s` (quoted and escaped). */
export const str: (s: string) => string = JSON.stringify;

/**
 * HrTime [seconds, nanoseconds] → decimal string of nanoseconds since the epoch. Current times
 * are ~1.7e18 ns, far above 2^53, so the number is never formed as a double: the seconds and
 * the zero-padded nanoseconds are concatenated (BigInt only for non-normalised inputs).
 */
export function hrTimeToNanosString(t: HrTime): string {
  const s = t[0];
  const ns = t[1];
  if (Number.isSafeInteger(s) && s >= 0 && Number.isInteger(ns) && ns >= 0 && ns < 1e9) {
    if (s === 0) return String(ns);
    return String(s) + String(1e9 + ns).slice(1);
  }
  try {
    const total = BigInt(Math.trunc(s)) * 1_000_000_000n + BigInt(Math.trunc(ns));
    return (total < 0n ? 0n : total).toString();
  } catch {
    return '0';
  }
}

/**
 * An integral JS number → exact decimal string for an int64 field. Above 2^53 String() would
 * round to 17 significant digits ("1152921504606847000") or switch to exponent notation at
 * 1e21, so the exact binary value is converted through BigInt instead.
 */
export function int64String(n: number): string {
  if (n > -TWO_POW_53 && n < TWO_POW_53) return String(n === 0 ? 0 : n);
  return BigInt(n).toString();
}

/** Non-negative count (uint64 field) from a number that should be an integer. */
export function countString(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n) || n <= 0) return '0';
  return int64String(Math.trunc(n));
}

/** A double per proto3 JSON: finite numbers as numbers, the rest as the named strings. */
export function doubleJson(n: number): string {
  // String(-0) is "0": the sign of a negative zero would be lost.
  if (Number.isFinite(n)) return n === 0 && 1 / n < 0 ? '-0' : String(n);
  if (Number.isNaN(n)) return '"NaN"';
  return n > 0 ? '"Infinity"' : '"-Infinity"';
}

/** True when every character is 0-9 or a-f (what the SDK's id generator produces). */
function isLowerHex(id: string): boolean {
  const n = id.length;
  if (n === 0) return false;
  for (let i = 0; i < n; i++) {
    const c = id.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/**
 * Trace/span id as a JSON string in lowercase hex. SDK-generated ids are already lowercase
 * hex; ids from a propagated context may be uppercase, and anything else is escaped as-is so
 * a malformed id can never break the line.
 */
export function hexIdJson(id: string): string {
  if (isLowerHex(id)) return '"' + id + '"';
  const lower = id.toLowerCase();
  if (isLowerHex(lower)) return '"' + lower + '"';
  return str(lower);
}

/** AnyValue JSON for an attribute value or a log body. */
export function anyValueJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return '{"stringValue":' + str(value) + '}';
    case 'number':
      // -0 is an integer to JS but has no int64 form: it stays a double to keep its sign.
      if (
        Number.isInteger(value) &&
        Math.abs(value) < INT64_MAX_EXCLUSIVE &&
        1 / value !== -Infinity
      ) {
        return '{"intValue":"' + int64String(value) + '"}';
      }
      return '{"doubleValue":' + doubleJson(value) + '}';
    case 'boolean':
      return value ? '{"boolValue":true}' : '{"boolValue":false}';
    case 'bigint':
      return '{"intValue":"' + BigInt.asIntN(64, value).toString() + '"}';
    case 'object':
      if (value === null) return '{}';
      if (value instanceof Uint8Array) {
        return (
          '{"bytesValue":"' +
          Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') +
          '"}'
        );
      }
      if (Array.isArray(value)) return '{"arrayValue":{' + arrayValuesJson(value) + '}}';
      if (value instanceof Date) return '{"stringValue":' + str(value.toISOString()) + '}';
      return '{"kvlistValue":{' + keyValuesField('values', value as Record<string, unknown>) + '}}';
    default:
      // undefined, functions, symbols: an empty AnyValue, as the stock transformer writes.
      return '{}';
  }
}

function arrayValuesJson(values: readonly unknown[]): string {
  if (values.length === 0) return '';
  let out = '"values":[';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    out += anyValueJson(values[i]);
  }
  return out + ']';
}

const KEY_PREFIX_CACHE_LIMIT = 4096;
const keyPrefixCache = new Map<string, string>();

/**
 * `{"key":<escaped key>,"value":` for an attribute key. Attribute keys repeat across records
 * (they are semantic-convention names), so their escaped form is cached; the cache stops
 * growing at a fixed size so a stream of unique keys cannot grow memory.
 */
function keyPrefix(key: string): string {
  let prefix = keyPrefixCache.get(key);
  if (prefix === undefined) {
    prefix = '{"key":' + str(key) + ',"value":';
    if (keyPrefixCache.size < KEY_PREFIX_CACHE_LIMIT) keyPrefixCache.set(key, prefix);
  }
  return prefix;
}

/**
 * `"<field>":[{"key":..,"value":..},...]`, or '' when there are no keys (an empty repeated
 * field is omitted). The result is meant to be joined with other fields by the caller.
 */
export function keyValuesField(
  field: string,
  attributes: Attributes | Record<string, unknown> | undefined,
): string {
  if (attributes === undefined || attributes === null) return '';
  let out = '';
  for (const key in attributes) {
    if (!Object.prototype.hasOwnProperty.call(attributes, key)) continue;
    const value: AttributeValue | unknown = (attributes as Record<string, unknown>)[key];
    out +=
      (out.length === 0 ? '"' + field + '":[' : ',') + keyPrefix(key) + anyValueJson(value) + '}';
  }
  return out.length === 0 ? '' : out + ']';
}

/** Joins non-empty JSON member snippets into an object literal. */
export function obj(...members: string[]): string {
  let out = '{';
  for (const m of members) {
    if (m.length === 0) continue;
    if (out.length > 1) out += ',';
    out += m;
  }
  return out + '}';
}

/** `"name":<count>` for a non-zero count, '' otherwise (proto3 default omitted). */
export function countField(name: string, n: number | undefined): string {
  return n !== undefined && n > 0 ? '"' + name + '":' + Math.trunc(n) : '';
}

/** `"name":"<s>"` for a non-empty string, '' otherwise. */
export function stringField(name: string, s: string | undefined): string {
  return s !== undefined && s !== '' ? '"' + name + '":' + str(s) : '';
}

const resourceCache = new WeakMap<Resource, string>();

/**
 * `"resource":{...}` plus `"schemaUrl"` for a Resource/Scope container. Resources are shared
 * by every record of a provider, so the encoding is cached per Resource object once its
 * asynchronous attributes have settled.
 */
export function resourceMembers(resource: Resource): string {
  const cached = resourceCache.get(resource);
  if (cached !== undefined) return cached;
  const pending = resource.asyncAttributesPending === true;
  const members =
    '"resource":' +
    obj(keyValuesField('attributes', pending ? {} : resource.attributes)) +
    (resource.schemaUrl ? ',"schemaUrl":' + str(resource.schemaUrl) : '');
  if (!pending) resourceCache.set(resource, members);
  return members;
}

type ScopeWithAttributes = InstrumentationScope & {
  attributes?: Record<string, unknown>;
  droppedAttributesCount?: number;
};

const scopeCache = new WeakMap<object, string>();

/** `"scope":{...}` plus `"schemaUrl"` for a Scope* container; cached per scope object. */
export function scopeMembers(scope: ScopeWithAttributes): string {
  const cached = scopeCache.get(scope);
  if (cached !== undefined) return cached;
  const members =
    '"scope":' +
    obj(
      stringField('name', scope.name),
      stringField('version', scope.version),
      keyValuesField('attributes', scope.attributes),
      countField('droppedAttributesCount', scope.droppedAttributesCount),
    ) +
    (scope.schemaUrl ? ',"schemaUrl":' + str(scope.schemaUrl) : '');
  scopeCache.set(scope, members);
  return members;
}

/** Key under which records of the same instrumentation scope are grouped. */
export function scopeKey(scope: InstrumentationScope): string {
  return scope.name + '@' + (scope.version ?? '') + ':' + (scope.schemaUrl ?? '');
}

/** What the span and log encoders group by: every SDK span and log record has both. */
export interface ScopedRecord {
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;
}

/**
 * Groups records by resource (object identity, as the SDK shares one Resource per provider)
 * and then by instrumentation scope, keeping first-seen order.
 */
export function groupByResourceAndScope<T extends ScopedRecord>(
  records: readonly T[],
): Map<Resource, Map<string, T[]>> {
  const byResource = new Map<Resource, Map<string, T[]>>();
  for (const record of records) {
    const resource = record.resource;
    let byScope = byResource.get(resource);
    if (byScope === undefined) {
      byScope = new Map();
      byResource.set(resource, byScope);
    }
    const key = scopeKey(record.instrumentationScope);
    let list = byScope.get(key);
    if (list === undefined) {
      list = [];
      byScope.set(key, list);
    }
    list.push(record);
  }
  return byResource;
}

/**
 * The JSON text around one signal's records: `open` starts the line (`{"resourceSpans":[`),
 * `scopes` and `items` open the lists inside a resource and a scope (`,"scopeSpans":[`,
 * `,"spans":[`). One module-level constant per signal, so encoding allocates nothing for it.
 */
export interface EnvelopeJson {
  readonly open: string;
  readonly scopes: string;
  readonly items: string;
}

/**
 * SDK records → one OTLP/JSON line (`TracesData`, `LogsData`; no trailing newline), grouped
 * by resource and instrumentation scope, each record written by `encode` (a module-level
 * function). Returns '' for no records: the spool never holds empty envelopes.
 */
export function encodeEnvelopes<T extends ScopedRecord>(
  records: readonly T[],
  envelope: EnvelopeJson,
  encode: (record: T) => string,
): string {
  if (records.length === 0) return '';
  let out = envelope.open;
  let firstResource = true;
  for (const [resource, byScope] of groupByResourceAndScope(records)) {
    out += (firstResource ? '{' : ',{') + resourceMembers(resource) + envelope.scopes;
    firstResource = false;
    let firstScope = true;
    for (const list of byScope.values()) {
      const first = list[0] as T;
      out += (firstScope ? '{' : ',{') + scopeMembers(first.instrumentationScope) + envelope.items;
      firstScope = false;
      for (let i = 0; i < list.length; i++) {
        if (i > 0) out += ',';
        out += encode(list[i] as T);
      }
      out += ']}';
    }
    out += ']}';
  }
  return out + ']}';
}

/**
 * encodeEnvelopes as the UTF-8 bytes of the line: each record's JSON becomes bytes as soon as it
 * is written, and the parts are concatenated once. Measured cheaper than building the line as
 * one string and converting it (bench/cases/g2-burst.mjs): a line of 512 spans is otherwise a
 * rope of thousands of pieces that V8 flattens in one go, in the old generation, before encoding
 * it; small per-record strings flatten and die young.
 */
export function encodeEnvelopesUtf8<T extends ScopedRecord>(
  records: readonly T[],
  envelope: EnvelopeJson,
  encode: (record: T) => string,
): Buffer {
  if (records.length === 0) return EMPTY;
  const parts: Buffer[] = [];
  let head = envelope.open;
  let firstResource = true;
  for (const [resource, byScope] of groupByResourceAndScope(records)) {
    head += (firstResource ? '{' : ',{') + resourceMembers(resource) + envelope.scopes;
    firstResource = false;
    let firstScope = true;
    for (const list of byScope.values()) {
      const first = list[0] as T;
      head += (firstScope ? '{' : ',{') + scopeMembers(first.instrumentationScope) + envelope.items;
      firstScope = false;
      for (let i = 0; i < list.length; i++) {
        parts.push(Buffer.from(head + (i > 0 ? ',' : '') + encode(list[i] as T), 'utf8'));
        head = '';
      }
      head += ']}';
    }
    head += ']}';
  }
  parts.push(Buffer.from(head + ']}', 'utf8'));
  return Buffer.concat(parts);
}

const EMPTY = Buffer.alloc(0);

/** `"name":[…]` with each element written by `encode`, or '' for an empty list. */
export function arrayField<T>(
  name: string,
  items: readonly T[],
  encode: (item: T) => string,
): string {
  if (items.length === 0) return '';
  let out = '"' + name + '":[';
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out += ',';
    out += encode(items[i] as T);
  }
  return out + ']';
}
