import { metrics, trace } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import type { ResolvedOptions } from './options.js';
import type { Telemetry } from './telemetry.js';

const noop = (): void => undefined;

/**
 * The handle when telemetry is off (OTEL_SDK_DISABLED=true) or could not start: the same
 * surface, no files, no timers. Tracer/meter/logger come from the API's no-op implementations.
 */
export function createDisabledTelemetry(opts: ResolvedOptions): Telemetry {
  const tracer = trace.getTracerProvider().getTracer(opts.serviceName);
  const meter = metrics.getMeterProvider().getMeter(opts.serviceName);
  const logger = logs.getLoggerProvider().getLogger(opts.serviceName);
  return {
    sessionId: '',
    dir: opts.dir,
    serviceName: opts.serviceName,
    enabled: false,
    tracer,
    meter,
    logger,
    getTracer: (name, version) => trace.getTracerProvider().getTracer(name, version),
    getMeter: (name, version) => metrics.getMeterProvider().getMeter(name, version),
    getLogger: (name, version) => logs.getLoggerProvider().getLogger(name, version),
    event: noop,
    log: { debug: noop, info: noop, warn: noop, error: noop },
    collectEvent: noop,
    collectMetric: noop,
    subscribe: () => noop,
    stats: () => ({
      written: { records: 0, lines: 0, bytes: 0 },
      dropped: {},
      evicted: { segments: 0, bytes: 0, records: 0, shipped: 0, shippedRecords: 0 },
      bytesOnDisk: 0,
      openSpans: { tracked: 0, untracked: 0 },
    }),
    getLastRunInfo: () => ({
      crashed: false,
      abnormal: false,
      crashedDuringLaunch: false,
      consecutiveLaunchCrashes: 0,
    }),
    markLaunchCompleted: noop,
    setSessionState: noop,
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
}
