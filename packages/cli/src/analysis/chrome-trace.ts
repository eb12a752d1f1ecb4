import {
  attributeText,
  scalarText,
  type InstrumentationScope,
  type Resource,
  type Span,
} from '@otelspool/exporter-jsonl';
import { serviceName } from './record-filter.js';

/**
 * Trace Event Format (https://docs.google.com/document/d/1CvAClvFfyA5R-PhYUmn5OOQtYMH4h6I0nSsKchNAySU):
 * the JSON that chrome://tracing and Perfetto open. Spans become complete events (`ph: "X"`,
 * `ts`/`dur` in µs); span events become thread-scoped instant events (`ph: "i"`). Each service
 * is a process (pid), each trace a thread (tid) within it, named by metadata events (`ph: "M"`).
 */
export interface TraceEvent {
  name: string;
  ph: 'X' | 'i' | 'M';
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  cat?: string;
  s?: 't';
  args?: Record<string, unknown>;
}

/** µs since the epoch from a nanosecond decimal string, keeping sub-µs as the fraction. */
export function nanosToMicros(nanos: string | undefined): number {
  if (!nanos) return NaN;
  try {
    const ns = BigInt(nanos);
    return Number(ns / 1000n) + Number(ns % 1000n) / 1000;
  } catch {
    return NaN;
  }
}

/** Assigns stable pids per service and tids per trace, emitting the naming metadata once. */
export class ChromeTraceIds {
  private readonly pids = new Map<string, number>();
  private readonly tids = new Map<string, number>();

  /** Returns [pid, tid, metadata events to write first]. */
  ids(service: string, traceId: string): [number, number, TraceEvent[]] {
    const meta: TraceEvent[] = [];
    let pid = this.pids.get(service);
    if (pid === undefined) {
      pid = this.pids.size + 1;
      this.pids.set(service, pid);
      meta.push({ name: 'process_name', ph: 'M', pid, tid: 0, args: { name: service } });
    }
    const key = `${pid}/${traceId}`;
    let tid = this.tids.get(key);
    if (tid === undefined) {
      tid = this.tids.size + 1;
      this.tids.set(key, tid);
      meta.push({
        name: 'thread_name',
        ph: 'M',
        pid,
        tid,
        args: { name: `trace ${traceId.slice(0, 16)}` },
      });
    }
    return [pid, tid, meta];
  }
}

/** Events for one span (metadata first when its service or trace is new). */
export function spanToTraceEvents(
  span: Span,
  resource: Resource | undefined,
  scope: InstrumentationScope | undefined,
  ids: ChromeTraceIds,
): TraceEvent[] {
  const service = serviceName(resource);
  const [pid, tid, events] = ids.ids(service, span.traceId);
  const ts = nanosToMicros(span.startTimeUnixNano);
  const end = nanosToMicros(span.endTimeUnixNano);
  if (!Number.isFinite(ts)) return events;
  const args: Record<string, unknown> = {
    traceId: span.traceId,
    spanId: span.spanId,
  };
  if (span.parentSpanId) args.parentSpanId = span.parentSpanId;
  if (span.status?.code === 2)
    args.status = `ERROR${span.status.message ? `: ${span.status.message}` : ''}`;
  for (const kv of span.attributes ?? []) {
    const v = scalarText(kv.value);
    if (v !== undefined) args[kv.key] = v;
  }
  events.push({
    name: span.name || '(unnamed)',
    cat: scope?.name || attributeText(resource?.attributes, 'service.name') || 'span',
    ph: 'X',
    ts,
    dur: Number.isFinite(end) && end >= ts ? end - ts : 0,
    pid,
    tid,
    args,
  });
  for (const event of span.events ?? []) {
    const t = nanosToMicros(event.timeUnixNano);
    if (!Number.isFinite(t)) continue;
    const eventArgs: Record<string, unknown> = {};
    for (const kv of event.attributes ?? []) {
      const v = scalarText(kv.value);
      if (v !== undefined) eventArgs[kv.key] = v;
    }
    events.push({
      name: event.name || '(event)',
      ph: 'i',
      s: 't',
      ts: t,
      pid,
      tid,
      args: eventArgs,
    });
  }
  return events;
}
