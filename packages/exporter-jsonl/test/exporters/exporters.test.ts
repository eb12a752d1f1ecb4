import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { AggregationTemporality, InstrumentType } from '@opentelemetry/sdk-metrics';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  JsonlLogExporter,
  JsonlMetricExporter,
  JsonlSpanExporter,
  type LogsData,
  type MetricsData,
  type TracesData,
  readSpool,
  SpoolWriter,
} from '../../src/index.js';
import {
  BIG_COUNTER,
  makeLogRecords,
  makeResourceMetrics,
  makeSpans,
} from '../otlp/sdk-fixtures.js';
import { makeTempDir, removeTempDir, segmentLines } from '../writer/helpers.js';

let dir: string;
beforeEach(() => {
  dir = makeTempDir();
});
afterEach(() => {
  removeTempDir(dir);
});

function exportWith<T>(
  exporter: { export(items: T, cb: (r: ExportResult) => void): void },
  items: T,
) {
  return new Promise<ExportResult>((resolve) => exporter.export(items, resolve));
}

async function readAll(signal: 'traces' | 'metrics' | 'logs') {
  const out = [];
  for await (const r of readSpool(dir, { signals: [signal] })) out.push(r.data);
  return out;
}

describe('JSONL exporters', () => {
  it('round-trips every signal through one shared writer and the spool reader', async () => {
    const writer = new SpoolWriter({ dir, durability: 'batch' });
    const spans = new JsonlSpanExporter({ writer });
    const metrics = new JsonlMetricExporter({ writer });
    const logs = new JsonlLogExporter({ writer });
    const span = makeSpans();
    expect((await exportWith(spans, span)).code).toBe(ExportResultCode.SUCCESS);
    expect((await exportWith(metrics, await makeResourceMetrics())).code).toBe(
      ExportResultCode.SUCCESS,
    );
    expect((await exportWith(logs, await makeLogRecords())).code).toBe(ExportResultCode.SUCCESS);
    await Promise.all([spans.shutdown(), metrics.shutdown(), logs.shutdown()]);
    await writer.shutdown();

    const traces = (await readAll('traces')) as TracesData[];
    const names = traces.flatMap((t) =>
      t.resourceSpans!.flatMap((rs) =>
        rs.scopeSpans!.flatMap((ss) => ss.spans!.map((s) => s.name)),
      ),
    );
    expect(names.sort()).toEqual(span.map((s) => s.name).sort());
    const metricData = (await readAll('metrics')) as MetricsData[];
    const big = metricData[0]!.resourceMetrics![0]!.scopeMetrics![0]!.metrics!.find(
      (m) => m.name === 'big.counter',
    );
    expect(big!.sum!.dataPoints![0]!.asInt).toBe(BigInt(BIG_COUNTER).toString());
    const logData = (await readAll('logs')) as LogsData[];
    expect(logData[0]!.resourceLogs![0]!.scopeLogs![0]!.logRecords).toHaveLength(4);
  });

  it('slices a large batch into several lines and reports success after the write', async () => {
    const exporter = new JsonlSpanExporter({ dir, durability: 'batch' });
    const base = makeSpans();
    const many = Array.from({ length: 3000 }, (_, i) => base[i % base.length]!);
    const result = await exportWith(exporter, many);
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    // success means on disk already, before any flush or shutdown
    const lines = segmentLines(dir, 'traces');
    expect(lines.length).toBeGreaterThan(1);
    let count = 0;
    for (const line of lines) {
      for (const rs of JSON.parse(line).resourceSpans)
        for (const ss of rs.scopeSpans) count += ss.spans.length;
    }
    expect(count).toBe(3000);
    expect(exporter.stats().exported).toBe(3000);
    await exporter.shutdown();
  });

  it('reports FAILED (never throws) when the writer drops the batch', async () => {
    const exporter = new JsonlSpanExporter({ dir, maxQueueBytes: 10 });
    const result = await exportWith(exporter, makeSpans());
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(result.error).toBeInstanceOf(Error);
    expect(exporter.stats().failed).toBe(3);
    expect(exporter.stats().writer.dropped.queue_full).toBeGreaterThan(0);
    await exporter.shutdown();
    const after = await exportWith(exporter, makeSpans());
    expect(after.code).toBe(ExportResultCode.FAILED);
  });

  it('writes pending batches synchronously on flushSync', () => {
    const exporter = new JsonlLogExporter({ dir, durability: 'batch' });
    return makeLogRecords().then((records) => {
      const many = Array.from({ length: 2000 }, (_, i) => records[i % records.length]!);
      exporter.export(many, () => undefined);
      exporter.flushSync();
      let count = 0;
      for (const line of segmentLines(dir, 'logs')) {
        for (const rl of JSON.parse(line).resourceLogs)
          for (const sl of rl.scopeLogs) count += sl.logRecords.length;
      }
      expect(count).toBe(2000);
    });
  });

  it('defaults metric temporality to cumulative, configurable per instrument', () => {
    const cumulative = new JsonlMetricExporter({ dir });
    expect(cumulative.selectAggregationTemporality(InstrumentType.COUNTER)).toBe(
      AggregationTemporality.CUMULATIVE,
    );
    const delta = new JsonlMetricExporter({
      dir,
      temporalitySelector: () => AggregationTemporality.DELTA,
    });
    expect(delta.selectAggregationTemporality(InstrumentType.HISTOGRAM)).toBe(
      AggregationTemporality.DELTA,
    );
    return Promise.all([cumulative.shutdown(), delta.shutdown()]);
  });
});

describe('JsonlSpanExporter line size', () => {
  it('splits a batch into lines the Collector accepts (< 1 MiB each), losing nothing', async () => {
    const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } =
      await import('@opentelemetry/sdk-trace-base');
    const memory = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
    const tracer = provider.getTracer('big');
    // 700 spans of ~8 KiB: one batch of 700 would be a 5.6 MiB line
    for (let i = 0; i < 700; i++)
      tracer.startSpan(`s${i}`, { attributes: { blob: 'b'.repeat(8192) } }).end();
    const exporter = new JsonlSpanExporter({ dir, durability: 'none' });
    expect((await exportWith(exporter, memory.getFinishedSpans())).code).toBe(
      ExportResultCode.SUCCESS,
    );
    await exporter.shutdown();
    const lines = segmentLines(dir, 'traces');
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) expect(Buffer.byteLength(line) + 1).toBeLessThan(1024 * 1024);
    const traces = (await readAll('traces')) as TracesData[];
    const names = traces.flatMap((t) =>
      t.resourceSpans!.flatMap((rs) =>
        rs.scopeSpans!.flatMap((ss) => ss.spans!.map((s) => s.name)),
      ),
    );
    expect(new Set(names).size).toBe(700);
  });
});
