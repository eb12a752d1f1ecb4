import type {
  InstrumentationScope,
  LogRecord,
  Resource,
  SpoolRecord,
} from '@otelspool/exporter-jsonl';
import type { SeverityLevel } from './severity.js';

/** `=` equal, `!=` not equal, `=~` matches the whole value (regex), `!~` does not. */
export type MatchOp = '=' | '!=' | '=~' | '!~';

/** One `name op "value"` test; an absent label or attribute has the value ''. */
export interface LabelMatcher {
  name: string;
  op: MatchOp;
  value: string;
}

/** `|=` contains, `!=` does not contain, `|~` regex found, `!~` regex not found (on the body). */
export type LineFilterOp = '|=' | '!=' | '|~' | '!~';

export interface LineFilter {
  op: LineFilterOp;
  value: string;
}

/** One stage of a LogQL pipeline, applied in order. */
export type PipelineStage =
  | { kind: 'line'; filter: LineFilter }
  | { kind: 'json' }
  | { kind: 'labels'; matchers: LabelMatcher[] };

/** A parsed query of the LogQL subset (see logql.ts). */
export interface LogqlQuery {
  /** The stream selector `{…}` over resource labels, severity_text and level (all must hold). */
  selector: LabelMatcher[];
  pipeline: PipelineStage[];
}

/**
 * What to look for: every field given must hold (AND). Plain data, so a caller can build it
 * from command-line options or URL parameters; {@link compileLogQuery} validates it.
 */
export interface LogQuery {
  /** Records at or after this time (Unix ms). */
  sinceUnixMs?: number;
  /** Records before this time (Unix ms). */
  untilUnixMs?: number;
  /** `service.name` of the resource. */
  service?: string;
  /** SeverityNumber floor (1-24): that level and above. */
  minSeverity?: number;
  /** Substrings the body text must contain (all of them). */
  grep?: string[];
  /** Regular expressions (JavaScript syntax, a leading `(?i)` = ignore case) found in the body. */
  regex?: string[];
  /** Attribute tests, on the record's attributes first, then the resource's (`key` as written). */
  attributes?: LabelMatcher[];
  /** Trace id (hex, any case). */
  traceId?: string;
  /** `session.id` attribute of the record or its resource. */
  sessionId?: string;
  /** A LogQL-subset query (text, or parsed by parseLogql). */
  logql?: string | LogqlQuery;
  /** queryLogs: at most this many records, the newest (by record time). Default: all. */
  limit?: number;
}

/** One matching log record with what views show of it. */
export interface LogEntry {
  /** Unix ms (µs precision) of the record's time, else its observed time; NaN when neither. */
  timeMs: number;
  record: LogRecord;
  resource: Resource | undefined;
  scope: InstrumentationScope | undefined;
  service: string;
  /** SeverityNumber, or the floor of the level its severityText names; 0 when unspecified. */
  severityNumber: number;
  level: SeverityLevel | undefined;
  /** The body as the text filters see it (see bodyText). */
  body: string;
  /** Where it was read: segment id and 1-based line. */
  source: Pick<SpoolRecord, 'segment' | 'line'>;
}

/** A query that cannot run: bad value, bad regex, LogQL outside the subset or malformed. */
export class LogQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LogQueryError';
  }
}
