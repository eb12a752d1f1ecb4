// Real SDK objects for the encoder and exporter tests, made by the SDK itself (not mocks).
import {
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  ValueType,
  context,
  trace,
} from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { TraceState } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import type { LogRecordProcessor, ReadableLogRecord, SdkLogRecord } from '@opentelemetry/sdk-logs';
import { AggregationType, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

export const resource = resourceFromAttributes({
  'service.name': 'encoder-test',
  'service.version': '1.2.3',
  'host.arch': 'amd64',
});

export const BIG_COUNTER = 2 ** 53 + 2;

/** A remote parent context, as a W3C propagator would extract it (uppercase id on purpose). */
function remoteParent(): Context {
  return trace.setSpanContext(context.active(), {
    traceId: '0AF7651916CD43DD8448EB211C80319C',
    spanId: 'B7AD6B7169203331',
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
    traceState: new TraceState('vendor=abc,other=1'),
  });
}

export function makeSpans(): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource,
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('scope-a', '0.1.0');
  const other = provider.getTracer('scope-b');

  const root = tracer.startSpan(
    'root',
    { kind: SpanKind.SERVER, attributes: { 'http.method': 'GET' } },
    remoteParent(),
  );
  root.setAttributes({
    str: 'a "quoted"\nline\u2028 é 🎛',
    int: 42,
    negative: -7,
    big: 2 ** 60,
    double: 0.25,
    nan: Number.NaN,
    inf: Number.POSITIVE_INFINITY,
    bool: false,
    strings: ['x', 'y'],
    ints: [1, 2, 3],
    mixedNulls: ['a', null, 'b'] as string[],
  });
  root.addEvent('cache.miss', { key: 'preset:42' });
  root.addEvent('no-attrs');
  const rootCtx = trace.setSpan(context.active(), root);
  const child = tracer.startSpan(
    'child',
    {
      kind: SpanKind.CLIENT,
      links: [{ context: root.spanContext(), attributes: { 'link.kind': 'follows' } }],
    },
    rootCtx,
  );
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
  child.end();
  const internal = other.startSpan('internal');
  internal.setStatus({ code: SpanStatusCode.OK });
  internal.end();
  root.end();
  return exporter.getFinishedSpans();
}

class CollectingReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export async function makeResourceMetrics(): Promise<ResourceMetrics> {
  const reader = new CollectingReader();
  const provider = new MeterProvider({
    resource,
    readers: [reader],
    views: [
      {
        instrumentName: 'latency.exp',
        aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM },
      },
    ],
  });
  const meter = provider.getMeter('metrics-scope', '2.0.0');
  meter
    .createCounter('big.counter', { valueType: ValueType.INT, unit: '{item}' })
    .add(BIG_COUNTER, { k: 'v' });
  meter.createCounter('double.counter', { description: 'a double sum' }).add(1.5);
  meter.createUpDownCounter('updown', { valueType: ValueType.INT }).add(-3);
  meter.createGauge('temperature').record(21.5, { room: 'studio' });
  const h = meter.createHistogram('latency', { unit: 'ms' });
  for (const v of [1, 5, 12, 250, 4000]) h.record(v);
  const e = meter.createHistogram('latency.exp');
  for (const v of [0, 0.5, 3, 7, 1e6]) e.record(v);
  meter.createObservableGauge('observed').addCallback((r) => r.observe(7, { a: 1 }));
  const { resourceMetrics, errors } = await reader.collect();
  if (errors.length) throw new Error(String(errors[0]));
  await provider.shutdown();
  return resourceMetrics;
}

/** Keeps every emitted record (the SDK's own in-memory pipeline exports asynchronously). */
class CollectingLogProcessor implements LogRecordProcessor {
  readonly records: ReadableLogRecord[] = [];
  onEmit(record: SdkLogRecord): void {
    this.records.push(record);
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export async function makeLogRecords(): Promise<ReadableLogRecord[]> {
  const collector = new CollectingLogProcessor();
  const provider = new LoggerProvider({ resource, processors: [collector] });
  const logger = provider.getLogger('log-scope', '3.0.0');
  logger.emit({
    severityNumber: SeverityNumber.INFO,
    severityText: 'INFO',
    body: 'hello',
    attributes: { a: 1 },
  });
  logger.emit({
    severityNumber: SeverityNumber.FATAL,
    body: { nested: { list: [1, 'two', true, null], bytes: new Uint8Array([1, 2, 255]) }, n: 1.5 },
    eventName: 'app.crash',
    context: trace.setSpanContext(context.active(), {
      traceId: '5b8efff798038103d269b633813fc60c',
      spanId: 'eee19b7ec3c1b174',
      traceFlags: TraceFlags.SAMPLED,
    }),
  });
  logger.emit({ body: new Uint8Array([0, 1, 2]) });
  logger.emit({});
  await provider.forceFlush();
  return collector.records;
}
