import {
  groupCrashFacts,
  readCrashReportFile,
  readSessionLedger,
  type Breadcrumb,
  type CrashGroup,
  type CrashReport,
} from '@otelspool/crash';
import {
  attributeText,
  forEachLogRecord,
  forEachSpan,
  readSpool,
  type LogsData,
  type SpoolRecord,
  type TracesData,
} from '@otelspool/exporter-jsonl';
import { crashFilesOfSpool, type CrashFile } from '../spool-index/crash-facts.js';
import {
  errorLinesOfSessions,
  logLinesOfTraces,
  readBackFromIndex,
  spanLinesOfTraces,
} from '../spool-index/lines-from-index.js';
import { nanosToMs, spanDurationMs } from './otlp-values.js';
import { serviceName } from './record-filter.js';
import { logTimeMs } from './walk.js';

export type SeverityLevel = 'SEV-1' | 'SEV-2' | 'SEV-3' | 'SEV-4';

/**
 * Severity by impact (documented in TELEMETRY_GUIDE.md, "Incident severity"):
 * - SEV-1: ≥ 10 % of the sessions running since first seen ended in it, or ≥ 25 % of
 *   users were hit, or it struck before launch completed in ≥ 3 sessions (a crash loop: the
 *   app cannot start);
 * - SEV-2: ≥ 2 % of sessions, or ≥ 3 distinct users;
 * - SEV-3: recurring: more than one occurrence, or on more than one host;
 * - SEV-4: a single occurrence.
 */
export function classifySeverity(impact: IncidentImpact): { level: SeverityLevel; reason: string } {
  const pct = (x: number | null): string => (x === null ? '—' : `${(x * 100).toFixed(1)} %`);
  if (impact.sessionShare !== null && impact.sessionShare >= 0.1)
    return {
      level: 'SEV-1',
      reason: `${pct(impact.sessionShare)} of sessions since first seen crashed with it (≥ 10 %)`,
    };
  if (impact.userShare !== null && impact.userShare >= 0.25)
    return { level: 'SEV-1', reason: `${pct(impact.userShare)} of users were hit (≥ 25 %)` };
  if (impact.launchCrashes >= 3)
    return {
      level: 'SEV-1',
      reason: `${impact.launchCrashes} crashes before launch completed (crash loop, ≥ 3)`,
    };
  if (impact.sessionShare !== null && impact.sessionShare >= 0.02)
    return {
      level: 'SEV-2',
      reason: `${pct(impact.sessionShare)} of sessions since first seen crashed with it (≥ 2 %)`,
    };
  if (impact.users >= 3)
    return { level: 'SEV-2', reason: `${impact.users} distinct users hit (≥ 3)` };
  if (impact.occurrences > 1 || impact.hosts.length > 1)
    return {
      level: 'SEV-3',
      reason: `recurring: ${impact.occurrences} occurrences on ${impact.hosts.length} host(s)`,
    };
  return { level: 'SEV-4', reason: 'a single occurrence' };
}

export interface IncidentImpact {
  occurrences: number;
  sessions: number;
  users: number;
  hosts: string[];
  versions: string[];
  /** Ledger sessions of the same service(s) running since first seen (the denominator). */
  sessionsSinceFirstSeen: number;
  sessionShare: number | null;
  usersSinceFirstSeen: number;
  userShare: number | null;
  /** Occurrences before markLaunchCompleted(). */
  launchCrashes: number;
}

export interface TimelineBucket {
  startUnixMs: number;
  count: number;
}

export interface RelatedSpan {
  traceId: string;
  spanId: string;
  name: string;
  service: string;
  startUnixMs: number;
  durationMs: number;
  error: boolean;
  statusMessage?: string;
  /** Why it is related: it shares a trace id with a crash, or ran in a crashed session. */
  via: 'trace' | 'session';
}

export interface RelatedLog {
  timeUnixMs: number;
  severity: string;
  body: string;
  traceId?: string;
  service: string;
  via: 'trace' | 'session';
}

/** Everything `spool incident` reports on one crash group (also its `--json` shape). */
export interface Incident {
  group: CrashGroup;
  severity: { level: SeverityLevel; reason: string };
  impact: IncidentImpact;
  timeline: {
    firstSeen: string;
    lastSeen: string;
    bucketMs: number;
    buckets: TimelineBucket[];
    /** Buckets with at least 3 crashes and at least twice the mean of the non-empty buckets. */
    spikes: TimelineBucket[];
  };
  /** The most recent occurrence. */
  representative: CrashReport;
  breadcrumbs: Breadcrumb[];
  relatedSpans: RelatedSpan[];
  relatedLogs: RelatedLog[];
  /** How many related items there were before the lists were capped. */
  relatedTotals: { spans: number; logs: number };
}

const MAX_RELATED = 25;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * Finds a crash group by signature id (or a unique prefix of ≥ 4 chars), or by the id of one of
 * its reports, among the spool's crash files (crashFilesOfSpool). Throws an Error listing
 * candidates when the prefix is ambiguous.
 */
export function findCrashGroup(
  files: readonly CrashFile[],
  id: string,
): { group: CrashGroup; files: CrashFile[] } | undefined {
  const wanted = id.trim().toLowerCase();
  if (wanted.length === 0) return undefined;
  const groups = groupCrashFacts(files.map((f) => f.facts));
  const exact =
    groups.find((g) => g.id === wanted) ?? groups.find((g) => g.reportIds.includes(wanted));
  const candidates = exact
    ? [exact]
    : wanted.length >= 4
      ? groups.filter(
          (g) => g.id.startsWith(wanted) || g.reportIds.some((r) => r.startsWith(wanted)),
        )
      : [];
  if (candidates.length > 1) {
    throw new Error(
      `crash id prefix '${id}' is ambiguous: ${candidates.map((g) => g.id).join(', ')}`,
    );
  }
  const group = candidates[0];
  if (!group) return undefined;
  const ids = new Set(group.reportIds);
  return { group, files: files.filter((f) => ids.has(f.facts.id)) };
}

/** Builds the incident for one crash group; undefined when no group matches `id`. */
export async function buildIncident(
  dir: string,
  id: string,
  options: {
    onRecord?: (record: { file: string; position: number }) => void;
    /** false: scan even when the spool has an index. */
    index?: boolean;
  } = {},
): Promise<Incident | undefined> {
  const noIndex = options.index === false ? { index: false } : {};
  const found = findCrashGroup(crashFilesOfSpool(dir, noIndex), id);
  if (!found) return undefined;
  const { group } = found;
  // Only this group's reports are read in full (as listCrashReports orders them: by time).
  const reports = found.files
    .flatMap((f) => readCrashReportFile(dir, f.file) ?? [])
    .sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  if (reports.length === 0) return undefined;
  const representative = reports[reports.length - 1] as CrashReport;
  const firstMs = Date.parse(group.firstSeen);
  const lastMs = Date.parse(group.lastSeen);

  const services = new Set(reports.map((r) => String(r.resource['service.name'] ?? '')));
  // Denominator: sessions running at or after the first occurrence. Sessions after the last
  // one count too, so the share of a bug that has stopped happening decays as healthy
  // sessions accumulate.
  const ledger = readSessionLedger(dir).sessions.filter(
    (s) =>
      (!s.endedAt || Date.parse(s.endedAt) >= firstMs) &&
      (services.has('') || services.has(s.serviceName)),
  );
  const ledgerUsers = new Set(ledger.map((s) => s.installId || s.id));
  const impact: IncidentImpact = {
    occurrences: group.count,
    sessions: group.sessions.length,
    users: group.installs.length,
    hosts: group.hosts,
    versions: group.versions,
    sessionsSinceFirstSeen: ledger.length,
    sessionShare: ledger.length > 0 ? Math.min(1, group.sessions.length / ledger.length) : null,
    usersSinceFirstSeen: ledgerUsers.size,
    userShare: ledgerUsers.size > 0 ? Math.min(1, group.installs.length / ledgerUsers.size) : null,
    launchCrashes: reports.filter((r) => r.session.launchCompleted === false).length,
  };

  const bucketMs = lastMs - firstMs <= 2 * DAY_MS ? HOUR_MS : DAY_MS;
  const counts = new Map<number, number>();
  for (const r of reports) {
    const k = Math.floor(Date.parse(r.time) / bucketMs) * bucketMs;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const buckets = [...counts]
    .sort((a, b) => a[0] - b[0])
    .map(([startUnixMs, count]) => ({ startUnixMs, count }));
  const mean = buckets.reduce((a, b) => a + b.count, 0) / Math.max(1, buckets.length);
  const spikes = buckets.filter((b) => b.count >= 3 && b.count >= 2 * mean);

  const traceIds = new Set(
    reports.flatMap((r) => (r.trace?.traceId ? [r.trace.traceId.toLowerCase()] : [])),
  );
  const sessionIds = new Set(group.sessions);
  let related =
    options.index === false
      ? undefined
      : await readBackFromIndex(
          dir,
          ['traces', 'logs'],
          // The lines the scan below would take anything from: a crash's trace, or an error
          // in a crashed session (read-back takes each line once, in spool order).
          (db, signal) => [
            ...(signal === 'traces' ? spanLinesOfTraces : logLinesOfTraces)(db, [...traceIds]),
            ...errorLinesOfSessions(db, signal as 'traces' | 'logs', [...sessionIds]),
          ],
          (records) => {
            // A read-back that fails half-way is scanned from the start: a fresh collector each.
            const fromIndex = new RelatedTelemetry(traceIds, sessionIds, options.onRecord);
            for (const record of records.traces!()) fromIndex.add(record);
            for (const record of records.logs!()) fromIndex.add(record);
            return fromIndex;
          },
        );
  if (related === undefined) {
    related = new RelatedTelemetry(traceIds, sessionIds, options.onRecord);
    for await (const record of readSpool(dir, { signals: ['traces', 'logs'] })) related.add(record);
  }
  const { relatedSpans, relatedLogs, relatedTotals } = related;
  relatedSpans.sort((a, b) => a.startUnixMs - b.startUnixMs);
  relatedLogs.sort((a, b) => a.timeUnixMs - b.timeUnixMs);

  return {
    group,
    severity: classifySeverity(impact),
    impact,
    timeline: { firstSeen: group.firstSeen, lastSeen: group.lastSeen, bucketMs, buckets, spikes },
    representative,
    breadcrumbs: representative.breadcrumbs ?? [],
    relatedSpans,
    relatedLogs,
    relatedTotals,
  };
}

/**
 * The spans and logs related to a crash group, added record by record in spool order (from the
 * scan, or from the lines the index names: the same records in the same order, so the same lists).
 */
class RelatedTelemetry {
  readonly relatedSpans: RelatedSpan[] = [];
  readonly relatedLogs: RelatedLog[] = [];
  readonly relatedTotals = { spans: 0, logs: 0 };

  constructor(
    private readonly traceIds: ReadonlySet<string>,
    private readonly sessionIds: ReadonlySet<string>,
    private readonly onRecord: ((record: { file: string; position: number }) => void) | undefined,
  ) {}

  add(record: SpoolRecord): void {
    const { traceIds, sessionIds, relatedSpans, relatedLogs, relatedTotals } = this;
    this.onRecord?.(record);
    if (record.signal === 'traces') {
      forEachSpan(record.data as TracesData, (span, _scopeSpans, { resource }) => {
        const via = traceIds.has(span.traceId)
          ? 'trace'
          : sessionIds.has(attributeText(resource?.attributes, 'session.id') ?? '') &&
              span.status?.code === 2
            ? 'session'
            : undefined;
        if (!via) return;
        relatedTotals.spans++;
        if (relatedSpans.length >= MAX_RELATED) return;
        relatedSpans.push({
          traceId: span.traceId,
          spanId: span.spanId,
          name: span.name ?? '',
          service: serviceName(resource),
          startUnixMs: nanosToMs(span.startTimeUnixNano),
          durationMs: spanDurationMs(span.startTimeUnixNano, span.endTimeUnixNano),
          error: span.status?.code === 2,
          ...(span.status?.message ? { statusMessage: span.status.message } : {}),
          via,
        });
      });
    } else {
      forEachLogRecord(record.data as LogsData, (log, _scopeLogs, { resource }) => {
        const byTrace =
          log.traceId !== undefined && log.traceId !== '' && traceIds.has(log.traceId);
        const bySession =
          sessionIds.has(attributeText(resource?.attributes, 'session.id') ?? '') &&
          (log.severityNumber ?? 0) >= 17;
        if (!byTrace && !bySession) return;
        relatedTotals.logs++;
        if (relatedLogs.length >= MAX_RELATED) return;
        const body =
          log.body?.stringValue ??
          attributeText(log.attributes, 'exception.message') ??
          log.eventName ??
          '';
        relatedLogs.push({
          timeUnixMs: logTimeMs(log),
          severity: log.severityText || String(log.severityNumber ?? ''),
          body: body.length > 300 ? body.slice(0, 299) + '…' : body,
          ...(log.traceId ? { traceId: log.traceId } : {}),
          service: serviceName(resource),
          via: byTrace ? 'trace' : 'session',
        });
      });
    }
  }
}
