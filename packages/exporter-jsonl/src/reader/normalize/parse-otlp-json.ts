import type { OtlpDataBySignal, Signal } from '../../otlp/types.js';
import { normalizeWithContext, SIGNAL_FIELD } from './normalize-otlp.js';
import type { NormalizeContext } from './scalars.js';

/** What a tolerant parse removed from an otherwise valid value. */
export interface DroppedItems {
  /** Spans, data points or log records removed. */
  count: number;
  /** Why, with the JSON path of the first few offending fields; one line of text. */
  reason: string;
}

export type ParseOtlpResult<T> =
  { ok: true; data: T; dropped?: DroppedItems } | { ok: false; reason: string };

export interface ParseOtlpOptions {
  /**
   * Item-level tolerance (what the spool reader uses): an invalid span, data point or log
   * record (or a resource / scope envelope) is removed and reported in `dropped` instead of
   * failing the line, so one bad item never costs the valid ones. A line left with nothing
   * valid is still `ok: false`. Default false: any invalid field fails the whole value (what
   * `normalizeOtlp` does).
   */
  dropInvalidItems?: boolean;
}

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
  options?: ParseOtlpOptions,
): ParseOtlpResult<OtlpDataBySignal[S]> {
  const tolerant = options?.dropInvalidItems === true;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `invalid JSON: ${(err as Error).message}` };
  }
  const ctx = newContext(tolerant);
  try {
    const data = normalizeWithContext(signal, value, ctx);
    if (!ctx.lossyInt64) return result(signal, data, ctx);
  } catch (err) {
    return { ok: false, reason: reasonOf(err) };
  }
  try {
    const exact: unknown = JSON.parse(text, keepUnsafeIntegerSource);
    const exactCtx = newContext(tolerant);
    return result(signal, normalizeWithContext(signal, exact, exactCtx), exactCtx);
  } catch (err) {
    return { ok: false, reason: reasonOf(err) };
  }
}

/**
 * `normalizeOtlp` with item-level tolerance, for a value that is already parsed (a decoded
 * protobuf request, a JSON body): invalid spans / data points / log records are dropped alone and
 * reported in `dropped` (for an OTLP partial_success), `ok: false` only when nothing valid is
 * left. Normalises in place, like `normalizeOtlp`. Never throws.
 */
export function normalizeOtlpItems<S extends Signal>(
  signal: S,
  value: unknown,
): ParseOtlpResult<OtlpDataBySignal[S]> {
  const ctx = newContext(true);
  try {
    return result(signal, normalizeWithContext(signal, value, ctx), ctx);
  } catch (err) {
    return { ok: false, reason: reasonOf(err) };
  }
}

function newContext(tolerant: boolean): NormalizeContext {
  return tolerant
    ? { lossyInt64: false, drops: { count: 0, events: 0, reasons: [] } }
    : { lossyInt64: false };
}

const ITEM_NOUN: Readonly<Record<Signal, string>> = {
  traces: 'spans',
  metrics: 'data points',
  logs: 'log records',
};

function result<T>(signal: Signal, data: T, ctx: NormalizeContext): ParseOtlpResult<T> {
  const drops = ctx.drops;
  if (drops === undefined || drops.reasons.length === 0) return { ok: true, data };
  const kept = countItems(signal, data);
  const why = drops.reasons.join('; ') + (drops.events > drops.reasons.length ? '; …' : '');
  // Nothing valid left: the line fails as a whole, with the reason(s) a strict parse gives.
  if (kept === 0) return { ok: false, reason: why };
  const reason = `dropped ${drops.count} of ${drops.count + kept} ${ITEM_NOUN[signal]}: ${why}`;
  return { ok: true, data, dropped: { count: drops.count, reason } };
}

/** Items left in a normalised value (only computed when something was dropped). */
function countItems(signal: Signal, data: unknown): number {
  let n = 0;
  const d = data as Record<string, unknown>;
  const resources = d[SIGNAL_FIELD[signal]];
  if (!Array.isArray(resources)) return 0;
  for (const r of resources as Record<string, unknown>[]) {
    const scopes = r[SCOPE_FIELD[signal]];
    if (!Array.isArray(scopes)) continue;
    for (const s of scopes as Record<string, unknown>[]) {
      const items = s[ITEM_FIELD[signal]];
      if (!Array.isArray(items)) continue;
      if (signal !== 'metrics') n += items.length;
      else for (const m of items as Record<string, unknown>[]) n += pointsIn(m);
    }
  }
  return n;
}

const SCOPE_FIELD: Readonly<Record<Signal, string>> = {
  traces: 'scopeSpans',
  metrics: 'scopeMetrics',
  logs: 'scopeLogs',
};
const ITEM_FIELD: Readonly<Record<Signal, string>> = {
  traces: 'spans',
  metrics: 'metrics',
  logs: 'logRecords',
};
const METRIC_KINDS = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'];

function pointsIn(metric: Record<string, unknown>): number {
  let n = 0;
  for (const k of METRIC_KINDS) {
    const body = metric[k] as { dataPoints?: unknown } | undefined;
    if (body && Array.isArray(body.dataPoints)) n += body.dataPoints.length;
  }
  return n;
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
