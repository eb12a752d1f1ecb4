import { SIGNALS } from '@otelspool/exporter-jsonl';
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
  colors,
  EXIT_USAGE,
  printJson,
  renderTable,
  spoolDirFrom,
  terminalWidth,
  withReadProgress,
  type Colors,
  type Column,
  type CommonOptions,
} from '../output/index.js';

export interface ReportCommandOptions extends CommonOptions {
  since?: string;
  /** false with `--no-index`. */
  index?: boolean;
}

/**
 * The report of the spool the options name (`--dir`/`--service`/`--since`), read with a
 * progress line; a bad `--since` is a usage error. Shared by `report` and `check`.
 */
export async function readReport(
  options: CommonOptions & { since?: string; allowEmpty?: boolean; index?: boolean },
): Promise<Report> {
  const dir = spoolDirFrom(options, { read: true });
  try {
    return await withReadProgress(dir, SIGNALS, options, (onRecord) =>
      buildReport(dir, {
        ...(options.since !== undefined ? { since: options.since } : {}),
        ...(options.service !== undefined ? { service: options.service } : {}),
        ...(options.index === false ? { index: false } : {}),
        onRecord,
      }),
    );
  } catch (err) {
    if (err instanceof RangeError) throw new CliError(err.message, EXIT_USAGE);
    throw err;
  }
}

/** `spool report` (options: program.ts). */
export async function reportCommand(options: ReportCommandOptions): Promise<void> {
  const report = await readReport(options);
  if (options.json) {
    printJson(report);
    return;
  }
  process.stdout.write(renderReport(report, colors(options)));
}

/** A table of the report: head, alignment, which columns are free text (cut to fit). */
function table(
  c: Colors,
  columns: Column[],
  width: number | undefined,
): { push(row: string[]): void; toString(): string } {
  const rows: string[][] = [];
  return {
    push: (row) => void rows.push(row),
    toString: () => renderTable(columns, rows, c, { width }),
  };
}

const right = (header: string): Column => ({ header, align: 'right' });
const left = (header: string): Column => ({ header });
const text = (header: string): Column => ({ header, flex: true });

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
export function renderReport(r: Report, c: Colors, width = terminalWidth()): string {
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
    c,
    [
      'sessions',
      'crashed',
      'abnormal',
      'running',
      'crash-free sessions',
      'users',
      'crash-free users',
    ].map(right),
    width,
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
    const places = table(
      c,
      [text('host'), right('crashes'), text('version'), right('crashes')],
      width,
    );
    const rows = Math.max(r.crashes.byHost.length, r.crashes.byVersion.length);
    for (let i = 0; i < Math.min(rows, 10); i++) {
      const h = r.crashes.byHost[i];
      const v = r.crashes.byVersion[i];
      places.push([h?.key ?? '', h ? String(h.count) : '', v?.key ?? '', v ? String(v.count) : '']);
    }
    out.push(places.toString() + '\n');
    const groups = table(
      c,
      [
        left('signature'),
        left('type'),
        text('message'),
        right('count'),
        { ...right('sessions'), hideOrder: 2 },
        { ...left('last seen'), hideOrder: 1 },
      ],
      width,
    );
    for (const g of r.crashes.topGroups.slice(0, 10)) {
      groups.push([
        g.id,
        c.red(g.type),
        g.message,
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
    const spans = table(
      c,
      [text('span'), ...['count', 'error %', 'p50', 'p95', 'p99'].map(right)],
      width,
    );
    for (const n of r.spans.byName.slice(0, 15)) {
      const err = formatPercent(n.errorRate, 1);
      spans.push([
        n.name,
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
    const events = table(c, [text('event'), right('count')], width);
    for (const e of r.events.top.slice(0, 10)) events.push([e.key, formatCount(e.count)]);
    out.push(events.toString() + '\n');
  }

  heading('Resources');
  out.push(seriesLine('CPU %  ', r.resources.cpuPercent, (v) => `${v.toFixed(1)} %`, [0, 100]));
  out.push(seriesLine('Memory ', r.resources.memoryBytes, (v) => formatBytes(v)));

  heading('Telemetry health');
  const h = r.health;
  const health = table(
    c,
    ['written', 'in spool', 'evicted', 'dropped', 'spool on disk', 'segments', 'quarantined'].map(
      right,
    ),
    width,
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
  if (h.selfMetricsCapped) {
    out.push(
      c.yellow(
        'evicted and dropped are at least these: the self-metrics came from more than 10,000 process runs, and the report counts 10,000',
      ) + '\n',
    );
  }
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
