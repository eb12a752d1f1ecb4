// Maps buildReport's JSON (/api/report, the `spool report --json` shape documented in
// packages/cli/src/analysis/types.ts) to what the report view draws.
import { fmtBytes, fmtCount, fmtMs, fmtPercent, fmtTime } from './dom.js';

const MIB = 1024 * 1024;

export function reportToView(report) {
  const { sessions, crashes, spans, events, resources, health, input } = report;
  const overall = spans.overall;
  const { startUnixMs, endUnixMs } = report.timeRange;
  return {
    scope: [
      report.services.length > 0 ? report.services.join(', ') : 'no services yet',
      startUnixMs !== null ? `${fmtTime(startUnixMs)} → ${fmtTime(endUnixMs)}` : null,
      report.dir,
    ]
      .filter(Boolean)
      .join(' · '),
    cards: [
      {
        label: 'Sessions',
        value: fmtCount(sessions.total),
        sub: `${fmtCount(sessions.crashed)} crashed · ${fmtCount(sessions.abnormal)} abnormal · ${fmtCount(sessions.running)} running`,
      },
      {
        label: 'Crash-free sessions',
        value: fmtPercent(sessions.crashFreeSessionRate, 2),
        sub: `users ${fmtPercent(sessions.crashFreeUserRate, 2)} of ${fmtCount(sessions.users)}`,
        tone: rateTone(sessions.crashFreeSessionRate),
      },
      {
        label: 'Crashes',
        value: fmtCount(crashes.total),
        sub: `${fmtCount(crashes.groups)} group${crashes.groups === 1 ? '' : 's'}`,
        tone: crashes.total > 0 ? 'bad' : 'good',
      },
      {
        label: 'Spans',
        value: fmtCount(overall.count),
        sub: `${fmtPercent(overall.errorRate)} errors · p95 ${fmtMs(overall.p95Ms)}`,
        tone: overall.errorRate !== null && overall.errorRate >= 0.05 ? 'warn' : null,
      },
      { label: 'Events', value: fmtCount(events.total), sub: `${fmtCount(events.distinct)} kinds` },
      {
        label: 'Dropped',
        value: fmtCount(health.recordsDropped),
        sub: `of ${fmtCount(health.recordsWritten)} written`,
        tone: health.recordsDropped > 0 ? 'warn' : 'good',
      },
    ],
    cpu: {
      times: resources.cpuPercent.points.map((p) => p.tUnixMs),
      values: resources.cpuPercent.points.map((p) => p.avg),
    },
    memory: {
      times: resources.memoryBytes.points.map((p) => p.tUnixMs),
      series: [{ label: 'RSS', values: resources.memoryBytes.points.map((p) => p.avg / MIB) }],
    },
    latency: latencyBars(spans.latencyHistogram),
    crashesByHost: crashes.byHost.map((c) => ({ label: c.key, count: c.count })),
    crashesByVersion: crashes.byVersion.map((c) => ({ label: c.key, count: c.count })),
    health: healthRows(health, input),
    topSpans: spans.byName.map((s) => ({
      name: s.name,
      count: s.count,
      errorRate: s.errorRate,
      p50: s.p50Ms,
      p95: s.p95Ms,
      p99: s.p99Ms,
    })),
    topEvents: events.top.map((e) => ({ name: e.key, count: e.count })),
  };
}

/** Crash-free rates the way release-health dashboards colour them. */
function rateTone(rate) {
  if (rate === null || rate === undefined) return null;
  if (rate >= 0.995) return 'good';
  return rate >= 0.98 ? 'warn' : 'bad';
}

/**
 * The histogram's fixed log-spaced buckets, without the empty ones before the first and after
 * the last non-empty bucket (every span is still in a shown bar).
 */
function latencyBars(buckets) {
  const first = buckets.findIndex((b) => b.count > 0);
  if (first === -1) return [];
  let last = buckets.length - 1;
  while (buckets[last].count === 0) last--;
  return buckets.slice(first, last + 1).map((b) => ({
    label:
      b.upperMs === null
        ? `> ${fmtMs(buckets[buckets.length - 2]?.upperMs)}`
        : `≤ ${fmtMs(b.upperMs)}`,
    count: b.count,
  }));
}

function healthRows(health, input) {
  const rows = [
    { label: 'Records written', value: fmtCount(health.recordsWritten) },
    { label: 'Records in spool', value: fmtCount(health.recordsInSpool) },
    {
      label: 'Records evicted (byte cap)',
      value:
        health.recordsEvicted > 0
          ? `${fmtCount(health.recordsEvicted)} (${fmtCount(health.recordsEvictedShipped)} already shipped)`
          : '0',
    },
    {
      label: 'Records dropped',
      value:
        health.recordsDropped > 0
          ? `${fmtCount(health.recordsDropped)} (${health.droppedByReason.map((d) => `${d.key} ${fmtCount(d.count)}`).join(', ')})`
          : '0',
    },
    ...(health.selfMetricsCapped
      ? [
          {
            label: 'Self-metrics',
            value:
              'from more than 10,000 process runs; 10,000 counted, so evicted and dropped are lower bounds',
          },
        ]
      : []),
    {
      label: 'Spool on disk',
      value: `${fmtBytes(health.spoolBytes)} in ${fmtCount(health.segments)} segments`,
    },
    { label: 'Malformed lines', value: fmtCount(input.malformedLines) },
    { label: 'Quarantined files', value: fmtCount(health.quarantinedFiles) },
  ];
  if (health.sync.length === 0)
    rows.push({ label: 'Synced', value: 'never (no consent or no sync yet)' });
  for (const d of health.sync) {
    rows.push({
      label: `Sync → ${d.destination}`,
      value:
        d.unsyncedLines === 0
          ? `up to date (${fmtCount(d.syncedRecords)} records, ${fmtCount(d.syncedLines)} lines)`
          : `${fmtCount(d.unsyncedRecords)} records (${fmtCount(d.unsyncedLines)} lines) behind, ${fmtCount(d.syncedRecords)} synced, oldest ${fmtTime(d.oldestUnsyncedUnixMs)}`,
    });
  }
  return rows;
}
