import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { createOtlpReceiver, type OtlpReceiver } from '../../src/receiver/receiver.js';
import { logsOf, metricsOf, readAll, spansOf } from '../helpers/read-all.js';

let dir: string;
let receiver: OtlpReceiver;
let url: string;
const resource = resourceFromAttributes({ 'service.name': 'official-exporter-test' });

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'receiver-'));
  receiver = createOtlpReceiver({ dir, port: 0 });
  url = await receiver.listen();
});
afterEach(async () => {
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.each([
  ['http/json', JsonTraceExporter, JsonLogExporter, JsonMetricExporter],
  ['http/protobuf', ProtoTraceExporter, ProtoLogExporter, ProtoMetricExporter],
] as const)(
  'official OpenTelemetry JS %s exporters → spool serve',
  (_name, TraceExporter, LogExporter, MetricExporter) => {
    it('every span arrives intact', async () => {
      const provider = new BasicTracerProvider({
        resource,
        spanProcessors: [new SimpleSpanProcessor(new TraceExporter({ url: `${url}/v1/traces` }))],
      });
      const tracer = provider.getTracer('test-tracer', '1.2.3');
      const ids: string[] = [];
      for (let i = 0; i < 25; i++) {
        const span = tracer.startSpan(`op-${i}`, {
          attributes: { i: i, big: 2 ** 53 + 2, f: 1.25, ok: true, s: `v${i}`, arr: ['a', 'b'] },
        });
        span.addEvent('ev', { k: 'v' });
        if (i % 5 === 0) span.setStatus({ code: SpanStatusCode.ERROR, message: 'bad' });
        ids.push(span.spanContext().spanId);
        span.end();
      }
      await provider.forceFlush();
      await provider.shutdown();
      await receiver.close();
      const spans = spansOf(await readAll(dir, 'traces'));
      expect(spans.map((s) => s.spanId).sort()).toEqual(ids.sort());
      const s7 = spans.find((s) => s.name === 'op-7');
      const attr = (k: string) => s7?.attributes?.find((a) => a.key === k)?.value;
      expect(attr('i')).toEqual({ intValue: '7' });
      expect(attr('f')).toEqual({ doubleValue: 1.25 });
      expect(attr('ok')).toEqual({ boolValue: true });
      expect(attr('s')).toEqual({ stringValue: 'v7' });
      expect(attr('arr')?.arrayValue?.values).toEqual([{ stringValue: 'a' }, { stringValue: 'b' }]);
      expect(s7?.events?.[0]?.name).toBe('ev');
      expect(spans.find((s) => s.name === 'op-5')?.status).toMatchObject({
        code: 2,
        message: 'bad',
      });
      expect(receiver.stats.accepted.traces).toBe(25);
    });

    it('every log record arrives intact', async () => {
      const provider = new LoggerProvider({
        resource,
        processors: [
          new SimpleLogRecordProcessor({ exporter: new LogExporter({ url: `${url}/v1/logs` }) }),
        ],
      });
      const logger = provider.getLogger('test-logger');
      for (let i = 0; i < 30; i++) {
        logger.emit({
          severityNumber: i % 2 ? 9 : 21,
          severityText: i % 2 ? 'INFO' : 'FATAL',
          body: `log ${i}`,
          attributes: { n: i },
        });
      }
      await provider.forceFlush();
      await provider.shutdown();
      await receiver.close();
      const logs = logsOf(await readAll(dir, 'logs'));
      expect(logs.map((l) => l.body?.stringValue).sort()).toEqual(
        Array.from({ length: 30 }, (_, i) => `log ${i}`).sort(),
      );
      const l4 = logs.find((l) => l.body?.stringValue === 'log 4');
      expect(l4).toMatchObject({ severityNumber: 21, severityText: 'FATAL' });
      expect(l4?.attributes).toEqual([{ key: 'n', value: { intValue: '4' } }]);
    });

    it('every metric point arrives intact', async () => {
      const reader = new PeriodicExportingMetricReader({
        exporter: new MetricExporter({ url: `${url}/v1/metrics` }),
        exportIntervalMillis: 3_600_000,
      });
      const provider = new MeterProvider({ resource, readers: [reader] });
      const meter = provider.getMeter('test-meter');
      const counter = meter.createCounter('jobs');
      const histogram = meter.createHistogram('latency', { unit: 'ms' });
      for (let i = 0; i < 10; i++) counter.add(i + 1, { kind: i % 2 ? 'odd' : 'even' });
      for (const v of [1, 5, 50, 500]) histogram.record(v);
      await provider.forceFlush();
      await provider.shutdown();
      await receiver.close();
      const metrics = metricsOf(await readAll(dir, 'metrics'));
      const jobs = metrics.find((m) => m.name === 'jobs');
      const byKind = Object.fromEntries(
        (jobs?.sum?.dataPoints ?? []).map((p) => [
          p.attributes?.[0]?.value?.stringValue,
          Number(p.asDouble ?? p.asInt),
        ]),
      );
      expect(byKind).toEqual({ even: 1 + 3 + 5 + 7 + 9, odd: 2 + 4 + 6 + 8 + 10 });
      const latency = metrics.find((m) => m.name === 'latency');
      const hp = latency?.histogram?.dataPoints?.[0];
      expect(Number(hp?.count)).toBe(4);
      expect(hp?.sum).toBe(556);
    });
  },
);
