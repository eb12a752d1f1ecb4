import {
  forEachSpan,
  readSpool,
  scalarText,
  stringifyOtlpJson,
  type AnyValue,
  type KeyValue,
  type SpoolRecord,
  type TracesData,
} from '@otelspool/exporter-jsonl';
import { serviceName } from '../analysis/record-filter.js';
import {
  newestTraceIds,
  readBackFromIndex,
  spanLinesOfTraces,
} from '../spool-index/lines-from-index.js';

/** One trace in the dashboard's trace list. Times are epoch milliseconds. */
export interface TraceSummary {
  traceId: string;
  rootName: string;
  service: string;
  startTimeMs: number;
  durationMs: number;
  spanCount: number;
  errorCount: number;
}

/** One bar of the waterfall: offsets are relative to the trace's first span start. */
export interface WaterfallSpan {
  spanId: string;
  parentSpanId: string | null;
  name: string;
  service: string;
  kind: number;
  depth: number;
  startOffsetMs: number;
  durationMs: number;
  statusCode: number;
  statusMessage: string;
  attributes: Record<string, string>;
  eventCount: number;
}

export interface TraceDetail {
  traceId: string;
  startTimeMs: number;
  durationMs: number;
  spans: WaterfallSpan[];
  /** True when the trace had more spans than MAX_TRACE_SPANS; the earliest ones are kept. */
  truncated: boolean;
}

export const DEFAULT_TRACE_LIMIT = 50;
export const MAX_TRACE_LIMIT = 500;
/** Memory bound while scanning: beyond this many traces only the most recent half is kept. */
const MAX_TRACKED_TRACES = 20_000;
export const MAX_TRACE_SPANS = 5_000;
const MAX_ATTRIBUTES = 32;
const MAX_ATTRIBUTE_CHARS = 512;

const STATUS_ERROR = 2;
export const TRACE_ID = /^[0-9a-f]{32}$/;

/** How a view reads the spool: through its index when it has one (the default), or by a scan. */
export interface ViewReadOptions {
  /** false: scan even when the spool has an index. */
  index?: boolean;
}

type Records = Iterable<SpoolRecord> | AsyncIterable<SpoolRecord>;

/**
 * The most recent traces (by start time), newest first. With an index, it names the traces and
 * the lines that hold their spans, and only those lines are read back; without one, the whole
 * spool is read. Either way the same code below sums the spans up, so both give the same list.
 */
export async function listRecentTraces(
  dir: string,
  limit: number,
  options: ViewReadOptions = {},
): Promise<TraceSummary[]> {
  if (options.index !== false) {
    let chosen: string[] | undefined;
    const indexed = await readBackFromIndex(
      dir,
      ['traces'],
      (db) => {
        chosen = newestTraceIds(db, limit);
        return chosen === undefined ? undefined : spanLinesOfTraces(db, chosen);
      },
      // A line holds a batch of spans, other traces' too: only the chosen traces count.
      (records) => summarizeTraces(records.traces!(), limit, new Set(chosen)),
    );
    if (indexed !== undefined) return indexed;
  }
  return summarizeTraces(readSpool(dir, { signals: ['traces'] }), limit);
}

async function summarizeTraces(
  records: Records,
  limit: number,
  only?: ReadonlySet<string>,
): Promise<TraceSummary[]> {
  const traces = new Map<string, TraceAccumulator>();
  for await (const record of records) {
    forEachSpan(record.data as TracesData, (span, _scopeSpans, { resource }) => {
      const id = span.traceId;
      if (!id || (only !== undefined && !only.has(id))) return;
      const service = serviceName(resource);
      let acc = traces.get(id);
      if (acc === undefined) {
        acc = {
          traceId: id,
          rootName: '',
          service,
          startNs: -1n,
          endNs: 0n,
          spanCount: 0,
          errorCount: 0,
          firstName: span.name ?? '',
        };
        traces.set(id, acc);
      }
      const start = toNs(span.startTimeUnixNano);
      const end = maxNs(start, toNs(span.endTimeUnixNano));
      acc.spanCount++;
      if (span.status?.code === STATUS_ERROR) acc.errorCount++;
      if (!span.parentSpanId) {
        acc.rootName = span.name ?? '';
        acc.service = service;
      }
      if (acc.startNs < 0n || start < acc.startNs) acc.startNs = start;
      if (end > acc.endNs) acc.endNs = end;
    });
    if (traces.size > MAX_TRACKED_TRACES) keepMostRecent(traces, MAX_TRACKED_TRACES / 2);
  }
  return [...traces.values()]
    .sort(newestFirst)
    .slice(0, limit)
    .map((t) => ({
      traceId: t.traceId,
      rootName: t.rootName || t.firstName,
      service: t.service,
      startTimeMs: nsToMs(t.startNs),
      durationMs: nsToMs(maxNs(0n, t.endNs - t.startNs)),
      spanCount: t.spanCount,
      errorCount: t.errorCount,
    }));
}

/**
 * Every span of one trace laid out for a waterfall (depth-first, children by start time): from
 * the lines the index names when the spool has one, else from a scan (the same result).
 */
export async function readTrace(
  dir: string,
  traceId: string,
  options: ViewReadOptions = {},
): Promise<TraceDetail | undefined> {
  if (options.index !== false) {
    const indexed = await readBackFromIndex(
      dir,
      ['traces'],
      (db) => spanLinesOfTraces(db, [traceId]),
      async (records) => ({ detail: await layOutTrace(records.traces!(), traceId) }),
    );
    if (indexed !== undefined) return indexed.detail;
  }
  return layOutTrace(readSpool(dir, { signals: ['traces'] }), traceId);
}

async function layOutTrace(records: Records, traceId: string): Promise<TraceDetail | undefined> {
  const found: Array<{ span: WaterfallSpan; startNs: bigint; endNs: bigint }> = [];
  let truncated = false;
  for await (const record of records) {
    forEachSpan(record.data as TracesData, (span, _scopeSpans, { resource }) => {
      if (span.traceId !== traceId) return;
      if (found.length >= MAX_TRACE_SPANS) {
        truncated = true;
        return;
      }
      const startNs = toNs(span.startTimeUnixNano);
      const endNs = maxNs(startNs, toNs(span.endTimeUnixNano));
      const laidOut: WaterfallSpan = {
        spanId: span.spanId ?? '',
        parentSpanId: span.parentSpanId || null,
        name: span.name ?? '',
        service: serviceName(resource),
        kind: span.kind ?? 0,
        depth: 0,
        startOffsetMs: 0, // set once the trace's start is known
        durationMs: nsToMs(endNs - startNs),
        statusCode: span.status?.code ?? 0,
        statusMessage: span.status?.message ?? '',
        attributes: flattenAttributes(span.attributes),
        eventCount: span.events?.length ?? 0,
      };
      found.push({ span: laidOut, startNs, endNs });
    });
  }
  if (found.length === 0) return undefined;
  let traceStartNs = found[0]!.startNs;
  let traceEndNs = found[0]!.endNs;
  for (const f of found) {
    if (f.startNs < traceStartNs) traceStartNs = f.startNs;
    if (f.endNs > traceEndNs) traceEndNs = f.endNs;
  }
  for (const f of found) f.span.startOffsetMs = nsToMs(f.startNs - traceStartNs);
  return {
    traceId,
    startTimeMs: nsToMs(traceStartNs),
    durationMs: nsToMs(traceEndNs - traceStartNs),
    spans: layoutDepthFirst(found.map((f) => f.span)),
    truncated,
  };
}

/** Orders spans parent-before-children; spans whose parent is missing become roots. */
function layoutDepthFirst(spans: WaterfallSpan[]): WaterfallSpan[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string | null, WaterfallSpan[]>();
  for (const span of spans) {
    const parent =
      span.parentSpanId !== null && ids.has(span.parentSpanId) ? span.parentSpanId : null;
    const list = children.get(parent) ?? [];
    list.push(span);
    children.set(parent, list);
  }
  for (const list of children.values()) list.sort((a, b) => a.startOffsetMs - b.startOffsetMs);
  const ordered: WaterfallSpan[] = [];
  const visited = new Set<WaterfallSpan>();
  // Iterative walk: a hostile spool with a parent cycle or a very deep chain cannot overflow.
  const stack: Array<{ span: WaterfallSpan; depth: number }> = (children.get(null) ?? [])
    .map((span) => ({ span, depth: 0 }))
    .reverse();
  while (stack.length > 0) {
    const { span, depth } = stack.pop()!;
    if (visited.has(span)) continue;
    visited.add(span);
    span.depth = depth;
    ordered.push(span);
    const kids = children.get(span.spanId) ?? [];
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ span: kids[i]!, depth: depth + 1 });
  }
  // Spans only reachable through a cycle are appended as roots rather than lost.
  for (const span of spans) if (!visited.has(span)) ordered.push(span);
  return ordered;
}

interface TraceAccumulator {
  traceId: string;
  rootName: string;
  firstName: string;
  service: string;
  startNs: bigint;
  endNs: bigint;
  spanCount: number;
  errorCount: number;
}

function keepMostRecent(traces: Map<string, TraceAccumulator>, keep: number): void {
  const recent = [...traces.values()].sort(newestFirst).slice(0, keep);
  traces.clear();
  for (const t of recent) traces.set(t.traceId, t);
}

const INT64_MAX = 2n ** 63n - 1n;

/**
 * Nanosecond timestamps arrive as decimal strings (the reader normalises them). Today's epoch
 * in ns is ~1.8e18, where a double is only exact to 256 ns, so they are kept as BigInt and only
 * differences and final milliseconds become numbers. Anything unparseable, or beyond int64,
 * counts as 0.
 */
export function toNs(value: string | number | undefined): bigint {
  try {
    const n = BigInt(typeof value === 'number' ? Math.trunc(value) : (value ?? 0));
    // Beyond int64 (a -1 sentinel written as uint64): no time, as the spool index stores it.
    return n > 0n && n <= INT64_MAX ? n : 0n;
  } catch {
    return 0n;
  }
}

function maxNs(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

export function nsToMs(ns: bigint): number {
  return Number(ns / 1000n) / 1000 + Number(ns % 1000n) / 1e6;
}

function newestFirst(a: TraceAccumulator, b: TraceAccumulator): number {
  return a.startNs === b.startNs ? 0 : a.startNs > b.startNs ? -1 : 1;
}

function flattenAttributes(attributes: KeyValue[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of (attributes ?? []).slice(0, MAX_ATTRIBUTES)) {
    out[kv.key] = attributeValueText(kv.value).slice(0, MAX_ATTRIBUTE_CHARS);
  }
  return out;
}

/** For the span detail panel: a scalar as text, an array, map or bytes value as its OTLP JSON. */
function attributeValueText(value: AnyValue | undefined): string {
  if (value === undefined || value === null) return '';
  return scalarText(value) ?? stringifyOtlpJson(value).slice(0, MAX_ATTRIBUTE_CHARS);
}
