import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  forEachDataPoint,
  forEachLogRecord,
  forEachSpan,
  listSegments,
  readSpool,
  type LogsData,
  type MetricsData,
  type SpoolRecord,
  type TracesData,
} from '@otelspool/exporter-jsonl';
import { indexDbPath, quarantineDir } from '@otelspool/exporter-jsonl/internal';
import { crashReportsInWindow, summarizeCrashes } from './crashes.js';
import { parseSince } from './duration.js';
import { nanosToMs } from './otlp-values.js';
import type { RecordFilter } from './record-filter.js';
import { ReportAccumulator, type ReportContext } from './report-accumulator.js';
import { sessionsInWindow, summarizeSessions } from './sessions.js';
import { SyncHealthTracker } from './sync-health.js';
import type { Report, ReportFilters, ReportOptions, SyncDestinationHealth } from './types.js';

export {
  CPU_METRIC,
  DROPPED_METRIC,
  EVICTED_METRIC,
  MEMORY_METRIC,
  WRITTEN_METRIC,
} from './report-accumulator.js';

/** Resolves `--since` / `--service` into the filter every view applies. Throws RangeError. */
export function resolveFilter(options: ReportOptions): {
  filter: RecordFilter;
  filters: ReportFilters;
} {
  const filters: ReportFilters = {};
  const filter: RecordFilter = {};
  if (options.since !== undefined) {
    filters.since = options.since;
    filters.sinceUnixMs = parseSince(options.since, options.now ?? Date.now());
    filter.sinceUnixMs = filters.sinceUnixMs;
  }
  if (options.service !== undefined) {
    filters.service = options.service;
    filter.service = options.service;
  }
  return { filter, filters };
}

export interface BuildReportOptions extends ReportOptions {
  /**
   * false (`--no-index`): always scan the spool. Otherwise, when the spool has an index
   * (`<spool>/index/`), it is brought up to date and the report is merged from it (a spool
   * whose index this user cannot update, e.g. another user's read-only spool, is scanned).
   */
  index?: boolean;
}

/**
 * Reads the whole spool once, streaming, through the shared reader and folds it into the
 * {@link Report} every view shows (terminal dashboard, `--json`, web dashboard). Memory is
 * bounded whatever the spool size: sketches for percentiles, capped name tables, downsampled
 * series (all in {@link ReportAccumulator}, whose partials the index stores and merges).
 * Sessions and crashes come from @otelspool/crash's readers. With an index present (and
 * `index` not false) the same report is merged from the index's stored partials instead.
 */
export async function buildReport(dir: string, options: BuildReportOptions = {}): Promise<Report> {
  const spoolDir = resolve(dir);
  if (options.index !== false && existsSync(indexDbPath(spoolDir))) {
    // Loaded only here: a scan never opens node:sqlite.
    const { buildReportFromIndex } = await import('../spool-index/report-from-index.js');
    const fromIndex = await buildReportFromIndex(spoolDir, options);
    if (fromIndex) return fromIndex;
  }
  const { filter, filters } = resolveFilter(options);
  const accumulator = new ReportAccumulator(filter);
  const sync = new SyncHealthTracker(spoolDir);

  for await (const record of readSpool(spoolDir, {
    onMalformed: (entry) => {
      if (entry.line !== undefined) accumulator.addMalformedLine();
    },
  })) {
    options.onRecord?.(record);
    accumulator.addRecord(record);
    if (sync.active) sync.add(record, earliestTimeMs(record));
  }
  return accumulator.finish(await reportContext(spoolDir, filter, filters, options, sync.result()));
}

/**
 * What a report needs besides spool lines: sessions, crashes, the segment list, quarantine and
 * sync health (computed by the caller: a scan's {@link SyncHealthTracker}, or the index's
 * per-line table through `syncHealthFromLines`).
 */
export async function reportContext(
  spoolDir: string,
  filter: RecordFilter,
  filters: ReportFilters,
  options: Pick<ReportOptions, 'now' | 'top'>,
  sync: SyncDestinationHealth[],
): Promise<ReportContext> {
  const top = options.top ?? 20;
  return {
    dir: spoolDir,
    filters,
    now: options.now ?? Date.now(),
    top,
    sessions: summarizeSessions(sessionsInWindow(spoolDir, filter)),
    crashes: summarizeCrashes(crashReportsInWindow(spoolDir, filter), top),
    segments: await listSegments(spoolDir).catch(() => []),
    quarantinedFiles: await countFiles(quarantineDir(spoolDir)),
    sync,
  };
}

/** Earliest item time in one spool line (ms), NaN when it has none. */
export function earliestTimeMs(record: SpoolRecord): number {
  let min = Infinity;
  const see = (nanos: string | undefined): void => {
    const t = nanosToMs(nanos);
    if (t > 0 && t < min) min = t;
  };
  if (record.signal === 'traces') {
    forEachSpan(record.data as TracesData, (s) => see(s.startTimeUnixNano));
  } else if (record.signal === 'logs') {
    forEachLogRecord(record.data as LogsData, (r) => see(r.timeUnixNano || r.observedTimeUnixNano));
  } else {
    forEachDataPoint(record.data as MetricsData, (p) => see(p.timeUnixNano));
  }
  return Number.isFinite(min) ? min : NaN;
}

async function countFiles(dir: string): Promise<number> {
  try {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    return entries.filter((e) => e.isFile()).length;
  } catch {
    return 0;
  }
}
