import {
  attributeText,
  forEachSpan,
  readSpool,
  type Span,
  type TracesData,
} from '@otelspool/exporter-jsonl';
import { parseDurationMs } from '../analysis/duration.js';
import { serviceName } from '../analysis/record-filter.js';
import { integerParam, SearchQueryError, timeParam } from './query-params.js';
import { searchSpansFromIndex } from '../spool-index/search-spans.js';
import { nsToMs, toNs } from './trace-index.js';

/**
 * Span search for the dashboard's Traces view (Jaeger's "Find traces" form): every filter is
 * optional and they all have to hold. The result is one page of matching spans in the chosen
 * order plus the true number of matches in the spool.
 */
export interface SpanSearch {
  /** Exact service.name of the span's resource. */
  service?: string;
  /** Case-insensitive substring of the span name. */
  name?: string;
  minDurationMs?: number;
  maxDurationMs?: number;
  /** Only spans with status ERROR. */
  errorOnly?: boolean;
  /** `key=value` pairs; each must equal a span attribute (or, failing that, a resource attribute). */
  attributes?: Array<{ key: string; value: string }>;
  /** Span start window, epoch ms, inclusive. */
  sinceMs?: number;
  untilMs?: number;
  sort: 'time' | 'duration';
  order: 'desc' | 'asc';
  limit: number;
  offset: number;
}

/** One matching span in the result list. Times are epoch milliseconds. */
export interface SpanHit {
  traceId: string;
  spanId: string;
  name: string;
  service: string;
  startTimeMs: number;
  durationMs: number;
  error: boolean;
  root: boolean;
}

export interface SpanSearchResult {
  /** Every matching span in the spool, not only the ones in `hits`. */
  total: number;
  offset: number;
  limit: number;
  sort: SpanSearch['sort'];
  order: SpanSearch['order'];
  hits: SpanHit[];
}

export const DEFAULT_SEARCH_LIMIT = 50;
export const MAX_SEARCH_LIMIT = 500;
/** offset + limit beyond this would keep too many spans in memory for one page. */
export const MAX_SEARCH_WINDOW = 10_000;
const MAX_ATTRIBUTE_FILTERS = 8;
const STATUS_ERROR = 2;

/** The query parameters /api/search understands (anything else is refused). */
const PARAMS = new Set([
  'service',
  'name',
  'minDuration',
  'maxDuration',
  'error',
  'attr',
  'since',
  'until',
  'sort',
  'order',
  'limit',
  'offset',
]);
const MAX_VALUE = 200;

/** A query parameter the search refuses; the API turns it into a 400 with this message. */

/**
 * Parses /api/search's query string. Durations take a unit (`250ms`, `1.5s`) or are plain
 * milliseconds; `since`/`until` take what `spool report --since` takes (a duration back from
 * now, or an ISO date/time) or epoch milliseconds.
 */
export function parseSpanSearch(query: URLSearchParams, now = Date.now()): SpanSearch {
  for (const [name, value] of query) {
    if (!PARAMS.has(name)) {
      throw new SearchQueryError(
        `unknown parameter ${JSON.stringify(name)}; expected one of ${[...PARAMS].join(', ')}`,
      );
    }
    if (value.length > MAX_VALUE) throw new SearchQueryError(`${name} is too long`);
    if (name !== 'attr' && query.getAll(name).length > 1) {
      throw new SearchQueryError(`${name} is given more than once`);
    }
  }
  const text = (name: string): string | undefined => {
    const v = query.get(name);
    return v === null || v === '' ? undefined : v;
  };
  const search: SpanSearch = {
    sort: oneOf(text('sort') ?? 'time', 'sort', ['time', 'duration'] as const),
    order: oneOf(text('order') ?? 'desc', 'order', ['desc', 'asc'] as const),
    limit: integerParam(text('limit'), 'limit', DEFAULT_SEARCH_LIMIT, 1, MAX_SEARCH_LIMIT),
    offset: integerParam(text('offset'), 'offset', 0, 0, MAX_SEARCH_WINDOW),
  };
  if (search.offset + search.limit > MAX_SEARCH_WINDOW) {
    throw new SearchQueryError(`offset + limit must be at most ${MAX_SEARCH_WINDOW}`);
  }
  const service = text('service');
  if (service !== undefined) search.service = service;
  const name = text('name');
  if (name !== undefined) search.name = name;
  const min = duration(text('minDuration'), 'minDuration');
  if (min !== undefined) search.minDurationMs = min;
  const max = duration(text('maxDuration'), 'maxDuration');
  if (max !== undefined) search.maxDurationMs = max;
  if (min !== undefined && max !== undefined && min > max) {
    throw new SearchQueryError('minDuration is larger than maxDuration');
  }
  const error = text('error');
  if (error !== undefined) {
    if (error !== 'true' && error !== 'false' && error !== '1' && error !== '0') {
      throw new SearchQueryError('error must be true or false');
    }
    if (error === 'true' || error === '1') search.errorOnly = true;
  }
  const attrs = query.getAll('attr').filter((a) => a !== '');
  if (attrs.length > MAX_ATTRIBUTE_FILTERS) {
    throw new SearchQueryError(`at most ${MAX_ATTRIBUTE_FILTERS} attr filters`);
  }
  if (attrs.length > 0) {
    search.attributes = attrs.map((a) => {
      const eq = a.indexOf('=');
      if (eq <= 0) throw new SearchQueryError(`attr ${JSON.stringify(a)}: expected key=value`);
      return { key: a.slice(0, eq), value: a.slice(eq + 1) };
    });
  }
  const since = time(text('since'), 'since', now);
  if (since !== undefined) search.sinceMs = since;
  const until = time(text('until'), 'until', now);
  if (until !== undefined) search.untilMs = until;
  if (since !== undefined && until !== undefined && since > until) {
    throw new SearchQueryError('since is later than until');
  }
  return search;
}

function oneOf<T extends string>(value: string, name: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new SearchQueryError(`${name} must be one of ${allowed.join(', ')}`);
}

function duration(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = /^\d+(?:\.\d+)?$/.test(value) ? Number(value) : parseDurationMs(value);
  if (ms === undefined || !Number.isFinite(ms)) {
    throw new SearchQueryError(
      `${name} ${JSON.stringify(value)}: expected a duration like 250ms, 1.5s or a number of milliseconds`,
    );
  }
  return ms;
}

function time(value: string | undefined, name: string, now: number): number | undefined {
  return value === undefined ? undefined : timeParam(value, name, now);
}

export interface SpanCandidate {
  hit: SpanHit;
  startNs: bigint;
  durationNs: bigint;
}

/**
 * The page of a search as spans arrive (from the scan or from the index): memory stays bounded
 * by the page, candidates beyond offset + limit are dropped as they come, `total` counts every
 * match. One place for the order so both sources give the same page.
 */
export class SpanPage {
  total = 0;
  private candidates: SpanCandidate[] = [];
  private readonly keep: number;
  private readonly compare: (a: SpanCandidate, b: SpanCandidate) => number;

  constructor(private readonly search: SpanSearch) {
    this.keep = search.offset + search.limit;
    this.compare = comparator(search);
  }

  add(candidate: SpanCandidate): void {
    this.total++;
    this.candidates.push(candidate);
    // Amortised top-k: sort and cut only when twice the page has piled up.
    if (this.candidates.length >= 2 * this.keep + 64) {
      this.candidates = this.candidates.sort(this.compare).slice(0, this.keep);
    }
  }

  result(): SpanSearchResult {
    this.candidates.sort(this.compare);
    return {
      total: this.total,
      offset: this.search.offset,
      limit: this.search.limit,
      sort: this.search.sort,
      order: this.search.order,
      hits: this.candidates.slice(this.search.offset, this.keep).map((c) => c.hit),
    };
  }
}

/** The filters both sources check span by span, with times as nanoseconds. */
export class SpanFilter {
  private readonly nameNeedle: string | undefined;
  private readonly sinceNs: bigint | undefined;
  private readonly untilNs: bigint | undefined;
  private readonly minNs: bigint | undefined;
  private readonly maxNs: bigint | undefined;

  constructor(search: SpanSearch) {
    this.nameNeedle = search.name?.toLowerCase();
    this.sinceNs = search.sinceMs !== undefined ? msToNs(search.sinceMs) : undefined;
    this.untilNs = search.untilMs !== undefined ? msToNs(search.untilMs) : undefined;
    this.minNs = search.minDurationMs !== undefined ? msToNs(search.minDurationMs) : undefined;
    this.maxNs = search.maxDurationMs !== undefined ? msToNs(search.maxDurationMs) : undefined;
  }

  nameMatches(name: string): boolean {
    return this.nameNeedle === undefined || name.toLowerCase().includes(this.nameNeedle);
  }

  timesMatch(startNs: bigint, durationNs: bigint): boolean {
    if (this.minNs !== undefined && durationNs < this.minNs) return false;
    if (this.maxNs !== undefined && durationNs > this.maxNs) return false;
    if (this.sinceNs !== undefined && startNs < this.sinceNs) return false;
    // before `until`, as spool logs
    if (this.untilNs !== undefined && startNs >= this.untilNs) return false;
    return true;
  }
}

/** A span's duration as the search compares it: never negative. */
export function spanDurationNs(startNs: bigint, endNs: bigint): bigint {
  return endNs > startNs ? endNs - startNs : 0n;
}

/**
 * Runs a search: from the spool index when the spool has one (brought up to date first, so new
 * lines are found), else by a scan of the spool. Both give the same result.
 */
export async function searchSpans(dir: string, search: SpanSearch): Promise<SpanSearchResult> {
  const indexed = await searchSpansFromIndex(dir, search);
  return indexed ?? searchSpansByScan(dir, search);
}

/** The search by a scan of the spool (through the shared reader and forEachSpan). */
export async function searchSpansByScan(
  dir: string,
  search: SpanSearch,
): Promise<SpanSearchResult> {
  const page = new SpanPage(search);
  const filter = new SpanFilter(search);
  for await (const record of readSpool(dir, { signals: ['traces'] })) {
    forEachSpan(record.data as TracesData, (span, _scopeSpans, { resource }) => {
      if (!span.traceId) return;
      const service = serviceName(resource);
      if (search.service !== undefined && service !== search.service) return;
      if (!filter.nameMatches(span.name ?? '')) return;
      const error = span.status?.code === STATUS_ERROR;
      if (search.errorOnly === true && !error) return;
      const startNs = toNs(span.startTimeUnixNano);
      const durationNs = spanDurationNs(startNs, toNs(span.endTimeUnixNano));
      if (!filter.timesMatch(startNs, durationNs)) return;
      if (search.attributes && !attributesMatch(span, resource?.attributes, search.attributes)) {
        return;
      }
      page.add({
        startNs,
        durationNs,
        hit: {
          traceId: span.traceId,
          spanId: span.spanId ?? '',
          name: span.name ?? '',
          service,
          startTimeMs: nsToMs(startNs),
          durationMs: nsToMs(durationNs),
          error,
          root: !span.parentSpanId,
        },
      });
    });
  }
  return page.result();
}

function attributesMatch(
  span: Span,
  resourceAttributes: Parameters<typeof attributeText>[0],
  wanted: NonNullable<SpanSearch['attributes']>,
): boolean {
  return wanted.every(
    ({ key, value }) =>
      (attributeText(span.attributes, key) ?? attributeText(resourceAttributes, key)) === value,
  );
}

/** Ties are broken by span id so pages never overlap or skip when values repeat. */
function comparator(search: SpanSearch): (a: SpanCandidate, b: SpanCandidate) => number {
  const sign = search.order === 'desc' ? -1 : 1;
  const field = search.sort === 'duration' ? 'durationNs' : 'startNs';
  return (a, b) => {
    const x = a[field];
    const y = b[field];
    if (x !== y) return x < y ? -sign : sign;
    const ka = a.hit.traceId + a.hit.spanId;
    const kb = b.hit.traceId + b.hit.spanId;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  };
}

/** Epoch ms as ns, as the search compares them. */
export function msToNs(ms: number): bigint {
  return BigInt(Math.round(ms * 1e6));
}
