import { ValueType } from '@opentelemetry/api';
import type { Attributes, HrTime } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType } from '@opentelemetry/sdk-metrics';
import type {
  DataPoint,
  ExponentialHistogram,
  Histogram,
  MetricData,
  ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import {
  arrayField,
  countString,
  doubleJson,
  hrTimeToNanosString,
  int64String,
  keyValuesField,
  obj,
  resourceMembers,
  scopeMembers,
  stringField,
} from './encode-common.js';

// opentelemetry-proto AggregationTemporality: 0 UNSPECIFIED, 1 DELTA, 2 CUMULATIVE.
function temporalityField(temporality: AggregationTemporality): string {
  if (temporality === AggregationTemporality.DELTA) return '"aggregationTemporality":1';
  if (temporality === AggregationTemporality.CUMULATIVE) return '"aggregationTemporality":2';
  return '';
}

function timeMembers(point: {
  startTime: HrTime;
  endTime: HrTime;
  attributes: Attributes;
}): string {
  return obj(
    keyValuesField('attributes', point.attributes),
    '"startTimeUnixNano":"' + hrTimeToNanosString(point.startTime) + '"',
    '"timeUnixNano":"' + hrTimeToNanosString(point.endTime) + '"',
  ).slice(1, -1);
}

function numberPointJson(point: DataPoint<number>, valueType: ValueType): string {
  const value = point.value;
  // An INT instrument's value is an int64 (decimal string); anything that is not a finite
  // integer after all (NaN from a callback, a fraction) stays lossless as asDouble.
  const asInt = valueType === ValueType.INT && Number.isInteger(value) && Math.abs(value) < 2 ** 63;
  return (
    '{' +
    timeMembers(point) +
    (asInt ? ',"asInt":"' + int64String(value) + '"' : ',"asDouble":' + doubleJson(value)) +
    '}'
  );
}

// One encoder per value type, chosen once per metric: no closure per metric.
const intPointJson = (point: DataPoint<number>): string => numberPointJson(point, ValueType.INT);
const doublePointJson = (point: DataPoint<number>): string =>
  numberPointJson(point, ValueType.DOUBLE);

function optionalDouble(name: string, n: number | undefined): string {
  return typeof n === 'number' ? '"' + name + '":' + doubleJson(n) : '';
}

function countJson(n: number | undefined): string {
  return '"' + countString(n) + '"';
}

function countsField(name: string, counts: readonly number[]): string {
  return arrayField(name, counts, countJson);
}

function doublesField(name: string, values: readonly number[]): string {
  return arrayField(name, values, doubleJson);
}

function histogramPointJson(point: DataPoint<Histogram>): string {
  const h = point.value;
  return obj(
    timeMembers(point),
    '"count":"' + countString(h.count) + '"',
    optionalDouble('sum', h.sum),
    countsField('bucketCounts', h.buckets.counts),
    doublesField('explicitBounds', h.buckets.boundaries),
    optionalDouble('min', h.min),
    optionalDouble('max', h.max),
  );
}

function bucketsJson(buckets: { offset: number; bucketCounts: number[] }): string {
  return obj(
    buckets.offset ? '"offset":' + Math.trunc(buckets.offset) : '',
    countsField('bucketCounts', buckets.bucketCounts),
  );
}

function exponentialPointJson(point: DataPoint<ExponentialHistogram>): string {
  const h = point.value;
  return obj(
    timeMembers(point),
    '"count":"' + countString(h.count) + '"',
    optionalDouble('sum', h.sum),
    h.scale ? '"scale":' + Math.trunc(h.scale) : '',
    h.zeroCount ? '"zeroCount":"' + countString(h.zeroCount) + '"' : '',
    '"positive":' + bucketsJson(h.positive),
    '"negative":' + bucketsJson(h.negative),
    optionalDouble('min', h.min),
    optionalDouble('max', h.max),
  );
}

/** A sum's, histogram's or exponential histogram's members: its points and temporality. */
function aggregatedData<T>(
  points: readonly DataPoint<T>[],
  encode: (point: DataPoint<T>) => string,
  temporality: AggregationTemporality,
): string {
  return obj(arrayField('dataPoints', points, encode), temporalityField(temporality));
}

/** One OTLP/JSON Metric object, or '' for a metric without data points. */
export function metricJson(metric: MetricData): string {
  if (metric.dataPoints.length === 0) return '';
  const d = metric.descriptor;
  let data: string;
  const numberPoint = d.valueType === ValueType.INT ? intPointJson : doublePointJson;
  switch (metric.dataPointType) {
    case DataPointType.SUM:
      data =
        '"sum":' +
        obj(
          arrayField('dataPoints', metric.dataPoints, numberPoint),
          temporalityField(metric.aggregationTemporality),
          metric.isMonotonic ? '"isMonotonic":true' : '',
        );
      break;
    case DataPointType.GAUGE:
      data = '"gauge":' + obj(arrayField('dataPoints', metric.dataPoints, numberPoint));
      break;
    case DataPointType.HISTOGRAM:
      data =
        '"histogram":' +
        aggregatedData(metric.dataPoints, histogramPointJson, metric.aggregationTemporality);
      break;
    case DataPointType.EXPONENTIAL_HISTOGRAM:
      data =
        '"exponentialHistogram":' +
        aggregatedData(metric.dataPoints, exponentialPointJson, metric.aggregationTemporality);
      break;
    default:
      return '';
  }
  return obj(
    stringField('name', d.name),
    stringField('description', d.description),
    stringField('unit', d.unit),
    data,
  );
}

/**
 * An SDK ResourceMetrics → one OTLP/JSON `MetricsData` line (no trailing newline). Metrics
 * without data points and scopes without metrics are left out; returns '' when nothing is left.
 */
export function encodeMetrics(resourceMetrics: ResourceMetrics): string {
  let scopes = '';
  for (const scopeMetrics of resourceMetrics.scopeMetrics) {
    let metrics = '';
    for (const metric of scopeMetrics.metrics) {
      const json = metricJson(metric);
      if (json.length === 0) continue;
      metrics += (metrics.length === 0 ? '' : ',') + json;
    }
    if (metrics.length === 0) continue;
    scopes +=
      (scopes.length === 0 ? '{' : ',{') +
      scopeMembers(scopeMetrics.scope) +
      ',"metrics":[' +
      metrics +
      ']}';
  }
  if (scopes.length === 0) return '';
  return (
    '{"resourceMetrics":[{' +
    resourceMembers(resourceMetrics.resource) +
    ',"scopeMetrics":[' +
    scopes +
    ']}]}'
  );
}
