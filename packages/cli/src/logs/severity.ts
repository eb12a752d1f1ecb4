/**
 * Severity levels of the OpenTelemetry logs data model: SeverityNumber ranges 1-4 TRACE, 5-8
 * DEBUG, 9-12 INFO, 13-16 WARN, 17-20 ERROR, 21-24 FATAL
 * (https://opentelemetry.io/docs/specs/otel/logs/data-model/#field-severitynumber).
 */
export const SEVERITY_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type SeverityLevel = (typeof SEVERITY_LEVELS)[number];

/** The lowest SeverityNumber of a level's range: trace 1, debug 5, … fatal 21. */
export function levelFloor(level: SeverityLevel): number {
  return SEVERITY_LEVELS.indexOf(level) * 4 + 1;
}

/** The level of a SeverityNumber 1-24; undefined for 0 (unspecified) and out-of-range numbers. */
export function levelOfNumber(n: number | undefined): SeverityLevel | undefined {
  if (n === undefined || !Number.isInteger(n) || n < 1 || n > 24) return undefined;
  return SEVERITY_LEVELS[Math.floor((n - 1) / 4)];
}

// Severity texts that name a level without being its short name: the data model's
// "displayed" names (TRACE2, ERROR3, …) and what common logging libraries write.
const TEXT_ALIASES: Record<string, SeverityLevel> = {
  warning: 'warn',
  err: 'error',
  critical: 'fatal',
  crit: 'fatal',
  panic: 'fatal',
  emergency: 'fatal',
  alert: 'fatal',
};

/** The level a severityText names (`ERROR`, `warning`, `INFO2`, …), case-insensitive. */
export function levelOfText(text: string | undefined): SeverityLevel | undefined {
  if (!text) return undefined;
  const t = text.trim().toLowerCase();
  const base = /^(trace|debug|info|warn|error|fatal)[234]?$/.exec(t)?.[1];
  if (base) return base as SeverityLevel;
  return TEXT_ALIASES[t];
}

/**
 * The SeverityNumber a record is compared by: its own `severityNumber`, else the floor of the
 * level its `severityText` names; 0 when neither says anything (unspecified).
 */
export function effectiveSeverity(record: {
  severityNumber?: number;
  severityText?: string;
}): number {
  const n = record.severityNumber;
  if (n !== undefined && n >= 1 && n <= 24) return n;
  const level = levelOfText(record.severityText);
  return level ? levelFloor(level) : 0;
}

/**
 * `--severity` argument → the lowest SeverityNumber let through: a level name (trace, debug,
 * info, warn, error, fatal; case-insensitive) or a number 1-24. Throws RangeError otherwise.
 */
export function parseSeverityThreshold(text: string): number {
  const t = text.trim().toLowerCase();
  if (/^\d+$/.test(t)) {
    const n = Number(t);
    if (n >= 1 && n <= 24) return n;
  } else {
    const level = (SEVERITY_LEVELS as readonly string[]).includes(t)
      ? (t as SeverityLevel)
      : TEXT_ALIASES[t];
    if (level) return levelFloor(level);
  }
  throw new RangeError(
    `--severity ${JSON.stringify(text)}: expected ${SEVERITY_LEVELS.join(', ')} or a SeverityNumber 1-24`,
  );
}
