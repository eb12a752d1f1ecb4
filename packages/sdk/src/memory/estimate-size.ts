import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { SdkLogRecord } from '@opentelemetry/sdk-logs';

// Sizes for the in-memory stores' byte bound, estimated from the SDK objects instead of
// encoding them (encoding is the costliest step of the write path, ARCHITECTURE.md): the
// length of every string the record's OTLP/JSON line would carry (names, attribute keys and
// string values, the body, ids) plus a fixed overhead per field. The walk is shallow (nested
// arrays and maps count their items, not their depth) and bounded by the span and log-record
// attribute limits. It estimates what the encoded line takes; it does not measure the heap.

/** Bytes of a span's fixed fields (ids, times, kind, status, framing) in OTLP/JSON. */
const SPAN_OVERHEAD = 220;
/** Bytes of a log record's fixed fields (times, severity, ids, framing). */
const LOG_OVERHEAD = 160;
const EVENT_OVERHEAD = 60;
const LINK_OVERHEAD = 100;
/** Framing of one attribute: `{"key":"","value":{"stringValue":""}}`. */
const ATTRIBUTE_OVERHEAD = 36;

export function estimateValueBytes(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return value.length;
    case 'number':
    case 'bigint':
      return 20;
    case 'boolean':
      return 5;
    case 'object': {
      if (value === null) return 2;
      if (Array.isArray(value)) {
        let n = 2;
        for (const item of value) n += typeof item === 'string' ? item.length + 20 : 28;
        return n;
      }
      if (value instanceof Uint8Array) return Math.ceil((value.byteLength * 4) / 3);
      let n = 2;
      for (const key in value) {
        const v = (value as Record<string, unknown>)[key];
        n += key.length + ATTRIBUTE_OVERHEAD + (typeof v === 'string' ? v.length : 20);
      }
      return n;
    }
    default:
      return 0;
  }
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
