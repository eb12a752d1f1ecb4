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
import {
  SpanFilter,
  SpanPage,
  spanDurationNs,
  type SpanSearch,
  type SpanSearchResult,
} from './span-search-model.js';
import { nsToMs, toNs } from './trace-index.js';

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
