import { resolveSpoolDir } from '@otelspool/exporter-jsonl';
import type { SpoolWriterOptions } from '@otelspool/exporter-jsonl';

export type Durability = 'none' | 'interval' | 'batch';

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
  /** Span queue bound (spans); overflow is dropped and counted. Default 8192. */
  maxQueueSize?: number;
  /** How long ended spans and logs wait before being written, ms. Default 1000. */
  scheduledDelayMs?: number;
  /** Heartbeat of last_session.json, ms. Default 15 000. */
  heartbeatIntervalMs?: number;
  /** Spool writer tuning: rotation, byte cap, queue bound, compression. */
  spool?: Omit<SpoolWriterOptions, 'dir' | 'durability'>;
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
  scheduledDelayMs: number;
  heartbeatIntervalMs: number;
  spool: Omit<SpoolWriterOptions, 'dir' | 'durability'>;
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
    scheduledDelayMs: options.scheduledDelayMs ?? positiveInt(env.OTEL_BSP_SCHEDULE_DELAY) ?? 1000,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 15_000,
    spool: options.spool ?? {},
  };
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

function parseDurability(value: string | undefined): Durability | undefined {
  return DURABILITIES.find((d) => d === value?.trim().toLowerCase());
}
