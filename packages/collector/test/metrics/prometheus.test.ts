import { describe, expect, it } from 'vitest';
import { findStalePoints, orderMetricPoints } from '../../src/metrics/index.js';
import type { MetricsData } from '../../src/otlp/index.js';

describe('metrics replay order', () => {
  it('orders the points of each series by time', () => {
    const point = (t: number, series: string) => ({
      timeUnixNano: String(t),
      asInt: String(t),
      attributes: [{ key: 's', value: { stringValue: series } }],
    });
    const data: MetricsData = {
      resourceMetrics: [
        {
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'm',
                  gauge: {
                    dataPoints: [point(30, 'a'), point(10, 'b'), point(20, 'a'), point(5, 'b')],
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    const points =
      orderMetricPoints(data).resourceMetrics?.[0]?.scopeMetrics?.[0]?.metrics?.[0]?.gauge
        ?.dataPoints ?? [];
    const bySeries = (s: string) =>
      points.filter((p) => p.attributes?.[0]?.value?.stringValue === s).map((p) => p.timeUnixNano);
    expect(bySeries('a')).toEqual(['20', '30']);
    expect(bySeries('b')).toEqual(['5', '10']);
    expect(findStalePoints(data, 1000, 1).stalePoints).toBe(0);
  });
});
