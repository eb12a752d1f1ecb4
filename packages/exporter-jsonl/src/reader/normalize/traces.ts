import { attributesField } from './common.js';
import { signalEnvelope, walkEnvelopes } from './envelope.js';
import {
  enumField,
  idField,
  listField,
  objectField,
  stringField,
  u32Field,
  u64Field,
  type JsonObject,
} from './fields.js';
import { expectObject, type NormalizeContext } from './scalars.js';

const SPAN_KIND: Readonly<Record<string, number>> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};

const STATUS_CODE: Readonly<Record<string, number>> = {
  STATUS_CODE_UNSET: 0,
  STATUS_CODE_OK: 1,
  STATUS_CODE_ERROR: 2,
};

const TRACES = signalEnvelope(
  'resourceSpans',
  'scopeSpans',
  'instrumentationLibrarySpans',
  'spans',
);

/**
 * TracesData: resourceSpans → scopeSpans → spans (with events, links, status). In a tolerant
 * walk (`ctx.drops`), an invalid span (e.g. an empty trace or span id, which the spec calls
 * invalid) is dropped alone and an invalid envelope with the spans it holds.
 */
export function traces(data: JsonObject, ctx: NormalizeContext): void {
  walkEnvelopes(data, ctx, TRACES, spanValue);
}

function spanValue(value: unknown, ctx: NormalizeContext): void {
  const span = expectObject(value);
  idField(span, 'traceId', 16, true);
  idField(span, 'spanId', 8, true);
  idField(span, 'parentSpanId', 8, false);
  stringField(span, 'traceState');
  u32Field(span, 'flags');
  stringField(span, 'name');
  enumField(span, 'kind', SPAN_KIND, 'span kind');
  u64Field(span, 'startTimeUnixNano', ctx);
  u64Field(span, 'endTimeUnixNano', ctx);
  attributesField(span, 'attributes', ctx);
  u32Field(span, 'droppedAttributesCount');
  if (span.events !== undefined) listField(span, 'events', (e) => eventValue(e, ctx));
  u32Field(span, 'droppedEventsCount');
  if (span.links !== undefined) listField(span, 'links', (l) => linkValue(l, ctx));
  u32Field(span, 'droppedLinksCount');
  if (span.status !== undefined) objectField(span, 'status', statusValue);
}

function eventValue(value: unknown, ctx: NormalizeContext): void {
  const event = expectObject(value);
  u64Field(event, 'timeUnixNano', ctx);
  stringField(event, 'name');
  attributesField(event, 'attributes', ctx);
  u32Field(event, 'droppedAttributesCount');
}

function linkValue(value: unknown, ctx: NormalizeContext): void {
  const link = expectObject(value);
  idField(link, 'traceId', 16, true);
  idField(link, 'spanId', 8, true);
  stringField(link, 'traceState');
  attributesField(link, 'attributes', ctx);
  u32Field(link, 'droppedAttributesCount');
  u32Field(link, 'flags');
}

function statusValue(status: JsonObject): void {
  stringField(status, 'message');
  enumField(status, 'code', STATUS_CODE, 'status code');
}
