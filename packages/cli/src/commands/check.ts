import { writeFile } from 'node:fs/promises';
import { formatMs, formatPercent, type Report } from '../analysis/index.js';
import {
  CliError,
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
  colors,
  printJson,
  type CommonOptions,
} from '../output/index.js';
import { readReport } from './report.js';
import { parseLatencyMs } from './slo.js';

export interface CheckCommandOptions extends CommonOptions {
  maxCrashes?: string;
  maxErrorRate?: string;
  maxP95?: string;
  since?: string;
  junit?: string;
}

/** One budget of the gate and how the spool measured against it. */
export interface BudgetResult {
  /** `max-crashes`, `max-error-rate`, `max-p95`. */
  name: string;
  limit: number;
  actual: number | null;
  passed: boolean;
  /** One readable sentence: why it passed or failed. */
  message: string;
}

/** The `--json` shape of `spool check`. */
export interface CheckResult {
  passed: boolean;
  dir: string;
  spans: number;
  crashes: number;
  budgets: BudgetResult[];
}

/** `0.01` or `1%` → 0.01. */
export function parseRate(text: string): number {
  const t = text.trim();
  const value = t.endsWith('%') ? Number(t.slice(0, -1)) / 100 : Number(t);
  if (t === '' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new CliError(
      `--max-error-rate ${JSON.stringify(text)}: expected a fraction 0..1 (0.01) or a percentage (1%)`,
      EXIT_USAGE,
    );
  }
  return value;
}

function parseCount(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) {
    throw new CliError(
      `--max-crashes ${JSON.stringify(text)}: expected a whole number ≥ 0`,
      EXIT_USAGE,
    );
  }
  return value;
}

/** Evaluates the budgets against a report. Budgets not given are not checked. */
export function evaluateBudgets(
  report: Report,
  limits: { maxCrashes?: number; maxErrorRate?: number; maxP95Ms?: number },
): CheckResult {
  const budgets: BudgetResult[] = [];
  if (limits.maxCrashes !== undefined) {
    const actual = report.crashes.total;
    const passed = actual <= limits.maxCrashes;
    const groups = report.crashes.topGroups
      .slice(0, 3)
      .map((g) => `${g.type}: ${g.message} ×${g.count} (${g.id})`)
      .join('; ');
    budgets.push({
      name: 'max-crashes',
      limit: limits.maxCrashes,
      actual,
      passed,
      message: passed
        ? `${actual} crash(es), within the budget of ${limits.maxCrashes}`
        : `${actual} crash(es) exceed the budget of ${limits.maxCrashes}` +
          (groups ? ` — ${groups}` : ''),
    });
  }
  const o = report.spans.overall;
  if (limits.maxErrorRate !== undefined) {
    const actual = o.errorRate;
    const passed = actual === null || actual <= limits.maxErrorRate;
    const worst = report.spans.byName
      .filter((n) => n.errors > 0)
      .sort((a, b) => b.errors - a.errors)
      .slice(0, 3)
      .map((n) => `${n.name} ${n.errors}/${n.count}`)
      .join(', ');
    budgets.push({
      name: 'max-error-rate',
      limit: limits.maxErrorRate,
      actual,
      passed,
      message:
        actual === null
          ? 'no spans: error rate not measurable (passes)'
          : passed
            ? `span error rate ${formatPercent(actual, 3)} (${o.errors}/${o.count}), within ${formatPercent(limits.maxErrorRate, 3)}`
            : `span error rate ${formatPercent(actual, 3)} (${o.errors}/${o.count}) exceeds ${formatPercent(limits.maxErrorRate, 3)}` +
              (worst ? ` — most errors: ${worst}` : ''),
    });
  }
  if (limits.maxP95Ms !== undefined) {
    const actual = o.p95Ms;
    const passed = actual === null || actual <= limits.maxP95Ms;
    const slowest = report.spans.byName
      .filter((n) => n.p95Ms !== null && n.p95Ms > (limits.maxP95Ms ?? 0))
      .slice(0, 3)
      .map((n) => `${n.name} p95 ${formatMs(n.p95Ms)}`)
      .join(', ');
    budgets.push({
      name: 'max-p95',
      limit: limits.maxP95Ms,
      actual,
      passed,
      message:
        actual === null
          ? 'no timed spans: p95 not measurable (passes)'
          : passed
            ? `span p95 ${formatMs(actual)}, within ${formatMs(limits.maxP95Ms)}`
            : `span p95 ${formatMs(actual)} exceeds ${formatMs(limits.maxP95Ms)}` +
              (slowest ? ` — slowest: ${slowest}` : ''),
    });
  }
  return {
    passed: budgets.every((b) => b.passed),
    dir: report.dir,
    spans: o.count,
    crashes: report.crashes.total,
    budgets,
  };
}

/** XML 1.0 text/attribute escaping; characters XML 1.0 cannot carry at all are dropped. */
export function escapeXml(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex -- matching the characters XML 1.0 forbids is the point
      .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

/**
 * JUnit XML (the Ant/Jenkins schema every CI reads): one testsuite, one testcase per budget, a
 * <failure> for each broken one. Written by hand: the document is a dozen elements, and the XML
 * builders on npm (xmlbuilder2, junit-report-builder) would pull in far more code than this;
 * all text goes through escapeXml.
 */
export function junitXml(result: CheckResult, timestamp = new Date()): string {
  const failures = result.budgets.filter((b) => !b.passed).length;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="spool check" tests="${result.budgets.length}" failures="${failures}" errors="0">`,
    `  <testsuite name="spool check" tests="${result.budgets.length}" failures="${failures}" errors="0" skipped="0" timestamp="${timestamp.toISOString().replace(/\.\d+Z$/, '')}">`,
    `    <properties><property name="spool.dir" value="${escapeXml(result.dir)}"/></properties>`,
  ];
  for (const b of result.budgets) {
    const open = `    <testcase classname="spool.check" name="${escapeXml(b.name)}" time="0">`;
    if (b.passed) {
      lines.push(`${open}<system-out>${escapeXml(b.message)}</system-out></testcase>`);
    } else {
      lines.push(
        open,
        `      <failure type="BudgetExceeded" message="${escapeXml(b.message)}">${escapeXml(
          `limit ${b.limit}, actual ${b.actual}`,
        )}</failure>`,
        '    </testcase>',
      );
    }
  }
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}

/** `spool check` (options: program.ts): exit 1 when a budget breaks. */
export async function checkCommand(options: CheckCommandOptions): Promise<void> {
  const limits = {
    ...(options.maxCrashes !== undefined ? { maxCrashes: parseCount(options.maxCrashes) } : {}),
    ...(options.maxErrorRate !== undefined
      ? { maxErrorRate: parseRate(options.maxErrorRate) }
      : {}),
    ...(options.maxP95 !== undefined
      ? { maxP95Ms: parseLatencyMs('--max-p95', options.maxP95) }
      : {}),
  };
  if (Object.keys(limits).length === 0) {
    throw new CliError(
      'give at least one budget: --max-crashes, --max-error-rate or --max-p95',
      EXIT_USAGE,
    );
  }
  const report = await readReport(options);
  const result = evaluateBudgets(report, limits);
  if (options.junit !== undefined)
    await writeFile(options.junit, junitXml(result), { mode: 0o644 });
  if (options.json) {
    printJson(result);
  } else {
    const c = colors(options);
    for (const b of result.budgets) {
      process.stdout.write(
        `${b.passed ? c.green('PASS') : c.red('FAIL')} ${b.name}: ${b.message}\n`,
      );
    }
    process.stdout.write(
      result.passed
        ? c.green('spool check passed\n')
        : c.red(
            `spool check failed: ${result.budgets.filter((b) => !b.passed).length} budget(s) broken\n`,
          ),
    );
  }
  process.exitCode = result.passed ? EXIT_OK : EXIT_FAILURE;
}
