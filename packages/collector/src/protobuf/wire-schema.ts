import type { Signal } from '@otelspool/exporter-jsonl';

// The shape of OTLP export requests as the wire pre-scan (wire-scan.ts) needs it: for every
// message, each known field's wire type and, for message fields, the child message. Transcribed
// from the vendored opentelemetry-proto (../../proto). Every known field is listed, scalars
// included, because protobufjs reads a known field by its declared type whatever wire type the
// tag says: the scan must refuse a mismatch, or it and protobufjs would walk different bytes
// (a hostile body could then hide millions of values from the count).

/** Wire types: 0 varint, 1 fixed 64-bit, 2 length-delimited, 5 fixed 32-bit. */
export type WireType = 0 | 1 | 2 | 5;

export interface FieldSpec {
  /** The wire type the declared type is written with (for packed fields: one element's). */
  wt: WireType;
  /** Message fields: the child's descriptor. */
  child?: MessageSpec;
  /** Repeated field: every occurrence (or packed element) is one more value built. */
  repeated?: boolean;
  /** Repeated numeric field: may come packed (one length-delimited run of elements). */
  packable?: boolean;
  /** A 32-bit varint (enum, bool, [s]int32, uint32): protobufjs reads 1–5 or exactly 10 bytes. */
  v32?: boolean;
}

/** What the scan counts a message as, besides one more value. */
export type Role = 'resource' | 'scope' | 'item' | 'anyValue' | undefined;

export interface MessageSpec {
  name: string;
  role: Role;
  fields: Map<number, FieldSpec>;
}

function spec(name: string, role?: Role): MessageSpec {
  return { name, role, fields: new Map() };
}

type Def = [number, FieldSpec];
const msg = (n: number, child: MessageSpec): Def => [n, { wt: 2, child }];
const msgs = (n: number, child: MessageSpec): Def => [n, { wt: 2, child, repeated: true }];
const str = (n: number): Def => [n, { wt: 2 }]; // string or bytes
const strs = (n: number): Def => [n, { wt: 2, repeated: true }];
const v32 = (n: number): Def => [n, { wt: 0, v32: true }];
const v64 = (n: number): Def => [n, { wt: 0 }];
const f64 = (n: number): Def => [n, { wt: 1 }]; // fixed64, sfixed64, double
const f32 = (n: number): Def => [n, { wt: 5 }];
const f64s = (n: number): Def => [n, { wt: 1, repeated: true, packable: true }];
const v64s = (n: number): Def => [n, { wt: 0, repeated: true, packable: true }];

function define(m: MessageSpec, ...defs: Def[]): void {
  for (const [n, f] of defs) m.fields.set(n, f);
}

// common/v1
const anyValue = spec('AnyValue', 'anyValue');
const arrayValue = spec('ArrayValue');
const kvList = spec('KeyValueList');
const keyValue = spec('KeyValue');
const scope = spec('InstrumentationScope');
const entityRef = spec('EntityRef');
define(anyValue, str(1), v32(2), v64(3), f64(4), msg(5, arrayValue), msg(6, kvList), str(7));
define(arrayValue, msgs(1, anyValue));
define(kvList, msgs(1, keyValue));
define(keyValue, str(1), msg(2, anyValue));
define(scope, str(1), str(2), msgs(3, keyValue), v32(4));
define(entityRef, str(1), str(2), strs(3), strs(4));

// resource/v1
const resource = spec('Resource');
define(resource, msgs(1, keyValue), v32(2), msgs(3, entityRef));

// trace/v1
const span = spec('Span', 'item');
const event = spec('Span.Event');
const link = spec('Span.Link');
const status = spec('Status');
define(event, f64(1), str(2), msgs(3, keyValue), v32(4));
define(link, str(1), str(2), str(3), msgs(4, keyValue), v32(5), f32(6));
define(status, str(2), v32(3));
define(
  span,
  str(1),
  str(2),
  str(3),
  str(4),
  f32(16),
  str(5),
  v32(6),
  f64(7),
  f64(8),
  msgs(9, keyValue),
  v32(10),
  msgs(11, event),
  v32(12),
  msgs(13, link),
  v32(14),
  msg(15, status),
);

// logs/v1
const logRecord = spec('LogRecord', 'item');
define(
  logRecord,
  f64(1),
  f64(11),
  v32(2),
  str(3),
  msg(5, anyValue),
  msgs(6, keyValue),
  v32(7),
  f32(8),
  str(9),
  str(10),
  str(12),
);

// metrics/v1
const exemplar = spec('Exemplar');
define(exemplar, msgs(7, keyValue), f64(2), f64(3), f64(6), str(4), str(5));
const numberPoint = spec('NumberDataPoint', 'item');
define(numberPoint, msgs(7, keyValue), f64(2), f64(3), f64(4), f64(6), msgs(5, exemplar), v32(8));
const histogramPoint = spec('HistogramDataPoint', 'item');
define(
  histogramPoint,
  msgs(9, keyValue),
  f64(2),
  f64(3),
  f64(4),
  f64(5),
  f64s(6),
  f64s(7),
  msgs(8, exemplar),
  v32(10),
  f64(11),
  f64(12),
);
const buckets = spec('ExponentialHistogramDataPoint.Buckets');
define(buckets, v32(1), v64s(2));
const expPoint = spec('ExponentialHistogramDataPoint', 'item');
define(
  expPoint,
  msgs(1, keyValue),
  f64(2),
  f64(3),
  f64(4),
  f64(5),
  v32(6),
  f64(7),
  msg(8, buckets),
  msg(9, buckets),
  v32(10),
  msgs(11, exemplar),
  f64(12),
  f64(13),
  f64(14),
);
const quantile = spec('SummaryDataPoint.ValueAtQuantile');
define(quantile, f64(1), f64(2));
const summaryPoint = spec('SummaryDataPoint', 'item');
define(summaryPoint, msgs(7, keyValue), f64(2), f64(3), f64(4), f64(5), msgs(6, quantile), v32(8));
const gauge = spec('Gauge');
define(gauge, msgs(1, numberPoint));
const sum = spec('Sum');
define(sum, msgs(1, numberPoint), v32(2), v32(3));
const histogram = spec('Histogram');
define(histogram, msgs(1, histogramPoint), v32(2));
const expHistogram = spec('ExponentialHistogram');
define(expHistogram, msgs(1, expPoint), v32(2));
const summary = spec('Summary');
define(summary, msgs(1, summaryPoint));
const metric = spec('Metric', 'item');
define(
  metric,
  str(1),
  str(2),
  str(3),
  msg(5, gauge),
  msg(7, sum),
  msg(9, histogram),
  msg(10, expHistogram),
  msg(11, summary),
  msgs(12, keyValue),
);

function request(service: string, envelope: string, item: MessageSpec): MessageSpec {
  const scopeEnvelope = spec(`Scope${envelope}`, 'scope');
  define(scopeEnvelope, msg(1, scope), msgs(2, item), str(3));
  const resourceEnvelope = spec(`Resource${envelope}`, 'resource');
  define(resourceEnvelope, msg(1, resource), msgs(2, scopeEnvelope), str(3));
  const req = spec(`Export${service}ServiceRequest`);
  define(req, msgs(1, resourceEnvelope));
  return req;
}

/** ExportXServiceRequest descriptor per signal. */
export const REQUEST_SPEC: Record<Signal, MessageSpec> = {
  traces: request('Trace', 'Spans', span),
  metrics: request('Metrics', 'Metrics', metric),
  logs: request('Logs', 'Logs', logRecord),
};
