import type { Command } from 'commander';
import Table from 'cli-table3';
import pc from 'picocolors';
import {
  buildReport,
  formatBytes,
  formatCount,
  formatMs,
  formatPercent,
  formatTime,
  sparkline,
  type MetricSeries,
  type Report,
} from '../analysis/index.js';
import {
  CliError,
  EXIT_USAGE,
  printJson,
  spoolDirFrom,
  useColor,
  type CommonOptions,
  DIR_HELP,
  SERVICE_FILTER_HELP,
  ALLOW_EMPTY_HELP,
} from '../output/index.js';

type Colors = ReturnType<typeof pc.createColors>;

interface ReportCommandOptions extends CommonOptions {
  since?: string;
}

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description(
      'Dashboard of the spool: sessions, crash-free rate, crashes per host/version, top spans and events, CPU and memory, telemetry health',
    )
    .option('--dir <dir>', DIR_HELP)
    .option('--service <name>', SERVICE_FILTER_HELP)
    .option('--allow-empty', ALLOW_EMPTY_HELP)
    .option('--since <when>', 'only data newer than a duration (30m, 24h, 7d) or an ISO date')
    .option('--json', 'print the report as JSON (shape documented in TELEMETRY_GUIDE.md)')
    .action(async (options: ReportCommandOptions) => {
      const dir = spoolDirFrom(options, { read: true });
      let report: Report;
      try {
        report = await buildReport(dir, {
          ...(options.since !== undefined ? { since: options.since } : {}),
          ...(options.service !== undefined ? { service: options.service } : {}),
        });
      } catch (err) {
        if (err instanceof RangeError) throw new CliError(err.message, EXIT_USAGE);
        throw err;
      }
      if (options.json) {
        printJson(report);
        return;
      }
      process.stdout.write(renderReport(report, pc.createColors(useColor())));
    });
}

function table(head: string[], c: Colors, align?: Array<'left' | 'right'>): Table.Table {
  return new Table({
    head,
    ...(align ? { colAligns: align } : {}),
    style: { head: c.isColorSupported ? ['cyan'] : [], border: c.isColorSupported ? ['grey'] : [] },
  });
}

function clip(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? oneLine.slice(0, max - 1) + '…' : oneLine;
}

/** Green at or above `good`, yellow at or above `warn`, else red. */
function rateColor(
  c: Colors,
  rate: number | null,
  good: number,
  warn: number,
): (s: string) => string {
  if (rate === null) return (s) => s;
  return rate >= good ? c.green : rate >= warn ? c.yellow : c.red;
}

function seriesLine(
  label: string,
  series: MetricSeries,
  format: (v: number) => string,
  scale?: [number, number],
): string {
  if (series.points.length === 0) return `${label}  no samples\n`;
  const avgs = series.points.map((p) => p.avg);
  const max = Math.max(...series.points.map((p) => p.max));
  const min = Math.min(...series.points.map((p) => p.min));
  const mean =
    series.points.reduce((a, p) => a + p.avg * p.samples, 0) /
    series.points.reduce((a, p) => a + p.samples, 0);
  const spark = sparkline(avgs, scale?.[0], scale?.[1]);
  return (
    `${label}  ${spark}\n` +
    `${' '.repeat(label.length)}  min ${format(min)} · avg ${format(mean)} · max ${format(max)} · last ${format(series.last ?? NaN)}` +
    ` (${series.points.length} points of ${Math.round(series.bucketMs / 1000)} s)\n`
  );
}

/** The terminal dashboard: plain text (escape codes only when `c` has colour enabled). */
export function renderReport(r: Report, c: Colors): string {
  const out: string[] = [];
  const heading = (s: string): void => {
    out.push('\n' + c.bold(c.underline(s)) + '\n');
  };
  out.push(c.bold(`otelspool report — ${r.dir}`) + '\n');
  const filters = [
    r.filters.since !== undefined
      ? `since ${r.filters.since} (${formatTime(r.filters.sinceUnixMs ?? null)})`
      : '',
    r.filters.service !== undefined ? `service ${r.filters.service}` : '',
  ].filter(Boolean);
  out.push(
    `data ${formatTime(r.timeRange.startUnixMs)} → ${formatTime(r.timeRange.endUnixMs)}` +
      (filters.length ? ` · ${filters.join(' · ')}` : '') +
      (r.services.length ? ` · services: ${r.services.join(', ')}` : '') +
      '\n',
  );
  out.push(
    c.dim(
      `${formatCount(r.input.items.spans)} spans · ${formatCount(r.input.items.dataPoints)} metric points · ` +
        `${formatCount(r.input.items.logRecords)} log records` +
        (r.input.malformedLines ? ` · ${r.input.malformedLines} malformed lines skipped` : ''),
    ) + '\n',
  );

  heading('Sessions');
  const s = r.sessions;
  const sessions = table(
    [
      'sessions',
      'crashed',
      'abnormal',
      'running',
      'crash-free sessions',
      'users',
      'crash-free users',
    ],
    c,
    ['right', 'right', 'right', 'right', 'right', 'right', 'right'],
  );
  sessions.push([
    formatCount(s.total),
    s.crashed ? c.red(String(s.crashed)) : '0',
    s.abnormal ? c.yellow(String(s.abnormal)) : '0',
    String(s.running),
    rateColor(c, s.crashFreeSessionRate, 0.995, 0.98)(formatPercent(s.crashFreeSessionRate)),
    formatCount(s.users),
    rateColor(c, s.crashFreeUserRate, 0.995, 0.98)(formatPercent(s.crashFreeUserRate)),
  ]);
  out.push(sessions.toString() + '\n');

  heading(`Crashes (${r.crashes.total} in ${r.crashes.groups} groups)`);
  if (r.crashes.total === 0) {
    out.push(c.green('no crashes') + '\n');
  } else {
    const places = table(['host', 'crashes', 'version', 'crashes'], c, [
      'left',
      'right',
      'left',
      'right',
    ]);
    const rows = Math.max(r.crashes.byHost.length, r.crashes.byVersion.length);
    for (let i = 0; i < Math.min(rows, 10); i++) {
      const h = r.crashes.byHost[i];
      const v = r.crashes.byVersion[i];
      places.push([h?.key ?? '', h ? String(h.count) : '', v?.key ?? '', v ? String(v.count) : '']);
    }
    out.push(places.toString() + '\n');
    const groups = table(['signature', 'type', 'message', 'count', 'sessions', 'last seen'], c);
    for (const g of r.crashes.topGroups.slice(0, 10)) {
      groups.push([
        g.id,
        c.red(g.type),
        clip(g.message, 50),
        String(g.count),
        String(g.sessions),
        g.lastSeen.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
      ]);
    }
    out.push(groups.toString() + '\n');
  }

  const o = r.spans.overall;
  heading(
    `Top spans (${formatCount(o.count)} spans, ${formatPercent(o.errorRate)} errors, p95 ${formatMs(o.p95Ms)})`,
  );
  if (r.spans.byName.length === 0) {
    out.push('no spans\n');
  } else {
    const spans = table(['span', 'count', 'error %', 'p50', 'p95', 'p99'], c, [
      'left',
      'right',
      'right',
      'right',
      'right',
      'right',
    ]);
    for (const n of r.spans.byName.slice(0, 15)) {
      const err = formatPercent(n.errorRate, 1);
      spans.push([
        clip(n.name, 40),
        formatCount(n.count),
        n.errors ? c.red(err) : err,
        formatMs(n.p50Ms),
        formatMs(n.p95Ms),
        formatMs(n.p99Ms),
      ]);
    }
    out.push(spans.toString() + '\n');
    if (r.spans.distinctNames > 15)
      out.push(
        c.dim(`… ${r.spans.distinctNames - 15} more span names (--json for the top 20)`) + '\n',
      );
  }

  heading(`Top events (${formatCount(r.events.total)})`);
  if (r.events.top.length === 0) {
    out.push('no events\n');
  } else {
    const events = table(['event', 'count'], c, ['left', 'right']);
    for (const e of r.events.top.slice(0, 10)) events.push([clip(e.key, 50), formatCount(e.count)]);
    out.push(events.toString() + '\n');
  }

  heading('Resources');
  out.push(seriesLine('CPU %  ', r.resources.cpuPercent, (v) => `${v.toFixed(1)} %`, [0, 100]));
  out.push(seriesLine('Memory ', r.resources.memoryBytes, (v) => formatBytes(v)));

  heading('Telemetry health');
  const h = r.health;
  const health = table(
    ['written', 'in spool', 'evicted', 'dropped', 'spool on disk', 'segments', 'quarantined'],
    c,
    ['right', 'right', 'right', 'right', 'right', 'right', 'right'],
  );
  const unshippedEvicted = h.recordsEvicted - h.recordsEvictedShipped;
  health.push([
    formatCount(h.recordsWritten),
    formatCount(h.recordsInSpool),
    h.recordsEvicted
      ? `${unshippedEvicted ? c.yellow(formatCount(h.recordsEvicted)) : formatCount(h.recordsEvicted)}` +
        ` (${formatCount(h.recordsEvictedShipped)} shipped)`
      : '0',
    h.recordsDropped ? c.red(formatCount(h.recordsDropped)) : '0',
    formatBytes(h.spoolBytes),
    formatCount(h.segments),
    h.quarantinedFiles ? c.yellow(String(h.quarantinedFiles)) : '0',
  ]);
  out.push(health.toString() + '\n');
  if (h.droppedByReason.length) {
    out.push(
      `dropped by reason: ${h.droppedByReason.map((d) => `${d.key} ${formatCount(d.count)}`).join(', ')}\n`,
    );
  }
  if (h.sync.length === 0) {
    out.push('sync: never synced (spool sync --endpoint URL, after spool consent grant)\n');
  } else {
    for (const d of h.sync) {
      out.push(
        `sync ${d.destination}: ${formatCount(d.syncedRecords)} records synced, ${formatCount(d.unsyncedRecords)} unsynced` +
          ` (${formatCount(d.syncedLines)} / ${formatCount(d.unsyncedLines)} lines)` +
          (d.oldestUnsyncedUnixMs !== null
            ? `, oldest unsynced ${formatTime(d.oldestUnsyncedUnixMs)}`
            : '') +
          (d.updatedAt ? `, last ack ${d.updatedAt}` : '') +
          '\n',
      );
    }
  }
  return out.join('');
}
