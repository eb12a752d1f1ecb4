import v8 from 'node:v8';
import {
  findAttribute,
  forEachLogRecord,
  type LogRecord,
  type LogsData,
  type Resource,
  type SpoolRecord,
} from '@otelspool/exporter-jsonl';
import { serviceName, timeMatches } from '../analysis/record-filter.js';
import { parseLogql, LOGQL_SUBSET_HELP } from './logql.js';
import { effectiveSeverity, levelOfNumber } from './severity.js';
import {
  LogQueryError,
  type LabelMatcher,
  type LogEntry,
  type LogQuery,
  type LogqlQuery,
} from './types.js';
import { bodyText, jsonBodyFields, labelMap, recordOrResourceText, valueText } from './values.js';

/** A compiled query: which records of a spool line match, as entries. */
export interface CompiledLogQuery {
  readonly query: LogQuery;
  /** The matching log records of one spool line (none for traces and metrics lines). */
  entries(record: SpoolRecord): LogEntry[];
}

/** Unix ms of an OTLP nano timestamp, exact to the µs (a float of the nanoseconds is not). */
function nanosToExactMs(nanos: string | undefined): number {
  if (nanos === undefined || !/^\d+$/.test(nanos) || /^0+$/.test(nanos)) return NaN;
  return Number(BigInt(nanos) / 1000n) / 1000;
}

/** A record's time: its own, else when it was observed (the data model's fallback). */
export function entryTimeMs(record: LogRecord): number {
  const t = nanosToExactMs(record.timeUnixNano);
  return Number.isFinite(t) ? t : nanosToExactMs(record.observedTimeUnixNano);
}

// A query's regex runs on the dashboard server's one thread, and its text may come from a URL:
// catastrophic backtracking (`(.*.*)*X`) must not freeze the process. With this V8 flag a regex
// that backtracks excessively falls back to V8's linear-time engine (no backtracking), which
// takes every construct except the ones nonRegularConstruct refuses below. Set once, before
// any query regex is compiled.
v8.setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');

/**
 * The first construct of `pattern` that is not a regular language construct (a backreference
 * or a lookaround: V8's linear-time engine cannot run them, RE2 refuses them), or undefined.
 */
export function nonRegularConstruct(pattern: string): string | undefined {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (/[1-9]/.test(next)) return `the backreference \\${next}`;
      if (next === 'k') return 'the named backreference \\k<…>';
      i += 1; // an escaped character, whatever it is
    } else if (c === '(' && pattern[i + 1] === '?') {
      const rest = pattern.slice(i + 2, i + 4);
      if (rest.startsWith('=') || rest.startsWith('!')) return `the lookahead (?${rest[0]}`;
      if (rest === '<=' || rest === '<!') return `the lookbehind (?${rest}`;
    }
  }
  return undefined;
}

/**
 * A regular expression of a query. JavaScript syntax; a leading `(?i)` (the RE2 flag group
 * LogQL users write) becomes the `i` flag. `whole`: the match must span the value, as LogQL's
 * and Prometheus's label matchers are anchored.
 */
export function compileRegex(source: string, whole: boolean, what: string): RegExp {
  let pattern = source;
  let flags = '';
  if (pattern.startsWith('(?i)')) {
    pattern = pattern.slice(4);
    flags = 'i';
  }
  const unsupported = nonRegularConstruct(pattern);
  if (unsupported !== undefined) {
    throw new LogQueryError(
      `${what} ${JSON.stringify(source)}: ${unsupported} is not supported (LogQL's RE2 syntax has ` +
        'no backreferences or lookarounds, and they can make one match run for minutes)',
    );
  }
  try {
    return new RegExp(whole ? `^(?:${pattern})$` : pattern, flags);
  } catch (err) {
    throw new LogQueryError(
      `${what} ${JSON.stringify(source)}: not a valid regular expression (${(err as Error).message})`,
    );
  }
}

type ValueTest = (value: string | undefined) => boolean;

/** A matcher as a test of a label's value; absent counts as '' (LogQL's rule). */
function matcherTest(m: LabelMatcher, what: string): ValueTest {
  if (m.op === '=') return (v) => (v ?? '') === m.value;
  if (m.op === '!=') return (v) => (v ?? '') !== m.value;
  const re = compileRegex(m.value, true, `${what} ${m.name}${m.op}`);
  return m.op === '=~' ? (v) => re.test(v ?? '') : (v) => !re.test(v ?? '');
}

/** Everything a record's tests look at, computed once per record and only when asked for. */
class RecordView {
  private streamLabels?: Map<string, string>;
  private recordLabels?: Map<string, string>;
  private jsonFields?: Map<string, string>;
  readonly severityNumber: number;
  readonly body: string;

  constructor(
    readonly record: LogRecord,
    readonly resource: Resource | undefined,
    readonly service: string,
  ) {
    this.severityNumber = effectiveSeverity(record);
    this.body = bodyText(record.body);
  }

  /** Resource attributes as labels (service_name always set), plus severity_text and level. */
  stream(): Map<string, string> {
    if (!this.streamLabels) {
      const labels = labelMap(this.resource?.attributes);
      labels.set('service_name', this.service);
      this.streamLabels = labels;
    }
    return this.streamLabels;
  }

  /** severity_text: as written, else the level's name; level: the lowercase level name. */
  severityLabel(name: string): string | undefined {
    const level = levelOfNumber(this.severityNumber);
    if (name === 'severity_text') return this.record.severityText || level?.toUpperCase();
    if (name === 'level') return level;
    return undefined;
  }

  selectorValue(name: string): string | undefined {
    return this.severityLabel(name) ?? this.stream().get(name);
  }

  /**
   * A label after the pipeline so far: the record's attributes, the resource's, then the
   * fields `| json` extracted (one that names an existing label is `<name>_extracted`, as in
   * Loki), then severity_text and level.
   */
  pipelineValue(name: string, json: boolean): string | undefined {
    this.recordLabels ??= labelMap(this.record.attributes);
    const own = this.recordLabels.get(name) ?? this.stream().get(name);
    if (own !== undefined) return own;
    if (json) {
      this.jsonFields ??= jsonBodyFields(this.record.body);
      const field = this.jsonFields.get(name);
      if (field !== undefined) return field;
      if (name.endsWith('_extracted')) {
        const base = name.slice(0, -'_extracted'.length);
        if (this.recordLabels.has(base) || this.stream().has(base))
          return this.jsonFields.get(base);
      }
    }
    return this.severityLabel(name);
  }
}

type RecordTest = (view: RecordView) => boolean;

function compileLogqlTests(query: LogqlQuery): RecordTest[] {
  const tests: RecordTest[] = [];
  const selector = query.selector.map((m) => ({ m, test: matcherTest(m, 'LogQL selector') }));
  // Loki refuses a selector that every stream matches ({x=""}, {x=~".*"}): say so here too,
  // so a query that runs here runs in Grafana as well.
  if (!selector.some(({ test }) => !test(''))) {
    throw new LogQueryError(
      'LogQL: the stream selector needs at least one matcher that does not match the empty value ' +
        `(as Loki requires), e.g. {service_name="my-app"}; ${LOGQL_SUBSET_HELP}`,
    );
  }
  for (const { m, test } of selector) tests.push((v) => test(v.selectorValue(m.name)));
  let json = false;
  for (const stage of query.pipeline) {
    if (stage.kind === 'json') {
      json = true;
      continue;
    }
    if (stage.kind === 'line') {
      const { op, value } = stage.filter;
      if (op === '|=') tests.push((v) => v.body.includes(value));
      else if (op === '!=') tests.push((v) => !v.body.includes(value));
      else {
        const re = compileRegex(value, false, `LogQL line filter ${op}`);
        tests.push(op === '|~' ? (v) => re.test(v.body) : (v) => !re.test(v.body));
      }
      continue;
    }
    const afterJson = json;
    for (const m of stage.matchers) {
      const test = matcherTest(m, 'LogQL label filter');
      tests.push((v) => test(v.pipelineValue(m.name, afterJson)));
    }
  }
  return tests;
}

function attributeTest(m: LabelMatcher): RecordTest {
  const test = matcherTest(m, '--attr');
  return (v) => test(recordOrResourceText(m.name, v.record.attributes, v.resource?.attributes));
}

function sessionOf(v: RecordView): string | undefined {
  const value =
    findAttribute(v.record.attributes, 'session.id') ??
    findAttribute(v.resource?.attributes, 'session.id');
  return valueText(value);
}

/**
 * Validates a query and builds its tests (cheap ones first). Throws LogQueryError for a bad
 * value, a bad regular expression, or LogQL outside the subset.
 */
export function compileLogQuery(query: LogQuery): CompiledLogQuery {
  const tests: RecordTest[] = [];
  const filter = {
    ...(query.sinceUnixMs !== undefined ? { sinceUnixMs: query.sinceUnixMs } : {}),
  };
  const until = query.untilUnixMs;
  if (query.minSeverity !== undefined) {
    const min = query.minSeverity;
    if (!Number.isInteger(min) || min < 1 || min > 24)
      throw new LogQueryError(`severity ${min}: expected a SeverityNumber 1-24`);
    tests.push((v) => v.severityNumber >= min);
  }
  if (query.traceId !== undefined) {
    const id = query.traceId.toLowerCase();
    if (!/^[0-9a-f]{32}$/.test(id))
      throw new LogQueryError(`--trace ${JSON.stringify(query.traceId)}: expected 32 hex digits`);
    tests.push((v) => v.record.traceId === id);
  }
  if (query.sessionId !== undefined) {
    const id = query.sessionId;
    tests.push((v) => sessionOf(v) === id);
  }
  for (const text of query.grep ?? []) tests.push((v) => v.body.includes(text));
  for (const source of query.regex ?? []) {
    const re = compileRegex(source, false, '--regex');
    tests.push((v) => re.test(v.body));
  }
  for (const m of query.attributes ?? []) tests.push(attributeTest(m));
  if (query.logql !== undefined) {
    const parsed = typeof query.logql === 'string' ? parseLogql(query.logql) : query.logql;
    tests.push(...compileLogqlTests(parsed));
  }
  if (query.limit !== undefined && (!Number.isInteger(query.limit) || query.limit < 0))
    throw new LogQueryError(`limit ${query.limit}: expected a whole number ≥ 0`);
  const service = query.service;

  return {
    query,
    entries(spoolRecord) {
      const out: LogEntry[] = [];
      if (spoolRecord.signal !== 'logs') return out;
      let lastResource: unknown;
      let lastService = '';
      forEachLogRecord(spoolRecord.data as LogsData, (record, sl, rl) => {
        if (rl !== lastResource) {
          lastResource = rl;
          lastService = serviceName(rl.resource);
        }
        if (service !== undefined && lastService !== service) return;
        const timeMs = entryTimeMs(record);
        if (!timeMatches(filter, timeMs)) return;
        if (until !== undefined && Number.isFinite(timeMs) && timeMs >= until) return;
        const view = new RecordView(record, rl.resource, lastService);
        for (const test of tests) if (!test(view)) return;
        out.push({
          timeMs,
          record,
          resource: rl.resource,
          scope: sl.scope,
          service: lastService,
          severityNumber: view.severityNumber,
          level: levelOfNumber(view.severityNumber),
          body: view.body,
          source: { segment: spoolRecord.segment, line: spoolRecord.line },
        });
      });
      return out;
    },
  };
}

/** Oldest first by time; records without a time first; ties keep spool order. */
function byTime(a: { entry: LogEntry; n: number }, b: { entry: LogEntry; n: number }): number {
  const ta = Number.isFinite(a.entry.timeMs) ? a.entry.timeMs : -Infinity;
  const tb = Number.isFinite(b.entry.timeMs) ? b.entry.timeMs : -Infinity;
  return ta === tb ? a.n - b.n : ta - tb;
}

/** What {@link queryLogs} found. */
export interface LogQueryResult {
  /** The matching records (the newest `limit` of them), oldest first. */
  entries: LogEntry[];
  /** How many records matched in all, before the limit. */
  matched: number;
}

/**
 * The engine behind `spool logs` (and the dashboard's logs view): the log records of
 * `records` (spool lines, e.g. from readSpool) that match `query`, oldest first, and how many
 * matched; with
 * `query.limit`, only the newest `limit` of them (by record time). Memory stays bounded by
 * about twice the limit (at least 1024 entries). Throws LogQueryError before reading anything when the query is invalid.
 */
export async function queryLogs(
  query: LogQuery | CompiledLogQuery,
  records: AsyncIterable<SpoolRecord> | Iterable<SpoolRecord>,
  onRecord?: (record: SpoolRecord) => void,
): Promise<LogQueryResult> {
  const compiled = 'entries' in query ? query : compileLogQuery(query);
  const limit = compiled.query.limit;
  let kept: { entry: LogEntry; n: number }[] = [];
  let n = 0;
  for await (const record of records) {
    onRecord?.(record);
    for (const entry of compiled.entries(record)) {
      kept.push({ entry, n: n++ });
      if (limit !== undefined && kept.length >= 2 * Math.max(limit, 512)) {
        kept.sort(byTime);
        kept = kept.slice(kept.length - limit);
      }
    }
  }
  kept.sort(byTime);
  if (limit !== undefined) kept = kept.slice(Math.max(0, kept.length - limit));
  return { entries: kept.map((k) => k.entry), matched: n };
}
