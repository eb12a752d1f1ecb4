import { afterEach, describe, expect, it } from 'vitest';
import { SpanStatusCode } from '@opentelemetry/api';
import { attributeText, readSpool, forEachSpan } from '@otelspool/exporter-jsonl';
import type { TracesData } from '@otelspool/exporter-jsonl';
import { createRecentStore, startTelemetry } from '../../src/index.js';
import type { Telemetry } from '../../src/index.js';
import { tempDir } from '../helpers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(
  recent: ReturnType<typeof createRecentStore>,
): Promise<Telemetry & { spoolDir: string }> {
  const tmp = tempDir();
  const telemetry = await startTelemetry({
    serviceName: 'recent-test',
    dir: tmp.dir,
    crash: false,
    registerGlobal: false,
    processMetrics: false,
    spanProcessors: [recent.spanProcessor],
    logRecordProcessors: [recent.logRecordProcessor],
  });
  cleanups.push(tmp.cleanup, () => telemetry.shutdown());
  return Object.assign(telemetry, { spoolDir: tmp.dir });
}

describe('createRecentStore (in-app recent telemetry beside the spool)', () => {
  it('keeps the last N records per list, evicts the oldest and counts them', async () => {
    const recent = createRecentStore({ maxRecords: 10 });
    const t = await start(recent);
    for (let i = 0; i < 1000; i++) {
      const span = t.tracer.startSpan(`op-${i}`);
      if (i % 100 === 0) span.setStatus({ code: SpanStatusCode.ERROR, message: `boom ${i}` });
      span.end();
      t.log.info(`line ${i}`);
    }
    t.log.error('disk failed', { 'disk.path': '/data' });
    const stats = recent.stats();
    expect(stats.spans).toMatchObject({ records: 10, evicted: 990 });
    expect(stats.logs).toMatchObject({ records: 10, evicted: 991 });
    // 10 error spans + 1 ERROR log: the errors list keeps them although traffic evicted them from `spans`.
    expect(stats.errors).toMatchObject({ records: 10, evicted: 1 });
    expect(recent.spans().map((s) => s.span.name)).toEqual(
      Array.from({ length: 10 }, (_, i) => `op-${999 - i}`),
    );
    const errors = recent.errors();
    expect(errors[0]).toMatchObject({ signal: 'logs' });
    expect(
      errors[0]!.signal === 'logs' && attributeText(errors[0]!.logRecord.attributes, 'disk.path'),
    ).toBe('/data');
    expect(errors.slice(1).map((e) => (e.signal === 'traces' ? e.span.name : ''))).toEqual(
      [900, 800, 700, 600, 500, 400, 300, 200, 100].map((i) => `op-${i}`),
    );
    expect(recent.errors(3)).toHaveLength(3);
    // The file spool beside it got everything.
    await t.forceFlush();
    let spooled = 0;
    for await (const r of readSpool(t.spoolDir, { signals: ['traces'], quarantine: false })) {
      if (r.signal === 'traces') forEachSpan(r.data as TracesData, () => (spooled += 1));
    }
    expect(spooled).toBe(1000);
  });

  it('stays within its byte bound, estimated without encoding on the hot path', async () => {
    const recent = createRecentStore({ maxRecords: 1000, maxBytes: 20_000 });
    const t = await start(recent);
    for (let i = 0; i < 500; i++) t.log.info('x'.repeat(1000), { i });
    const { logs } = recent.stats();
    expect(logs.bytes).toBeLessThanOrEqual(20_000);
    expect(logs.records).toBeGreaterThan(5);
    expect(logs.records + logs.evicted).toBe(500);
    // The estimate is at least the body it carries, and the held records are the newest.
    expect(logs.bytes).toBeGreaterThanOrEqual(logs.records * 1000);
    expect(recent.logs(1)[0]!.logRecord.attributes).toEqual([
      { key: 'i', value: { intValue: '499' } },
    ]);
    // A record larger than the whole bound is not held (and counted), never thrown.
    t.log.info('y'.repeat(50_000));
    expect(recent.stats().logs.evicted).toBe(logs.evicted + 1);
  });

  it('returns records in the OTLP model the spool holds, and lists crash records', async () => {
    const recent = createRecentStore();
    const t = await start(recent);
    const span = t.tracer.startSpan('crash', { attributes: { 'otelspool.crash.report_id': 'r1' } });
    span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
    t.log.error('not a crash');
    expect(recent.crashes().map((c) => c.signal === 'traces' && c.span.name)).toEqual(['crash']);
    await t.forceFlush();
    let compared = 0;
    for await (const r of readSpool(t.spoolDir, { signals: ['traces'], quarantine: false })) {
      if (r.signal !== 'traces') continue;
      forEachSpan(r.data as TracesData, (s, ss, rs) => {
        compared += 1;
        expect(recent.spans()[0]).toEqual({ span: s, scope: ss.scope, resource: rs.resource });
      });
    }
    expect(compared).toBe(1);
  });

  it('refuses bad bounds with a clear error', () => {
    expect(() => createRecentStore({ maxRecords: -1 })).toThrow(
      /maxRecords must be a non-negative integer, got -1/,
    );
    expect(() => createRecentStore({ maxBytes: 1.5 })).toThrow(/maxBytes/);
  });

  it('a record the store cannot read never reaches the host', () => {
    const recent = createRecentStore();
    expect(() => recent.spanProcessor.onEnd({} as never)).not.toThrow();
    expect(() => recent.logRecordProcessor.onEmit(null as never)).not.toThrow();
  });
});
