import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { SdkLogRecord } from '@opentelemetry/sdk-logs';
import { encodeLogs, encodeTraces } from '@otelspool/exporter-jsonl/write-path';
import { forEachLogRecord, forEachSpan } from '@otelspool/exporter-jsonl/write-path';
import type {
  InstrumentationScope,
  LogRecord,
  LogsData,
  Resource,
  Span,
  TracesData,
} from '@otelspool/exporter-jsonl';

/** A span in the one OTLP model, with the resource and scope its spool line carries. */
export interface SpanItem {
  span: Span;
  scope: InstrumentationScope;
  resource: Resource;
}

/** A log record in the one OTLP model, with its resource and scope. */
export interface LogItem {
  logRecord: LogRecord;
  scope: InstrumentationScope;
  resource: Resource;
}

// Each SDK object is encoded by the spool's own encoder (so a store holds exactly what the
// spool line would) the first time someone asks for it, then remembered while the object lives.
const spanItems = new WeakMap<ReadableSpan, SpanItem | null>();
const logItems = new WeakMap<SdkLogRecord, LogItem | null>();

/** The OTLP form of an SDK span; undefined if the encoder produced nothing for it. */
export function toSpanItem(span: ReadableSpan): SpanItem | undefined {
  let item = spanItems.get(span);
  if (item === undefined) {
    item = null;
    const data = parseLine<TracesData>(encodeTraces([span]));
    if (data)
      forEachSpan(
        data,
        (s, ss, rs) => (item = { span: s, scope: ss.scope ?? {}, resource: rs.resource ?? {} }),
      );
    spanItems.set(span, item);
  }
  return item ?? undefined;
}

/** The OTLP form of an SDK log record; undefined if the encoder produced nothing for it. */
export function toLogItem(record: SdkLogRecord): LogItem | undefined {
  let item = logItems.get(record);
  if (item === undefined) {
    item = null;
    const data = parseLine<LogsData>(encodeLogs([record]));
    if (data) {
      forEachLogRecord(
        data,
        (r, sl, rl) =>
          (item = { logRecord: r, scope: sl.scope ?? {}, resource: rl.resource ?? {} }),
      );
    }
    logItems.set(record, item);
  }
  return item ?? undefined;
}

function parseLine<T>(line: string): T | undefined {
  if (line === '') return undefined;
  try {
    return JSON.parse(line) as T;
  } catch {
    return undefined;
  }
}
