import { JsonMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { describe, expect, it } from 'vitest';
import { encodeMetrics } from '../../src/index.js';
import { BIG_COUNTER, makeResourceMetrics } from './sdk-fixtures.js';
import { canonical } from './stock-normalise.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function metricsByName(data: Json): Map<string, Json> {
  const out = new Map<string, Json>();
  for (const rm of data.resourceMetrics)
    for (const sm of rm.scopeMetrics) for (const m of sm.metrics) out.set(m.name, m);
  return out;
}

describe('encodeMetrics', () => {
  it('keeps a counter value above 2^53 exact, as a decimal string', async () => {
    const line = encodeMetrics(await makeResourceMetrics());
    expect(line).toContain(`"asInt":"${BigInt(BIG_COUNTER).toString()}"`);
    const m = metricsByName(JSON.parse(line)).get('big.counter')!;
    expect(m.unit).toBe('{item}');
    expect(m.sum.isMonotonic).toBe(true);
    expect(m.sum.aggregationTemporality).toBe(2); // CUMULATIVE
    expect(BigInt(m.sum.dataPoints[0].asInt)).toBe(BigInt(BIG_COUNTER));
  });

  it('encodes sums, gauges, histograms and exponential histograms per OTLP/JSON', async () => {
    const data = JSON.parse(encodeMetrics(await makeResourceMetrics())) as Json;
    const m = metricsByName(data);
    expect(m.get('double.counter')!.sum.dataPoints[0].asDouble).toBe(1.5);
    expect(m.get('double.counter')!.description).toBe('a double sum');
    expect(m.get('updown')!.sum.isMonotonic).toBeUndefined(); // false is the proto3 default
    expect(m.get('updown')!.sum.dataPoints[0].asInt).toBe('-3');
    expect(m.get('temperature')!.gauge.dataPoints[0]).toMatchObject({
      asDouble: 21.5,
      attributes: [{ key: 'room', value: { stringValue: 'studio' } }],
    });
    const h = m.get('latency')!.histogram;
    expect(h.aggregationTemporality).toBe(2);
    expect(h.dataPoints[0].count).toBe('5');
    expect(h.dataPoints[0].sum).toBe(4268);
    expect(h.dataPoints[0].min).toBe(1);
    expect(h.dataPoints[0].max).toBe(4000);
    expect(h.dataPoints[0].bucketCounts.every((c: unknown) => typeof c === 'string')).toBe(true);
    expect(h.dataPoints[0].bucketCounts.reduce((a: bigint, c: string) => a + BigInt(c), 0n)).toBe(
      5n,
    );
    expect(h.dataPoints[0].explicitBounds[0]).toBe(0);
    const e = m.get('latency.exp')!.exponentialHistogram;
    expect(e.dataPoints[0].count).toBe('5');
    expect(e.dataPoints[0].zeroCount).toBe('1');
    expect(typeof e.dataPoints[0].scale).toBe('number');
    expect(e.dataPoints[0].positive.bucketCounts.every((c: unknown) => typeof c === 'string')).toBe(
      true,
    );
    for (const metric of m.values()) {
      const points = (metric.sum ?? metric.gauge ?? metric.histogram ?? metric.exponentialHistogram)
        .dataPoints;
      for (const p of points) expect(p.timeUnixNano).toMatch(/^\d{19}$/);
    }
    expect(data.resourceMetrics[0].scopeMetrics[0].scope).toEqual({
      name: 'metrics-scope',
      version: '2.0.0',
    });
  });

  it('is semantically equal to the official JsonMetricsSerializer output', async () => {
    const rm = await makeResourceMetrics();
    const stock = JSON.parse(new TextDecoder().decode(JsonMetricsSerializer.serializeRequest(rm)));
    expect(canonical(JSON.parse(encodeMetrics(rm)))).toEqual(canonical(stock));
  });

  it('leaves out metrics without points and returns "" when nothing is left', async () => {
    const rm = await makeResourceMetrics();
    const empty = { ...rm, scopeMetrics: rm.scopeMetrics.map((sm) => ({ ...sm, metrics: [] })) };
    expect(encodeMetrics(empty)).toBe('');
    expect(encodeMetrics({ ...rm, scopeMetrics: [] })).toBe('');
  });
});
