import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { JsonlSpanExporter } from '@otelspool/exporter-jsonl';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SpoolSpanProcessor, UNFINISHED_SPAN_ATTRIBUTE } from '../../src/processors/index.js';

/** A real exporter double that records batches and completes when told to. */
class RecordingExporter implements SpanExporter {
  flushSync?: (spans?: readonly ReadableSpan[]) => void;
  readonly batches: ReadableSpan[][] = [];
  readonly pending: ((r: ExportResult) => void)[] = [];
  autoComplete = true;
  export(spans: ReadableSpan[], cb: (r: ExportResult) => void): void {
    this.batches.push(spans);
    if (this.autoComplete) cb({ code: ExportResultCode.SUCCESS });
    else this.pending.push(cb);
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

interface SpanJson {
  name: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes?: { key: string; value: unknown }[];
}
interface TracesJson {
  resourceSpans: { scopeSpans: { spans: SpanJson[] }[] }[];
}

function setup(processor: SpoolSpanProcessor) {
  const provider = new BasicTracerProvider({ spanProcessors: [processor] });
  return provider.getTracer('test');
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'otelspool-processor-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('SpoolSpanProcessor', () => {
  it('drops and counts exactly what does not fit in the queue', async () => {
    const exporter = new RecordingExporter();
    exporter.autoComplete = false;
    const processor = new SpoolSpanProcessor(exporter, {
      maxQueueSize: 10,
      maxExportBatchSize: 5,
      maxConcurrentExports: 1,
    });
    const tracer = setup(processor);
    for (let i = 0; i < 25; i++) tracer.startSpan(`s${i}`).end();
    // 5 went out as the first batch (in flight), 10 wait in the queue, 10 were dropped
    expect(processor.stats()).toMatchObject({ queued: 10, dropped: 10, exported: 0 });
    exporter.autoComplete = true;
    for (const cb of exporter.pending.splice(0)) cb({ code: ExportResultCode.SUCCESS });
    await processor.forceFlush();
    expect(processor.stats()).toMatchObject({ queued: 0, dropped: 10, exported: 15, failed: 0 });
    expect(exporter.batches.flat().map((s) => s.name)).toEqual(
      [...Array(15).keys()].map((i) => `s${i}`),
    );
  });

  it('exports a partial batch after scheduledDelayMillis and everything on forceFlush', async () => {
    const exporter = new RecordingExporter();
    const processor = new SpoolSpanProcessor(exporter, { scheduledDelayMillis: 10 });
    const tracer = setup(processor);
    tracer.startSpan('one').end();
    await new Promise((r) => setTimeout(r, 50));
    expect(exporter.batches.flat().map((s) => s.name)).toEqual(['one']);
    tracer.startSpan('two').end();
    await processor.forceFlush();
    expect(processor.stats().exported).toBe(2);
    await processor.shutdown();
    tracer.startSpan('after-shutdown').end();
    expect(processor.stats().queued).toBe(0);
  });

  it('counts failed exports and a thrown exporter without throwing itself', async () => {
    const processor = new SpoolSpanProcessor(
      {
        export: () => {
          throw new Error('exporter bug');
        },
        shutdown: () => Promise.resolve(),
      },
      { maxExportBatchSize: 2 },
    );
    const tracer = setup(processor);
    expect(() => {
      for (let i = 0; i < 4; i++) tracer.startSpan('x').end();
    }).not.toThrow();
    await processor.forceFlush();
    expect(processor.stats()).toMatchObject({ failed: 4, exported: 0 });
  });

  it('flushSync writes queued spans and, with trackOpenSpans, the spans still open', () => {
    const exporter = new JsonlSpanExporter({ dir, durability: 'batch' });
    const processor = new SpoolSpanProcessor(exporter, {
      trackOpenSpans: true,
      scheduledDelayMillis: 60_000,
    });
    const tracer = setup(processor);
    const open = tracer.startSpan('still-open', { attributes: { a: 1 } });
    tracer.startSpan('ended').end();
    expect(processor.stats()).toMatchObject({ queued: 1, open: 1 });
    processor.flushSync({ includeOpenSpans: true });
    // on disk synchronously, before any await
    const files = readdirSync(join(dir, 'traces'));
    const spans = files.flatMap((f) =>
      readFileSync(join(dir, 'traces', f), 'utf8')
        .split('\n')
        .filter(Boolean)
        .flatMap((l) =>
          (JSON.parse(l) as TracesJson).resourceSpans.flatMap((rs) =>
            rs.scopeSpans.flatMap((ss) => ss.spans),
          ),
        ),
    );
    const byName = new Map(spans.map((s) => [s.name, s]));
    expect([...byName.keys()].sort()).toEqual(['ended', 'still-open']);
    const unfinished = byName.get('still-open')!;
    expect(unfinished.attributes).toContainEqual({
      key: UNFINISHED_SPAN_ATTRIBUTE,
      value: { boolValue: true },
    });
    expect(unfinished.attributes).toContainEqual({ key: 'a', value: { intValue: '1' } });
    expect(BigInt(unfinished.endTimeUnixNano) >= BigInt(unfinished.startTimeUnixNano)).toBe(true);
    expect(byName.get('ended')!.attributes ?? []).not.toContainEqual(
      expect.objectContaining({ key: UNFINISHED_SPAN_ATTRIBUTE }),
    );
    // the live span is untouched and still ends normally
    expect(open.isRecording()).toBe(true);
    open.end();
    expect(processor.stats().open).toBe(0);
    return processor.shutdown();
  });

  it('keeps tracking the open spans among thousands of ended ones', () => {
    const exporter = new RecordingExporter();
    const processor = new SpoolSpanProcessor(exporter, {
      trackOpenSpans: true,
      maxQueueSize: 100_000,
      maxExportBatchSize: 100_000,
      scheduledDelayMillis: 60_000,
    });
    const tracer = setup(processor);
    // Spans opened early must survive the sweeps that drop ended spans from the tracking list.
    const open = [tracer.startSpan('open-0'), tracer.startSpan('open-1')];
    for (let i = 0; i < 5000; i++) {
      tracer.startSpan(`ended-${i}`).end();
      if (i === 2500) open.push(tracer.startSpan('open-2'));
    }
    expect(processor.stats().open).toBe(3);
    open[1]!.end();
    expect(processor.stats().open).toBe(2);
    const flushed: string[] = [];
    exporter.flushSync = (spans) => {
      for (const s of spans ?? [])
        if (s.attributes[UNFINISHED_SPAN_ATTRIBUTE]) flushed.push(s.name);
    };
    processor.flushSync({ includeOpenSpans: true });
    expect(flushed.sort()).toEqual(['open-0', 'open-2']);
    return processor.shutdown();
  });
});

describe('SpoolSpanProcessor open-span tracking', () => {
  it('keeps the newest maxOpenSpans open spans, writes them at a crash, and forgets ended ones', () => {
    const exporter = new RecordingExporter();
    const flushed: ReadableSpan[] = [];
    exporter.flushSync = (spans) => flushed.push(...(spans ?? []));
    const processor = new SpoolSpanProcessor(exporter, { trackOpenSpans: true, maxOpenSpans: 3 });
    const tracer = setup(processor);
    const ended = tracer.startSpan('ended');
    const open = Array.from({ length: 5 }, (_, i) => tracer.startSpan(`open-${i}`));
    ended.end();
    // Five still open over a bound of three: the two oldest open ones are forgotten. The span
    // that ended is not counted: it ended before the tracking had to forget anything.
    expect(processor.stats()).toMatchObject({ open: 3, openUntracked: 2 });
    processor.flushSync({ includeOpenSpans: true });
    expect(flushed.map((s) => s.name).sort()).toEqual(['ended', 'open-2', 'open-3', 'open-4']);
    const unfinished = flushed.filter((s) => s.attributes[UNFINISHED_SPAN_ATTRIBUTE] === true);
    expect(unfinished.map((s) => s.name).sort()).toEqual(['open-2', 'open-3', 'open-4']);
    for (const span of open) span.end();
    expect(processor.stats().open).toBe(0);
  });
});
