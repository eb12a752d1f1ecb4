import { afterEach, describe, expect, it, vi } from 'vitest';
import { ROOT_CONTEXT, context, propagation, trace } from '@opentelemetry/api';
import type { Context, TextMapPropagator } from '@opentelemetry/api';
import { AlwaysOffSampler } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { LogRecordProcessor, SdkLogRecord } from '@opentelemetry/sdk-logs';
import { startTelemetry } from '../src/index.js';
import type { InstrumentationLike, Telemetry, TelemetryOptions } from '../src/index.js';
import { attr, collect, logsOf, metricsOf, spansOf, tempDir } from './helpers.js';

/** The OTel ecosystem surface: every option and OTEL_* variable, each through the spool. */
describe('startTelemetry: OpenTelemetry options and OTEL_* variables', () => {
  const cleanups: Array<() => void> = [];
  let telemetry: Telemetry | undefined;
  afterEach(async () => {
    await telemetry?.shutdown();
    telemetry = undefined;
    cleanups.splice(0).forEach((c) => c());
    vi.unstubAllEnvs();
  });

  async function start(extra: TelemetryOptions = {}) {
    const tmp = tempDir();
    cleanups.push(tmp.cleanup);
    telemetry = await startTelemetry({
      serviceName: 'eco-test',
      dir: tmp.dir,
      crash: false,
      processMetrics: false,
      metricIntervalMs: 60_000,
      ...extra,
    });
    return { dir: tmp.dir, t: telemetry };
  }

  /** Writes one span with attributes, one log with attributes and one counter; returns the spool. */
  async function writeAll(extra: TelemetryOptions = {}) {
    const { dir, t } = await start(extra);
    const span = trace.getTracer('eco').startSpan('work', {
      attributes: { a: 'abcdefgh', b: 'second', c: 'third' },
    });
    span.end();
    t.log.info('hello', { a: 'abcdefgh', b: 'second', c: 'third' });
    t.meter.createCounter('plugin.voices').add(3);
    await t.shutdown();
    telemetry = undefined;
    return collect(dir);
  }

  const spanOf = (data: Awaited<ReturnType<typeof collect>>) =>
    spansOf(data).find((s) => s.span.name === 'work')?.span;
  const logOf = (data: Awaited<ReturnType<typeof collect>>) =>
    logsOf(data).find((l) => l.log.body?.stringValue === 'hello')?.log;
  const metricNames = (data: Awaited<ReturnType<typeof collect>>) =>
    metricsOf(data).map((m) => m.metric.name);

  it('writes everything by default (the control for the tests below)', async () => {
    const data = await writeAll();
    expect(spanOf(data)?.attributes).toHaveLength(3);
    expect(logOf(data)?.attributes).toHaveLength(3);
    expect(metricNames(data)).toContain('plugin.voices');
  });

  describe('sampler and span limits', () => {
    it('sampler: a sampler that drops everything leaves no spans in the spool', async () => {
      const data = await writeAll({ sampler: new AlwaysOffSampler() });
      expect(spansOf(data)).toHaveLength(0);
      expect(logOf(data)).toBeDefined();
    });

    it('OTEL_TRACES_SAMPLER=always_off works through the upstream provider', async () => {
      vi.stubEnv('OTEL_TRACES_SAMPLER', 'always_off');
      expect(spansOf(await writeAll())).toHaveLength(0);
    });

    it('OTEL_TRACES_SAMPLER=traceidratio with OTEL_TRACES_SAMPLER_ARG=0 samples nothing', async () => {
      vi.stubEnv('OTEL_TRACES_SAMPLER', 'traceidratio');
      vi.stubEnv('OTEL_TRACES_SAMPLER_ARG', '0');
      expect(spansOf(await writeAll())).toHaveLength(0);
    });

    it('spanLimits truncates attribute values and drops attributes over the count', async () => {
      const data = await writeAll({
        spanLimits: { attributeCountLimit: 2, attributeValueLengthLimit: 3 },
      });
      const span = spanOf(data)!;
      expect(span.attributes).toHaveLength(2);
      expect(attr(span.attributes, 'a')).toBe('abc');
      expect(span.droppedAttributesCount).toBe(1);
    });

    it('OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT / _VALUE_LENGTH_LIMIT work through the upstream provider', async () => {
      vi.stubEnv('OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', '1');
      vi.stubEnv('OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT', '2');
      const span = spanOf(await writeAll())!;
      expect(span.attributes).toHaveLength(1);
      expect(attr(span.attributes, 'a')).toBe('ab');
    });

    it('OTEL_ATTRIBUTE_COUNT_LIMIT is the fallback for spans', async () => {
      vi.stubEnv('OTEL_ATTRIBUTE_COUNT_LIMIT', '2');
      expect(spanOf(await writeAll())!.attributes).toHaveLength(2);
    });
  });

  describe('log-record limits', () => {
    it('OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT / _VALUE_LENGTH_LIMIT truncate log records', async () => {
      vi.stubEnv('OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT', '2');
      vi.stubEnv('OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT', '4');
      const log = logOf(await writeAll())!;
      expect(log.attributes).toHaveLength(2);
      expect(attr(log.attributes, 'a')).toBe('abcd');
      expect(log.droppedAttributesCount).toBe(1);
    });

    it('OTEL_ATTRIBUTE_COUNT_LIMIT / _VALUE_LENGTH_LIMIT are the fallbacks', async () => {
      vi.stubEnv('OTEL_ATTRIBUTE_COUNT_LIMIT', '1');
      vi.stubEnv('OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT', '5');
      const log = logOf(await writeAll())!;
      expect(log.attributes).toHaveLength(1);
      expect(attr(log.attributes, 'a')).toBe('abcde');
    });

    it('the logRecordLimits option wins over the environment', async () => {
      vi.stubEnv('OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT', '1');
      const log = logOf(await writeAll({ logRecordLimits: { attributeCountLimit: 2 } }))!;
      expect(log.attributes).toHaveLength(2);
    });
  });

  describe('extra processors and views', () => {
    it('spanProcessors: an extra processor sees every span, after ours, and is shut down', async () => {
      const seen: string[] = [];
      const shutdown = vi.fn(() => Promise.resolve());
      const extra: SpanProcessor = {
        onStart: () => undefined,
        onEnd: (span: ReadableSpan) => void seen.push(span.name),
        forceFlush: () => Promise.resolve(),
        shutdown,
      };
      const data = await writeAll({ spanProcessors: [extra] });
      expect(seen).toEqual(['work']);
      expect(shutdown).toHaveBeenCalledOnce();
      expect(spanOf(data)).toBeDefined(); // ours still writes
    });

    it('logRecordProcessors: an extra processor sees every log record', async () => {
      const seen: unknown[] = [];
      const extra: LogRecordProcessor = {
        onEmit: (record: SdkLogRecord) => void seen.push(record.body),
        forceFlush: () => Promise.resolve(),
        shutdown: () => Promise.resolve(),
      };
      const data = await writeAll({ logRecordProcessors: [extra] });
      expect(seen).toContain('hello');
      expect(logOf(data)).toBeDefined();
    });

    it('views: a view renames a metric in the spool', async () => {
      const data = await writeAll({
        views: [{ instrumentName: 'plugin.voices', name: 'plugin.voice_count' }],
      });
      expect(metricNames(data)).toContain('plugin.voice_count');
      expect(metricNames(data)).not.toContain('plugin.voices');
    });
  });

  describe('propagators', () => {
    const injected = (ctx: Context = context.active()): Record<string, string> => {
      const carrier: Record<string, string> = {};
      propagation.inject(ctx, carrier);
      return carrier;
    };
    const inSpan = <T>(fn: () => T): T =>
      trace.getTracer('eco').startActiveSpan('outer', (span) => {
        try {
          return fn();
        } finally {
          span.end();
        }
      });
    const withBaggage = (): Context =>
      propagation.setBaggage(context.active(), propagation.createBaggage({ k: { value: 'v' } }));

    it('default: W3C trace context and baggage, injected and extracted', async () => {
      await start();
      const carrier = inSpan(() => injected(withBaggage()));
      expect(carrier.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      expect(carrier.baggage).toBe('k=v');
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      const extracted = propagation.extract(ROOT_CONTEXT, {
        traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
      });
      expect(trace.getSpanContext(extracted)?.traceId).toBe(traceId);
    });

    it('propagators: a given propagator becomes the global one', async () => {
      const custom: TextMapPropagator = {
        inject: (_ctx, carrier, setter) => setter.set(carrier, 'x-custom', 'yes'),
        extract: (ctx) => ctx,
        fields: () => ['x-custom'],
      };
      await start({ propagators: custom });
      const carrier = inSpan(() => injected());
      expect(carrier).toEqual({ 'x-custom': 'yes' });
    });

    it('OTEL_PROPAGATORS=none: nothing is injected', async () => {
      vi.stubEnv('OTEL_PROPAGATORS', 'none');
      await start();
      expect(inSpan(() => injected(withBaggage()))).toEqual({});
    });

    it('OTEL_PROPAGATORS=baggage: only baggage', async () => {
      vi.stubEnv('OTEL_PROPAGATORS', 'baggage');
      await start();
      expect(inSpan(() => injected(withBaggage()))).toEqual({ baggage: 'k=v' });
    });

    it('OTEL_PROPAGATORS=tracecontext,b3,xray-typo: b3 loaded from @opentelemetry/propagator-b3, the typo a clear warning', async () => {
      vi.stubEnv('OTEL_PROPAGATORS', 'tracecontext,b3,xray-typo');
      const warnings: string[] = [];
      const onWarning = (w: Error) => warnings.push(w.message);
      process.on('warning', onWarning);
      try {
        await start();
        const carrier = inSpan(() => injected());
        expect(Object.keys(carrier).sort()).toEqual(['b3', 'traceparent']);
        // single-header b3: {traceId}-{spanId}-{sampled}
        expect(carrier.b3).toMatch(/^[0-9a-f]{32}-[0-9a-f]{16}-1$/);
        await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
      } finally {
        process.off('warning', onWarning);
      }
      expect(warnings.join('\n')).toMatch(/unknown propagator "xray-typo"/);
    });
  });

  describe('per-signal off switches', () => {
    it('OTEL_TRACES_EXPORTER=none writes no traces but still metrics and logs', async () => {
      vi.stubEnv('OTEL_TRACES_EXPORTER', 'none');
      const data = await writeAll();
      expect(data.traces).toHaveLength(0);
      expect(logOf(data)).toBeDefined();
      expect(metricNames(data)).toContain('plugin.voices');
    });

    it('OTEL_LOGS_EXPORTER=none writes no logs', async () => {
      vi.stubEnv('OTEL_LOGS_EXPORTER', 'none');
      const data = await writeAll();
      expect(data.logs).toHaveLength(0);
      expect(spanOf(data)).toBeDefined();
      expect(metricNames(data)).toContain('plugin.voices');
    });

    it('OTEL_METRICS_EXPORTER=none writes no metrics', async () => {
      vi.stubEnv('OTEL_METRICS_EXPORTER', 'none');
      const data = await writeAll();
      expect(data.metrics).toHaveLength(0);
      expect(spanOf(data)).toBeDefined();
      expect(logOf(data)).toBeDefined();
    });

    it('another exporter name (otlp) is ignored with a note; the spool still gets the signal', async () => {
      vi.stubEnv('OTEL_TRACES_EXPORTER', 'otlp');
      const warnings: string[] = [];
      const onWarning = (w: Error) => warnings.push(w.message);
      process.on('warning', onWarning);
      let data;
      try {
        data = await writeAll();
        await new Promise((r) => setImmediate(r));
      } finally {
        process.off('warning', onWarning);
      }
      expect(spanOf(data)).toBeDefined();
      expect(warnings.join('\n')).toMatch(/OTEL_TRACES_EXPORTER=otlp is ignored/);
    });
  });

  describe('instrumentations', () => {
    function fakeInstrumentation() {
      const calls: string[] = [];
      let enabled = false;
      const instrumentation: InstrumentationLike & { calls: string[] } = {
        instrumentationName: 'fake',
        calls,
        setTracerProvider: (p) => void calls.push(`tracer:${p.constructor.name}`),
        setMeterProvider: (p) => void calls.push(`meter:${p.constructor.name}`),
        setLoggerProvider: (p) => void calls.push(`logger:${p.constructor.name}`),
        enable: () => void ((enabled = true), calls.push('enable')),
        disable: () => void ((enabled = false), calls.push('disable')),
        getConfig: () => ({ enabled }),
      };
      return instrumentation;
    }

    it('registers each instrumentation with our providers, enables it, disables it at shutdown', async () => {
      const inst = fakeInstrumentation();
      const { t } = await start({ instrumentations: [inst] });
      expect(inst.calls).toEqual([
        'tracer:BasicTracerProvider',
        'meter:MeterProvider',
        'logger:LoggerProvider',
        'enable',
      ]);
      await t.shutdown();
      telemetry = undefined;
      expect(inst.calls.at(-1)).toBe('disable');
    });
  });
});
