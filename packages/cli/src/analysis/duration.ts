/** Parses the CLI's time arguments: durations (`30m`, `24h`, `7d`) and `--since` cut-offs. */

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/;

/** `500ms`, `1.5s`, `30m`, `24h`, `7d`, `2w` → milliseconds; undefined when not a duration. */
export function parseDurationMs(text: string): number | undefined {
  const match = DURATION.exec(text.trim().toLowerCase());
  if (!match) return undefined;
  const value = Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? NaN);
  return Number.isFinite(value) ? value : undefined;
}

/**
 * `--since`: a duration back from `now`, or an ISO-8601 date/time (`2026-11-24`,
 * `2026-11-24T09:00:00Z`). Throws a RangeError with a readable message otherwise.
 */
export function parseSince(text: string, now: number): number {
  const duration = parseDurationMs(text);
  if (duration !== undefined) return now - duration;
  if (/^\d{4}-\d{2}-\d{2}/.test(text.trim())) {
    const at = Date.parse(text.trim());
    if (!Number.isNaN(at)) return at;
  }
  throw new RangeError(
    `--since ${JSON.stringify(text)}: expected a duration like 30m, 24h, 7d or an ISO date like 2026-11-24`,
  );
}

/** Short human form of a duration in ms: `850ms`, `1.2s`, `3m`, `5h`, `2d`. */
export function formatDurationMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${+(ms / 1000).toFixed(1)}s`;
  if (ms < 3_600_000) return `${+(ms / 60_000).toFixed(1)}m`;
  if (ms < 86_400_000) return `${+(ms / 3_600_000).toFixed(1)}h`;
  return `${+(ms / 86_400_000).toFixed(1)}d`;
}
