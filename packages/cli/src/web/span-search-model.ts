// The span search's model, shared by both ways of answering it: the scan (trace-search.ts) and
// the spool index (spool-index/search-spans.ts). What a search asks, what it returns, and the
// page and filters both sources apply span by span, so both give the same result.

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
