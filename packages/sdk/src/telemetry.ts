import type { Attributes, Meter, Tracer } from '@opentelemetry/api';
import type { Logger } from '@opentelemetry/api-logs';
import type { SpoolStats } from '@otelspool/exporter-jsonl';
import type { CollectedEvent, CollectedMetric } from './facade.js';
import type { LiveConsumer } from './live-stream.js';

/**
 * Counters of the telemetry pipeline itself (also exported as otelspool.spool.* metrics).
 * `written`, `evicted` and `bytesOnDisk` are the spool writer's own (SpoolStats); evicted
 * records reached the spool (they are in `written`) and are not in `dropped`.
 */
export interface TelemetryStats extends Pick<SpoolStats, 'written' | 'evicted' | 'bytesOnDisk'> {
  /** Records dropped, by reason (queue full, disk full, write error, byte cap, ...). */
  dropped: Record<string, number>;
  /**
   * Spans open right now that the crash path would write as unfinished (`tracked`), and how
   * many open spans it forgot because more than `maxOpenSpans` were open at once (`untracked`,
   * cumulative). Both 0 with `crash: false`.
   */
  openSpans: { tracked: number; untracked: number };
}

/** What a previous run left behind, for safe-mode decisions (see @otelspool/crash). */
export interface LastRunInfo {
  crashed: boolean;
  abnormal: boolean;
  crashedDuringLaunch: boolean;
  consecutiveLaunchCrashes: number;
  lastCrash?: unknown;
  state?: unknown;
}

/** The handle returned by {@link startTelemetry}. Every method is safe to call at any time. */
export interface Telemetry {
  /** session.id of this run (a UUID), also on every record's resource. */
  readonly sessionId: string;
  /** The spool directory in use. */
  readonly dir: string;
  readonly serviceName: string;
  /** False when OTEL_SDK_DISABLED=true: every method is then a no-op. */
  readonly enabled: boolean;
  /** Tracer, meter and logger named after the service (or use the global OTel API). */
  readonly tracer: Tracer;
  readonly meter: Meter;
  readonly logger: Logger;
  getTracer(name: string, version?: string): Tracer;
  getMeter(name: string, version?: string): Meter;
  getLogger(name: string, version?: string): Logger;
  /** An OpenTelemetry event (a log record with an event name) in the active trace context. */
  event(name: string, attributes?: Attributes, body?: string): void;
  /** Structured logs; they carry the active trace and span ids. */
  readonly log: Record<
    'debug' | 'info' | 'warn' | 'error',
    (message: string, attributes?: Attributes) => void
  >;
  /** Facade for people new to OpenTelemetry: an event described by source, message, type and metadata. */
  collectEvent(event: CollectedEvent): void;
  /** Facade for people new to OpenTelemetry: a metric sample recorded as a gauge value. */
  collectMetric(metric: CollectedMetric): void;
  /** Live in-process stream of records (same shape as the spool reader); returns unsubscribe. */
  subscribe(consumer: LiveConsumer): () => void;
  stats(): TelemetryStats;
  /** Information about the previous run (crash, abnormal exit, crash loop). */
  getLastRunInfo(): LastRunInfo;
  /** Marks the launch phase as completed (crash-loop detection counts launch crashes only). */
  markLaunchCompleted(): void;
  /** Resumable app state kept with the session; returned by the next run's getLastRunInfo(). */
  setSessionState(state: unknown): void;
  /** Resolves when everything so far is written (and fsynced under 'batch' durability). */
  forceFlush(): Promise<void>;
  /** Flushes, ends the session cleanly and releases resources. Bounded in time. */
  shutdown(): Promise<void>;
}
