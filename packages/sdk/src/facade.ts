import { SeverityNumber } from '@opentelemetry/api-logs';
import type { Logger } from '@opentelemetry/api-logs';
import type { Attributes, Gauge, Meter } from '@opentelemetry/api';

/**
 * An event described the way apps without OpenTelemetry describe one (source, message, type,
 * metadata), for people who do not know OpenTelemetry; recorded as an OTel event.
 */
export interface CollectedEvent {
  /** Where it happened, e.g. 'plugin.reverb' (→ attribute `event.source`). */
  source?: string;
  /** Human-readable text (→ log body). */
  message?: string;
  /** What happened, e.g. 'preset.change' (→ event name); default 'app.event'. */
  type?: string;
  /** Extra facts (→ attributes). Values must be string, number, boolean or arrays of them. */
  metadata?: Attributes;
  /** 'debug' | 'info' | 'warn' | 'error' | 'fatal'; default 'info'. */
  level?: 'debug' | 'info' | 'warn' | 'error' | 'fatal';
}

/** A metric sample as a name, a value and tags: recorded as the latest value of a gauge. */
export interface CollectedMetric {
  name: string;
  value: number;
  unit?: string;
  tags?: Attributes;
}

const LEVELS: Record<NonNullable<CollectedEvent['level']>, [SeverityNumber, string]> = {
  debug: [SeverityNumber.DEBUG, 'DEBUG'],
  info: [SeverityNumber.INFO, 'INFO'],
  warn: [SeverityNumber.WARN, 'WARN'],
  error: [SeverityNumber.ERROR, 'ERROR'],
  fatal: [SeverityNumber.FATAL, 'FATAL'],
};

/** Emits an OTel event: a log record with `eventName`, in the active context (trace ids). */
export function emitEvent(
  logger: Logger,
  name: string,
  attributes: Attributes = {},
  body?: string,
  level: NonNullable<CollectedEvent['level']> = 'info',
): void {
  const [severityNumber, severityText] = LEVELS[level];
  logger.emit({ eventName: name, severityNumber, severityText, attributes, body });
}

export function collectEvent(logger: Logger, event: CollectedEvent): void {
  const attributes: Attributes = { ...event.metadata };
  if (event.source) attributes['event.source'] = event.source;
  emitEvent(logger, event.type ?? 'app.event', attributes, event.message, event.level ?? 'info');
}

/** Gauges are created once per name and unit, then reused. */
export class MetricFacade {
  private readonly gauges = new Map<string, Gauge>();

  constructor(private readonly meter: Meter) {}

  collect(metric: CollectedMetric): void {
    if (!metric.name || !Number.isFinite(metric.value)) return;
    const key = `${metric.name}\u0000${metric.unit ?? ''}`;
    let gauge = this.gauges.get(key);
    if (!gauge) {
      gauge = this.meter.createGauge(metric.name, metric.unit ? { unit: metric.unit } : {});
      this.gauges.set(key, gauge);
    }
    gauge.record(metric.value, metric.tags);
  }
}
