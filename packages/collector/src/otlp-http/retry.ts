/**
 * Retry policy from the OTLP/HTTP specification ("Failures" and "Throttling"):
 * 429, 502, 503 and 504 are retryable (with Retry-After honoured when present), as are
 * network errors; every other 4xx/5xx MUST NOT be retried.
 */
export interface RetryOptions {
  /** First backoff delay (default 1000 ms). */
  initialDelayMs?: number;
  /** Cap on one backoff delay (default 30 s). */
  maxDelayMs?: number;
  /** Backoff multiplier (default 2). */
  multiplier?: number;
  /** Attempts per request, first one included (default 5). */
  maxAttempts?: number;
  /** Retries per sync run, all requests together (default 20), so a run always ends. */
  maxRetriesPerRun?: number;
  /** Longest Retry-After the run waits for; beyond it the run stops, data kept (default 60 s). */
  maxRetryAfterMs?: number;
  /** Per-attempt timeout (default 10 s); a timeout counts as a network error. */
  timeoutMs?: number;
}

export type ResolvedRetryOptions = Required<RetryOptions>;

export const DEFAULT_RETRY: ResolvedRetryOptions = {
  initialDelayMs: 1000,
  maxDelayMs: 30_000,
  multiplier: 2,
  maxAttempts: 5,
  maxRetriesPerRun: 20,
  maxRetryAfterMs: 60_000,
  timeoutMs: 10_000,
};

export function resolveRetry(options: RetryOptions = {}): ResolvedRetryOptions {
  return { ...DEFAULT_RETRY, ...stripUndefined(options) };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export const RETRYABLE_STATUS: ReadonlySet<number> = new Set([429, 502, 503, 504]);

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUS.has(status);
}

/**
 * Retry-After: delay-seconds or an HTTP-date (RFC 9110 §10.2.3). Returns milliseconds from
 * `now`, 0 for dates in the past, undefined when absent or unparseable.
 */
export function parseRetryAfter(
  value: string | undefined,
  now: number = Date.now(),
): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  if (!/[a-z]/i.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/**
 * Exponential backoff with jitter for retry number `retry` (1-based): the nominal delay
 * initial·multiplier^(retry-1), capped, then randomised to [50 %, 100 %] of it so many
 * clients recovering together do not retry in lockstep.
 */
export function backoffDelay(
  retry: number,
  options: ResolvedRetryOptions,
  random: () => number = Math.random,
): number {
  const nominal = Math.min(
    options.maxDelayMs,
    options.initialDelayMs * options.multiplier ** Math.max(0, retry - 1),
  );
  return Math.round(nominal * (0.5 + 0.5 * random()));
}
