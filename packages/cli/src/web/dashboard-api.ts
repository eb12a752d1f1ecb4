import { groupCrashFacts, readCrashReport } from '@otelspool/crash';
import { buildReport, type ReportOptions } from '../analysis/index.js';
import type { SpoolWatcher } from './spool-watcher.js';
import { crashFilesOfSpool } from '../spool-index/crash-facts.js';
import {
  DEFAULT_TRACE_LIMIT,
  MAX_TRACE_LIMIT,
  TRACE_ID,
  listRecentTraces,
  readTrace,
} from './trace-index.js';
import { parseLogSearch, searchLogs } from './log-search.js';
import { SearchQueryError } from './query-params.js';
import { parseSpanSearch, searchSpans } from './trace-search.js';
import { VersionedCache } from './versioned-cache.js';

/** A request the API refuses, with the status and machine-readable code to send. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** Crash ids are file-name-like tokens; anything else never reaches the crash store. */
const CRASH_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$/;
const MAX_QUERY_VALUE = 200;
const MAX_CRASH_GROUPS = 200;
const MAX_REPORT_IDS = 20;

/**
 * The dashboard's JSON endpoints. Each one reads through the shared packages (buildReport,
 * @otelspool/crash, readSpool); results are cached per spool version so refreshes of an
 * unchanged spool cost one directory listing.
 */
export class DashboardApi {
  private readonly cache = new VersionedCache();
  /** Searches get their own cache, so paging through results never evicts the report. */
  private readonly searches = new VersionedCache(16);

  constructor(
    private readonly dir: string,
    private readonly watcher: SpoolWatcher,
  ) {}

  async handle(path: string, query: URLSearchParams): Promise<unknown> {
    if (path === '/api/report') return this.report(query);
    if (path === '/api/crashes') return this.cached('crashes', () => this.crashGroups());
    if (path.startsWith('/api/crashes/')) return this.crash(path.slice('/api/crashes/'.length));
    if (path === '/api/traces') return this.traces(query);
    if (path === '/api/search') return this.search(query);
    if (path === '/api/logs') return this.logs(query);
    if (path.startsWith('/api/traces/')) return this.trace(path.slice('/api/traces/'.length));
    throw new HttpError(404, 'not_found', 'no such API endpoint');
  }

  private report(query: URLSearchParams): Promise<unknown> {
    const since = queryValue(query, 'since');
    const service = queryValue(query, 'service');
    const options: ReportOptions = {
      ...(since !== undefined ? { since } : {}),
      ...(service !== undefined ? { service } : {}),
    };
    // A relative --since moves with the clock, so such reports are not cached.
    const key = since === undefined ? `report?&${service ?? ''}` : undefined;
    const compute = (): Promise<unknown> =>
      buildReport(this.dir, options).catch((err: unknown) => {
        // buildReport throws RangeError for a `since` it cannot parse.
        if (err instanceof RangeError) throw new HttpError(400, 'bad_request', err.message);
        throw err;
      });
    return key === undefined ? compute() : this.cached(key, compute);
  }

  /**
   * Crash groups, most recently seen first. Bounded for the page: at most MAX_CRASH_GROUPS
   * groups, per-session/install lists reduced to counts, the last MAX_REPORT_IDS report ids.
   */
  private async crashGroups(): Promise<unknown> {
    // From the index where it read the reports as they are now, else from the reports.
    const reports = crashFilesOfSpool(this.dir).map((f) => f.facts);
    const groups = groupCrashFacts(reports);
    // Per-release and per-host counts of each group (CrashGroup only lists the distinct values).
    const breakdown = new Map<string, { byVersion: Tally; byHost: Tally }>();
    for (const report of reports) {
      const key = `${report.signatureVersion}:${report.signatureId}`;
      let b = breakdown.get(key);
      if (b === undefined) {
        b = { byVersion: new Map(), byHost: new Map() };
        breakdown.set(key, b);
      }
      bump(b.byVersion, report.version);
      bump(b.byHost, report.host);
    }
    return {
      total: groups.length,
      groups: groups.slice(0, MAX_CRASH_GROUPS).map(({ sessions, installs, ...group }) => {
        const b = breakdown.get(`${group.signatureVersion}:${group.id}`);
        return {
          ...group,
          reportIds: group.reportIds.slice(-MAX_REPORT_IDS),
          sessionCount: sessions.length,
          installCount: installs.length,
          byVersion: tallyRows(b?.byVersion),
          byHost: tallyRows(b?.byHost),
        };
      }),
    };
  }

  private async crash(id: string): Promise<unknown> {
    if (!CRASH_ID.test(id)) throw new HttpError(404, 'not_found', 'no such crash');
    return this.cached(`crash/${id}`, async () => {
      let report: unknown;
      try {
        report = readCrashReport(this.dir, id);
      } catch (err) {
        // readCrashReport accepts a unique id prefix and throws when a prefix is ambiguous.
        if (err instanceof Error && /ambiguous/.test(err.message)) {
          throw new HttpError(400, 'ambiguous_id', err.message);
        }
        throw err;
      }
      if (report === undefined || report === null) {
        throw new HttpError(404, 'not_found', 'no such crash');
      }
      return report;
    });
  }

  private traces(query: URLSearchParams): Promise<unknown> {
    const raw = queryValue(query, 'limit');
    let limit = DEFAULT_TRACE_LIMIT;
    if (raw !== undefined) {
      limit = Number(raw);
      if (!Number.isInteger(limit) || limit < 1) {
        throw new HttpError(400, 'bad_request', 'limit must be a positive integer');
      }
      limit = Math.min(limit, MAX_TRACE_LIMIT);
    }
    return this.cached(`traces?${limit}`, async () => ({
      traces: await listRecentTraces(this.dir, limit),
    }));
  }

  /** /api/search: span search with filters, sort and paging (trace-search.ts). */
  private search(query: URLSearchParams): Promise<unknown> {
    let search;
    try {
      search = parseSpanSearch(query);
    } catch (err) {
      if (err instanceof SearchQueryError) throw new HttpError(400, 'bad_request', err.message);
      throw err;
    }
    const compute = (): Promise<unknown> => searchSpans(this.dir, search);
    if (isRelative(query)) return compute();
    return this.watcher
      .current()
      .then((version) => this.searches.get(searchKey(query), version, compute));
  }

  /** /api/logs: `spool logs`'s filters and engine over the spool's logs (log-search.ts). */
  private logs(query: URLSearchParams): Promise<unknown> {
    let search;
    try {
      search = parseLogSearch(query);
    } catch (err) {
      if (err instanceof SearchQueryError) throw new HttpError(400, 'bad_request', err.message);
      throw err;
    }
    const compute = (): Promise<unknown> => searchLogs(this.dir, search);
    if (isRelative(query)) return compute();
    return this.watcher
      .current()
      .then((version) => this.searches.get(`logs ${searchKey(query)}`, version, compute));
  }

  private trace(rawId: string): Promise<unknown> {
    const traceId = rawId.toLowerCase();
    if (!TRACE_ID.test(traceId)) {
      throw new HttpError(400, 'bad_request', 'a trace id is 32 hexadecimal characters');
    }
    return this.cached(`trace/${traceId}`, async () => {
      const trace = await readTrace(this.dir, traceId);
      if (trace === undefined) throw new HttpError(404, 'not_found', 'no such trace');
      return trace;
    });
  }

  private async cached<T>(key: string, compute: () => Promise<T>): Promise<T> {
    const version = await this.watcher.current();
    return this.cache.get(key, version, compute);
  }
}

/** Relative times move with the clock; only absolute searches are cached. */
function isRelative(query: URLSearchParams): boolean {
  return [query.get('since'), query.get('until')].some(
    (v) => v !== null && v.trim() !== '' && !/^\d{10,}$/.test(v) && !/^\d{4}-/.test(v),
  );
}

/** The same parameters in any order are the same search. */
function searchKey(query: URLSearchParams): string {
  return JSON.stringify([...query].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

type Tally = Map<string, number>;

function bump(tally: Tally, value: unknown): void {
  const key =
    (typeof value === 'string' && value !== '') || typeof value === 'number'
      ? String(value)
      : '(unknown)';
  tally.set(key, (tally.get(key) ?? 0) + 1);
}

/** Largest count first. */
function tallyRows(tally: Tally | undefined): Array<{ key: string; count: number }> {
  return [...(tally ?? new Map<string, number>())]
    .map(([key, count]) => ({ key, count }))
    .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1));
}

function queryValue(query: URLSearchParams, name: string): string | undefined {
  const value = query.get(name);
  if (value === null || value === '') return undefined;
  if (value.length > MAX_QUERY_VALUE) {
    throw new HttpError(400, 'bad_request', `${name} is too long`);
  }
  return value;
}
