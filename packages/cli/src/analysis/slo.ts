import { existsSync } from 'node:fs';
import { DDSketch } from '@datadog/sketches-js';
import { readSpool, type TracesData } from '@otelspool/exporter-jsonl';
import { indexDbPath } from '@otelspool/exporter-jsonl/internal';
import { SKETCH_RELATIVE_ACCURACY } from './latency-accumulator.js';
import { nanosToMs, spanDurationMs } from './otlp-values.js';
import type { RecordFilter } from './record-filter.js';
import { forEachFilteredSpan } from './walk.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** The burn-rate windows the report shows (Google SRE workbook, ch. 5). */
export const BURN_WINDOWS: readonly { label: string; ms: number }[] = [
  { label: '5m', ms: 5 * MINUTE_MS },
  { label: '30m', ms: 30 * MINUTE_MS },
  { label: '1h', ms: HOUR_MS },
  { label: '2h', ms: 2 * HOUR_MS },
  { label: '6h', ms: 6 * HOUR_MS },
  { label: '1d', ms: 24 * HOUR_MS },
  { label: '3d', ms: 72 * HOUR_MS },
];

/**
 * Multiwindow, multi-burn-rate alerts (SRE workbook table 5-8, Sloth's defaults for a 30-day
 * period): an alert fires when both its long and its short window burn faster than `factor`.
 */
export const BURN_ALERTS: readonly {
  name: string;
  severity: 'page' | 'ticket';
  factor: number;
  long: string;
  short: string;
}[] = [
  { name: 'page-fast', severity: 'page', factor: 14.4, long: '1h', short: '5m' },
  { name: 'page-slow', severity: 'page', factor: 6, long: '6h', short: '30m' },
  { name: 'ticket-fast', severity: 'ticket', factor: 3, long: '1d', short: '2h' },
  { name: 'ticket-slow', severity: 'ticket', factor: 1, long: '3d', short: '6h' },
];

export interface SloOptions extends RecordFilter {
  /** Availability objective as a fraction, e.g. 0.999. */
  availability: number;
  /** p95 latency objective in ms: 95 % of spans must finish within it. */
  latencyP95Ms?: number;
  /** SLO period in ms (default 30 days). */
  windowMs?: number;
  /** Only spans with this name (default: every span, as the Collector's span metrics count). */
  spanName?: string;
  /**
   * false (`--no-index`): always scan. Otherwise a spool index (`<spool>/index/`) is brought up
   * to date and queried instead (same result); the spool is scanned when it cannot be.
   */
  index?: boolean;
  /** Called for every spool line read (the CLI's progress line). */
  onRecord?: (record: { file: string; position: number }) => void;
}

export interface SliBudget {
  /** Objective as a fraction (0.999 availability; 0.95 of spans within the latency target). */
  objective: number;
  /** Good / total in the SLO window; null without data. */
  ratio: number | null;
  status: 'met' | 'breached' | 'no-data';
  /** Bad events the objective allows in the window: (1 − objective) × total. */
  budgetTotal: number;
  /** Bad events that happened. */
  budgetUsed: number;
  budgetRemaining: number;
  /** budgetRemaining / budgetTotal (negative once overspent); null when the budget is 0. */
  budgetRemainingRatio: number | null;
}

export interface BurnRate {
  window: string;
  windowMs: number;
  total: number;
  errors: number;
  slow: number;
  errorRatio: number | null;
  /** errorRatio / (1 − availability objective). */
  availabilityBurnRate: number | null;
  /** slowRatio / (1 − 0.95); null without a latency objective. */
  latencyBurnRate: number | null;
}

export interface BurnAlert {
  name: string;
  sli: 'availability' | 'latency';
  severity: 'page' | 'ticket';
  factor: number;
  longWindow: string;
  shortWindow: string;
  longBurnRate: number | null;
  shortBurnRate: number | null;
  firing: boolean;
}

/** The `--json` shape of `spool slo`. */
export interface SloResult {
  objective: {
    availability: number;
    latencyP95Ms: number | null;
    windowMs: number;
    spanName?: string;
  };
  /** SLO window: `windowMs` back from the newest span's end (the spool is offline data). */
  window: { startUnixMs: number | null; endUnixMs: number | null; firstDataUnixMs: number | null };
  sli: {
    total: number;
    errors: number;
    /** Spans slower than the latency objective. */
    slow: number;
    successRatio: number | null;
    /** Fraction of spans within the latency objective. */
    latencyRatio: number | null;
    /** Observed p95 in ms (DDSketch, 1 %; the window edge is rounded to whole hours). */
    p95Ms: number | null;
  };
  availability: SliBudget;
  latency: SliBudget | null;
  burnRates: BurnRate[];
  alerts: BurnAlert[];
}

export interface MinuteCounts {
  total: number;
  errors: number;
  slow: number;
}

/** What {@link computeSlo} folds the spans into, by a scan or from the spool index. */
export interface SloFold {
  /** Minute of end time → counts, only the window's minutes. */
  minutes: Map<number, MinuteCounts>;
  /** Hour of end time → latency sketch, from the hour holding the window's first minute on. */
  hours: Map<number, DDSketch>;
  /** -Infinity without data. */
  newestMinute: number;
  newestMs: number;
}

/** The inputs of a fold: the filters and the window length in whole minutes. */
export interface SloFoldOptions extends RecordFilter {
  windowMinutes: number;
  latencyP95Ms?: number;
  spanName?: string;
}

/**
 * SLIs, error budgets and burn rates from the spans of a spool. Counts are kept per minute of
 * span end time (pruned to the SLO window as the newest time advances, so memory is bounded by
 * the window, not the spool), latency sketches per hour. Windows end at the newest span: a
 * spool is read after the fact, and "now" would make every offline spool look healthy.
 * A window of w covers the w / 1 min whole minutes up to and including the newest span's minute.
 * With a spool index (and `index` not false) the same fold comes from SQL over the index.
 */
export async function computeSlo(dir: string, options: SloOptions): Promise<SloResult> {
  const windowMs = options.windowMs ?? 30 * 24 * HOUR_MS;
  const windowMinutes = Math.max(1, Math.round(windowMs / MINUTE_MS));
  const foldOptions: SloFoldOptions = {
    windowMinutes,
    ...(options.latencyP95Ms !== undefined ? { latencyP95Ms: options.latencyP95Ms } : {}),
    ...(options.spanName !== undefined ? { spanName: options.spanName } : {}),
    ...(options.service !== undefined ? { service: options.service } : {}),
    ...(options.sinceUnixMs !== undefined ? { sinceUnixMs: options.sinceUnixMs } : {}),
  };
  let fold: SloFold | undefined;
  if (options.index !== false && existsSync(indexDbPath(dir))) {
    // Loaded only when there is an index: node:sqlite is not needed otherwise.
    const { sloFoldFromIndex } = await import('../spool-index/slo-from-index.js');
    fold = await sloFoldFromIndex(dir, foldOptions);
  }
  return finishSlo(fold ?? (await scanSlo(dir, foldOptions, options.onRecord)), options, windowMs);
}

/** The fold by reading every traces line of the spool. */
async function scanSlo(
  dir: string,
  options: SloFoldOptions,
  onRecord: SloOptions['onRecord'],
): Promise<SloFold> {
  const { windowMinutes } = options;
  const threshold = options.latencyP95Ms;
  const minutes = new Map<number, MinuteCounts>();
  const hours = new Map<number, DDSketch>();
  let newestMinute = -Infinity;
  let newestMs = -Infinity;
  let sincePrune = 0;

  const oldestHourOf = (oldestKept: number): number =>
    Math.floor((oldestKept * MINUTE_MS) / HOUR_MS);
  const prune = (): void => {
    const oldestKept = newestMinute - windowMinutes + 1;
    for (const k of minutes.keys()) if (k < oldestKept) minutes.delete(k);
    const oldestHour = oldestHourOf(oldestKept);
    for (const k of hours.keys()) if (k < oldestHour) hours.delete(k);
  };
  const sketchOf = (hour: number): DDSketch => {
    let sketch = hours.get(hour);
    if (!sketch) {
      sketch = new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY });
      hours.set(hour, sketch);
    }
    return sketch;
  };

  for await (const record of readSpool(dir, { signals: ['traces'] })) {
    onRecord?.(record);
    forEachFilteredSpan(record.data as TracesData, options, (span) => {
      if (options.spanName !== undefined && span.name !== options.spanName) return;
      const endMs = nanosToMs(span.endTimeUnixNano);
      if (!Number.isFinite(endMs)) return;
      const minute = Math.floor(endMs / MINUTE_MS);
      const hour = Math.floor(endMs / HOUR_MS);
      const duration = spanDurationMs(span.startTimeUnixNano, span.endTimeUnixNano);
      const sketched = Number.isFinite(duration) && duration >= 0;
      const oldestKept = newestMinute - windowMinutes + 1;
      if (minute < oldestKept) {
        // Older than the window already is. Its hour may still be the window's first (kept
        // whole): sketch it, so the p95 does not depend on the order the spans were written in.
        if (sketched && hour >= oldestHourOf(oldestKept)) sketchOf(hour).accept(duration);
        return;
      }
      if (endMs > newestMs) newestMs = endMs;
      if (minute > newestMinute) newestMinute = minute;
      let m = minutes.get(minute);
      if (!m) {
        m = { total: 0, errors: 0, slow: 0 };
        minutes.set(minute, m);
      }
      m.total++;
      if (span.status?.code === 2) m.errors++;
      if (threshold !== undefined && duration > threshold) m.slow++;
      if (sketched) sketchOf(hour).accept(duration);
      if (++sincePrune >= 100_000) {
        sincePrune = 0;
        prune();
      }
    });
  }
  if (Number.isFinite(newestMinute)) prune();
  return { minutes, hours, newestMinute, newestMs };
}

/** The result of a fold: windows, budgets, burn rates and alerts. */
function finishSlo(fold: SloFold, options: SloOptions, windowMs: number): SloResult {
  const { minutes, hours, newestMinute, newestMs } = fold;
  const windowMinutes = Math.max(1, Math.round(windowMs / MINUTE_MS));
  const threshold = options.latencyP95Ms;
  let firstMs = Infinity;
  for (const k of minutes.keys()) if (k * MINUTE_MS < firstMs) firstMs = k * MINUTE_MS;

  const sum = (lastMinutes: number): MinuteCounts => {
    const acc = { total: 0, errors: 0, slow: 0 };
    for (const [k, m] of minutes) {
      if (k > newestMinute - lastMinutes) {
        acc.total += m.total;
        acc.errors += m.errors;
        acc.slow += m.slow;
      }
    }
    return acc;
  };

  const all = sum(windowMinutes);
  const merged = new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY });
  for (const s of hours.values()) merged.merge(s);
  const errorBudgetFraction = 1 - options.availability;
  const latencyBudgetFraction = 1 - 0.95;

  const burnRates: BurnRate[] = BURN_WINDOWS.map((w) => {
    const c = sum(Math.round(w.ms / MINUTE_MS));
    const errorRatio = c.total > 0 ? c.errors / c.total : null;
    return {
      window: w.label,
      windowMs: w.ms,
      ...c,
      errorRatio,
      availabilityBurnRate: burn(errorRatio, errorBudgetFraction),
      latencyBurnRate:
        threshold === undefined
          ? null
          : burn(c.total > 0 ? c.slow / c.total : null, latencyBudgetFraction),
    };
  });
  const byLabel = new Map(burnRates.map((b) => [b.window, b]));
  const alerts: BurnAlert[] = [];
  for (const sli of ['availability', 'latency'] as const) {
    if (sli === 'latency' && threshold === undefined) continue;
    for (const a of BURN_ALERTS) {
      const pick = (label: string): number | null => {
        const b = byLabel.get(label);
        if (!b) return null;
        return sli === 'availability' ? b.availabilityBurnRate : b.latencyBurnRate;
      };
      const longBurnRate = pick(a.long);
      const shortBurnRate = pick(a.short);
      alerts.push({
        name: a.name,
        sli,
        severity: a.severity,
        factor: a.factor,
        longWindow: a.long,
        shortWindow: a.short,
        longBurnRate,
        shortBurnRate,
        firing:
          longBurnRate !== null &&
          shortBurnRate !== null &&
          longBurnRate > a.factor &&
          shortBurnRate > a.factor,
      });
    }
  }

  const hasData = all.total > 0;
  return {
    objective: {
      availability: options.availability,
      latencyP95Ms: threshold ?? null,
      windowMs,
      ...(options.spanName !== undefined ? { spanName: options.spanName } : {}),
    },
    window: {
      startUnixMs: hasData ? (newestMinute - windowMinutes + 1) * MINUTE_MS : null,
      endUnixMs: hasData ? newestMs : null,
      firstDataUnixMs: hasData ? firstMs : null,
    },
    sli: {
      total: all.total,
      errors: all.errors,
      slow: all.slow,
      successRatio: hasData ? (all.total - all.errors) / all.total : null,
      latencyRatio: hasData && threshold !== undefined ? (all.total - all.slow) / all.total : null,
      p95Ms: merged.count > 0 ? Math.round(merged.getValueAtQuantile(0.95) * 1000) / 1000 : null,
    },
    availability: budget(options.availability, all.total, all.errors),
    latency: threshold === undefined ? null : budget(0.95, all.total, all.slow),
    burnRates,
    alerts,
  };
}

function burn(badRatio: number | null, budgetFraction: number): number | null {
  if (badRatio === null || budgetFraction <= 0) return null;
  return badRatio / budgetFraction;
}

function budget(objective: number, total: number, bad: number): SliBudget {
  const budgetTotal = (1 - objective) * total;
  const ratio = total > 0 ? (total - bad) / total : null;
  return {
    objective,
    ratio,
    // A tiny epsilon so 99.9 % of 1000 (exactly 1 bad event) counts as met despite float error.
    status: ratio === null ? 'no-data' : ratio + 1e-12 >= objective ? 'met' : 'breached',
    budgetTotal,
    budgetUsed: bad,
    budgetRemaining: budgetTotal - bad,
    budgetRemainingRatio: budgetTotal > 0 ? (budgetTotal - bad) / budgetTotal : null,
  };
}
