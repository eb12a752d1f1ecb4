import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeTraces, listSegments, SpoolWriter, type TracesData } from '../../src/index.js';
import { collect, quarantined, removeSpool, tempSpool } from './helpers.js';

let dir: string;
beforeEach(() => {
  dir = tempSpool();
});
afterEach(() => {
  removeSpool(dir);
});

describe('reading what the spool writer wrote', () => {
  it('returns every span of a real SDK pipeline once, across rotated and gzipped segments', async () => {
    // Real SDK spans, encoded by our encoder and written by our writer in batches of 20 (the
    // exporters' callback plumbing is tested with them; this is about the bytes on disk).
    const memory = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
    const tracer = provider.getTracer('round-trip', '1.0.0');
    const expected = new Map<string, { traceId: string; name: string }>();
    for (let i = 0; i < 600; i++) {
      const span = tracer.startSpan(`op-${i}`, {
        attributes: { 'block.index': i, 'block.big': 2 ** 60 },
      });
      const ctx = span.spanContext();
      expected.set(ctx.spanId, { traceId: ctx.traceId, name: `op-${i}` });
      span.end();
    }
    await provider.forceFlush();
    const spans = memory.getFinishedSpans();
    expect(spans).toHaveLength(600);
    const writer = new SpoolWriter({
      dir,
      durability: 'none',
      maxSegmentBytes: 16 * 1024,
      compressSealed: true,
    });
    for (let i = 0; i < spans.length; i += 20) {
      expect(writer.append('traces', encodeTraces(spans.slice(i, i + 20)), 20)).toBe(true);
    }
    await writer.flush();
    await writer.shutdown();
    await provider.shutdown();

    const records = await collect(dir, { signals: ['traces'] });
    const seen = new Map<string, { traceId: string; name: string }>();
    for (const record of records) {
      for (const rs of (record.data as TracesData).resourceSpans) {
        for (const ss of rs.scopeSpans ?? []) {
          expect(ss.scope?.name).toBe('round-trip');
          for (const span of ss.spans ?? []) {
            expect(seen.has(span.spanId)).toBe(false);
            seen.set(span.spanId, { traceId: span.traceId, name: span.name ?? '' });
            const big = span.attributes?.find((a) => a.key === 'block.big');
            expect(big?.value).toEqual({ intValue: '1152921504606846976' });
          }
        }
      }
    }
    expect(seen).toEqual(expected);
    const segments = await listSegments(dir, ['traces']);
    expect(segments.length).toBeGreaterThan(1);
    expect(segments.some((s) => s.compressed)).toBe(true); // sealed segments were gzipped
    expect(new Set(records.map((r) => r.segment)).size).toBe(segments.length);
    expect(quarantined(dir)).toEqual([]);
  });
});
