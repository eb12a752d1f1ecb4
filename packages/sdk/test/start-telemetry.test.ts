import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';
import { forEachLogRecord } from '@otelspool/exporter-jsonl';
import { startTelemetry } from '../src/index.js';
import type { Telemetry } from '../src/index.js';
import { attr, collect, logsOf, metricsOf, spansOf, tempDir } from './helpers.js';

describe('startTelemetry', () => {
  const cleanups: Array<() => void> = [];
  let telemetry: Telemetry | undefined;
  afterEach(async () => {
    await telemetry?.shutdown();
    telemetry = undefined;
    cleanups.splice(0).forEach((c) => c());
  });

  async function start(extra: Parameters<typeof startTelemetry>[0] = {}) {
    const tmp = tempDir();
    cleanups.push(tmp.cleanup);
    telemetry = await startTelemetry({
      serviceName: 'test-plugin',
      serviceVersion: '2.0.1',
      dir: tmp.dir,
      crash: false,
      metricIntervalMs: 60_000,
      ...extra,
    });
    return { dir: tmp.dir, telemetry };
  }

  it('shutdown() writes the session.end record after the app records, and marks the session exited', async () => {
    const { dir, telemetry: t } = await start({ crash: true });
    t.event('last.app.event');
    await t.shutdown();
    telemetry = undefined;
    const names = logsOf(await collect(dir)).map((l) => l.log.eventName);
    expect(names).toContain('session.start');
    // One session.end, after the app's own last record (the session ended once it was written).
    expect(names.filter((n) => n === 'session.end')).toHaveLength(1);
    expect(names.indexOf('session.end')).toBeGreaterThan(names.indexOf('last.app.event'));
    const last = JSON.parse(readFileSync(join(dir, 'session', 'last_session.json'), 'utf8'));
    expect(last.state).toBe('exited');
  });

  it('writes spans, events, structured logs and metrics through the OTel API into the spool', async () => {
    const { dir, telemetry: t } = await start();
    const tracer = trace.getTracer('test');
    let traceId = '';
    let spanId = '';
    tracer.startActiveSpan('parent', (parent) => {
      traceId = parent.spanContext().traceId;
      spanId = parent.spanContext().spanId;
      t.event('preset.change', { 'preset.name': 'Warm Pad' });
      t.log.error('preset failed', { 'preset.name': 'broken.fxp' });
      tracer.startActiveSpan('child', (child) => {
        child.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
        child.end();
      });
      parent.end();
    });
    t.collectMetric({
      name: 'plugin.voices',
      value: 12,
      unit: '{voice}',
      tags: { 'plugin.name': 'synth' },
    });
    await t.shutdown();
    telemetry = undefined;

    const data = await collect(dir);
    const spans = spansOf(data);
    expect(spans.map((s) => s.span.name).sort()).toEqual(['child', 'parent']);
    const child = spans.find((s) => s.span.name === 'child')!.span;
    expect(child.traceId).toBe(traceId);
    expect(child.parentSpanId).toBe(spanId);
    expect(child.status?.code).toBe(2);

    const resource = spans[0]!.resource;
    expect(attr(resource?.attributes, 'service.name')).toBe('test-plugin');
    expect(attr(resource?.attributes, 'service.version')).toBe('2.0.1');
    expect(attr(resource?.attributes, 'session.id')).toBe(t.sessionId);
    expect(attr(resource?.attributes, 'host.name')).toBe(hostname());
    expect(attr(resource?.attributes, 'process.pid')).toBe(String(process.pid));
    expect(attr(resource?.attributes, 'os.type')).toBe('linux');
    expect(attr(resource?.attributes, 'process.command_args')).toBeUndefined();

    const logs = logsOf(data);
    const event = logs.find((l) => l.log.eventName === 'preset.change')!.log;
    expect(attr(event.attributes, 'preset.name')).toBe('Warm Pad');
    expect(event.traceId).toBe(traceId);
    expect(event.spanId).toBe(spanId);
    const error = logs.find((l) => l.log.severityText === 'ERROR')!.log;
    expect(error.severityNumber).toBe(17);
    expect(error.body?.stringValue).toBe('preset failed');
    expect(error.traceId).toBe(traceId);

    const names = new Set(metricsOf(data).map((m) => m.metric.name));
    for (const name of [
      'plugin.voices',
      'process.cpu.utilization',
      'process.cpu.time',
      'process.memory.usage',
      'otelspool.spool.records.written',
      'otelspool.spool.bytes',
    ]) {
      expect(names, name).toContain(name);
    }

    const snapshot = JSON.parse(readFileSync(join(dir, 'metrics_snapshot.json'), 'utf8'));
    expect(snapshot.sessionId).toBe(t.sessionId);
    expect(snapshot.metrics['plugin.voices'].points[0].value).toBe(12);
    expect(snapshot.metrics['process.memory.usage'].points[0].value).toBeGreaterThan(1_000_000);
    expect(statSync(join(dir, 'metrics_snapshot.json')).mode & 0o777).toBe(0o600);
  });

  it('propagates W3C trace context and baggage', async () => {
    await start();
    const tracer = trace.getTracer('test');
    const carrier: Record<string, string> = {};
    tracer.startActiveSpan('outgoing', (span) => {
      propagation.inject(context.active(), carrier);
      span.end();
    });
    expect(carrier.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const extracted = propagation.extract(context.active(), carrier);
    expect(trace.getSpanContext(extracted)?.traceId).toBe(carrier.traceparent!.split('-')[1]);
  });

  it('counts what it writes and exposes the counters', async () => {
    const { telemetry: t } = await start();
    for (let i = 0; i < 10; i++) t.event('tick', { i });
    await t.forceFlush();
    const stats = t.stats();
    expect(stats.written.records).toBeGreaterThanOrEqual(10);
    expect(stats.bytesOnDisk).toBeGreaterThan(0);
  });

  it('streams records live to subscribers in the reader shape', async () => {
    const { telemetry: t } = await start();
    const seen: string[] = [];
    const unsubscribe = t.subscribe((record) => {
      if (record.signal === 'logs') {
        forEachLogRecord(record.data, (l) => seen.push(l.eventName ?? ''));
      }
      throw new Error('a buggy subscriber must not break anything');
    });
    t.collectEvent({
      source: 'plugin.reverb',
      message: 'tail changed',
      type: 'reverb.tail',
      metadata: { seconds: 2 },
    });
    await t.forceFlush();
    unsubscribe();
    t.event('after.unsubscribe');
    await t.forceFlush();
    expect(seen).toEqual(['reverb.tail']);
  });

  it('shares one pipeline between plugin instances of one process', async () => {
    const { dir, telemetry: first } = await start();
    const second = await startTelemetry({ serviceName: 'test-plugin', dir, crash: false });
    expect(second.sessionId).toBe(first.sessionId);
    await second.shutdown();
    first.event('still.works');
    await first.forceFlush();
    const logs = logsOf(await collect(dir));
    expect(logs.some((l) => l.log.eventName === 'still.works')).toBe(true);
  });

  it('does nothing at all with OTEL_SDK_DISABLED=true', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.cleanup);
    process.env.OTEL_SDK_DISABLED = 'true';
    try {
      const t = await startTelemetry({ serviceName: 'off', dir: join(tmp.dir, 'spool') });
      t.event('ignored');
      await t.shutdown();
      expect(t.enabled).toBe(false);
      expect(existsSync(join(tmp.dir, 'spool'))).toBe(false);
    } finally {
      delete process.env.OTEL_SDK_DISABLED;
    }
  });
});
