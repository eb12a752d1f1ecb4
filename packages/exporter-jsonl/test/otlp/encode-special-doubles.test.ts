// Issue 11 items 12 and 14 in the SDK encoders (the hand-written OTLP/JSON hot path): NaN and
// ±Infinity as the proto3 JSON strings, -0 with its sign, through real SDK objects.
import { describe, expect, it } from 'vitest';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { encodeMetrics, encodeTraces, parseOtlpJson } from '../../src/index.js';

class Reader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

describe('SDK encoders: special doubles', () => {
  it('span attributes NaN, ±Infinity and -0', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    provider
      .getTracer('t')
      .startSpan('s', {
        attributes: { nan: NaN, inf: Infinity, ninf: -Infinity, negzero: -0, zero: 0 },
      })
      .end();
    const line = encodeTraces(exporter.getFinishedSpans());
    await provider.shutdown();
    expect(line).toContain('{"key":"nan","value":{"doubleValue":"NaN"}}');
    expect(line).toContain('{"key":"inf","value":{"doubleValue":"Infinity"}}');
    expect(line).toContain('{"key":"ninf","value":{"doubleValue":"-Infinity"}}');
    expect(line).toContain('{"key":"negzero","value":{"doubleValue":-0}}'); // before: intValue "0"
    expect(line).toContain('{"key":"zero","value":{"intValue":"0"}}');
    const r = parseOtlpJson('traces', line);
    if (!r.ok) throw new Error(r.reason);
    const attrs = r.data.resourceSpans[0]!.scopeSpans![0]!.spans![0]!.attributes!;
    expect(Object.is(attrs.find((a) => a.key === 'negzero')!.value!.doubleValue, -0)).toBe(true);
  });

  it('gauge points NaN and -0', async () => {
    const reader = new Reader();
    const provider = new MeterProvider({ readers: [reader] });
    const meter = provider.getMeter('m');
    meter.createGauge('g.negzero').record(-0);
    meter.createGauge('g.nan').record(NaN);
    const { resourceMetrics } = await reader.collect();
    await provider.shutdown();
    const line = encodeMetrics(resourceMetrics);
    expect(line).not.toContain('null');
    expect(line).toMatch(/"name":"g\.negzero","gauge":\{"dataPoints":\[\{[^}]*"asDouble":-0\}/);
    expect(line).toMatch(/"name":"g\.nan","gauge":\{"dataPoints":\[\{[^}]*"asDouble":"NaN"\}/);
  });
});
