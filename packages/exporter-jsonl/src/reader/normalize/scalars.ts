import { OtlpShapeError, describe } from './shape-error.js';

/**
 * Scalar rules of OTLP/JSON (proto3 JSON mapping), each with a branch-free-ish fast check for
 * what our own writer emits (already normalised) and a slower path that accepts the other forms
 * proto3 JSON allows and converts them:
 * - 64-bit integers: decimal strings, or JSON numbers (what older encoders and the
 *   opentelemetry-proto examples write) → canonical decimal strings;
 * - 32-bit integers and enums: numbers (enum names such as "SPAN_KIND_SERVER" are mapped);
 * - doubles: numbers, "NaN" / "Infinity" / "-Infinity", or numeric strings → JS numbers;
 * - ids: hex in either case, or base64 of the right byte length → lowercase hex.
 */

/**
 * Per-walk state. `lossyInt64` is set when a 64-bit integer arrived as a JSON number beyond
 * 2^53 (the parse lost digits). `drops`, when present, switches the walk to item-level
 * tolerance: an invalid span / data point / log record (or an envelope holding them) is removed
 * from its list and tallied there instead of failing the whole value.
 */
export interface NormalizeContext {
  lossyInt64: boolean;
  drops?: DropTally;
}

/** What item-level tolerance removed from one value. */
export interface DropTally {
  /** Items (spans, data points or log records) removed. */
  count: number;
  /** Elements removed (an envelope counts once, however many items it held). */
  events: number;
  /** The first few reasons, each with the JSON path of the offending field. */
  reasons: string[];
}

const CANONICAL_UINT = /^(?:0|[1-9]\d{0,19})$/;
const ANY_INT = /^-?\d+$/;
const UINT64_MAX = 18446744073709551615n;
const INT64_MIN = -9223372036854775808n;
const INT64_MAX = 9223372036854775807n;

/** Normalised uint64 (timestamps, counts): decimal string without sign or leading zeros. */
export function uint64(value: unknown, ctx: NormalizeContext): string {
  if (typeof value === 'string') {
    if (CANONICAL_UINT.test(value) && (value.length < 20 || value <= '18446744073709551615')) {
      return value;
    }
    return intFromString(value, 0n, UINT64_MAX, 'an unsigned 64-bit integer');
  }
  return intFromNumber(value, 0n, UINT64_MAX, 'an unsigned 64-bit integer', ctx);
}

/** Normalised int64 (AnyValue.intValue, asInt): decimal string, '-' only for negatives. */
export function int64(value: unknown, ctx: NormalizeContext): string {
  if (typeof value === 'string') {
    if (CANONICAL_UINT.test(value) && value.length < 19) return value;
    return intFromString(value, INT64_MIN, INT64_MAX, 'a 64-bit integer');
  }
  return intFromNumber(value, INT64_MIN, INT64_MAX, 'a 64-bit integer', ctx);
}

function intFromString(value: string, min: bigint, max: bigint, what: string): string {
  if (!ANY_INT.test(value)) {
    throw new OtlpShapeError(`expected ${what} as a decimal string, got ${describe(value)}`);
  }
  const n = BigInt(value);
  if (n < min || n > max)
    throw new OtlpShapeError(`${describe(value)} is out of range for ${what}`);
  return n.toString();
}

function intFromNumber(
  value: unknown,
  min: bigint,
  max: bigint,
  what: string,
  ctx: NormalizeContext,
): string {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new OtlpShapeError(`expected ${what}, got ${describe(value)}`);
  }
  if (Number.isSafeInteger(value)) {
    if (value < 0 && min === 0n) throw new OtlpShapeError(`${value} is out of range for ${what}`);
    return value === 0 ? '0' : String(value);
  }
  // Beyond 2^53 JSON.parse has already rounded the number; parseOtlpJson re-reads the source
  // text when this flag is set. BigInt(n) is the exact value of the double that was parsed.
  ctx.lossyInt64 = true;
  const n = BigInt(value);
  if (n < min || n > max) throw new OtlpShapeError(`${value} is out of range for ${what}`);
  return n.toString();
}

/** uint32 / fixed32 (dropped counts, flags): a number (decimal strings accepted, as proto3 JSON allows). */
export function uint32(value: unknown): number {
  if (typeof value === 'number' && value >= 0 && value <= 0xffffffff && Number.isInteger(value)) {
    return value;
  }
  if (typeof value === 'string' && /^\d{1,10}$/.test(value) && Number(value) <= 0xffffffff) {
    return Number(value);
  }
  throw new OtlpShapeError(`expected an unsigned 32-bit integer, got ${describe(value)}`);
}

/** int32 / sint32 (exponential histogram scale and offset). */
export function int32(value: unknown): number {
  const n = typeof value === 'string' && /^-?\d{1,10}$/.test(value) ? Number(value) : value;
  if (typeof n === 'number' && Number.isInteger(n) && n >= -0x80000000 && n <= 0x7fffffff) return n;
  throw new OtlpShapeError(`expected a 32-bit integer, got ${describe(value)}`);
}

const NUMERIC_STRING = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/**
 * A double → a JS number: numbers as they are, the three proto3 JSON strings for non-finite
 * values → NaN / ±Infinity (consumers compute with them; `stringifyOtlpJson` writes them back
 * as the strings), numeric strings → their value.
 */
export function double(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    if (value === 'NaN') return NaN;
    if (value === 'Infinity') return Infinity;
    if (value === '-Infinity') return -Infinity;
    if (NUMERIC_STRING.test(value)) return Number(value);
  }
  throw new OtlpShapeError(`expected a number, got ${describe(value)}`);
}

export function string(value: unknown): string {
  if (typeof value === 'string') return value;
  throw new OtlpShapeError(`expected a string, got ${describe(value)}`);
}

export function boolean(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  throw new OtlpShapeError(`expected true or false, got ${describe(value)}`);
}

/**
 * An enum: its integer (unknown values are kept, as proto3 requires) or its proto name, e.g.
 * "SPAN_KIND_SERVER" → 2.
 */
export function enumValue(
  value: unknown,
  names: Readonly<Record<string, number>>,
  what: string,
): number {
  if (
    typeof value === 'number' &&
    Number.isInteger(value) &&
    value >= -0x80000000 &&
    value <= 0x7fffffff
  ) {
    return value;
  }
  if (typeof value === 'string') {
    const n = names[value];
    if (n !== undefined) return n;
  }
  throw new OtlpShapeError(`expected a ${what} (integer or name), got ${describe(value)}`);
}

const LOWER_HEX_32 = /^[0-9a-f]{32}$/;
const LOWER_HEX_16 = /^[0-9a-f]{16}$/;
const ANY_HEX = /^[0-9a-fA-F]*$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/**
 * A trace id (16 bytes) or span id (8 bytes) → lowercase hex. Accepted: hex of exactly 2×bytes
 * characters in either case (OTLP/JSON), or base64 / base64url of exactly `bytes` bytes (what
 * the generic protobuf JSON mapping and old Collector versions wrote). The two never collide:
 * hex is 32 / 16 characters long, base64 of 16 / 8 bytes is 24 / 12 (22 / 11 unpadded).
 * `optional` ids may be '' (no parent, log outside a span); the all-zero id is kept as-is.
 */
export function id(value: unknown, bytes: 16 | 8, optional: boolean): string {
  if (typeof value === 'string') {
    const hexLength = bytes * 2;
    if (value.length === hexLength) {
      if ((bytes === 16 ? LOWER_HEX_32 : LOWER_HEX_16).test(value)) return value;
      if (ANY_HEX.test(value)) return value.toLowerCase();
    } else if (value.length === 0) {
      if (optional) return value;
      throw new OtlpShapeError(`required ${bytes}-byte id is empty`);
    } else if (BASE64.test(value)) {
      const decoded = Buffer.from(value, 'base64');
      if (decoded.length === bytes) return decoded.toString('hex');
    }
  }
  throw new OtlpShapeError(
    `expected a ${bytes}-byte id as ${bytes * 2} hex characters (or base64), got ${describe(value)}`,
  );
}

/** bytes fields (AnyValue.bytesValue): base64 or base64url text. */
export function base64(value: unknown): string {
  if (typeof value === 'string' && (value === '' || BASE64.test(value))) return value;
  throw new OtlpShapeError(`expected base64 bytes, got ${describe(value)}`);
}

/** The value must be a JSON object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function expectObject(value: unknown): Record<string, unknown> {
  if (isObject(value)) return value;
  throw new OtlpShapeError(`expected an object, got ${describe(value)}`);
}

export function expectArray(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  throw new OtlpShapeError(`expected an array, got ${describe(value)}`);
}
