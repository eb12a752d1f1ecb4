import type { Signal } from '@otelspool/exporter-jsonl';

/**
 * Reading what a sync endpoint answered, assuming it may lie: bodies are kept bounded
 * (a head, plus a short tail when the body is longer), counts are returned as claimed
 * (the caller clamps them to what it sent), and a 2xx body that is neither empty nor a
 * valid Export<Signal>ServiceResponse for its content type is reported as "not OTLP".
 */

/** Bytes of a response body kept in full and parsed (a 100 KB partial_success fits). */
export const RESPONSE_HEAD_BYTES = 1024 * 1024;
/** Bytes kept from the end of a longer body, where a JSON count may follow a long message. */
export const RESPONSE_TAIL_BYTES = 64 * 1024;
/** Bytes read at most; beyond it the connection is dropped (a body can be endless). */
export const RESPONSE_MAX_BYTES = 8 * 1024 * 1024;

/** A bounded capture of a response body. */
export interface CapturedBody {
  head: Buffer;
  /** Last bytes of the body when it was longer than the head (else empty). */
  tail: Buffer;
  /** Bytes received in total. */
  totalBytes: number;
  /** True when reading stopped at RESPONSE_MAX_BYTES (the rest was never read). */
  cut: boolean;
}

/** Accumulates chunks into a head and a rolling tail; memory stays below head + 2 × tail. */
export class BodyCapture {
  private readonly headChunks: Buffer[] = [];
  private headSize = 0;
  // The last chunks, just enough of them to cover RESPONSE_TAIL_BYTES (no copying per chunk).
  private readonly tailChunks: Buffer[] = [];
  private tailSize = 0;
  totalBytes = 0;

  /** Adds a chunk; returns false once the body exceeds RESPONSE_MAX_BYTES (stop reading). */
  push(chunk: Buffer): boolean {
    this.totalBytes += chunk.length;
    const room = RESPONSE_HEAD_BYTES - this.headSize;
    if (room > 0) {
      const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
      this.headChunks.push(part);
      this.headSize += part.length;
      chunk = chunk.subarray(part.length);
    }
    if (chunk.length > 0) {
      this.tailChunks.push(chunk);
      this.tailSize += chunk.length;
      while (
        this.tailChunks.length > 1 &&
        this.tailSize - (this.tailChunks[0] as Buffer).length >= RESPONSE_TAIL_BYTES
      ) {
        this.tailSize -= (this.tailChunks.shift() as Buffer).length;
      }
    }
    return this.totalBytes <= RESPONSE_MAX_BYTES;
  }

  result(cut: boolean): CapturedBody {
    const tail = Buffer.concat(this.tailChunks);
    return {
      head: Buffer.concat(this.headChunks),
      tail: tail.subarray(Math.max(0, tail.length - RESPONSE_TAIL_BYTES)),
      totalBytes: this.totalBytes,
      cut,
    };
  }
}

/** partial_success as the server claimed it; `rejected` is unclamped (may be absurd). */
export interface ClaimedPartial {
  rejected: bigint;
  errorMessage: string;
  /** The message was longer than what was read or shown. */
  messageTruncated: boolean;
}

export type ResponseVerdict =
  { kind: 'otlp'; partial?: ClaimedPartial } | { kind: 'not-otlp'; reason: string };

const REJECTED_JSON: Record<Signal, readonly string[]> = {
  traces: ['rejectedSpans', 'rejected_spans'],
  metrics: ['rejectedDataPoints', 'rejected_data_points'],
  logs: ['rejectedLogRecords', 'rejected_log_records'],
};
const MESSAGE_JSON = ['errorMessage', 'error_message'] as const;
// Every partial-success field of any signal: servers (and our own tests) sometimes send all.
const PARTIAL_KEYS: ReadonlySet<string> = new Set([
  ...Object.values(REJECTED_JSON).flat(),
  ...MESSAGE_JSON,
]);
const TOP_KEYS: ReadonlySet<string> = new Set(['partialSuccess', 'partial_success']);

/** Longest server message kept from a response (display truncates further). */
export const MAX_MESSAGE_CHARS = 4096;

/** Which decoder a response body needs: its own Content-Type, else the one sent. */
export function responseFormat(
  responseContentType: string | undefined,
  sentContentType: string,
): 'json' | 'protobuf' {
  const own = (responseContentType ?? '').toLowerCase();
  if (own.includes('protobuf')) return 'protobuf';
  if (own.includes('json')) return 'json';
  return sentContentType.includes('protobuf') ? 'protobuf' : 'json';
}

/** Judges a 2xx body: empty or a valid Export<Signal>ServiceResponse, else not OTLP. */
export function judgeSuccessBody(
  signal: Signal,
  body: CapturedBody,
  format: 'json' | 'protobuf',
): ResponseVerdict {
  if (body.totalBytes === 0) return { kind: 'otlp' };
  return format === 'protobuf' ? judgeProtobuf(body) : judgeJson(signal, body);
}

// ---------------------------------------------------------------- JSON

function judgeJson(signal: Signal, body: CapturedBody): ResponseVerdict {
  const complete = body.tail.length === 0 && !body.cut;
  if (complete) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.head.toString('utf8'));
    } catch {
      return { kind: 'not-otlp', reason: `not JSON: ${describeBody(body)}` };
    }
    return judgeJsonValue(signal, parsed, body);
  }
  // Too long to parse in memory: accept only the shape of a partial_success object and read
  // the counts by pattern from what was kept (a count may sit after a megabyte of message).
  const head = body.head.toString('utf8');
  if (!/^\s*\{\s*"partial_?[sS]uccess"\s*:\s*\{/.test(head)) {
    return {
      kind: 'not-otlp',
      reason: `${body.totalBytes} bytes that do not start as a partial_success: ${describeBody(body)}`,
    };
  }
  const tail = body.tail.toString('utf8');
  const rejected = findJsonCount(signal, head) ?? findJsonCount(signal, tail);
  const message = findJsonMessageStart(head);
  if (body.cut && rejected === undefined) {
    return {
      kind: 'not-otlp',
      reason: `a body longer than ${body.totalBytes} bytes with no readable count`,
    };
  }
  return {
    kind: 'otlp',
    partial: {
      rejected: rejected ?? 0n,
      errorMessage: message.slice(0, MAX_MESSAGE_CHARS),
      messageTruncated: true,
    },
  };
}

function judgeJsonValue(signal: Signal, parsed: unknown, body: CapturedBody): ResponseVerdict {
  if (!isPlainObject(parsed)) {
    return { kind: 'not-otlp', reason: `JSON that is not an object: ${describeBody(body)}` };
  }
  const unknown = Object.keys(parsed).filter((k) => !TOP_KEYS.has(k));
  if (unknown.length > 0) {
    return {
      kind: 'not-otlp',
      reason: `JSON with fields an OTLP response does not have (${unknown.slice(0, 3).join(', ')}): ${describeBody(body)}`,
    };
  }
  const partial = parsed.partialSuccess ?? parsed.partial_success;
  if (partial === undefined || partial === null) return { kind: 'otlp' };
  if (!isPlainObject(partial)) {
    return { kind: 'not-otlp', reason: `partialSuccess is not an object: ${describeBody(body)}` };
  }
  const unknownInner = Object.keys(partial).filter((k) => !PARTIAL_KEYS.has(k));
  if (unknownInner.length > 0) {
    return {
      kind: 'not-otlp',
      reason: `partialSuccess with unknown fields (${unknownInner.slice(0, 3).join(', ')})`,
    };
  }
  let rejected = 0n;
  for (const key of REJECTED_JSON[signal]) {
    const v = partial[key];
    if (v === undefined || v === null) continue;
    const n = parseInt64(v);
    if (n === undefined) {
      return {
        kind: 'not-otlp',
        reason: `partialSuccess.${key} is not an int64: ${clip(String(JSON.stringify(v)))}`,
      };
    }
    rejected = n;
  }
  let message = '';
  for (const key of MESSAGE_JSON) {
    const v = partial[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') {
      return { kind: 'not-otlp', reason: `partialSuccess.${key} is not a string` };
    }
    message = v;
  }
  if (rejected === 0n && message === '') return { kind: 'otlp' };
  return {
    kind: 'otlp',
    partial: {
      rejected,
      errorMessage: message.slice(0, MAX_MESSAGE_CHARS),
      messageTruncated: message.length > MAX_MESSAGE_CHARS,
    },
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** proto3 JSON int64: a number or a decimal string, integral. */
function parseInt64(v: unknown): bigint | undefined {
  if (typeof v === 'number')
    return Number.isSafeInteger(v)
      ? BigInt(v)
      : Number.isInteger(v)
        ? BigInt(Math.trunc(v))
        : undefined;
  if (typeof v === 'string' && /^-?\d{1,30}$/.test(v.trim())) return BigInt(v.trim());
  return undefined;
}

function findJsonCount(signal: Signal, text: string): bigint | undefined {
  for (const key of REJECTED_JSON[signal]) {
    // Not preceded by a backslash: an escaped quote inside the message is not a key.
    const m = new RegExp(`(?<!\\\\)"${key}"\\s*:\\s*"?(-?\\d{1,30})"?`).exec(text);
    if (m?.[1] !== undefined) return BigInt(m[1]);
  }
  return undefined;
}

/** The start of errorMessage's string from a JSON prefix (unescaped best effort). */
function findJsonMessageStart(text: string): string {
  const m = /(?<!\\)"error_?[mM]essage"\s*:\s*"/.exec(text);
  if (!m) return '';
  const rest = text.slice(m.index + m[0].length, m.index + m[0].length + MAX_MESSAGE_CHARS * 2);
  const end = rest.search(/(?<!\\)"/);
  const raw = end >= 0 ? rest.slice(0, end) : rest;
  try {
    return JSON.parse(`"${raw.replace(/\\$/, '')}"`) as string;
  } catch {
    return raw;
  }
}

// ---------------------------------------------------------------- protobuf

class Truncated extends Error {}
class Malformed extends Error {}

/** Reads a varint at `pos`; throws Truncated at the end of the data, Malformed when > 10 bytes. */
function readVarint(buf: Buffer, pos: number): [bigint, number] {
  let result = 0n;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.length) throw new Truncated();
    const byte = buf[pos++] as number;
    result |= BigInt(byte & 0x7f) << BigInt(7 * i);
    if ((byte & 0x80) === 0) return [result, pos];
  }
  throw new Malformed('varint longer than 10 bytes');
}

interface WireField {
  field: number;
  wire: number;
  /** Varint value (wire 0). */
  value?: bigint;
  /** Payload bounds for wire 2, clipped to the data available. */
  start: number;
  end: number;
  /** The declared length reached past the available data. */
  clipped: boolean;
}

/**
 * Walks protobuf wire format: every tag must be a valid field number with wire type 0, 1,
 * 2 or 5 (groups and 6/7 do not occur in OTLP and mark garbage). `allowTruncation` lets the
 * last field run past the data (a head of a longer body).
 */
function walk(buf: Buffer, from: number, to: number, allowTruncation: boolean): WireField[] {
  const fields: WireField[] = [];
  const data = buf.subarray(0, to);
  let pos = from;
  while (pos < to) {
    const [tag, afterTag] = readVarint(data, pos);
    const field = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (field < 1 || field > 536_870_911) throw new Malformed(`field number ${field}`);
    pos = afterTag;
    if (wire === 0) {
      const [value, next] = readVarint(data, pos);
      fields.push({ field, wire, value, start: pos, end: next, clipped: false });
      pos = next;
    } else if (wire === 1 || wire === 5) {
      const size = wire === 1 ? 8 : 4;
      if (pos + size > to) throw new Truncated();
      fields.push({ field, wire, start: pos, end: pos + size, clipped: false });
      pos += size;
    } else if (wire === 2) {
      const [len, start] = readVarint(data, pos);
      const end = start + Number(len);
      if (end > to) {
        if (!allowTruncation) throw new Malformed('length past the end of the body');
        fields.push({ field, wire, start, end: to, clipped: true });
        return fields;
      }
      fields.push({ field, wire, start, end, clipped: false });
      pos = end;
    } else {
      throw new Malformed(`wire type ${wire}`);
    }
  }
  return fields;
}

function judgeProtobuf(body: CapturedBody): ResponseVerdict {
  const complete = body.tail.length === 0 && !body.cut;
  const buf = body.head;
  try {
    let fields: WireField[];
    try {
      fields = walk(buf, 0, buf.length, !complete);
    } catch (err) {
      if (err instanceof Truncated && !complete) fields = [];
      else throw err;
    }
    const partialField = fields.find((f) => f.field === 1);
    if (!partialField) {
      if (!complete) throw new Malformed('a long body with no partial_success');
      return { kind: 'otlp' };
    }
    if (partialField.wire !== 2) throw new Malformed('partial_success is not a message');
    // ExportXPartialSuccess: 1 = rejected_<records> (int64), 2 = error_message (string).
    // Serializers write field 1 first, so a head of a huge message still has the count.
    let inner: WireField[];
    try {
      inner = walk(buf, partialField.start, partialField.end, partialField.clipped);
    } catch (err) {
      if (err instanceof Truncated && partialField.clipped) inner = [];
      else throw err;
    }
    let rejected = 0n;
    let message = '';
    let messageTruncated = false;
    for (const f of inner) {
      if (f.field === 1) {
        if (f.wire !== 0 || f.value === undefined)
          throw new Malformed('rejected count is not a varint');
        rejected = BigInt.asIntN(64, f.value);
      } else if (f.field === 2) {
        if (f.wire !== 2) throw new Malformed('error_message is not a string');
        const text = buf.subarray(f.start, Math.min(f.end, f.start + MAX_MESSAGE_CHARS * 4));
        message = text.toString('utf8').slice(0, MAX_MESSAGE_CHARS);
        messageTruncated = f.clipped || f.end - f.start > MAX_MESSAGE_CHARS;
      }
    }
    if (!complete && !inner.some((f) => f.field === 1)) {
      throw new Malformed('a long partial_success with no readable count');
    }
    if (rejected === 0n && message === '') return { kind: 'otlp' };
    return { kind: 'otlp', partial: { rejected, errorMessage: message, messageTruncated } };
  } catch (err) {
    const why = err instanceof Malformed ? err.message : 'truncated';
    return {
      kind: 'not-otlp',
      reason: `not an OTLP protobuf response (${why}): ${describeBody(body)}`,
    };
  }
}

// ---------------------------------------------------------------- display

/** Server text made safe to print: control characters (terminal escapes) removed, clipped. */
export function displayText(text: string, max = 200): string {
  const clean = text
    // eslint-disable-next-line no-control-regex -- removing control characters is the point
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]+/g, ' ')
    .trim();
  return clean.length > max
    ? `${clean.slice(0, max)}… (${clean.length - max} more characters)`
    : clean;
}

function clip(s: string): string {
  return displayText(s, 60);
}

/** A short, printable description of a body: its first characters and its size. */
export function describeBody(body: CapturedBody): string {
  const head = body.head.subarray(0, 120);
  const printable = head.every(
    (b) => b === 9 || b === 10 || b === 13 || (b >= 0x20 && b < 0x7f) || b >= 0x80,
  );
  const shown = printable
    ? JSON.stringify(displayText(head.toString('utf8'), 80))
    : `0x${head.subarray(0, 24).toString('hex')}`;
  return `${shown} (${body.cut ? `more than ${body.totalBytes}` : body.totalBytes} bytes)`;
}

/**
 * The number of records the server rejected, clamped to [0, sent] — a server's claim is
 * never allowed to make "sent" negative or larger than what went out.
 */
export function clampRejected(claimed: bigint, sent: number): number {
  if (claimed <= 0n) return 0;
  return claimed >= BigInt(sent) ? sent : Number(claimed);
}
