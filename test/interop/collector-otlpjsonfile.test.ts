// Interop 1: our spool segments → the real OpenTelemetry Collector (otlpjsonfile receiver) →
// its file exporter. What comes out must be what went in: every span, data point and log record,
// with the same ids and attributes. Proves a spool is readable by the Collector (TELEMETRY_GUIDE.md, "Every
// file in the spool": segments are in the Collector's otlpjsonfile format), and produces the
// Collector-written files test 2 reads back.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roundTripThroughCollector, type SignalName } from './support/collector-file-roundtrip.js';
import { logRows, pointRows, readJsonLines, spanRows } from './support/otlp-json.js';
import { ensurePeers } from './support/peers.js';
import { FIXTURE_VALUES, writeFixtureSpool, type SpoolFixture } from './support/spool-fixture.js';

describe('Collector otlpjsonfile receiver → file exporter', () => {
  let dir: string;
  let fixture: SpoolFixture;
  let files: Record<SignalName, string>;
  const out = (signal: SignalName): string => files[signal];

  beforeAll(async () => {
    ensurePeers('collector');
    dir = await mkdtemp(join(tmpdir(), 'otelspool-interop-otlpjsonfile-'));
    fixture = await writeFixtureSpool(join(dir, 'spool'));
    files = await roundTripThroughCollector(dir, fixture, join(dir, 'collector-out'));
  });

  afterAll(async () => {
    if (dir !== undefined && process.env.KEEP_INTEROP_DIRS === undefined) {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('returns every span with the same ids, parents, names, attributes, events and status', async () => {
    const spans = spanRows(await readJsonLines(out('traces')));
    expect(spans).toHaveLength(6);
    expect(spans).toHaveLength(fixture.spans.length);
    for (const expected of fixture.spans) {
      const found = spans.filter((s) => s.spanId === expected.spanId);
      expect(found, `span ${expected.name} ${expected.spanId}`).toHaveLength(1);
      const [span] = found;
      expect(span).toMatchObject({
        traceId: expected.traceId,
        parentSpanId: expected.parentSpanId,
        name: expected.name,
        attributes: expected.attributes,
        statusCode: expected.statusCode,
      });
      expect(span?.events.map((e) => e.name)).toEqual(expected.eventNames);
      expect(span?.resource['service.name']).toBe(fixture.serviceName);
    }
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set(fixture.traceIds));
    const crashed = spans.find((s) => s.statusCode === 2);
    expect(crashed?.events).toEqual([
      expect.objectContaining({
        name: 'exception',
        attributes: expect.objectContaining({
          'exception.type': 'TypeError',
          'exception.message': 'Cannot read properties of undefined (reading "gain")',
        }),
      }),
    ]);
  });

  it('returns every metric data point with its name, unit, kind, attributes and value', async () => {
    const points = pointRows(await readJsonLines(out('metrics')));
    const expectedPoints = fixture.metrics.reduce((n, m) => n + m.points.length, 0);
    expect(expectedPoints).toBe(12);
    expect(points).toHaveLength(expectedPoints);
    for (const metric of fixture.metrics) {
      const found = points.filter((p) => p.metric === metric.name);
      expect(found, metric.name).toHaveLength(metric.points.length);
      for (const point of found) {
        expect(point).toMatchObject({ unit: metric.unit, kind: metric.kind });
        expect(point.resource['service.name']).toBe(fixture.serviceName);
      }
      expect(found.map((p) => p.attributes)).toEqual(expect.arrayContaining(metric.points));
    }
    const value = (name: string, attrs: Record<string, unknown> = {}) =>
      points.find(
        (p) => p.metric === name && JSON.stringify(p.attributes) === JSON.stringify(attrs),
      );
    expect(value('process.cpu.utilization')?.value).toBe(FIXTURE_VALUES.cpuUtilization);
    expect(value('process.memory.usage')?.value).toBe(FIXTURE_VALUES.memoryUsage);
    expect(value('otelspool.spool.records.written')).toMatchObject({
      value: FIXTURE_VALUES.recordsWritten,
      isMonotonic: true,
    });
    expect(value('otelspool.spool.records.dropped', { reason: 'queue_full' })?.value).toBe(3);
    expect(value('otelspool.spool.records.dropped', { reason: 'spool_full' })?.value).toBe(1);
    expect(value('plugin.block.duration')?.count).toBe(FIXTURE_VALUES.blockDurationsMs.length);
  });

  it('returns every log record with its event name, severity and attributes, in order', async () => {
    const logs = logRows(await readJsonLines(out('logs')));
    expect(logs).toHaveLength(7);
    expect(logs.map((l) => l.eventName)).toEqual(fixture.logs.map((l) => l.eventName));
    expect(logs.map((l) => l.severityNumber)).toEqual(fixture.logs.map((l) => l.severityNumber));
    expect(logs.map((l) => l.attributes)).toEqual(fixture.logs.map((l) => l.attributes));
    const crash = logs.find((l) => l.eventName === 'app.crash');
    expect(crash?.severityNumber).toBe(21);
    expect(crash?.resource['service.name']).toBe(fixture.serviceName);
  });
});
