import { randomUUID } from 'node:crypto';
import { context, diag, metrics, propagation, trace } from '@opentelemetry/api';
import type { TextMapPropagator } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ExportResultCode } from '@opentelemetry/core';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import type { LogRecordProcessor } from '@opentelemetry/sdk-logs';
import type { SpoolStats } from '@otelspool/exporter-jsonl';
import {
  JsonlLogExporter,
  JsonlMetricExporter,
  JsonlSpanExporter,
  ensureSpoolDirSync,
  SpoolWriter,
  warnUnsafePathOnce,
} from '@otelspool/exporter-jsonl/write-path';
import { installCrashHandler } from '@otelspool/crash';
import type { CrashHandle } from '@otelspool/crash';
import { resolveOptions } from './options.js';
import type { ResolvedOptions, TelemetryOptions } from './options.js';
import { buildResource } from './resource.js';
import {
  SpoolLogRecordProcessor,
  SpoolSpanProcessor,
  StartTimeRefiner,
} from './processors/index.js';
import { LiveStream } from './live-stream.js';
import { MetricTeeExporter } from './metric-tee.js';
import { MetricsSnapshotWriter } from './metrics-snapshot.js';
import { registerProcessMetrics } from './process-metrics.js';
import { registerSpoolMetrics } from './spool-metrics.js';
import { breadcrumbProcessor } from './breadcrumbs.js';
import { MetricFacade, collectEvent, emitEvent } from './facade.js';
import { createDisabledTelemetry } from './disabled.js';
import type { LastRunInfo, Telemetry, TelemetryStats } from './telemetry.js';
import { resolvePropagator } from './propagators.js';
import { loadRegistrar, registerWith } from './instrumentations.js';
import type { InstrumentationLike } from './instrumentations.js';
import { configWarning } from './config-warning.js';

/** Upper bound of shutdown(): a host closing a plugin must not hang on telemetry. */
const SHUTDOWN_TIMEOUT_MS = 5_000;

interface Runtime {
  refs: number;
  handle: Telemetry;
  /** Hands instrumentations our providers and enables them (undone at close). */
  instrument(list: InstrumentationLike[], register: Registrar): void;
  close(): Promise<void>;
}

type Registrar = Awaited<ReturnType<typeof loadRegistrar>>;

/** What startTelemetry resolved before building the pipeline (the async, lazy parts). */
interface Extras {
  options: TelemetryOptions;
  /** null: no global propagator (OTEL_PROPAGATORS=none). */
  propagator: TextMapPropagator | null;
  sinks: PipelineSinks;
}

/**
 * Where the pipeline stores records besides (or instead of) the file spool: the in-memory
 * store of `@otelspool/sdk/testing` plugs in here. Not public API.
 */
export interface PipelineSinks {
  /** Write the file spool (and its metrics snapshot). startTelemetry: always. */
  spool: boolean;
  /** Called before the user's own processors. */
  spanProcessors: SpanProcessor[];
  logRecordProcessors: LogRecordProcessor[];
  /** Called with every metric collection. */
  metricListeners: Array<(metrics: ResourceMetrics) => void>;
}

const SPOOL_ONLY: PipelineSinks = {
  spool: true,
  spanProcessors: [],
  logRecordProcessors: [],
  metricListeners: [],
};

/**
 * One pipeline per spool directory per process. A plugin host loads many instances of a
 * plugin, each calling startTelemetry(): they share one set of providers, one spool writer and
 * one crash handler, and the pipeline closes when the last instance shuts down.
 */
const runtimes = new Map<string, Runtime>();

/**
 * Sets up OpenTelemetry for an app or plugin: tracer, meter and logger providers writing
 * OTLP-JSON lines into the local spool, resource detection, W3C propagation, process metrics,
 * a metrics snapshot, and (unless `crash: false`) crash capture with session tracking.
 *
 * Never throws into the host: if the spool cannot be written, telemetry degrades and counts
 * what it drops. With OTEL_SDK_DISABLED=true it returns a handle whose methods do nothing.
 */
export async function startTelemetry(options: TelemetryOptions = {}): Promise<Telemetry> {
  const resolved = resolveOptions(options);
  if (resolved.disabled) return createDisabledTelemetry(resolved);
  const instrumentations = (options.instrumentations ?? []).flat();
  // Loaded only when asked for: start-up without instrumentations imports nothing more.
  const register = instrumentations.length > 0 ? await loadRegistrar() : undefined;
  const existing = runtimes.get(resolved.dir);
  if (existing) {
    existing.refs++;
    if (register) existing.instrument(instrumentations, register);
    return shareHandle(existing, resolved.dir);
  }
  try {
    const propagator = resolved.registerGlobal
      ? await resolvePropagator(options.propagators)
      : null;
    // Another caller may have started this dir while we awaited.
    const raced = runtimes.get(resolved.dir);
    if (raced) {
      raced.refs++;
      if (register) raced.instrument(instrumentations, register);
      return shareHandle(raced, resolved.dir);
    }
    for (const note of resolved.notes) configWarning(note);
    const runtime = createRuntime(resolved, { options, propagator, sinks: SPOOL_ONLY });
    runtimes.set(resolved.dir, runtime);
    if (register) runtime.instrument(instrumentations, register);
    return shareHandle(runtime, resolved.dir);
  } catch (error) {
    diag.error('otelspool: telemetry could not start; continuing without it', error);
    return createDisabledTelemetry(resolved);
  }
}

/**
 * A pipeline of its own (not shared by dir, never disabled by OTEL_SDK_DISABLED) storing into
 * `sinks`: what `createTestTelemetry` builds on. `resolved.dir` must be the caller's own.
 */
export async function startIsolatedTelemetry(
  resolved: ResolvedOptions,
  options: TelemetryOptions,
  sinks: PipelineSinks,
): Promise<Telemetry> {
  const instrumentations = (options.instrumentations ?? []).flat();
  const register = instrumentations.length > 0 ? await loadRegistrar() : undefined;
  const propagator = resolved.registerGlobal ? await resolvePropagator(options.propagators) : null;
  const runtime = createRuntime(resolved, { options, propagator, sinks });
  if (register) runtime.instrument(instrumentations, register);
  return Object.create(runtime.handle, {
    shutdown: { value: () => runtime.close() },
  }) as Telemetry;
}

/** Each caller gets its own shutdown(); only the last one closes the shared pipeline. */
function shareHandle(runtime: Runtime, dir: string): Telemetry {
  let closed = false;
  return Object.create(runtime.handle, {
    shutdown: {
      value: async (): Promise<void> => {
        if (closed) return;
        closed = true;
        runtime.refs--;
        if (runtime.refs > 0) return runtime.handle.forceFlush();
        runtimes.delete(dir);
        await runtime.close();
      },
    },
  }) as Telemetry;
}

/**
 * Creates the spool dir (0700) or checks the existing one before anything writes there. An
 * unsafe dir (a symlink, another user's, group/world-writable) is refused with one warning
 * naming the path and the reason; telemetry keeps running and every record it cannot write is
 * counted as dropped `unsafe_dir` (the writer re-checks at every segment it opens).
 */
function checkSpoolDir(dir: string): void {
  try {
    ensureSpoolDirSync(dir);
  } catch (error) {
    if (warnUnsafePathOnce(error)) diag.error(`otelspool: ${(error as Error).message}`);
    // other errors (read-only disk...) surface as io_error drops from the writer
  }
}

function createRuntime(opts: ResolvedOptions, extras: Extras): Runtime {
  const { options, sinks } = extras;
  if (sinks.spool) checkSpoolDir(opts.dir);
  const sessionId = randomUUID();
  const resource = buildResource({
    serviceName: opts.serviceName,
    serviceVersion: opts.serviceVersion,
    sessionId,
    attributes: opts.resourceAttributes,
  });

  const writer = sinks.spool
    ? new SpoolWriter({ ...opts.spool, dir: opts.dir, durability: opts.durability })
    : undefined;
  const live = new LiveStream();
  let crash: CrashHandle | undefined;

  // OTEL_TRACES_EXPORTER=none / OTEL_LOGS_EXPORTER=none: the signal still flows to the live
  // stream and the user's own processors, but nothing of it is written to the spool.
  const spanProcessor =
    opts.signals.traces && writer
      ? new SpoolSpanProcessor(new JsonlSpanExporter({ writer }), {
          maxQueueSize: opts.maxQueueSize,
          scheduledDelayMillis: opts.scheduledDelayMs,
          // Our exporter encodes inside export(): what is in flight is bytes the writer bounds.
          maxConcurrentExports: Number.POSITIVE_INFINITY,
          trackOpenSpans: opts.crash,
          maxOpenSpans: opts.maxOpenSpans,
        })
      : undefined;
  // sampler and spanLimits left unset fall back, inside the upstream provider, to
  // OTEL_TRACES_SAMPLER(_ARG), OTEL_SPAN_* and OTEL_ATTRIBUTE_*.
  const tracerProvider = new BasicTracerProvider({
    resource,
    ...(options.sampler ? { sampler: options.sampler } : {}),
    ...(options.spanLimits ? { spanLimits: options.spanLimits } : {}),
    spanProcessors: [
      // First, so every later processor sees the precise start it gives (precise-start.ts).
      spanProcessor ?? preciseStartProcessor(),
      live.spanProcessor,
      ...sinks.spanProcessors,
      ...(options.spanProcessors ?? []),
    ],
  });

  const logProcessor =
    opts.signals.logs && writer
      ? new SpoolLogRecordProcessor(new JsonlLogExporter({ writer }), {
          maxQueueSize: opts.maxQueueSize,
          scheduledDelayMillis: opts.scheduledDelayMs,
          maxConcurrentExports: Number.POSITIVE_INFINITY,
        })
      : undefined;
  const loggerProvider = new LoggerProvider({
    resource,
    logRecordLimits: opts.logRecordLimits,
    processors: [
      ...(logProcessor ? [logProcessor] : []),
      live.logProcessor,
      breadcrumbProcessor(() => crash),
      ...sinks.logRecordProcessors,
      ...(options.logRecordProcessors ?? []),
    ],
  });

  const snapshot = writer
    ? new MetricsSnapshotWriter(opts.dir, opts.serviceName, sessionId, () => stats())
    : undefined;
  // OTEL_METRICS_EXPORTER=none: no reader, so no metrics lines and no metrics snapshot (unless
  // an in-memory sink wants the collections).
  const metricsWanted = writer ? opts.signals.metrics : sinks.metricListeners.length > 0;
  const metricReader = metricsWanted
    ? new PeriodicExportingMetricReader({
        exporter: new MetricTeeExporter(
          writer && opts.signals.metrics ? new JsonlMetricExporter({ writer }) : DISCARD_METRICS,
          [
            ...(snapshot ? [(m: ResourceMetrics) => snapshot.update(m)] : []),
            (m) => live.onMetrics(m),
            ...sinks.metricListeners,
          ],
        ),
        exportIntervalMillis: opts.metricIntervalMs,
        exportTimeoutMillis: Math.min(30_000, opts.metricIntervalMs),
      })
    : undefined;
  const meterProvider = new MeterProvider({
    resource,
    readers: metricReader ? [metricReader] : [],
    ...(options.views ? { views: options.views } : {}),
  });

  const globals = opts.registerGlobal
    ? registerGlobals(tracerProvider, meterProvider, loggerProvider, extras.propagator)
    : undefined;

  const meter = meterProvider.getMeter('@otelspool/sdk');
  const stopProcessMetrics =
    opts.processMetrics && metricReader ? registerProcessMetrics(meter) : () => undefined;
  /** Records refused by the in-memory queues before reaching the writer. */
  const processorDrops = (): Record<string, number> => ({
    span_queue_full: spanProcessor?.stats().dropped ?? 0,
    log_queue_full: logProcessor?.stats().dropped ?? 0,
  });

  if (metricReader && writer) registerSpoolMetrics(meter, writer, [processorDrops]);

  /** The crash path: synchronous, bounded, writes spans still open at the crash too. */
  const flushSync = (): void => {
    try {
      spanProcessor?.flushSync({ includeOpenSpans: true });
      logProcessor?.flushSync();
      writer?.flushSync();
    } catch {
      // the process is dying; never turn a crash into a different crash
    }
  };
  // A CLI that calls process.exit() without shutdown() still gets its queued records written.
  const onExit = (): void => flushSync();
  process.on('exit', onExit);

  if (opts.crash) {
    try {
      crash = installCrashHandler({
        dir: opts.dir,
        serviceName: opts.serviceName,
        serviceVersion: opts.serviceVersion,
        sessionId,
        resourceAttributes: flatAttributes(resource.attributes),
        heartbeatIntervalMs: opts.heartbeatIntervalMs,
        flushSync,
      });
    } catch (error) {
      diag.error('otelspool: crash handler could not be installed', error);
    }
  }

  const tracer = tracerProvider.getTracer(opts.serviceName, opts.serviceVersion);
  const appMeter = meterProvider.getMeter(opts.serviceName, opts.serviceVersion);
  const logger = loggerProvider.getLogger(opts.serviceName, opts.serviceVersion);
  const metricFacade = new MetricFacade(appMeter);

  const stats = (): TelemetryStats => {
    const s = writer?.stats() ?? NO_SPOOL_STATS;
    const dropped: Record<string, number> = { ...s.dropped };
    for (const [reason, n] of Object.entries(processorDrops())) {
      dropped[reason] = (dropped[reason] ?? 0) + n;
    }
    const spans = spanProcessor?.stats();
    return {
      written: s.written,
      dropped,
      evicted: s.evicted,
      bytesOnDisk: s.bytesOnDisk,
      openSpans: { tracked: spans?.open ?? 0, untracked: spans?.openUntracked ?? 0 },
    };
  };

  /**
   * Spans and logs first, then the metrics: the self-metrics (written, dropped, evicted) are
   * observed at collection, so collecting after the other signals reached the writer makes the
   * exported counts cover them (a metrics line cannot count itself).
   */
  const flushInOrder = async (end: 'flush' | 'shutdown'): Promise<void> => {
    await Promise.allSettled(
      end === 'flush'
        ? [tracerProvider.forceFlush(), loggerProvider.forceFlush()]
        : [tracerProvider.shutdown(), loggerProvider.shutdown()],
    );
    await writer?.flush().catch(() => undefined);
    // Evict now whatever the final metrics line will need, so writing it evicts nothing
    // after the evicted count was taken.
    writer?.makeRoom('metrics');
    await (end === 'flush' ? meterProvider.forceFlush() : meterProvider.shutdown()).catch(
      () => undefined,
    );
    await writer?.flush().catch(() => undefined);
  };
  const forceFlush = (): Promise<void> => flushInOrder('flush');

  const log =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, attributes?: Record<string, unknown>) =>
      safely(() =>
        logger.emit({
          severityNumber: SEVERITY[level],
          severityText: level.toUpperCase(),
          body: message,
          attributes: attributes as never,
        }),
      );

  const handle: Telemetry = {
    sessionId,
    dir: opts.dir,
    serviceName: opts.serviceName,
    enabled: true,
    tracer,
    meter: appMeter,
    logger,
    getTracer: (name, version) => tracerProvider.getTracer(name, version),
    getMeter: (name, version) => meterProvider.getMeter(name, version),
    getLogger: (name, version) => loggerProvider.getLogger(name, version),
    event: (name, attributes, body) => safely(() => emitEvent(logger, name, attributes, body)),
    log: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    collectEvent: (event) => safely(() => collectEvent(logger, event)),
    collectMetric: (metric) => safely(() => metricFacade.collect(metric)),
    subscribe: (consumer) => live.subscribe(consumer),
    stats,
    getLastRunInfo: (): LastRunInfo =>
      (crash?.getLastRunInfo() as LastRunInfo | undefined) ?? {
        crashed: false,
        abnormal: false,
        crashedDuringLaunch: false,
        consecutiveLaunchCrashes: 0,
      },
    markLaunchCompleted: () => safely(() => crash?.markLaunchCompleted()),
    setSessionState: (state) => safely(() => crash?.setSessionState(state)),
    forceFlush: () => withTimeout(forceFlush(), SHUTDOWN_TIMEOUT_MS),
    shutdown: async () => undefined, // replaced per caller by shareHandle()
  };

  const close = async (): Promise<void> => {
    const work = (async () => {
      // The session ends after the app's records are written, so `exited` means complete, and
      // before the log provider shuts down: its `session.end` record is itself a log record,
      // which a shut-down provider would drop.
      if (crash) {
        await Promise.allSettled([tracerProvider.forceFlush(), loggerProvider.forceFlush()]);
        crash.endSession();
      }
      await flushInOrder('shutdown');
      crash?.uninstall();
      await writer?.shutdown().catch(() => undefined);
      // The snapshot's `spool` section: the final, exact stats() (incl. the last metrics line).
      if (metricReader) await snapshot?.writeFinal();
    })();
    await withTimeout(work, SHUTDOWN_TIMEOUT_MS);
    process.off('exit', onExit);
    for (const undo of uninstrument.splice(0)) undo();
    stopProcessMetrics();
    globals?.unregister();
  };

  const uninstrument: Array<() => void> = [];
  const instrument = (list: InstrumentationLike[], register: Registrar): void => {
    uninstrument.push(
      registerWith(register, list, { tracerProvider, meterProvider, loggerProvider }),
    );
  };

  return { refs: 1, handle, instrument, close };
}

const SEVERITY = { debug: 5, info: 9, warn: 13, error: 17 } as const;

/** The writer's stats when there is no file spool (memory-only test telemetry). */
const NO_SPOOL_STATS: Pick<SpoolStats, 'written' | 'evicted' | 'bytesOnDisk'> & {
  dropped: Record<string, number>;
} = {
  written: { records: 0, lines: 0, bytes: 0 },
  dropped: {},
  evicted: { segments: 0, bytes: 0, records: 0, shipped: 0, shippedRecords: 0 },
  bytesOnDisk: 0,
};

/** The metric exporter without a file spool: the tee's listeners are the only destination. */
const DISCARD_METRICS: PushMetricExporter = {
  export: (_metrics, callback) => callback({ code: ExportResultCode.SUCCESS }),
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

/** Without the spool's span processor, the precise start times (precise-start.ts) still apply. */
function preciseStartProcessor(): SpanProcessor {
  const refiner = new StartTimeRefiner();
  return {
    onStart: (span) => refiner.refine(span),
    onEnd: () => undefined,
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
}

/**
 * Registers the providers as the OpenTelemetry API globals, with AsyncLocalStorage context
 * and the propagator (default W3C trace-context + baggage; none for OTEL_PROPAGATORS=none). A host that already registered its own
 * globals keeps them (the API refuses a second registration); our handle's tracer/meter/logger
 * still work.
 */
function registerGlobals(
  tracerProvider: BasicTracerProvider,
  meterProvider: MeterProvider,
  loggerProvider: LoggerProvider,
  propagator: TextMapPropagator | null,
): { unregister(): void } {
  const contextManager = new AsyncLocalStorageContextManager().enable();
  const contextSet = context.setGlobalContextManager(contextManager);
  const propagatorSet = propagator ? propagation.setGlobalPropagator(propagator) : false;
  const traceSet = trace.setGlobalTracerProvider(tracerProvider);
  const metricsSet = metrics.setGlobalMeterProvider(meterProvider);
  const logsSet = logs.setGlobalLoggerProvider(loggerProvider) === loggerProvider;
  if (!contextSet) contextManager.disable();
  return {
    unregister() {
      if (traceSet) trace.disable();
      if (metricsSet) metrics.disable();
      if (logsSet) logs.disable();
      if (propagatorSet) propagation.disable();
      if (contextSet) context.disable();
    },
  };
}

function flatAttributes(
  attributes: Record<string, unknown>,
): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      out[key] = value;
    }
  }
  return out;
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch (error) {
    diag.debug('otelspool: telemetry call failed', error);
  }
}

async function withTimeout(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  try {
    await Promise.race([work.catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
