import { attributesField } from './common.js';
import { signalEnvelope, walkEnvelopes } from './envelope.js';
import {
  boolField,
  doubleField,
  enumField,
  i32Field,
  i64Field,
  idField,
  listField,
  objectField,
  stringField,
  u32Field,
  u64Field,
  type JsonObject,
} from './fields.js';
import { OtlpShapeError } from './shape-error.js';
import { double, expectObject, uint64, type NormalizeContext } from './scalars.js';
import { itemListField, lengthOf, one } from './items.js';

const TEMPORALITY: Readonly<Record<string, number>> = {
  AGGREGATION_TEMPORALITY_UNSPECIFIED: 0,
  AGGREGATION_TEMPORALITY_DELTA: 1,
  AGGREGATION_TEMPORALITY_CUMULATIVE: 2,
};

const METRIC_DATA = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'] as const;

/** Data points held by a metric (whatever its kind): the item count of a dropped metric. */
function pointsOfMetric(metric: unknown): number {
  if (typeof metric !== 'object' || metric === null) return 0;
  let n = 0;
  for (const k of METRIC_DATA) n += lengthOf((metric as JsonObject)[k], 'dataPoints');
  return n;
}
const METRICS = signalEnvelope(
  'resourceMetrics',
  'scopeMetrics',
  'instrumentationLibraryMetrics',
  'metrics',
  pointsOfMetric,
);

/**
 * MetricsData: resourceMetrics → scopeMetrics → metrics → one data kind → data points. Tolerant
 * walks (`ctx.drops`) drop an invalid data point alone, an invalid metric (two data kinds, a
 * bad name) with its points, an invalid envelope with what it holds.
 */
export function metrics(data: JsonObject, ctx: NormalizeContext): void {
  walkEnvelopes(data, ctx, METRICS, metricItem);
}

function metricItem(
  value: unknown,
  ctx: NormalizeContext,
  index: number,
  where: () => string,
): void {
  metricValue(value, ctx, () => `${where()}.metrics[${index}]`);
}

function metricValue(value: unknown, ctx: NormalizeContext, where: () => string): void {
  const metric = expectObject(value);
  stringField(metric, 'name');
  stringField(metric, 'description');
  stringField(metric, 'unit');
  attributesField(metric, 'metadata', ctx);
  let kind: (typeof METRIC_DATA)[number] | undefined;
  for (const k of METRIC_DATA) {
    if (metric[k] === undefined || metric[k] === null) continue;
    if (kind !== undefined) throw new OtlpShapeError(`metric has both ${kind} and ${k}`);
    kind = k;
  }
  if (kind === undefined) return;
  const at = (): string => `${where()}.${kind}`;
  switch (kind) {
    case 'gauge':
      return objectField(metric, kind, (d) => points(d, numberPoint, ctx, at));
    case 'sum':
      return objectField(metric, kind, (d) => {
        enumField(d, 'aggregationTemporality', TEMPORALITY, 'aggregation temporality');
        boolField(d, 'isMonotonic');
        points(d, numberPoint, ctx, at);
      });
    case 'histogram':
      return objectField(metric, kind, (d) => {
        enumField(d, 'aggregationTemporality', TEMPORALITY, 'aggregation temporality');
        points(d, histogramPoint, ctx, at);
      });
    case 'exponentialHistogram':
      return objectField(metric, kind, (d) => {
        enumField(d, 'aggregationTemporality', TEMPORALITY, 'aggregation temporality');
        points(d, exponentialPoint, ctx, at);
      });
    case 'summary':
      return objectField(metric, kind, (d) => points(d, summaryPoint, ctx, at));
  }
}

type PointCheck = (point: JsonObject, ctx: NormalizeContext) => void;

function points(
  data: JsonObject,
  check: PointCheck,
  ctx: NormalizeContext,
  where: () => string,
): void {
  itemListField(data, 'dataPoints', ctx, (item) => check(expectObject(item), ctx), one, where);
}

function pointCommon(point: JsonObject, ctx: NormalizeContext): void {
  attributesField(point, 'attributes', ctx);
  u64Field(point, 'startTimeUnixNano', ctx);
  u64Field(point, 'timeUnixNano', ctx);
  u32Field(point, 'flags');
  if (point.exemplars !== undefined) {
    listField(point, 'exemplars', (e) => exemplar(expectObject(e), ctx));
  }
}

/** asDouble / asInt: a oneof, at most one of the two. */
function numberValue(obj: JsonObject, ctx: NormalizeContext): void {
  const hasDouble = obj.asDouble !== undefined && obj.asDouble !== null;
  const hasInt = obj.asInt !== undefined && obj.asInt !== null;
  if (hasDouble && hasInt) throw new OtlpShapeError('data point has both asDouble and asInt');
  doubleField(obj, 'asDouble');
  i64Field(obj, 'asInt', ctx);
}

function numberPoint(point: JsonObject, ctx: NormalizeContext): void {
  pointCommon(point, ctx);
  numberValue(point, ctx);
}

/** The fields histograms and exponential histograms share. */
function distributionCommon(point: JsonObject, ctx: NormalizeContext): void {
  pointCommon(point, ctx);
  u64Field(point, 'count', ctx);
  doubleField(point, 'sum');
  doubleField(point, 'min');
  doubleField(point, 'max');
}

function histogramPoint(point: JsonObject, ctx: NormalizeContext): void {
  distributionCommon(point, ctx);
  u64List(point, 'bucketCounts', ctx);
  doubleList(point, 'explicitBounds');
}

function exponentialPoint(point: JsonObject, ctx: NormalizeContext): void {
  distributionCommon(point, ctx);
  i32Field(point, 'scale');
  u64Field(point, 'zeroCount', ctx);
  doubleField(point, 'zeroThreshold');
  for (const side of ['positive', 'negative'] as const) {
    objectField(point, side, (buckets) => {
      i32Field(buckets, 'offset');
      u64List(buckets, 'bucketCounts', ctx);
    });
  }
}

function summaryPoint(point: JsonObject, ctx: NormalizeContext): void {
  pointCommon(point, ctx);
  u64Field(point, 'count', ctx);
  doubleField(point, 'sum');
  listField(point, 'quantileValues', (item) => {
    const q = expectObject(item);
    doubleField(q, 'quantile');
    doubleField(q, 'value');
  });
}

function exemplar(e: JsonObject, ctx: NormalizeContext): void {
  attributesField(e, 'filteredAttributes', ctx);
  u64Field(e, 'timeUnixNano', ctx);
  numberValue(e, ctx);
  idField(e, 'spanId', 8, false);
  idField(e, 'traceId', 16, false);
}

/** repeated uint64 / fixed64 (bucket counts): each element normalised in place. */
function u64List(obj: JsonObject, key: string, ctx: NormalizeContext): void {
  listField(obj, key, (item, i, list) => {
    if (typeof item === 'string' && item.length < 16 && SMALL_UINT.test(item)) return;
    const n = uint64(item, ctx);
    if (n !== item) list[i] = n;
  });
}

/** repeated double (explicit bounds). */
function doubleList(obj: JsonObject, key: string): void {
  listField(obj, key, (item, i, list) => {
    if (typeof item !== 'number') list[i] = double(item);
  });
}

const SMALL_UINT = /^(?:0|[1-9]\d*)$/;
