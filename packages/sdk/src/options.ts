import { resolveSpoolDir } from '@otelspool/exporter-jsonl/write-path';
import type { SpoolWriterOptions } from '@otelspool/exporter-jsonl';
import type { TextMapPropagator } from '@opentelemetry/api';
import type { Sampler, SpanLimits, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ViewOptions } from '@opentelemetry/sdk-metrics';
import type { LogRecordLimits, LogRecordProcessor } from '@opentelemetry/sdk-logs';
import type { InstrumentationLike } from './instrumentations.js';

/** 'none' | 'interval' | 'batch': the spool writer's fsync policy (SpoolWriterOptions). */
export type Durability = NonNullable<SpoolWriterOptions['durability']>;

/** Spool writer tuning (rotation, byte cap, queue bound, compression): dir and durability are set by startTelemetry. */
export type SpoolTuning = Omit<SpoolWriterOptions, 'dir' | 'durability'>;

/** Options of {@link startTelemetry}. Every field is optional; OTEL_* variables fill the gaps. */
export interface TelemetryOptions {
  /** service.name; else OTEL_SERVICE_NAME; else `unknown_service:<executable>`. */
  serviceName?: string;
  /** service.version. */
  serviceVersion?: string;
  /** Spool directory; else $SPOOL_DIR; else the OS user-data dir for the service. */
  dir?: string;
  /** Install @otelspool/crash (uncaught errors, sessions, crash reports). Default true. */
  crash?: boolean;
  /** 'none' | 'interval' (default) | 'batch' (fsync per written batch). */
  durability?: Durability;
  /** Extra resource attributes (merged over detected ones, under OTEL_RESOURCE_ATTRIBUTES). */
  resourceAttributes?: Record<string, string | number | boolean>;
  /** How often metrics are collected into the spool, ms. Default OTEL_METRIC_EXPORT_INTERVAL or 60 000. */
  metricIntervalMs?: number;
  /** Collect process CPU % and memory metrics. Default true. */
  processMetrics?: boolean;
  /** Register the providers as the OpenTelemetry API globals. Default true. */
  registerGlobal?: boolean;
  /**
   * Ended spans (and log records) waiting to be encoded, at most; overflow is dropped and
   * counted. Batches are encoded as they fill (and at the end of each turn of a burst), so
   * this is reached only if encoding itself fails to keep up. Default 8192
   * (OTEL_BSP_MAX_QUEUE_SIZE). Encoded lines waiting for the disk are bounded by bytes:
   * `spool.maxQueueBytes`.
   */
  maxQueueSize?: number;
  /**
   * Open spans remembered for the crash path (written as unfinished at a crash); beyond it the
   * oldest is forgotten and counted. Default 2048.
   */
  maxOpenSpans?: number;
  /** How long ended spans and logs wait before being written, ms. Default 1000. */
  scheduledDelayMs?: number;
  /** Heartbeat of last_session.json, ms. Default 15 000. */
  heartbeatIntervalMs?: number;
  /** Spool writer tuning: rotation, byte cap, queue bound, compression. */
  spool?: SpoolTuning;
  /** Trace sampler; else OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG (upstream default: parentbased_always_on). */
  sampler?: Sampler;
  /** Span limits; unset fields come from OTEL_SPAN_* and OTEL_ATTRIBUTE_* (upstream provider). */
  spanLimits?: SpanLimits;
  /** Log-record limits; unset fields from OTEL_LOGRECORD_ATTRIBUTE_* then OTEL_ATTRIBUTE_*. */
  logRecordLimits?: LogRecordLimits;
  /** Extra span processors, called after the spool's own (e.g. an OTLP exporter of your own). */
  spanProcessors?: SpanProcessor[];
  /** Extra log-record processors, called after the spool's own. */
  logRecordProcessors?: LogRecordProcessor[];
  /** Metric views (rename, drop, re-aggregate), passed to the MeterProvider. */
  views?: ViewOptions[];
  /**
   * Instrumentations (`new PinoInstrumentation()`, `new HttpInstrumentation()`...), registered
   * with our providers through `registerInstrumentations` of @opentelemetry/instrumentation.
   */
  instrumentations?: Array<InstrumentationLike | InstrumentationLike[]>;
  /** The global propagator; else OTEL_PROPAGATORS; default W3C trace context + baggage. */
  propagators?: TextMapPropagator;
}

/** Which signals are written to the spool (OTEL_{TRACES,METRICS,LOGS}_EXPORTER=none turns one off). */
export interface SpoolSignals {
  traces: boolean;
  metrics: boolean;
  logs: boolean;
}

/** Options after defaults and environment variables are applied. */
export interface ResolvedOptions {
  disabled: boolean;
  serviceName: string;
  serviceVersion: string | undefined;
  dir: string;
  crash: boolean;
  durability: Durability;
  resourceAttributes: Record<string, string | number | boolean>;
  metricIntervalMs: number;
  processMetrics: boolean;
  registerGlobal: boolean;
  maxQueueSize: number;
  maxOpenSpans: number;
  scheduledDelayMs: number;
  heartbeatIntervalMs: number;
  spool: SpoolTuning;
  signals: SpoolSignals;
  logRecordLimits: LogRecordLimits;
  /** Notes on OTEL_* values that were read but do not apply (logged once at start). */
  notes: string[];
}

const DURABILITIES: readonly Durability[] = ['none', 'interval', 'batch'];

/**
 * Applies defaults and the standard OpenTelemetry environment variables
 * (OTEL_SDK_DISABLED, OTEL_SERVICE_NAME, OTEL_METRIC_EXPORT_INTERVAL, OTEL_BSP_MAX_QUEUE_SIZE,
 * OTEL_BSP_SCHEDULE_DELAY) plus SPOOL_DIR and SPOOL_DURABILITY. Explicit options win over the
 * environment, except OTEL_SDK_DISABLED, which is the user's kill switch.
 */
export function resolveOptions(
  options: TelemetryOptions,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedOptions {
  const serviceName =
    options.serviceName ?? nonEmpty(env.OTEL_SERVICE_NAME) ?? defaultServiceName();
  const notes: string[] = [];
  const durability =
    options.durability ?? parseDurability(env.SPOOL_DURABILITY) ?? ('interval' as const);
  return {
    disabled: (env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true',
    serviceName,
    serviceVersion: options.serviceVersion,
    // The same rule as every `spool` command: dir, else $SPOOL_DIR, else <otelspool root>/<service>.
    dir: resolveSpoolDir({ dir: options.dir, serviceName }, env),
    crash: options.crash ?? true,
    durability,
    resourceAttributes: options.resourceAttributes ?? {},
    metricIntervalMs:
      options.metricIntervalMs ?? positiveInt(env.OTEL_METRIC_EXPORT_INTERVAL) ?? 60_000,
    processMetrics: options.processMetrics ?? true,
    registerGlobal: options.registerGlobal ?? true,
    maxQueueSize: options.maxQueueSize ?? positiveInt(env.OTEL_BSP_MAX_QUEUE_SIZE) ?? 8192,
    maxOpenSpans: Math.max(0, Math.trunc(options.maxOpenSpans ?? 2048)),
    scheduledDelayMs: options.scheduledDelayMs ?? positiveInt(env.OTEL_BSP_SCHEDULE_DELAY) ?? 1000,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 15_000,
    spool: options.spool ?? {},
    signals: {
      traces: exporterOn('OTEL_TRACES_EXPORTER', env, notes),
      metrics: exporterOn('OTEL_METRICS_EXPORTER', env, notes),
      logs: exporterOn('OTEL_LOGS_EXPORTER', env, notes),
    },
    logRecordLimits: {
      attributeCountLimit:
        options.logRecordLimits?.attributeCountLimit ??
        nonNegativeInt(env.OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT) ??
        nonNegativeInt(env.OTEL_ATTRIBUTE_COUNT_LIMIT),
      attributeValueLengthLimit:
        options.logRecordLimits?.attributeValueLengthLimit ??
        nonNegativeInt(env.OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT) ??
        nonNegativeInt(env.OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT),
    },
    notes,
  };
}

/**
 * OTEL_<SIGNAL>_EXPORTER: `none` turns the signal off (nothing of it is written to the spool).
 * Any other value (otlp, console, prometheus...) is ignored with a note: the spool is the
 * exporter here, and `spool sync` ships it over OTLP.
 */
function exporterOn(name: string, env: NodeJS.ProcessEnv, notes: string[]): boolean {
  const values = (env[name] ?? '')
    .split(',')
    .map((v) => v.trim().toLowerCase())
    .filter(Boolean);
  if (values.includes('none')) return false;
  if (values.length > 0) {
    notes.push(
      `${name}=${values.join(',')} is ignored: otelspool writes this signal to the local spool ` +
        '(ship it with `spool sync`, or add your own processor); only `none` applies',
    );
  }
  return true;
}

function defaultServiceName(): string {
  const exe = process.argv[1]?.split(/[\\/]/).pop() ?? process.argv0;
  return `unknown_service:${exe}`;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function positiveInt(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

function nonNegativeInt(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

function parseDurability(value: string | undefined): Durability | undefined {
  return DURABILITIES.find((d) => d === value?.trim().toLowerCase());
}
