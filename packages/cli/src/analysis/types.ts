/**
 * The `--json` shape of `spool report` and the `/api/report` payload of the web dashboard:
 * what {@link buildReport} returns. Documented for users in TELEMETRY_GUIDE.md ("report --json").
 *
 * Conventions:
 * - times are milliseconds since the Unix epoch (`...UnixMs`) or ISO-8601 UTC strings (`...At`);
 * - durations are milliseconds (`...Ms`), fractional;
 * - rates are fractions 0..1 (`errorRate: 0.02` = 2 %); `null` where the denominator is 0;
 * - every list is bounded (top-N), so the report of a 1 GB spool stays a few hundred KB.
 * The shape only grows: fields are added, never renamed or removed, while `schemaVersion` is 1.
 */
export const REPORT_SCHEMA_VERSION = 1;

export interface Report {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  /** When the report was computed (ISO-8601 UTC). */
  generatedAt: string;
  /** The spool directory read (absolute). */
  dir: string;
  filters: ReportFilters;
  /** Earliest and latest timestamp of any record that passed the filters (null: no data). */
  timeRange: { startUnixMs: number | null; endUnixMs: number | null };
  /** Distinct `service.name` values seen (after filters), at most 50. */
  services: string[];
  input: InputSummary;
  sessions: SessionsSummary;
  crashes: CrashesSummary;
  spans: SpansSummary;
  events: EventsSummary;
  resources: ResourceUsage;
  health: TelemetryHealth;
}

export interface ReportFilters {
  /** The `--since` text as given (`30m`, `24h`, `7d`, or an ISO date), absent when not set. */
  since?: string;
  /** `--since` resolved to a cut-off: records older than this are left out. */
  sinceUnixMs?: number;
  /** Only records whose resource `service.name` equals this (`--service`). */
  service?: string;
}

/** What the reader saw: spool lines (one OTLP request each) and the items inside them. */
export interface InputSummary {
  lines: { traces: number; metrics: number; logs: number };
  /** Spans, metric data points and log records that passed the filters. */
  items: { spans: number; dataPoints: number; logRecords: number };
  /** Lines the reader skipped as malformed (quarantined with the reason). */
  malformedLines: number;
}

/** Release health from `<dir>/session/ledger.jsonl` (Sentry's crash-free sessions/users). */
export interface SessionsSummary {
  total: number;
  exited: number;
  crashed: number;
  /** Ended without a clean exit or a crash report (killed, power loss, native crash). */
  abnormal: number;
  running: number;
  /** (total − crashed) / total. Abnormal sessions are not counted as crashes. null: no session. */
  crashFreeSessionRate: number | null;
  /** Distinct install ids (users). */
  users: number;
  /** Installs with no crashed session. */
  crashFreeUsers: number;
  /** crashFreeUsers / users; null: no user. */
  crashFreeUserRate: number | null;
}

export interface CountByKey {
  key: string;
  count: number;
}

export interface CrashGroupSummary {
  /** Signature id (16 hex): `spool crashes show ID` / `spool incident ID`. */
  id: string;
  type: string;
  message: string;
  count: number;
  sessions: number;
  users: number;
  hosts: string[];
  versions: string[];
  firstSeen: string;
  lastSeen: string;
  topFrame?: string;
}

/** Crash reports from `<dir>/crashes/` that passed the filters. */
export interface CrashesSummary {
  total: number;
  groups: number;
  /** Most crashes first, at most 20 each. `(unknown)` when a report has no host/version. */
  byHost: CountByKey[];
  byVersion: CountByKey[];
  /** Most recent first, at most 20. */
  topGroups: CrashGroupSummary[];
}

/** Latency statistics of a set of spans; percentiles by DDSketch (1 % relative accuracy). */
export interface LatencyStats {
  count: number;
  /** Spans with status code 2 (ERROR). */
  errors: number;
  errorRate: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  meanMs: number | null;
}

export interface SpanNameStats extends LatencyStats {
  name: string;
}

/** One bar of the latency histogram: spans with duration in (previous upperMs, upperMs]. */
export interface HistogramBucket {
  /** Upper bound in ms; `null` for the last, open-ended bucket. */
  upperMs: number | null;
  count: number;
}

export interface SpansSummary {
  /** All spans that passed the filters. */
  overall: LatencyStats;
  /** Top span names by count, at most 20 (`(other)` among them when namesCapped). */
  byName: SpanNameStats[];
  /** Span names tracked individually (at most 1000). */
  distinctNames: number;
  /** More than 1000 names: spans of the names past the cap are counted under `(other)`. */
  namesCapped: boolean;
  /** Fixed log-spaced bounds (0.1 ms … 60 s) so charts of different spools compare. */
  latencyHistogram: HistogramBucket[];
}

export interface EventsSummary {
  /** Log records with an `eventName` or an `event.name` attribute. */
  total: number;
  distinct: number;
  /** Most frequent first, at most 20. */
  top: CountByKey[];
}

/** One time bucket of a downsampled series. */
export interface SeriesPoint {
  /** Start of the bucket. */
  tUnixMs: number;
  /** Mean of the samples in the bucket. */
  avg: number;
  max: number;
  min: number;
  samples: number;
}

/**
 * A metric over time, downsampled to at most {@link MAX_SERIES_POINTS} buckets of equal width
 * (`bucketMs`) covering the data's time range. Samples from several processes in the same
 * bucket are averaged (CPU) / averaged (memory per process), not summed.
 */
export interface MetricSeries {
  metric: string;
  unit: string;
  bucketMs: number;
  points: SeriesPoint[];
  /** Latest sample (by time) and its value, null when there is none. */
  last: number | null;
}

export const MAX_SERIES_POINTS = 120;

export interface ResourceUsage {
  /** `process.cpu.utilization` (sum of cpu.mode user+system per sample) × 100: CPU %. */
  cpuPercent: MetricSeries;
  /** `process.memory.usage` (resident set size) in bytes. */
  memoryBytes: MetricSeries;
}

/** One sync destination's progress, from `<dir>/sync/<destination>.json` (written by `spool sync`). */
export interface SyncDestinationHealth {
  destination: string;
  /** Last time the destination acknowledged something (ISO), null when unknown. */
  updatedAt: string | null;
  /** Spool lines at or before the acknowledged position, and after it. */
  syncedLines: number;
  unsyncedLines: number;
  /** The spans, metric points and log records in those lines. */
  syncedRecords: number;
  unsyncedRecords: number;
  /** Earliest record time among the unsynced lines; null when everything is synced. */
  oldestUnsyncedUnixMs: number | null;
}

export interface TelemetryHealth {
  /**
   * Records that reached the spool: `recordsInSpool + recordsEvicted`. Equals the sum of the
   * writers' final `stats().written.records` (for evictions each writer could count).
   */
  recordsWritten: number;
  /** Spans, metric data points and log records the spool holds now, counted by reading it. */
  recordsInSpool: number;
  /**
   * The `otelspool.spool.records.written` self-metric (latest cumulative value per process,
   * summed). Lower than `recordsWritten` by at least each process's last metrics line, which
   * cannot count itself, and by records from `spool serve`; shown for comparison only.
   */
  recordsWrittenSelfReported: number;
  /**
   * From `otelspool.spool.records.evicted` (summed over processes): records written and later
   * deleted to stay under the byte cap; `recordsEvictedShipped` of them had been synced first.
   * Only records of a writer's own segments are counted (another process's records are not).
   */
  recordsEvicted: number;
  recordsEvictedShipped: number;
  /**
   * True when the self-metrics came from more than 10,000 process streams (each process run is
   * one): the report keeps that many, so recordsEvicted, recordsDropped and
   * recordsWrittenSelfReported are lower bounds.
   */
  selfMetricsCapped: boolean;
  /** From `otelspool.spool.records.dropped` (never written), summed over processes, by `reason`. */
  recordsDropped: number;
  droppedByReason: CountByKey[];
  /** Bytes and segment files of the spool on disk (all signals). */
  spoolBytes: number;
  segments: number;
  /** Files in `<dir>/quarantine/`. */
  quarantinedFiles: number;
  /** One entry per destination that ever synced; empty when `spool sync` never ran. */
  sync: SyncDestinationHealth[];
}

/** Options of {@link buildReport}; the CLI flags `--since` and `--service`. */
export interface ReportOptions {
  /** `30m`, `24h`, `7d`, `90s`, `2w` (relative to `now`), or an ISO-8601 date/time. */
  since?: string;
  service?: string;
  /** Clock for `--since` (tests); default Date.now(). */
  now?: number;
  /** Top-N length of the lists (default 20). */
  top?: number;
  /** Called for every spool line read (the CLI's progress line). */
  onRecord?: (record: { file: string; position: number }) => void;
}
