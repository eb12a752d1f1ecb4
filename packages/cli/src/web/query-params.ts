import { parseSince } from '../analysis/duration.js';

// The query parameters the dashboard's searches share (/api/search, /api/logs): one error
// (answered 400 with its message) and one reading of integers and times.

/** A search parameter that cannot be used: answered 400 with this message. */
export class SearchQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SearchQueryError';
  }
}

/** A plain decimal integer in [min, max]; `fallback` when absent. */
export function integerParam(
  value: string | undefined,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new SearchQueryError(`${name} must be an integer from ${min} to ${max}`);
  }
  return n;
}

/** Unix ms: epoch milliseconds, or what `--since` takes (a duration back from now, a date). */
export function timeParam(value: string, name: string, now: number): number {
  if (/^\d{10,}$/.test(value)) return Number(value);
  try {
    return parseSince(value, now);
  } catch {
    throw new SearchQueryError(
      `${name} ${JSON.stringify(value)}: expected a duration back from now like 30m, 24h, an ISO date like 2026-11-24 or epoch milliseconds`,
    );
  }
}
