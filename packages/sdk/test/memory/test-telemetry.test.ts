import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { forEachLogRecord, forEachSpan, readSpool } from '@otelspool/exporter-jsonl';
import type { LogsData, NumberDataPoint, TracesData } from '@otelspool/exporter-jsonl';
import { createTestTelemetry } from '@otelspool/sdk/testing';
import type { TestTelemetry } from '@otelspool/sdk/testing';

const open: TestTelemetry[] = [];
afterEach(async () => {
  for (const t of open.splice(0)) await t.shutdown();
});

async function create(
  options: Parameters<typeof createTestTelemetry>[0] = {},
): Promise<TestTelemetry> {
  const t = await createTestTelemetry({ serviceName: 'plugin-under-test', ...options });
  open.push(t);
  return t;
}

describe('createTestTelemetry (@otelspool/sdk/testing)', () => {
  it('finds spans, events, logs and metric points the code under test recorded', async () => {
    const t = await create();
    // The plugin uses the global API, as plugins do.
    const tracer = trace.getTracer('my-plugin');
    let traceId = '';
    tracer.startActiveSpan('render', (span) => {
      traceId = span.spanContext().traceId;
      span.setAttribute('preset.name', 'Warm Pad');
      span.addEvent('cache.miss', { 'cache.key': 'k1' });
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'clipped' });
      t.log.warn('buffer late', { 'buffer.ms': 12 });
      span.end();
    });
    tracer.startSpan('idle').end();
    t.log.info('ready');
    t.meter.createCounter('blocks.processed').add(3, { plugin: 'eq' });

    expect(
      t.findSpans({ name: 'render', error: true, attributes: { 'preset.name': 'Warm Pad' } }),
    ).toHaveLength(1);
    expect(t.findSpans({ error: false }).map((s) => s.span.name)).toEqual(['idle']);
    expect(t.findSpans({ traceId })[0]!.span.status).toEqual({
      code: SpanStatusCode.ERROR,
      message: 'clipped',
    });
    expect(t.findSpans({ name: /^ren/ })[0]!.resource.attributes).toContainEqual({
      key: 'service.name',
      value: { stringValue: 'plugin-under-test' },
    });
    expect(
      t.findSpanEvents({ name: 'cache.miss', attributes: { 'cache.key': 'k1' } }),
    ).toHaveLength(1);
    expect(t.findSpanEvents({ span: { name: 'idle' } })).toHaveLength(0);
    const warn = t.findLogs({ severity: 'warn' });
    expect(warn.map((l) => l.logRecord.body)).toEqual([{ stringValue: 'buffer late' }]);
    expect(warn[0]!.logRecord.traceId).toBe(traceId);
    expect(t.findLogs({ body: 'read', attributes: {} })).toHaveLength(1);
    expect(t.findLogs({ attributes: { 'buffer.ms': 12 } })).toHaveLength(1);
    expect(t.findLogs({ traceId })).toHaveLength(1);
    // No waiting for the 60 s interval: the helper collects now.
    const points = await t.findMetricPoints({
      name: 'blocks.processed',
      attributes: { plugin: 'eq' },
    });
    expect(points.map((p) => (p.point as NumberDataPoint).asDouble)).toEqual([3]);
  });

  it('holds exactly what the spool holds (with fileSpool: true both are written)', async () => {
    const t = await create({ fileSpool: true });
    t.tracer.startSpan('a', { attributes: { n: 1, big: 2 ** 60, list: ['x', 'y'] } }).end();
    t.event('preset.change', { 'preset.name': 'Warm Pad' });
    await t.forceFlush();
    const spooled: unknown[] = [];
    const logs: unknown[] = [];
    for await (const r of readSpool(t.dir, { quarantine: false })) {
      if (r.signal === 'traces')
        forEachSpan(r.data as TracesData, (span, ss, rs) =>
          spooled.push({ span, scope: ss.scope, resource: rs.resource }),
        );
      if (r.signal === 'logs')
        forEachLogRecord(r.data as LogsData, (logRecord, sl, rl) =>
          logs.push({ logRecord, scope: sl.scope, resource: rl.resource }),
        );
    }
    expect(spooled).toHaveLength(1);
    expect(t.findSpans()).toEqual(spooled);
    expect(t.findLogs({ eventName: 'preset.change' })).toEqual(logs);
  });

  it('is bounded, resets, and writes nothing into $SPOOL_DIR, $HOME or a spool dir', async () => {
    const sentinel = mkdtempSync(join(tmpdir(), 'otelspool-home-'));
    const saved = {
      HOME: process.env.HOME,
      SPOOL_DIR: process.env.SPOOL_DIR,
      XDG_DATA_HOME: process.env.XDG_DATA_HOME,
    };
    process.env.HOME = sentinel;
    process.env.SPOOL_DIR = join(sentinel, 'spool');
    process.env.XDG_DATA_HOME = join(sentinel, 'data');
    try {
      const t = await createTestTelemetry({ serviceName: 'bounded', maxRecords: 5, crash: true });
      const dir = t.dir;
      expect(dir.startsWith(sentinel)).toBe(false);
      for (let i = 0; i < 20; i++) t.tracer.startSpan(`s${i}`).end();
      expect(t.findSpans().map((s) => s.span.name)).toEqual(['s15', 's16', 's17', 's18', 's19']);
      expect(t.memoryStats().spans).toMatchObject({ records: 5, evicted: 15 });
      t.reset();
      expect(t.findSpans()).toEqual([]);
      expect(t.crashReports()).toEqual([]);
      await t.shutdown();
      expect(existsSync(dir)).toBe(false);
      expect(readdirSync(sentinel)).toEqual([]);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      rmSync(sentinel, { recursive: true, force: true });
    }
  });

  it('finds crash records (crash span, exception event, FATAL log) by their report id', async () => {
    const t = await create();
    const span = t.tracer.startSpan('work');
    span.addEvent('exception', {
      'exception.type': 'TypeError',
      'otelspool.crash.report_id': 'r1',
    });
    span.end();
    t.logger.emit({
      severityNumber: 21,
      body: 'crash',
      attributes: { 'otelspool.crash.report_id': 'r1' },
    });
    expect(t.findCrashRecords().map((c) => c.signal + ('event' in c ? ':event' : ''))).toEqual([
      'traces:event',
      'logs',
    ]);
  });

  it('refuses bad bounds with a clear error', async () => {
    await expect(createTestTelemetry({ maxRecords: -3 })).rejects.toThrow(
      /maxRecords must be a non-negative integer, got -3/,
    );
  });
});
