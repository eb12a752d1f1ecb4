import { context, SpanStatusCode, trace, type Context } from '@opentelemetry/api';
import { logs, SeverityNumber } from '@opentelemetry/api-logs';
import {
  CRASH_LOG_SEVERITY,
  CRASH_SPAN_NAME,
  SpoolWriter,
} from '@otelspool/exporter-jsonl/write-path';
import type { ErrorInfo } from '../report/error-info.js';
import {
  crashSpanLine,
  logsDataLine,
  randomSpanId,
  randomTraceId,
  SCOPE,
  type AttributeMap,
} from './otlp-lines.js';

/** An exception to record as OpenTelemetry data (already scrubbed). */
export interface ExceptionRecord {
  timeMs: number;
  error: ErrorInfo;
  /** Extra log/span attributes (session.id, the crash vocabulary's CRASH_ATTRIBUTES). */
  attributes: AttributeMap;
}

export interface EventRecord {
  timeMs?: number;
  name: string;
  severityNumber: number;
  severityText: string;
  body: string;
  attributes: AttributeMap;
}

export interface TraceIds {
  traceId: string;
  spanId: string;
}

/**
 * Where crash-related OpenTelemetry records go. With the SDK: the global OTel API, then the
 * SDK's synchronous flush. Standalone: OTLP-JSON lines straight into the spool.
 */
export interface TelemetrySink {
  /** Fatal: FATAL log record + exception event on the active span (or a `crash` span). Returns the ids used. */
  recordCrash(record: ExceptionRecord): TraceIds | undefined;
  /** Non-fatal: ERROR log record in the active context. */
  recordError(record: ExceptionRecord): void;
  emitEvent(event: EventRecord): void;
  /** Bounded synchronous write of everything recorded so far. Never throws. */
  flushSync(): void;
  close(): void;
}

export function exceptionAttributes(error: ErrorInfo): AttributeMap {
  return {
    'exception.type': error.type,
    'exception.message': error.message,
    'exception.stacktrace': error.stack ?? `${error.type}: ${error.message}`,
  };
}

function cleanAttributes(attrs: AttributeMap): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) out[k] = v;
  return out;
}

function validIds(ctx: Context): TraceIds | undefined {
  const sc = trace.getSpanContext(ctx);
  if (!sc || !trace.isSpanContextValid(sc)) return undefined;
  return { traceId: sc.traceId, spanId: sc.spanId };
}

/** Records through the global OTel API; the SDK behind it writes to the spool. */
export class ApiTelemetrySink implements TelemetrySink {
  constructor(private readonly flush: () => void) {}

  recordCrash(record: ExceptionRecord): TraceIds | undefined {
    const active = context.active();
    const exception = {
      name: record.error.type,
      message: record.error.message,
      stack: record.error.stack,
    };
    const activeSpan = trace.getSpan(active);
    let logContext: Context = active;
    if (activeSpan && activeSpan.isRecording()) {
      // recordException's attributes plus the crash attributes on the same `exception` event:
      // they mark this (application) span as the crash's, so a crashes-only consent keeps it.
      activeSpan.addEvent(
        'exception',
        cleanAttributes({ ...exceptionAttributes(record.error), ...record.attributes }),
        record.timeMs,
      );
      activeSpan.setStatus({
        code: SpanStatusCode.ERROR,
        message: `${record.error.type}: ${record.error.message}`,
      });
    } else {
      const tracer = trace.getTracer(SCOPE.name, SCOPE.version);
      const span = tracer.startSpan(
        CRASH_SPAN_NAME,
        { attributes: cleanAttributes(record.attributes), startTime: record.timeMs },
        active,
      );
      span.recordException(exception, record.timeMs);
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: `${record.error.type}: ${record.error.message}`,
      });
      span.end(record.timeMs);
      logContext = trace.setSpan(active, span);
    }
    this.emitLog(record, CRASH_LOG_SEVERITY, 'FATAL', logContext);
    return validIds(logContext);
  }

  recordError(record: ExceptionRecord): void {
    this.emitLog(record, SeverityNumber.ERROR, 'ERROR', context.active());
  }

  emitEvent(event: EventRecord): void {
    logs.getLogger(SCOPE.name, SCOPE.version).emit({
      eventName: event.name,
      timestamp: event.timeMs ?? Date.now(),
      severityNumber: event.severityNumber,
      severityText: event.severityText,
      body: event.body,
      attributes: cleanAttributes(event.attributes),
      context: context.active(),
    });
  }

  flushSync(): void {
    try {
      this.flush();
    } catch {
      // the SDK's flush must never turn a crash report into a second crash
    }
  }

  close(): void {}

  private emitLog(
    record: ExceptionRecord,
    severityNumber: number,
    severityText: string,
    ctx: Context,
  ): void {
    logs.getLogger(SCOPE.name, SCOPE.version).emit({
      timestamp: record.timeMs,
      severityNumber,
      severityText,
      body: `${record.error.type}: ${record.error.message}`,
      attributes: cleanAttributes({ ...exceptionAttributes(record.error), ...record.attributes }),
      context: ctx,
    });
  }
}

/** Standalone: no SDK in the process, so the records are written into the spool directly. */
export class SpoolTelemetrySink implements TelemetrySink {
  constructor(
    private readonly writer: SpoolWriter,
    private readonly resource: AttributeMap,
    private readonly flushTimeoutMs: number,
  ) {}

  recordCrash(record: ExceptionRecord): TraceIds | undefined {
    const parent = validIds(context.active());
    const ids: TraceIds = { traceId: parent?.traceId ?? randomTraceId(), spanId: randomSpanId() };
    const message = `${record.error.type}: ${record.error.message}`;
    this.writer.append(
      'traces',
      crashSpanLine(this.resource, {
        ...ids,
        parentSpanId: parent?.spanId,
        startMs: record.timeMs,
        endMs: record.timeMs,
        attributes: record.attributes,
        exception: exceptionAttributes(record.error),
        statusMessage: message,
      }),
      1,
    );
    this.appendLog(record, CRASH_LOG_SEVERITY, 'FATAL', ids);
    return ids;
  }

  recordError(record: ExceptionRecord): void {
    this.appendLog(record, SeverityNumber.ERROR, 'ERROR', validIds(context.active()));
  }

  emitEvent(event: EventRecord): void {
    this.writer.append(
      'logs',
      logsDataLine(this.resource, [
        {
          timeMs: event.timeMs ?? Date.now(),
          eventName: event.name,
          severityNumber: event.severityNumber,
          severityText: event.severityText,
          body: event.body,
          attributes: event.attributes,
        },
      ]),
      1,
    );
  }

  flushSync(): void {
    try {
      this.writer.flushSync({ timeoutMs: this.flushTimeoutMs });
    } catch {}
  }

  close(): void {
    this.flushSync();
    void this.writer.shutdown().catch(() => {});
  }

  private appendLog(
    record: ExceptionRecord,
    severityNumber: number,
    severityText: string,
    ids: TraceIds | undefined,
  ): void {
    this.writer.append(
      'logs',
      logsDataLine(this.resource, [
        {
          timeMs: record.timeMs,
          severityNumber,
          severityText,
          body: `${record.error.type}: ${record.error.message}`,
          attributes: { ...exceptionAttributes(record.error), ...record.attributes },
          traceId: ids?.traceId,
          spanId: ids?.spanId,
        },
      ]),
      1,
    );
  }
}

/**
 * The sink for this process: through the OTel API when the SDK gave its synchronous flush,
 * else straight into the spool (records fsynced per batch, flushes bounded by
 * `flushTimeoutMs`, default 1000 ms).
 */
export function createTelemetrySink(
  options: { flushSync?: () => void; flushTimeoutMs?: number },
  spoolDir: string,
  resource: AttributeMap,
): TelemetrySink {
  if (options.flushSync) return new ApiTelemetrySink(options.flushSync);
  return new SpoolTelemetrySink(
    new SpoolWriter({ dir: spoolDir, durability: 'batch' }),
    resource,
    Math.max(10, options.flushTimeoutMs ?? 1000),
  );
}
