import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { SdkLogRecord } from '@opentelemetry/sdk-logs';

// Sizes for the in-memory stores' byte bound, estimated from the SDK objects instead of
// encoding them (encoding is the costliest step of the write path, ARCHITECTURE.md): the
// length of every string the record's OTLP/JSON line would carry (names, attribute keys and
// string values, the body, ids) plus a fixed overhead per field. Nested arrays and maps are
// walked to their leaves (linear in the value's size, see nestedBytes). It estimates what the
// encoded line takes; it does not measure the heap.

/** Bytes of a span's fixed fields (ids, times, kind, status, framing) in OTLP/JSON. */
const SPAN_OVERHEAD = 220;
/** Bytes of a log record's fixed fields (times, severity, ids, framing). */
const LOG_OVERHEAD = 160;
const EVENT_OVERHEAD = 60;
const LINK_OVERHEAD = 100;
/** Framing of one attribute: `{"key":"","value":{"stringValue":""}}`. */
const ATTRIBUTE_OVERHEAD = 36;

/** Nesting followed when sizing a value; deeper levels count as a scalar. */
const MAX_SIZED_DEPTH = 32;

export function estimateValueBytes(value: unknown): number {
  // Flat values (almost every attribute) never allocate the visited set.
  if (typeof value !== 'object' || value === null) return scalarBytes(value);
  return nestedBytes(value, 0, new WeakSet<object>());
}

function scalarBytes(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return value.length;
    case 'number':
    case 'bigint':
      return 20;
    case 'boolean':
      return 5;
    case 'object':
      return 2; // null
    default:
      return 0;
  }
}

/**
 * Every level counts what it holds, so a 1 MiB string three levels down in a log body counts
 * as 1 MiB (the byte bound must hold for nested bodies too). Each object is sized once (a
 * cycle, which the encoder cannot write anyway, counts once), and below MAX_SIZED_DEPTH
 * levels a value counts as a scalar: the walk is linear in the value's size.
 */
function nestedBytes(value: object, depth: number, seen: WeakSet<object>): number {
  if (depth >= MAX_SIZED_DEPTH || seen.has(value)) return 20;
  seen.add(value);
  if (value instanceof Uint8Array) return Math.ceil((value.byteLength * 4) / 3);
  const item = (v: unknown): number =>
    typeof v === 'object' && v !== null ? nestedBytes(v, depth + 1, seen) : scalarBytes(v);
  let n = 2;
  if (Array.isArray(value)) {
    for (const v of value) n += 20 + item(v);
    return n;
  }
  for (const key in value) {
    n += key.length + ATTRIBUTE_OVERHEAD + item((value as Record<string, unknown>)[key]);
  }
  return n;
}

export function estimateAttributesBytes(attributes: object | undefined): number {
  if (!attributes) return 0;
  let n = 0;
  for (const key in attributes) {
    n +=
      key.length +
      ATTRIBUTE_OVERHEAD +
      estimateValueBytes((attributes as Record<string, unknown>)[key]);
  }
  return n;
}

export function estimateSpanBytes(span: ReadableSpan): number {
  let n = SPAN_OVERHEAD + span.name.length + estimateAttributesBytes(span.attributes);
  n += span.status.message?.length ?? 0;
  for (const event of span.events) {
    n += EVENT_OVERHEAD + event.name.length + estimateAttributesBytes(event.attributes);
  }
  for (const link of span.links) n += LINK_OVERHEAD + estimateAttributesBytes(link.attributes);
  return n;
}

export function estimateLogBytes(record: SdkLogRecord): number {
  return (
    LOG_OVERHEAD +
    (record.severityText?.length ?? 0) +
    (record.eventName?.length ?? 0) +
    estimateValueBytes(record.body) +
    estimateAttributesBytes(record.attributes)
  );
}
