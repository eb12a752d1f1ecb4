import { once } from 'node:events';
import { readSpool, stringifyOtlpJson, type SpoolRecord } from '@otelspool/exporter-jsonl';
import { queryLogsIndexed } from '../spool-index/search-logs.js';
import { parseSince } from '../analysis/duration.js';
import {
  compileLogQuery,
  LogQueryError,
  parseSeverityThreshold,
  plainValue,
  queryLogs,
  valueText,
  type CompiledLogQuery,
  type LabelMatcher,
  type LogEntry,
  type LogQuery,
  type MatchOp,
} from '../logs/index.js';
import {
  CliError,
  colors,
  displayWidth,
  ellipsize,
  EXIT_USAGE,
  JSON_SCHEMA_VERSION,
  oneLine,
  spoolDirFrom,
  terminalWidth,
  withReadProgress,
  type Colors,
  type CommonOptions,
} from '../output/index.js';

export interface LogsCommandOptions extends CommonOptions {
  since?: string;
  until?: string;
  severity?: string;
  grep?: string[];
  regex?: string[];
  attr?: string[];
  trace?: string;
  session?: string;
  limit?: string;
  follow?: boolean;
}

export const DEFAULT_LOGS_LIMIT = 100;

/** `key=value`, `key!=value`, `key=~regex`, `key!~regex` → a matcher on the attribute `key`. */
export function parseAttrFilter(text: string): LabelMatcher {
  const match = /^([^=!~]+?)(!=|=~|!~|=)(.*)$/s.exec(text);
  if (!match || match[1] === undefined || match[1].trim() === '') {
    throw new CliError(
      `--attr ${JSON.stringify(text)}: expected key=value, key!=value, key=~regex or key!~regex`,
      EXIT_USAGE,
    );
  }
  return { name: match[1], op: match[2] as MatchOp, value: match[3] ?? '' };
}

/** `--until`: the same durations and dates as `--since` (analysis/duration.ts). */
function parseWhen(flag: '--since' | '--until', text: string, now: number): number {
  try {
    return parseSince(text, now);
  } catch (err) {
    throw new CliError((err as Error).message.replace(/^--since/, flag), EXIT_USAGE);
  }
}

/** The engine's query from the command line; every bad value is a usage error (exit 2). */
export function logQueryFromOptions(
  query: string | undefined,
  options: LogsCommandOptions,
  now = Date.now(),
): CompiledLogQuery {
  const q: LogQuery = {};
  if (options.since !== undefined) q.sinceUnixMs = parseWhen('--since', options.since, now);
  if (options.until !== undefined) q.untilUnixMs = parseWhen('--until', options.until, now);
  if (options.service !== undefined) q.service = options.service;
  if (options.severity !== undefined) {
    try {
      q.minSeverity = parseSeverityThreshold(options.severity);
    } catch (err) {
      throw new CliError((err as Error).message, EXIT_USAGE);
    }
  }
  if (options.grep?.length) q.grep = options.grep;
  if (options.regex?.length) q.regex = options.regex;
  if (options.attr?.length) q.attributes = options.attr.map(parseAttrFilter);
  if (options.trace !== undefined) q.traceId = options.trace;
  if (options.session !== undefined) q.sessionId = options.session;
  if (query !== undefined) q.logql = query;
  const limit = options.limit ?? String(DEFAULT_LOGS_LIMIT);
  if (!/^\d+$/.test(limit.trim())) {
    throw new CliError(`--limit ${JSON.stringify(limit)}: expected a whole number`, EXIT_USAGE);
  }
  q.limit = Number(limit.trim());
  try {
    return compileLogQuery(q);
  } catch (err) {
    if (err instanceof LogQueryError) throw new CliError(err.message, EXIT_USAGE);
    throw err;
  }
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** ISO 8601 in local time with ms and the UTC offset: 2026-11-20T13:00:00.005+01:00. */
export function localIsoTime(unixMs: number): string {
  if (!Number.isFinite(unixMs)) return '—'.padEnd(29);
  const d = new Date(Math.floor(unixMs));
  const offset = -d.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}` +
    `T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

/** The severity shown: severityText as written, else the level's name, else UNSPECIFIED. */
function severityLabel(entry: LogEntry): string {
  return entry.record.severityText || entry.level?.toUpperCase() || 'UNSPECIFIED';
}

function colorSeverity(entry: LogEntry, text: string, c: Colors): string {
  const n = entry.severityNumber;
  if (n >= 21) return c.bold(c.red(text));
  if (n >= 17) return c.red(text);
  if (n >= 13) return c.yellow(text);
  if (n >= 1 && n <= 8) return c.dim(text);
  return text;
}

/** `value` as it reads after `key=`: bare when it has no spaces, quotes or `=`, else quoted. */
function pairValue(value: string): string {
  return value !== '' && !/[\s"=]/.test(value) ? value : JSON.stringify(value);
}

/**
 * One human line: local time, severity (coloured on a TTY), service, body, the record's
 * attributes as key=value, trace=<id>; cut to `width` columns on a terminal (the time,
 * severity and service always show).
 */
export function logLine(entry: LogEntry, c: Colors, width?: number): string {
  const when = localIsoTime(entry.timeMs);
  const sev = severityLabel(entry).padEnd(5);
  const prefix = `${when} ${sev} ${entry.service}  `;
  const parts = [oneLine(entry.body)];
  if (entry.record.eventName) parts.unshift(`[${entry.record.eventName}]`);
  for (const kv of entry.record.attributes ?? [])
    parts.push(`${kv.key}=${pairValue(oneLine(valueText(kv.value) ?? ''))}`);
  if (entry.record.traceId) parts.push(`trace=${entry.record.traceId}`);
  const text = parts.filter(Boolean).join(' ');
  const room = width === undefined ? undefined : Math.max(10, width - displayWidth(prefix));
  return (
    `${c.dim(when)} ${colorSeverity(entry, sev, c)} ${entry.service}  ` +
    (room === undefined ? text : ellipsize(text, room))
  );
}

/**
 * One --json line per record (`schemaVersion` first): convenience fields (time as UTC ISO,
 * level, service, body text, attributes and resource as plain objects), then the record as
 * stored in `logRecord` (OTLP/JSON, lossless).
 */
export function logJsonLine(entry: LogEntry): string {
  const r = entry.record;
  const plain = (list: typeof r.attributes): Record<string, unknown> =>
    Object.fromEntries((list ?? []).map((kv) => [kv.key, plainValue(kv.value)]));
  return stringifyOtlpJson({
    schemaVersion: JSON_SCHEMA_VERSION,
    time: Number.isFinite(entry.timeMs) ? new Date(Math.floor(entry.timeMs)).toISOString() : null,
    timeUnixNano: r.timeUnixNano ?? null,
    observedTimeUnixNano: r.observedTimeUnixNano ?? null,
    severityNumber: entry.severityNumber,
    severityText: r.severityText ?? null,
    level: entry.level ?? null,
    service: entry.service,
    body: entry.body,
    attributes: plain(r.attributes),
    traceId: r.traceId || null,
    spanId: r.spanId || null,
    eventName: r.eventName || null,
    resource: plain(entry.resource?.attributes),
    scope: entry.scope
      ? { name: entry.scope.name ?? '', version: entry.scope.version ?? '' }
      : null,
    logRecord: r,
    source: entry.source,
  });
}

/**
 * Prints lines; when stdout is full (a pipe to `less`), waits for it to drain instead of
 * buffering without bound, or until the command is ending.
 */
async function printLines(lines: string[], signal: AbortSignal): Promise<void> {
  if (lines.length === 0 || process.stdout.write(lines.join('\n') + '\n')) return;
  await once(process.stdout, 'drain', { signal }).catch(() => undefined);
}

/**
 * An AbortSignal for a command that runs until stopped: Ctrl-C, SIGTERM, or the reader of
 * stdout going away (`spool logs -f | head`: EPIPE), which ends it quietly as `tail` does.
 */
function untilStopped(): { signal: AbortSignal; release: () => void } {
  const abort = new AbortController();
  const stop = (): void => abort.abort();
  const events = ['SIGINT', 'SIGTERM'] as const;
  for (const event of events) process.once(event, stop);
  process.stdout.on('error', stop);
  return {
    signal: abort.signal,
    release: () => {
      for (const event of events) process.off(event, stop);
      process.stdout.off('error', stop);
    },
  };
}

/** `spool logs [query]` (options: program.ts). */
export async function logsCommand(
  query: string | undefined,
  options: LogsCommandOptions,
): Promise<void> {
  const compiled = logQueryFromOptions(query, options);
  const follow = options.follow === true;
  const dir = spoolDirFrom(options, { read: !follow });
  const c = colors(options);
  const width = options.json ? undefined : terminalWidth();
  const format = (entry: LogEntry): string =>
    options.json ? logJsonLine(entry) : logLine(entry, c, width);

  const { signal, release } = untilStopped();
  try {
    // What the spool holds now: the newest --limit matches, oldest first. Where each segment
    // was read to is kept, so --follow continues from there and prints nothing twice.
    const readTo: Record<string, number> = {};
    const { entries: backlog, matched } = await withReadProgress(
      dir,
      ['logs'],
      options,
      (onRecord) => {
        const seen = (record: SpoolRecord): void => {
          readTo[record.segment] = record.position;
          onRecord(record);
        };
        // --follow continues from where each segment was read to: only a full read tells.
        // Otherwise the index answers a text search when the spool has one.
        return follow
          ? queryLogs(compiled, readSpool(dir, { signals: ['logs'], signal }), seen)
          : queryLogsIndexed(dir, compiled, { signal, onRecord: seen });
      },
    );
    await printLines(backlog.map(format), signal);
    if (matched > backlog.length) {
      process.stderr.write(
        `spool: the newest ${backlog.length} of ${matched} matching records shown (--limit ${compiled.query.limit ?? ''})\n`,
      );
    }
    if (!follow || signal.aborted) return;
    // New records as processes write them, the same way `spool tail -f` follows the spool.
    for await (const record of readSpool(dir, {
      signals: ['logs'],
      follow: true,
      from: readTo,
      signal,
    })) {
      await printLines(compiled.entries(record).map(format), signal);
    }
  } finally {
    release();
  }
}
