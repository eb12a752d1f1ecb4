import type { OtlpDataBySignal, Signal } from '../../otlp/types.js';
import { OtlpShapeError, describe } from './shape-error.js';
import { isObject, type NormalizeContext } from './scalars.js';
import type { JsonObject } from './fields.js';
import { traces } from './traces.js';
import { metrics } from './metrics.js';
import { logs } from './logs.js';

/** The top-level field of each signal's data object. */
export const SIGNAL_FIELD: Readonly<Record<Signal, string>> = {
  traces: 'resourceSpans',
  metrics: 'resourceMetrics',
  logs: 'resourceLogs',
};

const WALKERS: Readonly<Record<Signal, (data: JsonObject, ctx: NormalizeContext) => void>> = {
  traces,
  metrics,
  logs,
};

/**
 * Validates a parsed OTLP/JSON value as the data object of `signal` (TracesData, MetricsData or
 * LogsData, which have the same JSON shape as the Export*ServiceRequest bodies) and normalises
 * it **in place**: ids → lowercase hex, 64-bit integers → decimal strings, enum names →
 * integers, 32-bit integers and doubles given as strings → numbers, explicit nulls removed.
 * Returns the same object, typed. Fields unknown to the proto are kept untouched; the pre-v0.15
 * names `instrumentationLibrary{Spans,Metrics,Logs}` / `instrumentationLibrary` are renamed to
 * the current `scope{Spans,Metrics,Logs}` / `scope`.
 *
 * Strictness (this also guards the OTLP/HTTP receiver): every known field must have its proto
 * type, trace and span ids of spans and links are required, oneofs (AnyValue, metric data,
 * asDouble/asInt) hold at most one member, AnyValue nests at most 64 levels. The top-level
 * object must carry the signal's list (`resourceSpans`, ...) unless it is exactly `{}` (an
 * empty request, normalised to an empty list): an object with only unknown fields is almost
 * always something else (a pino log line, another signal's payload) and is rejected.
 *
 * 64-bit integers given as JSON numbers above 2^53 have already been rounded by JSON.parse;
 * they are converted exactly from the parsed double. `parseOtlpJson` avoids that loss by
 * re-reading such lines with the source text of each number.
 *
 * @throws OtlpShapeError (a TypeError) whose message starts with the JSON path of the bad field.
 */
export function normalizeOtlp<S extends Signal>(signal: S, value: unknown): OtlpDataBySignal[S] {
  return normalizeWithContext(signal, value, { lossyInt64: false });
}

export function normalizeWithContext<S extends Signal>(
  signal: S,
  value: unknown,
  ctx: NormalizeContext,
): OtlpDataBySignal[S] {
  const walk = WALKERS[signal];
  if (walk === undefined) throw new TypeError(`unknown signal ${describe(signal)}`);
  if (!isObject(value)) {
    throw new OtlpShapeError(`expected an OTLP ${signal} object, got ${describe(value)}`);
  }
  const field = SIGNAL_FIELD[signal];
  const list = value[field];
  if (list === undefined || list === null) {
    for (const other of Object.keys(SIGNAL_FIELD) as Signal[]) {
      if (other !== signal && value[SIGNAL_FIELD[other]] !== undefined) {
        throw new OtlpShapeError(
          `found ${SIGNAL_FIELD[other]} (${other}) where ${signal} (${field}) were expected`,
        );
      }
    }
    let hasKeys = false;
    for (const key in value) {
      if (key !== field) {
        hasKeys = true;
        break;
      }
    }
    if (hasKeys) {
      throw new OtlpShapeError(`not an OTLP ${signal} object: no ${field} field`);
    }
    value[field] = [];
    return value as unknown as OtlpDataBySignal[S];
  }
  walk(value, ctx);
  return value as unknown as OtlpDataBySignal[S];
}
