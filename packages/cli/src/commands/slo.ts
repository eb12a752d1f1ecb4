import { writeFile } from 'node:fs/promises';
import {
  computeSlo,
  formatCount,
  formatDurationMs,
  formatMs,
  formatPercent,
  formatTime,
  parseDurationMs,
  prometheusRulesYaml,
  SPAN_DURATION_BUCKETS_MS,
  type SliBudget,
  type SloResult,
} from '../analysis/index.js';
import {
  CliError,
  EXIT_USAGE,
  colors,
  printJson,
  renderTable,
  spoolDirFrom,
  terminalWidth,
  type Colors,
  type Column,
  type CommonOptions,
  withReadProgress,
} from '../output/index.js';

export interface SloCommandOptions extends CommonOptions {
  availability: string;
  latencyP95?: string;
  window: string;
  span?: string;
  prometheusRules?: string;
  /** false with `--no-index`. */
  index?: boolean;
}

/** `99.9` or `99.9%` → 0.999. */
export function parseAvailability(text: string): number {
  const value = Number(text.trim().replace(/%$/, ''));
  if (!Number.isFinite(value) || value <= 0 || value >= 100) {
    throw new CliError(
      `--availability ${JSON.stringify(text)}: expected a percentage between 0 and 100, e.g. 99.9`,
      EXIT_USAGE,
    );
  }
  // 99.9 / 100 is 0.9990000000000001 in binary floating point; the user meant 0.999.
  return Number((value / 100).toFixed(12));
}

/** `500ms`, `1.5s`, or a bare number of milliseconds. */
export function parseLatencyMs(flag: string, text: string): number {
  const bare = Number(text);
  const value = Number.isFinite(bare) && text.trim() !== '' ? bare : parseDurationMs(text);
  if (value === undefined || !(value > 0)) {
    throw new CliError(
      `${flag} ${JSON.stringify(text)}: expected a duration like 500ms or 1.5s`,
      EXIT_USAGE,
    );
  }
  return value;
}

/** `spool slo` (options: program.ts). */
export async function sloCommand(options: SloCommandOptions): Promise<void> {
  const availability = parseAvailability(options.availability);
  const latencyP95Ms =
    options.latencyP95 !== undefined
      ? parseLatencyMs('--latency-p95', options.latencyP95)
      : undefined;
  const windowMs = parseDurationMs(options.window);
  if (windowMs === undefined || windowMs < 60_000) {
    throw new CliError(
      `--window ${JSON.stringify(options.window)}: expected a duration of at least 1m, e.g. 30d`,
      EXIT_USAGE,
    );
  }
  const dir = spoolDirFrom(options, { read: true });
  const result = await withReadProgress(dir, ['traces'], options, (onRecord) =>
    computeSlo(dir, {
      availability,
      windowMs,
      ...(latencyP95Ms !== undefined ? { latencyP95Ms } : {}),
      ...(options.service !== undefined ? { service: options.service } : {}),
      ...(options.span !== undefined ? { spanName: options.span } : {}),
      ...(options.index === false ? { index: false } : {}),
      onRecord,
    }),
  );
  if (options.prometheusRules !== undefined) {
    if (latencyP95Ms !== undefined && !SPAN_DURATION_BUCKETS_MS.includes(latencyP95Ms)) {
      process.stderr.write(
        `spool: warning: ${latencyP95Ms} ms is not a bucket bound of the span_metrics histogram ` +
          `(${SPAN_DURATION_BUCKETS_MS.join(', ')} ms): the latency rules will match no series\n`,
      );
    }
    const yaml = prometheusRulesYaml({
      availability,
      periodDays: Math.max(1, Math.round(windowMs / 86_400_000)),
      ...(latencyP95Ms !== undefined ? { latencyP95Ms } : {}),
      ...(options.service !== undefined ? { service: options.service } : {}),
      ...(options.span !== undefined ? { spanName: options.span } : {}),
    });
    await writeFile(options.prometheusRules, yaml, { mode: 0o644 });
    process.stderr.write(`spool: wrote Prometheus rules to ${options.prometheusRules}\n`);
  }
  if (options.json) {
    printJson(result);
    return;
  }
  process.stdout.write(renderSlo(result, colors(options)));
}

function ratio(x: number | null): string {
  return x === null ? '—' : `${x.toFixed(2)}×`;
}

function budgetRow(label: string, target: string, b: SliBudget, c: Colors): string[] {
  const status =
    b.status === 'met'
      ? c.green('MET')
      : b.status === 'breached'
        ? c.red('BREACHED')
        : c.dim('NO DATA');
  return [
    label,
    target,
    formatPercent(b.ratio, 3),
    status,
    b.budgetTotal.toFixed(1),
    formatCount(b.budgetUsed),
    b.budgetRemaining.toFixed(1),
    formatPercent(b.budgetRemainingRatio, 1),
  ];
}

/** Collects rows for {@link renderTable}. */
function table(c: Colors, columns: Column[], width: number | undefined) {
  const rows: string[][] = [];
  return {
    push: (row: string[]) => void rows.push(row),
    toString: () => renderTable(columns, rows, c, { width }),
  };
}

export function renderSlo(r: SloResult, c: Colors, width = terminalWidth()): string {
  const out: string[] = [];
  out.push(
    c.bold(`SLO over ${formatDurationMs(r.objective.windowMs)}`) +
      (r.objective.spanName ? ` (span ${r.objective.spanName})` : '') +
      `: ${formatTime(r.window.startUnixMs)} → ${formatTime(r.window.endUnixMs)}, ${formatCount(r.sli.total)} spans\n`,
  );
  out.push(
    `success ${formatPercent(r.sli.successRatio, 3)} (${formatCount(r.sli.errors)} errors)` +
      (r.objective.latencyP95Ms !== null
        ? ` · p95 ${formatMs(r.sli.p95Ms)} · within ${formatMs(r.objective.latencyP95Ms)}: ${formatPercent(r.sli.latencyRatio, 3)}`
        : '') +
      '\n\n',
  );
  const budgets = table(
    c,
    [
      { header: 'SLI' },
      { header: 'objective', flex: true },
      ...['actual', 'status', 'budget', 'used', 'remaining', 'remaining %'].map(
        (header): Column => ({ header, align: 'right' }),
      ),
    ],
    width,
  );
  budgets.push(
    budgetRow('availability', formatPercent(r.availability.objective, 3), r.availability, c),
  );
  if (r.latency)
    budgets.push(
      budgetRow('latency', `95 % ≤ ${formatMs(r.objective.latencyP95Ms)}`, r.latency, c),
    );
  out.push(budgets.toString() + '\n\n');

  const burns = table(
    c,
    [
      { header: 'window' },
      ...[
        'spans',
        'errors',
        'error ratio',
        'burn (avail.)',
        ...(r.latency ? ['slow', 'burn (latency)'] : []),
      ].map((header): Column => ({ header, align: 'right' })),
    ],
    width,
  );
  for (const b of r.burnRates) {
    burns.push([
      b.window,
      formatCount(b.total),
      formatCount(b.errors),
      formatPercent(b.errorRatio, 3),
      ratio(b.availabilityBurnRate),
      ...(r.latency ? [formatCount(b.slow), ratio(b.latencyBurnRate)] : []),
    ]);
  }
  out.push(burns.toString() + '\n\n');

  const alerts = table(
    c,
    [
      { header: 'alert', flex: true },
      { header: 'SLI' },
      { header: 'severity' },
      { header: 'condition', flex: true },
      { header: 'long', align: 'right' },
      { header: 'short', align: 'right' },
      { header: 'state' },
    ],
    width,
  );
  for (const a of r.alerts) {
    alerts.push([
      a.name,
      a.sli,
      a.severity,
      `> ${a.factor}× over ${a.longWindow} and ${a.shortWindow}`,
      ratio(a.longBurnRate),
      ratio(a.shortBurnRate),
      a.firing ? c.red(c.bold('FIRING')) : c.green('ok'),
    ]);
  }
  out.push(alerts.toString() + '\n');
  const firing = r.alerts.filter((a) => a.firing);
  out.push(
    firing.length === 0
      ? 'no burn-rate alert would fire\n'
      : `${firing.length} alert(s) would fire: ${firing.map((a) => `${a.sli} ${a.name} (${a.severity})`).join(', ')}\n`,
  );
  return out.join('');
}
