import { randomBytes } from 'node:crypto';
import { ROOT_CONTEXT, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import {
  AggregationTemporality,
  MeterProvider,
  MetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  SimpleLogRecordProcessor,
  type ReadableLogRecord,
} from '@opentelemetry/sdk-logs';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import {
  JsonlLogExporter,
  JsonlMetricExporter,
  JsonlSpanExporter,
  SpoolWriter,
} from '@otelspool/exporter-jsonl';

/**
 * A spool written with known content: the names the product emits (TELEMETRY_GUIDE.md, "What is recorded"), a crash
 * trace with an exception event, and a FATAL crash log record. Every expectation the interop tests
 * assert (ids, counts, names, attributes) is read back from here.
 */
export interface SpoolFixture {
  dir: string;
  serviceName: string;
  hostName: string;
  sessionId: string;
  spans: ExpectedSpan[];
  traceIds: string[];
  metrics: ExpectedMetric[];
  logs: ExpectedLog[];
}

export interface ExpectedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  attributes: Attributes;
  eventNames: string[];
  statusCode: SpanStatusCode;
}

export interface ExpectedMetric {
  name: string;
  unit: string;
  kind: 'gauge' | 'sum' | 'histogram';
  /** One entry per data point: its attributes. */
  points: Attributes[];
  /** Histogram only: number of recorded values per point. */
  histogramCount?: number;
}

export interface ExpectedLog {
  eventName: string;
  severityNumber: SeverityNumber;
  severityText: string;
  body: string;
  attributes: Record<string, unknown>;
  /** Hex trace and span id of the span the record was emitted in; '' when none. */
  traceId: string;
  spanId: string;
}

/** The exact values the fixture records, so tests can assert on them too. */
export const FIXTURE_VALUES = {
  cpuUtilization: 0.25,
  memoryUsage: 123_456_789,
  spoolBytes: 65_536,
  recordsWritten: 42,
  dropped: { queue_full: 3, spool_full: 1 },
  evicted: { shipped: 5, unshipped: 2 },
  blockDurationsMs: [0.5, 1.2, 3, 7, 20],
  xruns: 2,
  syncRecordsSent: 10,
  syncRequestsFailed: 1,
} as const;

class CollectOnceReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

export type FixtureSignal = 'traces' | 'metrics' | 'logs';

/** Records the fixture and writes the requested signals (default all three) into spool `dir`. */
export async function writeFixtureSpool(
  dir: string,
  signals: readonly FixtureSignal[] = ['traces', 'metrics', 'logs'],
): Promise<SpoolFixture> {
  const serviceName = `interop-plugin-${randomBytes(4).toString('hex')}`;
  const hostName = 'interop-host';
  const sessionId = randomBytes(8).toString('hex');
  const resource = resourceFromAttributes({
    'service.name': serviceName,
    'service.version': '1.4.2',
    'host.name': hostName,
    'os.type': 'linux',
    'session.id': sessionId,
  });

  const spans = recordSpans(resource);
  const resourceMetrics = await recordMetrics(resource);
  const logRecords = recordLogs(resource, spans);

  await writeSegments(
    dir,
    signals.includes('traces') ? spans : undefined,
    signals.includes('metrics') ? resourceMetrics : undefined,
    signals.includes('logs') ? logRecords : undefined,
  );

  return {
    dir,
    serviceName,
    hostName,
    sessionId,
    spans: spans.map((span) => ({
      traceId: span.spanContext().traceId,
      spanId: span.spanContext().spanId,
      parentSpanId: span.parentSpanContext?.spanId ?? '',
      name: span.name,
      attributes: span.attributes,
      eventNames: span.events.map((event) => event.name),
      statusCode: span.status.code,
    })),
    traceIds: [...new Set(spans.map((span) => span.spanContext().traceId))],
    metrics: expectedMetrics(),
    logs: logRecords.map((record) => ({
      eventName: record.eventName ?? '',
      severityNumber: record.severityNumber ?? SeverityNumber.UNSPECIFIED,
      severityText: record.severityText ?? '',
      body: String(record.body),
      attributes: record.attributes,
      traceId: record.spanContext?.traceId ?? '',
      spanId: record.spanContext?.spanId ?? '',
    })),
  };
}

function recordSpans(resource: ReturnType<typeof resourceFromAttributes>): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource,
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('otelspool-interop', '1.0.0');
  const t0 = Date.now() - 60_000;

  // Trace 1: a plugin session that crashes inside a block.
  const session = tracer.startSpan('session', {
    startTime: t0,
    attributes: { 'plugin.name': 'Warm Pad', 'session.kind': 'interactive' },
  });
  const inSession = trace.setSpan(ROOT_CONTEXT, session);
  const load = tracer.startSpan(
    'plugin.load',
    { startTime: t0 + 1, attributes: { 'plugin.format': 'vst3' } },
    inSession,
  );
  load.end(t0 + 15);
  for (let index = 0; index < 3; index += 1) {
    const block = tracer.startSpan(
      'process_block',
      {
        startTime: t0 + 20 + index * 10,
        attributes: { 'block.index': index, 'block.frames': 512 },
      },
      inSession,
    );
    if (index === 2) {
      const error = new TypeError('Cannot read properties of undefined (reading "gain")');
      block.recordException(error, t0 + 25 + index * 10);
      block.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
    }
    block.end(t0 + 26 + index * 10);
  }
  session.end(t0 + 60);

  // Trace 2: a separate, successful preset change.
  const preset = tracer.startSpan('preset.change', {
    startTime: t0 + 100,
    attributes: { 'preset.name': 'Glass Keys' },
  });
  preset.end(t0 + 103);

  return exporter.getFinishedSpans();
}

async function recordMetrics(
  resource: ReturnType<typeof resourceFromAttributes>,
): Promise<ResourceMetrics> {
  const reader = new CollectOnceReader();
  const provider = new MeterProvider({ resource, readers: [reader] });
  const meter = provider.getMeter('otelspool-interop', '1.0.0');
  const v = FIXTURE_VALUES;
  meter.createGauge('process.cpu.utilization', { unit: '1' }).record(v.cpuUtilization);
  // The SDK reports memory as an (observable) UpDownCounter: a non-monotonic sum.
  meter.createUpDownCounter('process.memory.usage', { unit: 'By' }).add(v.memoryUsage);
  meter.createGauge('otelspool.spool.bytes', { unit: 'By' }).record(v.spoolBytes);
  meter
    .createCounter('otelspool.spool.records.written', { unit: '{record}' })
    .add(v.recordsWritten);
  const dropped = meter.createCounter('otelspool.spool.records.dropped', { unit: '{record}' });
  dropped.add(v.dropped.queue_full, { reason: 'queue_full' });
  dropped.add(v.dropped.spool_full, { reason: 'spool_full' });
  const evicted = meter.createCounter('otelspool.spool.records.evicted', { unit: '{record}' });
  evicted.add(v.evicted.shipped, { shipped: true });
  evicted.add(v.evicted.unshipped, { shipped: false });
  const block = meter.createHistogram('plugin.block.duration', { unit: 'ms' });
  for (const ms of v.blockDurationsMs) block.record(ms);
  meter.createCounter('plugin.xruns', { unit: '{xrun}' }).add(v.xruns);
  meter.createCounter('otelspool.sync.records.sent', { unit: '{record}' }).add(v.syncRecordsSent);
  meter
    .createCounter('otelspool.sync.requests.failed', { unit: '{request}' })
    .add(v.syncRequestsFailed);
  const { resourceMetrics, errors } = await reader.collect();
  if (errors.length > 0) throw new Error(`metric collection failed: ${String(errors[0])}`);
  await provider.shutdown();
  return resourceMetrics;
}

function expectedMetrics(): ExpectedMetric[] {
  return [
    { name: 'process.cpu.utilization', unit: '1', kind: 'gauge', points: [{}] },
    { name: 'process.memory.usage', unit: 'By', kind: 'sum', points: [{}] },
    { name: 'otelspool.spool.bytes', unit: 'By', kind: 'gauge', points: [{}] },
    { name: 'otelspool.spool.records.written', unit: '{record}', kind: 'sum', points: [{}] },
    {
      name: 'otelspool.spool.records.dropped',
      unit: '{record}',
      kind: 'sum',
      points: [{ reason: 'queue_full' }, { reason: 'spool_full' }],
    },
    {
      name: 'otelspool.spool.records.evicted',
      unit: '{record}',
      kind: 'sum',
      points: [{ shipped: true }, { shipped: false }],
    },
    {
      name: 'plugin.block.duration',
      unit: 'ms',
      kind: 'histogram',
      points: [{}],
      histogramCount: FIXTURE_VALUES.blockDurationsMs.length,
    },
    { name: 'plugin.xruns', unit: '{xrun}', kind: 'sum', points: [{}] },
    { name: 'otelspool.sync.records.sent', unit: '{record}', kind: 'sum', points: [{}] },
    { name: 'otelspool.sync.requests.failed', unit: '{request}', kind: 'sum', points: [{}] },
  ];
}

/**
 * The log records of the fixture, each emitted inside the span it belongs to (so it carries that
 * span's trace and span id, as the SDK and @otelspool/crash record them), except `session.end`,
 * which has no trace context.
 */
function recordLogs(
  resource: ReturnType<typeof resourceFromAttributes>,
  spans: readonly ReadableSpan[],
): ReadableLogRecord[] {
  const inSpan = (name: string, index = 0) => {
    const span = spans.filter((s) => s.name === name)[index];
    if (span === undefined) throw new Error(`fixture has no span ${name}[${index}]`);
    return { context: trace.setSpanContext(ROOT_CONTEXT, span.spanContext()) };
  };
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({
    resource,
    processors: [new SimpleLogRecordProcessor({ exporter })],
  });
  const logger = provider.getLogger('otelspool-interop', '1.0.0');
  const info = { severityNumber: SeverityNumber.INFO, severityText: 'INFO' };
  logger.emit({
    ...info,
    ...inSpan('session'),
    eventName: 'session.start',
    body: 'session started',
  });
  logger.emit({
    ...info,
    ...inSpan('plugin.load'),
    eventName: 'plugin.load',
    body: 'plugin loaded',
    attributes: { 'plugin.name': 'Warm Pad' },
  });
  logger.emit({
    ...info,
    ...inSpan('preset.change'),
    eventName: 'preset.change',
    body: 'preset changed',
    attributes: { 'preset.name': 'Glass Keys' },
  });
  for (let index = 0; index < 2; index += 1) {
    logger.emit({
      ...inSpan('process_block', index),
      severityNumber: SeverityNumber.WARN,
      severityText: 'WARN',
      eventName: 'buffer.underrun',
      body: 'buffer underrun',
      attributes: { 'buffer.frames': 512 },
    });
  }
  logger.emit({
    ...inSpan('process_block', 2),
    severityNumber: SeverityNumber.FATAL,
    severityText: 'FATAL',
    eventName: 'app.crash',
    body: 'uncaught TypeError',
    attributes: {
      'exception.type': 'TypeError',
      'exception.message': 'Cannot read properties of undefined (reading "gain")',
    },
  });
  logger.emit({ ...info, eventName: 'session.end', body: 'session ended' });
  return exporter.getFinishedLogRecords();
}

/**
 * Writes the records through the product's own writer: the three @otelspool/exporter-jsonl
 * exporters sharing one SpoolWriter (the SDK's setup), so the segments are byte for byte what an
 * instrumented app leaves on disk.
 */
async function writeSegments(
  dir: string,
  spans: ReadableSpan[] | undefined,
  resourceMetrics: ResourceMetrics | undefined,
  logRecords: ReadableLogRecord[] | undefined,
): Promise<void> {
  const writer = new SpoolWriter({ dir, durability: 'batch' });
  const exporters = {
    traces: new JsonlSpanExporter({ writer }),
    metrics: new JsonlMetricExporter({ writer }),
    logs: new JsonlLogExporter({ writer }),
  };
  const pending: Promise<ExportResult>[] = [];
  if (spans !== undefined) {
    pending.push(new Promise((resolve) => exporters.traces.export(spans, resolve)));
  }
  if (resourceMetrics !== undefined) {
    pending.push(new Promise((resolve) => exporters.metrics.export(resourceMetrics, resolve)));
  }
  if (logRecords !== undefined) {
    pending.push(new Promise((resolve) => exporters.logs.export(logRecords, resolve)));
  }
  const results = await Promise.all(pending);
  await Promise.all(Object.values(exporters).map((exporter) => exporter.shutdown()));
  await writer.shutdown();
  const failed = results.find((result) => result.code !== ExportResultCode.SUCCESS);
  if (failed !== undefined) throw new Error(`spool exporter failed: ${String(failed.error)}`);
}
