import { describe, expect, it } from 'vitest';
import { createTaggingProcessor } from '../../src/processors/index.js';
import { findStalePoints, orderMetricPoints } from '../../src/metrics/index.js';
import { Pipeline, type ExportResult, type ItemBatch } from '../../src/pipeline/index.js';
import type { MetricsData, TracesData } from '../../src/otlp/index.js';
import { logsLine, tracesLine } from '../helpers/spool-fixtures.js';

describe('tagging processor', () => {
  it('sets resource attributes, replacing existing keys', () => {
    const tag = createTaggingProcessor({
      'service.name': 'renamed',
      'deployment.environment': 'qa',
    });
    const out = tag.process({ signal: 'traces', data: tracesLine(1), records: 1 });
    const attrs = (out?.data as TracesData).resourceSpans?.[0]?.resource?.attributes;
    expect(attrs).toEqual([
      { key: 'service.name', value: { stringValue: 'renamed' } },
      { key: 'deployment.environment', value: { stringValue: 'qa' } },
    ]);
  });
});

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

describe('pipeline batching', () => {
  it('packs items of one signal under the size cap and exports in order', async () => {
    const exported: ItemBatch[] = [];
    const pipeline = new Pipeline({
      processors: [],
      exporter: {
        name: 'memory',
        export: async (batch): Promise<ExportResult> => {
          exported.push(batch);
          return { status: 'success' };
        },
      },
      maxBatchBytes: 1000,
    });
    for (let i = 0; i < 10; i++)
      await pipeline.consume({ signal: 'logs', data: logsLine(i), records: 1 }, 300);
    await pipeline.flush();
    expect(exported.map((b) => b.items.length)).toEqual([3, 3, 3, 1]);
    expect(exported.reduce((a, b) => a + b.records, 0)).toBe(10);
  });
});
