import { findAttribute } from '@otelspool/exporter-jsonl';
import { CRASH_ATTRIBUTES } from '@otelspool/exporter-jsonl/internal';
import { queryLogsIndexed } from '../spool-index/search-logs.js';
import { integerParam, SearchQueryError, timeParam } from './query-params.js';
import {
  compileLogQuery,
  LogQueryError,
  parseSeverityThreshold,
  valueText,
  type CompiledLogQuery,
  type LabelMatcher,
  type LogEntry,
  type LogQuery,
  type MatchOp,
} from '../logs/index.js';

/**
 * /api/logs: the dashboard's logs view runs `spool logs`'s engine (src/logs) with the same
 * filters, taken from the query string instead of flags. One page of the newest matches plus
 * the true number of matches in the spool.
 */
export interface LogSearch {
  compiled: CompiledLogQuery;
  limit: number;
  offset: number;
}

/** One matching record as the page shows it. */
export interface LogHit {
  /** Unix ms (µs precision) of the record's time, else its observed time; null when neither. */
  timeMs: number | null;
  severityNumber: number;
  /** severityText as written, else the level's name, else UNSPECIFIED (as `spool logs` prints). */
  severity: string;
  level: string | null;
  service: string;
  body: string;
  eventName: string | null;
  /** The record's own attributes as text (int64 exact, maps and arrays as OTLP/JSON). */
  attributes: Record<string, string>;
  traceId: string | null;
  spanId: string | null;
  sessionId: string | null;
  /** The crash report this record is about (a FATAL crash log, or a later `app.crash` event). */
  crashReportId: string | null;
  /** Its grouping signature: the id of its crash group in /api/crashes. */
  crashSignature: string | null;
}

export interface LogSearchResult {
  /** Every matching record in the spool, not only the ones in `records`. */
  total: number;
  offset: number;
  limit: number;
  /** Newest first; `offset` counts from the newest match. */
  records: LogHit[];
}

export const DEFAULT_LOG_LIMIT = 100;
export const MAX_LOG_LIMIT = 500;
/** offset + limit beyond this would keep too many records in memory for one page. */
export const MAX_LOG_WINDOW = 10_000;
/** Each of attr, grep and regex may be given this many times. */
const MAX_REPEATED = 8;
/** A LogQL query may be longer than the other values (a selector and a pipeline). */
const MAX_QUERY_LENGTH = 2000;
const MAX_VALUE = 200;
const REPEATABLE = new Set(['attr', 'grep', 'regex']);

/** The query parameters /api/logs understands (anything else is refused). */
const PARAMS = new Set([
  'q',
  'service',
  'severity',
  'grep',
  'regex',
  'attr',
  'trace',
  'session',
  'since',
  'until',
  'limit',
  'offset',
]);

/** A query parameter /api/logs refuses; the API turns it into a 400 with this message. */

/** `key=value`, `key!=value`, `key=~regex`, `key!~regex`, as `spool logs --attr` takes them. */
function attrMatcher(text: string): LabelMatcher {
  const match = /^([^=!~]+?)(!=|=~|!~|=)(.*)$/s.exec(text);
  if (!match || match[1] === undefined || match[1].trim() === '') {
    throw new SearchQueryError(
      `attr ${JSON.stringify(text)}: expected key=value, key!=value, key=~regex or key!~regex`,
    );
  }
  return { name: match[1], op: match[2] as MatchOp, value: match[3] ?? '' };
}

/**
 * Parses /api/logs's query string into the engine's LogQuery and compiles it, so a bad
 * severity, regex or LogQL query is refused with the engine's own message before any read.
 */
export function parseLogSearch(query: URLSearchParams, now = Date.now()): LogSearch {
  for (const [name, value] of query) {
    if (!PARAMS.has(name)) {
      throw new SearchQueryError(
        `unknown parameter ${JSON.stringify(name)}; expected one of ${[...PARAMS].join(', ')}`,
      );
    }
    if (value.length > (name === 'q' ? MAX_QUERY_LENGTH : MAX_VALUE)) {
      throw new SearchQueryError(`${name} is too long`);
    }
    if (!REPEATABLE.has(name) && query.getAll(name).length > 1) {
      throw new SearchQueryError(`${name} is given more than once`);
    }
  }
  const text = (name: string): string | undefined => {
    const v = query.get(name)?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const list = (name: string): string[] => query.getAll(name).filter((v) => v !== '');

  const limit = integerParam(text('limit'), 'limit', DEFAULT_LOG_LIMIT, 1, MAX_LOG_LIMIT);
  const offset = integerParam(text('offset'), 'offset', 0, 0, MAX_LOG_WINDOW);
  if (offset + limit > MAX_LOG_WINDOW) {
    throw new SearchQueryError(`offset + limit must be at most ${MAX_LOG_WINDOW}`);
  }
  // The engine keeps the newest `limit`; a page further back needs the newest offset + limit.
  const q: LogQuery = { limit: offset + limit };
  const since = text('since');
  if (since !== undefined) q.sinceUnixMs = timeParam(since, 'since', now);
  const until = text('until');
  if (until !== undefined) q.untilUnixMs = timeParam(until, 'until', now);
  if (q.sinceUnixMs !== undefined && q.untilUnixMs !== undefined && q.sinceUnixMs > q.untilUnixMs)
    throw new SearchQueryError('since is later than until');
  const service = text('service');
  if (service !== undefined) q.service = service;
  const severity = text('severity');
  if (severity !== undefined) {
    try {
      q.minSeverity = parseSeverityThreshold(severity);
    } catch (err) {
      throw new SearchQueryError((err as Error).message.replace(/^--severity/, 'severity'));
    }
  }
  const grep = list('grep');
  if (grep.length > 0) q.grep = grep;
  const regex = list('regex');
  if (regex.length > 0) q.regex = regex;
  const attrs = list('attr');
  for (const [name, values] of [
    ['attr', attrs],
    ['grep', grep],
    ['regex', regex],
  ] as const) {
    if (values.length > MAX_REPEATED)
      throw new SearchQueryError(`at most ${MAX_REPEATED} ${name} filters`);
  }
  if (attrs.length > 0) q.attributes = attrs.map(attrMatcher);
  const trace = text('trace');
  if (trace !== undefined) q.traceId = trace;
  const session = text('session');
  if (session !== undefined) q.sessionId = session;
  const logql = text('q');
  if (logql !== undefined) q.logql = logql;
  try {
    return { compiled: compileLogQuery(q), limit, offset };
  } catch (err) {
    // The engine's messages name the CLI's flags; here they are parameters.
    if (err instanceof LogQueryError) {
      throw new SearchQueryError(err.message.replace(/^--(regex|attr|trace)\b/, '$1'));
    }
    throw err;
  }
}

/** Runs a search over the spool with the engine (readSpool or the index → queryLogs). */
export async function searchLogs(dir: string, search: LogSearch): Promise<LogSearchResult> {
  // Through the index when the spool has one and the query names body text; else a scan.
  const { entries, matched } = await queryLogsIndexed(dir, search.compiled);
  // entries: the newest offset + limit, oldest first; the page drops the newest `offset`.
  const page = entries.slice(0, Math.max(0, entries.length - search.offset)).reverse();
  return {
    total: matched,
    offset: search.offset,
    limit: search.limit,
    records: page.slice(0, search.limit).map(logHit),
  };
}

function logHit(entry: LogEntry): LogHit {
  const r = entry.record;
  const attributes: Record<string, string> = {};
  for (const kv of r.attributes ?? []) attributes[kv.key] ??= valueText(kv.value) ?? '';
  const own = (key: string): string | null => attributes[key] ?? null;
  const sessionId =
    own('session.id') ?? valueText(findAttribute(entry.resource?.attributes, 'session.id')) ?? null;
  return {
    timeMs: Number.isFinite(entry.timeMs) ? entry.timeMs : null,
    severityNumber: entry.severityNumber,
    severity: r.severityText || entry.level?.toUpperCase() || 'UNSPECIFIED',
    level: entry.level ?? null,
    service: entry.service,
    body: entry.body,
    eventName: r.eventName || null,
    attributes,
    traceId: r.traceId || null,
    spanId: r.spanId || null,
    sessionId,
    crashReportId: own(CRASH_ATTRIBUTES.reportId) ?? own(CRASH_ATTRIBUTES.appCrashId),
    crashSignature: own(CRASH_ATTRIBUTES.signature),
  };
}
