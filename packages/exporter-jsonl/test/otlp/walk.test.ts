import { describe, expect, it } from 'vitest';
import {
  attributesKey,
  attributeText,
  countRecords,
  findAttribute,
  forEachDataPoint,
  forEachLogRecord,
  forEachMetric,
  forEachSpan,
  mergeData,
  metricDataPoints,
  metricType,
  METRIC_TYPES,
  RESOURCE_FIELD,
  scalarText,
  type KeyValue,
  type LogsData,
  type Metric,
  type MetricsData,
  type Span,
  type TracesData,
} from '../../src/index.js';

const traces: TracesData = {
  resourceSpans: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'a' } }] },
      scopeSpans: [
        { scope: { name: 's1' }, spans: [span('1'), span('2')] },
        { scope: { name: 's2' }, spans: [span('3')] },
      ],
    },
    { scopeSpans: [{ spans: [span('4')] }, {}] },
    {},
  ],
};

function span(id: string): Span {
  return { traceId: '0'.repeat(32), spanId: id.padStart(16, '0'), name: `span ${id}` };
}

const point = { timeUnixNano: '1', asInt: '1' };
/** One metric of each of the five types, with 1, 2, 3, 4 and 5 points. */
const allTypes: Metric[] = [
  { name: 'g', gauge: { dataPoints: [point] } },
  { name: 's', sum: { dataPoints: [point, point] } },
  { name: 'h', histogram: { dataPoints: [{ count: '1' }, { count: '2' }, { count: '3' }] } },
  {
    name: 'e',
    exponentialHistogram: { dataPoints: [{ count: '1' }, {}, {}, {}] },
  },
  { name: 'q', summary: { dataPoints: [{}, {}, {}, {}, {}] } },
];
const metrics: MetricsData = {
  resourceMetrics: [
    { scopeMetrics: [{ metrics: allTypes.slice(0, 2) }, { metrics: allTypes.slice(2) }] },
    { scopeMetrics: [{ metrics: [{ name: 'empty' }] }] },
  ],
};

const logs: LogsData = {
  resourceLogs: [
    { scopeLogs: [{ logRecords: [{ eventName: 'a' }, { eventName: 'b' }] }] },
    { scopeLogs: [{ scope: { name: 'x' }, logRecords: [{ eventName: 'c' }] }] },
  ],
};

describe('walkers', () => {
  it('forEachSpan visits every span with its scope and resource, in order', () => {
    const seen: string[] = [];
    forEachSpan(traces, (s, ss, rs) => {
      seen.push(`${s.name}|${ss.scope?.name ?? '-'}|${rs.resource ? 'r' : '-'}`);
    });
    expect(seen).toEqual(['span 1|s1|r', 'span 2|s1|r', 'span 3|s2|r', 'span 4|-|-']);
  });

  it('forEachLogRecord visits every record with its scope and resource', () => {
    const seen: string[] = [];
    forEachLogRecord(logs, (r, sl, rl) => {
      seen.push(`${r.eventName}|${sl.scope?.name ?? '-'}|${logs.resourceLogs.indexOf(rl)}`);
    });
    expect(seen).toEqual(['a|-|0', 'b|-|0', 'c|x|1']);
  });

  it('forEachMetric and forEachDataPoint visit every metric and every point of the five types', () => {
    const names: string[] = [];
    forEachMetric(metrics, (m) => names.push(m.name ?? ''));
    expect(names).toEqual(['g', 's', 'h', 'e', 'q', 'empty']);
    const perMetric: Record<string, number> = {};
    forEachDataPoint(metrics, (_p, m, sm, rm) => {
      expect(sm.metrics).toContain(m);
      expect(rm.scopeMetrics).toContain(sm);
      const name = m.name ?? '';
      perMetric[name] = (perMetric[name] ?? 0) + 1;
    });
    expect(perMetric).toEqual({ g: 1, s: 2, h: 3, e: 4, q: 5 });
  });

  it('walkers accept data with absent lists', () => {
    let n = 0;
    forEachSpan({} as TracesData, () => n++);
    forEachLogRecord({} as LogsData, () => n++);
    forEachDataPoint({} as MetricsData, () => n++);
    expect(n).toBe(0);
  });
});

describe('metric types', () => {
  it('metricType names the data field and metricDataPoints returns its points', () => {
    expect(allTypes.map(metricType)).toEqual([...METRIC_TYPES]);
    expect(allTypes.map((m) => metricDataPoints(m).length)).toEqual([1, 2, 3, 4, 5]);
    expect(metricType({ name: 'none' })).toBeUndefined();
    expect(metricDataPoints({ name: 'none' })).toEqual([]);
  });
});

describe('countRecords', () => {
  it('counts spans, data points of all five metric types, and log records', () => {
    expect(countRecords('traces', traces)).toBe(4);
    expect(countRecords('metrics', metrics)).toBe(1 + 2 + 3 + 4 + 5);
    expect(countRecords('logs', logs)).toBe(3);
    expect(countRecords('traces', { resourceSpans: [] })).toBe(0);
  });

  it('counts each metric type alone', () => {
    for (const [i, metric] of allTypes.entries()) {
      expect(
        countRecords('metrics', { resourceMetrics: [{ scopeMetrics: [{ metrics: [metric] }] }] }),
      ).toBe(i + 1);
    }
  });
});

describe('mergeData', () => {
  it('concatenates the top-level arrays of every part, sharing the entries', () => {
    const a: TracesData = { resourceSpans: [traces.resourceSpans[0]!] };
    const b: TracesData = { resourceSpans: [traces.resourceSpans[1]!, traces.resourceSpans[2]!] };
    const merged = mergeData('traces', [a, b, { resourceSpans: [] }]);
    expect(merged.resourceSpans).toHaveLength(3);
    expect(merged.resourceSpans[0]).toBe(a.resourceSpans[0]);
    expect(countRecords('traces', merged)).toBe(4);
    expect(mergeData('logs', [])).toEqual({ resourceLogs: [] });
    expect(Object.keys(mergeData('metrics', [metrics]))).toEqual([RESOURCE_FIELD.metrics]);
  });
});

describe('attributes', () => {
  const attrs: KeyValue[] = [
    { key: 's', value: { stringValue: 'x' } },
    { key: 'i', value: { intValue: '9007199254740993' } },
    { key: 'd', value: { doubleValue: 1.5 } },
    { key: 'b', value: { boolValue: false } },
    { key: 'a', value: { arrayValue: { values: [] } } },
    { key: 's', value: { stringValue: 'second' } },
  ];

  it('findAttribute returns the first match; attributeText and scalarText render scalars', () => {
    expect(findAttribute(attrs, 's')).toEqual({ stringValue: 'x' });
    expect(findAttribute(attrs, 'nope')).toBeUndefined();
    expect(findAttribute(undefined, 's')).toBeUndefined();
    expect(attributeText(attrs, 'i')).toBe('9007199254740993');
    expect(attributeText(attrs, 'd')).toBe('1.5');
    expect(attributeText(attrs, 'b')).toBe('false');
    expect(attributeText(attrs, 'a')).toBeUndefined();
    expect(scalarText(undefined)).toBeUndefined();
  });

  it('attributesKey ignores the order of the attributes', () => {
    const one: KeyValue[] = [
      { key: 'a', value: { stringValue: '1' } },
      { key: 'b', value: { intValue: '2' } },
    ];
    expect(attributesKey(one)).toBe(attributesKey([...one].reverse()));
    expect(attributesKey([])).toBe('');
    expect(attributesKey(undefined)).toBe('');
  });

  it('attributesKey tells value types apart', () => {
    const asInt = attributesKey([{ key: 'a', value: { intValue: '1' } }]);
    const asString = attributesKey([{ key: 'a', value: { stringValue: '1' } }]);
    const asDouble = attributesKey([{ key: 'a', value: { doubleValue: 1 } }]);
    expect(new Set([asInt, asString, asDouble]).size).toBe(3);
    expect(attributesKey([{ key: 'a', value: { stringValue: '1' } }])).toBe(asString);
  });
});
