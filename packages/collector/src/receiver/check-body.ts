import {
  normalizeOtlpItems,
  parseOtlpJson,
  type OtlpData,
  type ParseOtlpResult,
  type Signal,
} from '@otelspool/exporter-jsonl';
import { decodeRequest } from '../protobuf/codec.js';
import { scanJson } from './json-scan.js';
import { DEFAULT_REQUEST_LIMITS, RequestLimitError } from './request-limits.js';
import type { Format } from './responses.js';

/**
 * A request body checked: the valid data and how many items were dropped (and why), or an
 * error, a 400 unless `status` says 413 (over a per-request cap: too large in content).
 */
export type CheckedBody =
  { data: OtlpData; rejected: number; reason?: string } | { error: string; status?: 413 };

/** Decodes and validates one request body of `signal` in its format. Never throws for data. */
export function checkBody(signal: Signal, format: Format, body: Buffer): CheckedBody {
  return format === 'protobuf' ? checkProtobuf(signal, body) : checkJson(signal, body);
}

/** A cap refusal from a pre-scan: counts are 413, nesting is an invalid request (400). */
function limitRefusal(err: RequestLimitError): CheckedBody {
  return err.status === 413 ? { error: err.message, status: 413 } : { error: err.message };
}

/**
 * A request is validated item by item (the spool reader's rule): invalid spans, data points or
 * log records are dropped and reported as partial_success, the valid ones are kept; a request
 * with nothing valid is a 400.
 */
function itemsChecked(result: ParseOtlpResult<OtlpData>): CheckedBody {
  if (!result.ok) return { error: result.reason };
  return result.dropped
    ? { data: result.data, rejected: result.dropped.count, reason: result.dropped.reason }
    : { data: result.data, rejected: 0 };
}

/**
 * JSON bodies are pre-scanned (token counts and depth against the per-request caps, before
 * JSON.parse builds anything), then go through the shared parser (exact for 64-bit integers
 * given as numbers).
 */
function checkJson(signal: Signal, body: Buffer): CheckedBody {
  try {
    scanJson(signal, body, DEFAULT_REQUEST_LIMITS);
  } catch (err) {
    if (err instanceof RequestLimitError) return limitRefusal(err);
    throw err;
  }
  const text = body.toString('utf8');
  const parsed = parseOtlpJson(signal, text, { dropInvalidItems: true });
  if (!parsed.ok && parsed.reason.startsWith('invalid JSON:'))
    return { error: `malformed JSON body: ${parsed.reason.slice('invalid JSON: '.length)}` };
  return itemsChecked(parsed);
}

/**
 * Protobuf bodies are decoded with the official definitions (after decodeRequest's wire
 * pre-scan against the same caps as JSON), then normalised like JSON ones (the decoder already
 * gives the strict model's shape: int64 as decimal strings, hex ids, integer enums).
 */
function checkProtobuf(signal: Signal, body: Buffer): CheckedBody {
  let value: unknown;
  try {
    value = decodeRequest(signal, body, DEFAULT_REQUEST_LIMITS);
  } catch (err) {
    if (err instanceof RequestLimitError) return limitRefusal(err);
    return { error: `malformed protobuf body: ${(err as Error).message}` };
  }
  return itemsChecked(normalizeOtlpItems(signal, value));
}
