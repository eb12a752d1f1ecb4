import type { Link, SpanContext } from '@opentelemetry/api';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';
import {
  arrayField,
  countField,
  encodeEnvelopes,
  encodeEnvelopesUtf8,
  hexIdJson,
  hrTimeToNanosString,
  keyValuesField,
  obj,
  str,
  stringField,
  type EnvelopeJson,
} from './encode-common.js';

// SpanFlags bits 8 and 9 (opentelemetry-proto trace.proto): whether the parent's is_remote is
// known, and its value. The low 8 bits are the W3C trace flags.
const FLAG_HAS_IS_REMOTE = 0x100;
const FLAG_IS_REMOTE = 0x200;

function spanFlags(traceFlags: number, isRemote: boolean | undefined): number {
  return (traceFlags & 0xff) | FLAG_HAS_IS_REMOTE | (isRemote === true ? FLAG_IS_REMOTE : 0);
}

function traceStateField(context: SpanContext): string {
  const state = context.traceState?.serialize();
  return state ? '"traceState":' + str(state) : '';
}

function eventJson(event: TimedEvent): string {
  return obj(
    '"timeUnixNano":"' + hrTimeToNanosString(event.time) + '"',
    '"name":' + str(event.name),
    keyValuesField('attributes', event.attributes),
    countField('droppedAttributesCount', event.droppedAttributesCount),
  );
}

function linkJson(link: Link): string {
  const context = link.context;
  return obj(
    '"traceId":' + hexIdJson(context.traceId),
    '"spanId":' + hexIdJson(context.spanId),
    traceStateField(context),
    keyValuesField('attributes', link.attributes),
    countField('droppedAttributesCount', link.droppedAttributesCount),
    '"flags":' + spanFlags(context.traceFlags, context.isRemote),
  );
}

/**
 * One OTLP/JSON Span object. Written as one straight concatenation (rather than through
 * `obj()`) because this is the per-span hot loop of the exporter.
 */
export function spanJson(span: ReadableSpan): string {
  const context = span.spanContext();
  const parent = span.parentSpanContext;
  const status = span.status;
  // SDK SpanKind is 0-based (INTERNAL = 0); the proto enum reserves 0 for UNSPECIFIED.
  const kind = typeof span.kind === 'number' ? span.kind + 1 : 0;
  let out = '{"traceId":' + hexIdJson(context.traceId) + ',"spanId":' + hexIdJson(context.spanId);
  if (context.traceState !== undefined) {
    const state = traceStateField(context);
    if (state.length > 0) out += ',' + state;
  }
  if (parent?.spanId) out += ',"parentSpanId":' + hexIdJson(parent.spanId);
  out +=
    ',"flags":' + spanFlags(context.traceFlags, parent?.isRemote) + ',"name":' + str(span.name);
  if (kind > 0) out += ',"kind":' + kind;
  out +=
    ',"startTimeUnixNano":"' +
    hrTimeToNanosString(span.startTime) +
    '","endTimeUnixNano":"' +
    hrTimeToNanosString(span.endTime) +
    '"';
  const attributes = keyValuesField('attributes', span.attributes);
  if (attributes.length > 0) out += ',' + attributes;
  if (span.droppedAttributesCount > 0)
    out += ',"droppedAttributesCount":' + Math.trunc(span.droppedAttributesCount);
  if (span.events.length > 0) out += ',' + arrayField('events', span.events, eventJson);
  if (span.droppedEventsCount > 0)
    out += ',"droppedEventsCount":' + Math.trunc(span.droppedEventsCount);
  if (span.links.length > 0) out += ',' + arrayField('links', span.links, linkJson);
  if (span.droppedLinksCount > 0)
    out += ',"droppedLinksCount":' + Math.trunc(span.droppedLinksCount);
  if (status.code || status.message) {
    out +=
      ',"status":' +
      obj(status.code ? '"code":' + status.code : '', stringField('message', status.message));
  }
  return out + '}';
}

const TRACES_ENVELOPE: EnvelopeJson = Object.freeze({
  open: '{"resourceSpans":[',
  scopes: ',"scopeSpans":[',
  items: ',"spans":[',
});

/**
 * SDK spans → one OTLP/JSON `TracesData` line (no trailing newline), grouped by resource and
 * instrumentation scope. Returns '' for no spans: the spool never holds empty envelopes.
 */
export function encodeTraces(spans: readonly ReadableSpan[]): string {
  return encodeEnvelopes(spans, TRACES_ENVELOPE, spanJson);
}

/** encodeTraces as the line's UTF-8 bytes (what the span exporter hands the writer). */
export function encodeTracesUtf8(spans: readonly ReadableSpan[]): Buffer {
  return encodeEnvelopesUtf8(spans, TRACES_ENVELOPE, spanJson);
}
