import type { OtlpDataBySignal, Signal } from '../../otlp/types.js';
import { normalizeWithContext } from './normalize-otlp.js';
import type { NormalizeContext } from './scalars.js';

export type ParseOtlpResult<T> = { ok: true; data: T } | { ok: false; reason: string };

/**
 * JSON text → normalised OTLP data of `signal`, or the reason it is not one. Never throws.
 *
 * Fast path: one plain JSON.parse (no reviver, which would cost ~3× per line) plus the in-place
 * normalise walk. Only when the walk met a 64-bit integer written as a JSON number beyond 2^53
 * (digits already lost by JSON.parse) is the text parsed again with a reviver that keeps the
 * source text of such numbers (JSON.parse source text access, V8 ≥ 11.4 / Node ≥ 21), so
 * `"timeUnixNano": 1700000000123456789` survives exactly.
 */
export function parseOtlpJson<S extends Signal>(
  signal: S,
  text: string,
): ParseOtlpResult<OtlpDataBySignal[S]> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `invalid JSON: ${(err as Error).message}` };
  }
  const ctx: NormalizeContext = { lossyInt64: false };
  try {
    const data = normalizeWithContext(signal, value, ctx);
    if (!ctx.lossyInt64) return { ok: true, data };
  } catch (err) {
    return { ok: false, reason: reasonOf(err) };
  }
  try {
    const exact: unknown = JSON.parse(text, keepUnsafeIntegerSource);
    return { ok: true, data: normalizeWithContext(signal, exact, { lossyInt64: false }) };
  } catch (err) {
    return { ok: false, reason: reasonOf(err) };
  }
}

function reasonOf(err: unknown): string {
  if (err instanceof RangeError) return `not readable as OTLP: ${err.message}`; // e.g. stack depth
  return err instanceof Error ? err.message : String(err);
}

/** The 64-bit integer fields of OTLP (array elements: bucket counts). */
const INT64_KEYS = new Set([
  'timeUnixNano',
  'startTimeUnixNano',
  'endTimeUnixNano',
  'observedTimeUnixNano',
  'intValue',
  'asInt',
  'count',
  'zeroCount',
]);

const INTEGER_LITERAL = /^-?\d+$/;

interface ReviverContext {
  source?: string;
}

/**
 * Reviver: an integer literal beyond 2^53 in a 64-bit integer field (or an array element, for
 * bucket counts) is replaced by its exact source text, which the normaliser accepts as the
 * decimal string form. Double fields in arrays (explicit bounds) accept numeric strings too.
 */
function keepUnsafeIntegerSource(key: string, value: unknown, context?: ReviverContext): unknown {
  if (
    typeof value === 'number' &&
    !Number.isSafeInteger(value) &&
    context?.source !== undefined &&
    INTEGER_LITERAL.test(context.source) &&
    (INT64_KEYS.has(key) || isIndex(key))
  ) {
    return context.source;
  }
  return value;
}

function isIndex(key: string): boolean {
  const c = key.charCodeAt(0);
  return c >= 48 && c <= 57;
}
