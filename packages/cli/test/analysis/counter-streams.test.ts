// The self-metric totals of the report: latest value per cumulative stream, deltas summed, and
// an honest flag once more streams were seen than are kept.
import { describe, expect, it } from 'vitest';
import type { Metric, Resource } from '@otelspool/exporter-jsonl';
import { CounterStreams } from '../../src/analysis/counter-streams.js';

const resource = (pid: number): Resource => ({
  attributes: [{ key: 'process.pid', value: { intValue: String(pid) } }],
});

/** One cumulative point of `otelspool.spool.records.dropped`. */
const cumulative = (value: number, t: number, reason = 'queue_full'): Metric => ({
  name: 'otelspool.spool.records.dropped',
  sum: {
    aggregationTemporality: 2,
    isMonotonic: true,
    dataPoints: [
      {
        startTimeUnixNano: '1000',
        timeUnixNano: String(t),
        asInt: String(value),
        attributes: [{ key: 'reason', value: { stringValue: reason } }],
      },
    ],
  },
});

describe('CounterStreams', () => {
  it('keeps the latest value per process stream and sums across processes', () => {
    const streams = new CounterStreams('reason');
    streams.add(resource(1), cumulative(5, 10));
    streams.add(resource(1), cumulative(7, 20));
    streams.add(resource(1), cumulative(6, 15)); // an older point read later
    streams.add(resource(2), cumulative(3, 10, 'disk_full'));
    expect(Object.fromEntries(streams.totals())).toEqual({ queue_full: 7, disk_full: 3 });
    expect(streams.capped).toBe(false);
    const copy = CounterStreams.fromJSON(JSON.parse(JSON.stringify(streams.toJSON())), 'reason');
    expect(copy.total()).toBe(10);
    expect(JSON.stringify(streams.toJSON())).not.toContain('process.pid'); // keys are digests
  });

  it('says when more streams were seen than it keeps, through snapshots and merges', () => {
    const streams = new CounterStreams('reason');
    for (let pid = 0; pid < 10_001; pid++) streams.add(resource(pid), cumulative(1, 10));
    expect(streams.total()).toBe(10_000);
    expect(streams.capped).toBe(true);
    const snapshot = JSON.parse(JSON.stringify(streams.toJSON())) as unknown;
    expect(CounterStreams.fromJSON(snapshot, 'reason').capped).toBe(true);
    const merged = new CounterStreams('reason');
    merged.add(resource(1), cumulative(1, 10));
    merged.merge(CounterStreams.fromJSON(snapshot, 'reason'));
    expect(merged.capped).toBe(true);
    expect(() =>
      CounterStreams.fromJSON({ cumulative: [], deltas: [], capped: 'yes' }, 'reason'),
    ).toThrow(/capped/);
  });
});
